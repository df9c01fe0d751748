"""Kinto client benchmark: restwright.kinto against kinto-http (issue #3's speed targets).

1. ``batch()``: 10,000 ``create_record`` calls inside ``with client.batch() as batch:``
   against one real Kinto server (memory backend), for restwright sync, restwright async
   and kinto-http; wall time of the block, then a count check that every record arrived
   exactly once.
2. ``get_record`` in a loop against the local nginx of the engine bench (every path
   answers the same ~1 KB JSON object): CPU us per call.

Prints tables and the targets' ratios with PASS/MISS.  Run from the repository root::

    .venv/bin/python -m bench.kinto [--quick] [--only batch,get] [--strict]

See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import gc
import http.client
import json
import logging
import os
import platform
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from bench._measure import (
    Result,
    bench_parser,
    parse_bench_args,
    print_table,
    ratio_line,
    time_sync,
    versions,
)
from bench._nginx import PAYLOAD, ensure_nginx, nginx_server, nginx_version

USER, PASSWORD = "bench", "secret"
BUCKET = "bench"
RECORD_ID = "r1"
BATCH_TARGET = 2.0  # restwright / kinto-http, wall time of the batch
GET_TARGET = 5.0  # kinto-http CPU us / restwright CPU us per get_record
KEYS = ("batch", "get")

#: The distributions whose versions head the report.
PACKAGES = ("restwright", "kinto-http", "requests")


def restwright_kinto() -> Any:
    """``restwright.kinto`` if it imports and has both clients (it may not exist yet)."""
    try:
        import restwright.kinto as kinto
    except Exception:  # ImportError, or a half-written module failing at import
        return None
    if not (hasattr(kinto, "Client") and hasattr(kinto, "AsyncClient")):
        return None
    return kinto


def record(i: int) -> tuple[str, dict[str, Any]]:
    """The id and data of the i-th record (ids are ours, so the check can compare sets)."""
    return f"r{i:05d}", {"title": f"record {i}", "n": i, "done": i % 2 == 0, "tags": ["a", "b"]}


# -- 1. batch against a real Kinto -------------------------------------------------------


@dataclass
class BatchRun:
    wall_s: float
    cpu_s: float
    results: int  # len(batch.results()) after the block
    server_cpu_s: float | None = None  # CPU time of the Kinto server during the block


def children_cpu_s() -> float | None:
    """User+system CPU seconds of this process's child processes (Linux /proc), or None."""
    try:
        tick = os.sysconf("SC_CLK_TCK")
        todo = [c for t in os.listdir("/proc/self/task") for c in _children(f"self/task/{t}")]
        total = 0
        while todo:
            pid = todo.pop()
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
            todo += [
                c for t in os.listdir(f"/proc/{pid}/task") for c in _children(f"{pid}/task/{t}")
            ]
        return total / tick
    except (OSError, ValueError, IndexError):
        return None


def _children(task: str) -> list[str]:
    try:
        with open(f"/proc/{task}/children") as fh:
            return fh.read().split()
    except OSError:
        return []


class Stopwatch:
    """Wall time, this process's CPU time and the servers' CPU time between start/stop."""

    def start(self) -> None:
        gc.collect()
        self._server = children_cpu_s()
        self._wall, self._cpu = time.perf_counter(), time.process_time()

    def stop(self, results: int) -> BatchRun:
        wall, cpu = time.perf_counter() - self._wall, time.process_time() - self._cpu
        server = children_cpu_s()
        spent = None if server is None or self._server is None else server - self._server
        return BatchRun(wall, cpu, results, spent)


def batch_sync(module: Any, base: str, collection: str, n: int) -> BatchRun:
    client = module.Client(
        server_url=base, auth=(USER, PASSWORD), bucket=BUCKET, collection=collection
    )
    client.create_bucket(id=BUCKET, if_not_exists=True)
    client.create_collection(id=collection, if_not_exists=True)
    watch = Stopwatch()
    watch.start()
    with client.batch() as batch:
        for i in range(n):
            rid, data = record(i)
            batch.create_record(id=rid, data=data)
    run = watch.stop(len(batch.results()))
    with contextlib.suppress(AttributeError):
        client.close()
    return run


PARALLEL_CHUNKS = 4
PARALLEL_NAME = f"restwright async parallel={PARALLEL_CHUNKS}"


def batch_async_parallel(module: Any, base: str, collection: str, n: int) -> BatchRun:
    """The async batch with up to PARALLEL_CHUNKS chunks in flight (ids are distinct)."""
    return batch_async(module, base, collection, n, parallel=PARALLEL_CHUNKS)


def batch_async(module: Any, base: str, collection: str, n: int, parallel: int = 1) -> BatchRun:
    async def main() -> BatchRun:
        async with module.AsyncClient(
            server_url=base, auth=(USER, PASSWORD), bucket=BUCKET, collection=collection
        ) as client:
            await client.create_bucket(id=BUCKET, if_not_exists=True)
            await client.create_collection(id=collection, if_not_exists=True)
            watch = Stopwatch()
            watch.start()
            options = {"parallel": parallel} if parallel > 1 else {}
            async with client.batch(**options) as batch:
                for i in range(n):
                    rid, data = record(i)
                    await batch.create_record(id=rid, data=data)
            return watch.stop(len(batch.results()))

    return asyncio.run(main())


def check_records(base: str, collection: str, n: int) -> tuple[bool, str]:
    """Page through the collection with plain http.client (neither client under test)."""
    url = urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    headers = {"Authorization": f"Basic {token}"}
    path: str | None = f"{url.path}/buckets/{BUCKET}/collections/{collection}/records?_fields=id"
    ids: list[str] = []
    pages = 0
    origin = f"{url.scheme}://{url.netloc}"
    try:
        while path:
            conn.request("GET", path, headers=headers)
            resp = conn.getresponse()
            body = resp.read()
            if resp.status != 200:
                return False, f"GET records answered {resp.status}"
            ids.extend(r["id"] for r in json.loads(body)["data"])
            pages += 1
            nxt = resp.getheader("Next-Page")
            path = nxt[len(origin) :] if nxt else None
    finally:
        conn.close()
    expected = {record(i)[0] for i in range(n)}
    found = set(ids)
    ok = len(ids) == n and found == expected
    detail = f"{len(ids)} records, {len(found)} distinct ids"
    if found != expected:
        detail += f", {len(expected - found)} missing, {len(found - expected)} unexpected"
    return ok, f"{detail} ({pages} page{'s' * (pages != 1)})"


@contextlib.contextmanager
def kinto_env(chunk: int | None) -> Iterator[None]:
    """Settings for the Kinto child, through Kinto's ``KINTO_<SETTING>`` overrides.

    Pagination is raised so the count check takes one GET instead of n/5 (the test
    config pages by 5); it plays no part in the timed batch.  ``chunk`` overrides the
    test config's ``batch_max_requests = 10``.
    """
    wanted = {"KINTO_PAGINATE_BY": "20000", "KINTO_STORAGE_MAX_FETCH_SIZE": "20000"}
    if chunk:
        wanted["KINTO_BATCH_MAX_REQUESTS"] = str(chunk)
    saved = {k: os.environ.get(k) for k in wanted}
    os.environ.update(wanted)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@dataclass
class BatchPeer:
    name: str
    module: Callable[[], Any]  # returns the client module, or None if not available
    run: Callable[[Any, str, str, int], BatchRun]


def _kinto_http() -> Any:
    import kinto_http

    return kinto_http


BATCH_PEERS = [
    BatchPeer("restwright", restwright_kinto, batch_sync),
    BatchPeer("restwright async", restwright_kinto, batch_async),
    BatchPeer(PARALLEL_NAME, restwright_kinto, batch_async_parallel),
    BatchPeer("kinto-http", _kinto_http, batch_sync),
]


def server_chunk(base: str) -> int:
    conn = http.client.HTTPConnection(urlsplit(base).hostname, urlsplit(base).port, timeout=10)
    try:
        conn.request("GET", urlsplit(base).path + "/")
        return int(json.loads(conn.getresponse().read())["settings"]["batch_max_requests"])
    finally:
        conn.close()


def async_batch_note(module: Any) -> str:
    """How restwright's async batch sends its chunks (read from its signature/source)."""
    import inspect

    params = inspect.signature(module.AsyncClient.batch).parameters
    knobs = [p for p in params if any(w in p for w in ("parallel", "concurren", "max_in"))]
    if knobs:
        return f"AsyncClient.batch() has {', '.join(knobs)}"
    return "restwright.kinto's async batch sends its chunks one after the other (no option)"


@contextlib.contextmanager
def batch_server(tmp: str, storage: str) -> Iterator[str]:
    """The Kinto server of the batch runs: memory backends (the tests' server), or the
    same plugins and settings on PostgreSQL (a production-style deployment)."""
    from tests.servers.kinto_server import kinto_server

    if storage == "memory":
        with kinto_server(tmp) as base:
            yield base
        return
    from tests.servers.postgres import postgres_server

    with postgres_server(tmp) as storage_url, kinto_server(tmp, storage_url=storage_url) as base:
        yield base


def run_batch(args: argparse.Namespace) -> dict[str, tuple[Result, float | None]]:
    from tests.servers.kinto_server import flush

    peers = [p for p in BATCH_PEERS if p.module() is not None]
    for p in BATCH_PEERS:
        if p not in peers:
            print(f"  {p.name}: not available (restwright.kinto Client/AsyncClient missing)")
    runs: dict[str, list[BatchRun]] = {p.name: [] for p in peers}
    failed: set[str] = set()
    with (
        tempfile.TemporaryDirectory(prefix="bench-kinto-") as tmp,
        kinto_env(args.chunk),
        batch_server(tmp, args.storage) as base,
    ):
        chunk = server_chunk(base)
        chunks = -(-args.records // chunk)
        print(
            f"\nbatch: Kinto on {args.storage} backends; {args.records} create_record per run "
            "in one batch(); the server's "
            f"batch_max_requests = {chunk}, so {chunks} POST /batch per run.\n"
            f"{args.repeat} rounds, clients interleaved; before each run the server is "
            + (
                "flushed"
                if args.storage == "memory"
                else "replaced by a new Kinto on a new PostgreSQL cluster (deleted rows "
                "would slow the later runs)"
            )
            + " and a fresh collection made ..."
        )

        @contextlib.contextmanager
        def fresh_server() -> Iterator[str]:
            if args.storage == "memory":
                flush(base)
                yield base
                return
            with (
                tempfile.TemporaryDirectory(dir=tmp) as run_tmp,
                batch_server(run_tmp, args.storage) as run_base,
            ):
                yield run_base

        if any(p.name == "restwright async" for p in peers):
            print(f"  note: {async_batch_note(restwright_kinto())}")
        for rnd in range(args.repeat):
            for p in peers:
                if p.name in failed:
                    continue
                coll = re.sub(r"[^A-Za-z0-9_-]", "-", f"c{rnd}-{p.name}")  # a valid Kinto id
                with fresh_server() as run_base:
                    try:
                        run = p.run(p.module(), run_base, coll, args.records)
                    except Exception as exc:
                        print(f"  {p.name}: FAILED: {type(exc).__name__}: {str(exc)[:300]}")
                        failed.add(p.name)
                        continue
                    ok, detail = check_records(run_base, coll, args.records)
                if run.results != args.records:
                    ok = False
                    detail += f"; batch.results() holds {run.results}"
                server = "-" if run.server_cpu_s is None else f"{run.server_cpu_s:6.2f}"
                print(
                    f"  round {rnd + 1} {p.name:<17} {run.wall_s:7.2f} s wall "
                    f"{run.cpu_s:6.2f} s CPU (server {server} s)   "
                    f"check: {'OK' if ok else 'FAILED'}, {detail}"
                )
                if not ok:
                    failed.add(p.name)
                    continue
                runs[p.name].append(run)
    out = {}
    for name, got in runs.items():
        if got and name not in failed:
            res = Result(name, args.records, min(r.wall_s for r in got), min(r.cpu_s for r in got))
            res.note = f"{chunks} chunks of {chunk}"
            servers = [r.server_cpu_s for r in got if r.server_cpu_s is not None]
            out[name] = (res, min(servers) if servers else None)
    return out


def print_batch_table(title: str, results: list[tuple[Result, float | None]]) -> None:
    print(f"\n{title}")
    head = f"  {'client':<18}{'records':>8}{'wall s':>8}{'records/s':>11}{'CPU s':>7}"
    print(f"{head}{'CPU us/record':>15}{'server CPU s':>14}  note")
    for r, server in results:
        row = f"  {r.name:<18}{r.n:>8}{r.wall_s:>8.2f}{r.rps:>11,.0f}{r.cpu_s:>7.2f}"
        srv = "-" if server is None else f"{server:.2f}"
        print(f"{row}{r.cpu_us:>15.1f}{srv:>14}  {r.note}".rstrip())


# -- 2. get_record against nginx -----------------------------------------------------------


@contextlib.contextmanager
def get_record_fetch(module: Any, base: str) -> Iterator[Callable[[], Any]]:
    client = module.Client(server_url=base + "/v1", auth=("u", "p"), bucket="b", collection="c")
    try:
        yield lambda: client.get_record(id=RECORD_ID)
    finally:
        with contextlib.suppress(AttributeError):
            client.close()


def run_get(args: argparse.Namespace) -> dict[str, Result]:
    warmup = max(50, args.n // 20)
    peers = [("restwright", restwright_kinto()), ("kinto-http", _kinto_http())]
    out: dict[str, Result] = {}
    print(f"\nget_record: {args.n} sequential calls per run, warm-up {warmup} ...")
    with nginx_server() as base:
        for name, module in peers:
            if module is None:
                print(f"  {name}: not available (restwright.kinto Client missing)")
                continue
            try:
                with get_record_fetch(module, base) as fetch:
                    got = fetch()
                    if got != PAYLOAD and (not isinstance(got, dict) or got.get("data") != PAYLOAD):
                        raise AssertionError(f"unexpected get_record() result {str(got)[:120]}")
                    out[name] = time_sync(name, fetch, args.n, warmup, args.repeat)
            except Exception as exc:
                print(f"  {name}: FAILED: {type(exc).__name__}: {exc}")
    return out


def cpu_ratio_line(label: str, mine: Result | None, other: Result | None, target: float) -> bool:
    """``other CPU us / mine CPU us`` against ``target`` (the wall ratio is shown too)."""
    if mine is None or other is None:
        missing = "restwright" if mine is None else "peer"
        print(f"  {label:<54} n/a ({missing} not measured)  (target >= {target}x)")
        return True
    cpu = other.cpu_us / mine.cpu_us
    verdict = "PASS" if cpu >= target else "MISS"
    wall = other.wall_us / mine.wall_us
    print(f"  {label:<54} = {cpu:5.2f}x  (target >= {target}x)  {verdict}   [wall: {wall:.2f}x]")
    return cpu >= target


# -- main -----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = bench_parser("python -m bench.kinto", __doc__, KEYS)
    ap.add_argument("--quick", action="store_true", help="small N (smoke run, noisy figures)")
    ap.add_argument("--records", type=int, help="records per batch run (default 10000)")
    ap.add_argument("--n", type=int, help="get_record calls per timed run (default 5000)")
    ap.add_argument("--repeat", type=int, help="timed runs per client; best is kept (default 3)")
    ap.add_argument("--chunk", type=int, help="override the test server's batch_max_requests (10)")
    ap.add_argument(
        "--storage",
        choices=("memory", "postgresql"),
        default="memory",
        help="the batch server's backends (default memory, as in the tests)",
    )
    args = parse_bench_args(ap, argv, KEYS)
    args.records = args.records or (1000 if args.quick else 10000)
    args.n = args.n or (1000 if args.quick else 5000)
    args.repeat = args.repeat or (1 if args.quick else 3)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # kinto-http logs every batch sub-response at WARNING: keep the records (their cost is
    # kinto-http's) but not the 10,000 lines on stderr.
    logging.getLogger().addHandler(logging.NullHandler())
    nginx = ensure_nginx() if "get" in args.only else None
    print(
        f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs"
        + (f"; {nginx_version(nginx)}, 1 worker" if nginx else "")
        + f"\n{versions(*PACKAGES)}\nEach figure: best of {args.repeat} timed runs "
        "(min wall, min CPU taken separately).\n"
        "CPU = this process's user+sys time (servers excluded)."
    )
    batch: dict[str, tuple[Result, float | None]] = {}
    gets: dict[str, Result] = {}
    if "batch" in args.only:
        batch = run_batch(args)
    if "get" in args.only:
        gets = run_get(args)

    if batch:
        print_batch_table(
            f"batch(): {args.records} create_record, best of {args.repeat}",
            list(batch.values()),
        )
    if gets:
        print_table(f"get_record against nginx (best of {args.repeat})", list(gets.values()))

    ok = True
    print("\ntargets")
    if "batch" in args.only:
        print("  (batch: ratios of wall time; [CPU] = kinto-http CPU / restwright CPU)")
        peer = batch.get("kinto-http", (None, None))[0]
        for name in ("restwright", "restwright async", PARALLEL_NAME):
            mine = batch.get(name, (None, None))[0]
            ok &= ratio_line(f"batch: {name} / kinto-http", mine, peer, BATCH_TARGET)
        server = min((s for _, s in batch.values() if s is not None), default=None)
        if peer is not None and server:
            print(
                f"  note: the Kinto server alone spent >= {server:.2f} s CPU per run, "
                f"{server / peer.wall_s:.0%} of kinto-http's wall time; with chunks sent one "
                f"after the other, even a client costing nothing would reach at most "
                f"{peer.wall_s / server:.2f}x."
            )
    if "get" in args.only:
        print("  (get_record: kinto-http CPU us / restwright CPU us; [wall] the same way round)")
        ok &= cpu_ratio_line(
            "get_record: restwright / kinto-http (CPU)",
            gets.get("restwright"),
            gets.get("kinto-http"),
            GET_TARGET,
        )
    return 0 if ok or not args.strict else 1


if __name__ == "__main__":
    sys.exit(main())
