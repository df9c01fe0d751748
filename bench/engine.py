"""Engine benchmark: restwright against raw transports and popular clients, one run.

Starts a local nginx answering every path with the same ~1 KB JSON object, then times
``GET /item`` + JSON parsing for each client, sequentially (sync) and with N requests
in flight C at a time (async); measures ``import restwright``, the response parser alone
(against h11) and the peak memory of a client fed a 1 GiB gzip bomb; prints a table and
the targets' ratios with PASS/MISS.  Run from the repository root::

    .venv/bin/python -m bench.engine [--quick] [--only restwright,pycurl,...] [--strict]

See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import os
import platform
import socket
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from bench._measure import (
    Result,
    bench_parser,
    import_wall_ms,
    importtime_ms,
    limit_line,
    parse_bench_args,
    print_table,
    ratio_line,
    time_async,
    time_sync,
    versions,
)
from bench._nginx import BODY, PAYLOAD, ensure_nginx, nginx_server, nginx_version

PATH = "/item"
TOKEN = "secret-token"
RAW_SYNC = ("http.client", "pycurl", "urllib3")  # "raw transports" for the sync target
IMPORT_LIMIT_MS = 60.0

#: The distributions whose versions head the report.
PACKAGES = ("restwright", "pycurl", "urllib3", "requests", "httpx", "aiohttp")


def restwright_or_none(attr: str) -> Any:
    """``restwright`` if it imports and has ``attr`` (the engine may not exist yet)."""
    try:
        import restwright
    except Exception:  # ImportError, or a half-written engine failing at import
        return None
    return restwright if hasattr(restwright, attr) else None


# -- sync peers: context managers yielding a fetch() that GETs /item and parses it ----
# (``unix_socket``: connect to that Unix domain socket instead, for bench/unix_socket.py)


@contextlib.contextmanager
def restwright_sync(base: str, unix_socket: str | None = None) -> Iterator[Callable[[], Any]]:
    rw = restwright_or_none("Client")
    auth, retry = rw.BearerAuth(TOKEN), rw.Retry(total=2)
    with rw.Client(base, auth=auth, retry=retry, uds=unix_socket) as client:
        yield lambda: client.get(PATH).json()


@contextlib.contextmanager
def http_client(base: str) -> Iterator[Callable[[], Any]]:
    import http.client

    url = urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port)

    def fetch() -> Any:
        conn.request("GET", PATH)
        return json.loads(conn.getresponse().read())

    try:
        yield fetch
    finally:
        conn.close()


@contextlib.contextmanager
def pycurl_(base: str, unix_socket: str | None = None) -> Iterator[Callable[[], Any]]:
    import pycurl

    curl = pycurl.Curl()
    buf = io.BytesIO()
    curl.setopt(pycurl.URL, base + PATH)
    if unix_socket:
        curl.setopt(pycurl.UNIX_SOCKET_PATH, unix_socket)
    curl.setopt(pycurl.WRITEDATA, buf)

    def fetch() -> Any:
        buf.seek(0)
        buf.truncate()
        curl.perform()
        return json.loads(buf.getvalue())

    try:
        yield fetch
    finally:
        curl.close()


@contextlib.contextmanager
def urllib3_(base: str) -> Iterator[Callable[[], Any]]:
    import urllib3

    url = urlsplit(base)
    with urllib3.HTTPConnectionPool(url.hostname, url.port, maxsize=1) as pool:
        yield lambda: json.loads(pool.request("GET", PATH).data)


@contextlib.contextmanager
def httpx_sync(base: str, unix_socket: str | None = None) -> Iterator[Callable[[], Any]]:
    import httpx

    transport = httpx.HTTPTransport(uds=unix_socket) if unix_socket else None
    with httpx.Client(base_url=base, transport=transport) as client:
        yield lambda: client.get(PATH).json()


@contextlib.contextmanager
def requests_(base: str) -> Iterator[Callable[[], Any]]:
    import requests

    with requests.Session() as session:
        url = base + PATH
        yield lambda: session.get(url).json()


# -- async peers: async context managers yielding an async fetch() --------------------


@contextlib.asynccontextmanager
async def restwright_async(
    base: str, unix_socket: str | None = None
) -> AsyncIterator[Callable[[], Any]]:
    rw = restwright_or_none("AsyncClient")
    auth, retry = rw.BearerAuth(TOKEN), rw.Retry(total=2)
    async with rw.AsyncClient(base, auth=auth, retry=retry, uds=unix_socket) as client:

        async def fetch() -> Any:
            return (await client.get(PATH)).json()

        yield fetch


@contextlib.asynccontextmanager
async def aiohttp_(base: str, unix_socket: str | None = None) -> AsyncIterator[Callable[[], Any]]:
    import aiohttp

    connector = aiohttp.UnixConnector(path=unix_socket) if unix_socket else None
    async with aiohttp.ClientSession(connector=connector) as session:
        url = base + PATH

        async def fetch() -> Any:
            async with session.get(url) as resp:
                return await resp.json()

        yield fetch


@contextlib.asynccontextmanager
async def httpx_async(
    base: str, unix_socket: str | None = None
) -> AsyncIterator[Callable[[], Any]]:
    import httpx

    transport = httpx.AsyncHTTPTransport(uds=unix_socket) if unix_socket else None
    async with httpx.AsyncClient(base_url=base, transport=transport) as client:

        async def fetch() -> Any:
            return (await client.get(PATH)).json()

        yield fetch


@dataclass
class Peer:
    key: str  # what --only matches
    name: str  # what the table shows
    factory: Callable[[str], Any]
    scale: float = 1.0  # fraction of N for slow peers; figures are per request anyway
    needs: str = ""  # restwright attribute that must exist


SYNC_PEERS = [
    Peer("restwright", "restwright", restwright_sync, needs="Client"),
    Peer("http.client", "http.client", http_client),
    Peer("pycurl", "pycurl", pycurl_),
    Peer("urllib3", "urllib3", urllib3_),
    Peer("httpx", "httpx.Client", httpx_sync),
    Peer("requests", "requests.Session", requests_),
]
ASYNC_PEERS = [
    Peer("restwright", "restwright async", restwright_async, needs="AsyncClient"),
    Peer("aiohttp", "aiohttp", aiohttp_),
    Peer("httpx", "httpx.AsyncClient", httpx_async, scale=0.2),
]
KEYS = sorted({p.key for p in SYNC_PEERS + ASYNC_PEERS} | {"import", "parser", "bomb"})


def _check(name: str, data: Any) -> None:
    if data != PAYLOAD:
        raise AssertionError(f"{name}: unexpected response body {str(data)[:120]}")


def _available(peer: Peer) -> bool:
    if peer.needs and restwright_or_none(peer.needs) is None:
        print(f"  {peer.name}: not available (restwright.{peer.needs} missing)")
        return False
    return True


def run_sync(peer: Peer, base: str, n: int, warmup: int, repeat: int) -> Result | None:
    n = max(1, int(n * peer.scale))
    try:
        with peer.factory(base) as fetch:
            _check(peer.name, fetch())
            return time_sync(peer.name, fetch, n, warmup, repeat)
    except Exception as exc:
        print(f"  {peer.name}: FAILED: {type(exc).__name__}: {exc}")
        return None


def run_async(
    peer: Peer, base: str, n: int, concurrency: int, warmup: int, repeat: int
) -> Result | None:
    n = max(1, int(n * peer.scale))

    async def main() -> Result:
        async with peer.factory(base) as fetch:
            _check(peer.name, await fetch())
            return await time_async(peer.name, fetch, n, concurrency, warmup, repeat)

    try:
        return asyncio.run(main())
    except Exception as exc:
        print(f"  {peer.name}: FAILED: {type(exc).__name__}: {exc}")
        return None


def parse_args(
    argv: list[str] | None,
    prog: str = "python -m bench.engine",
    doc: str | None = __doc__,
    keys: Sequence[str] = KEYS,
) -> argparse.Namespace:
    """The request-count options (``bench/unix_socket.py`` takes the same ones)."""
    ap = bench_parser(prog, doc, keys)
    ap.add_argument("--quick", action="store_true", help="small N (smoke run, noisy figures)")
    ap.add_argument("--n", type=int, help="sync requests per timed run (default 5000)")
    ap.add_argument("--async-n", type=int, help="async requests per timed run (default 10000)")
    ap.add_argument("--concurrency", type=int, default=64, help="async requests in flight")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per peer; best is kept")
    args = parse_bench_args(ap, argv, keys)
    args.n = args.n or (1000 if args.quick else 5000)
    args.async_n = args.async_n or (2000 if args.quick else 10000)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sync_warmup = max(50, args.n // 20)
    async_warmup = args.concurrency * 4
    nginx = ensure_nginx()
    print(
        f"Python {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} CPUs; {nginx_version(nginx)}, 1 worker\n{versions(*PACKAGES)}\n"
        f"GET {PATH} -> {len(json.dumps(PAYLOAD))} B JSON, parsed; "
        f"one connection pool/session per client, reused.\n"
        f"Each figure: best of {args.repeat} timed runs (min wall, min CPU taken separately) "
        f"after an untimed warm-up.\nCPU = this process's user+sys time (nginx excluded)."
    )
    sync_peers = [p for p in SYNC_PEERS if p.key in args.only]
    async_peers = [p for p in ASYNC_PEERS if p.key in args.only]
    sync: dict[str, Result] = {}
    asyn: dict[str, Result] = {}
    with nginx_server() as base:
        if sync_peers:
            print(f"\nsync: {args.n} sequential GETs per run, warm-up {sync_warmup} ...")
        for peer in filter(_available, sync_peers):
            if result := run_sync(peer, base, args.n, sync_warmup, args.repeat):
                sync[peer.name] = result
        if async_peers:
            print(f"async: {args.async_n} GETs at concurrency {args.concurrency} per run ...")
        for peer in filter(_available, async_peers):
            res = run_async(peer, base, args.async_n, args.concurrency, async_warmup, args.repeat)
            if res:
                asyn[peer.name] = res

    for table in (sync, asyn):
        for r in table.values():
            if r.n < (args.n if table is sync else args.async_n):
                r.note = "fewer requests (slow); per-request figures"
    if sync:
        print_table(f"sync, sequential (best of {args.repeat})", list(sync.values()))
    if asyn:
        title = f"async, concurrency {args.concurrency} (best of {args.repeat})"
        print_table(title, list(asyn.values()))

    ok = True
    print("\ntargets (ratios of req/s; [CPU] = peer CPU us / restwright CPU us, >1 is better)")
    if sync_peers:
        raw = [sync[name] for name in RAW_SYNC if name in sync]
        fastest = max(raw, key=lambda r: r.rps) if raw else None
        label = f"sync: restwright / fastest raw ({fastest.name if fastest else '-'})"
        rw = sync.get("restwright")
        ok &= ratio_line(label, rw, fastest, 0.7)
        ok &= ratio_line("sync: restwright / httpx.Client", rw, sync.get("httpx.Client"), 2.5)
        ok &= ratio_line("sync: restwright / requests", rw, sync.get("requests.Session"), 5.0)
    if async_peers:
        rw = asyn.get("restwright async")
        ok &= ratio_line("async: restwright / aiohttp", rw, asyn.get("aiohttp"), 0.9)
        other = asyn.get("httpx.AsyncClient")
        ok &= ratio_line("async: restwright / httpx.AsyncClient", rw, other, 10.0)
    if "import" in args.only:
        ok &= report_import(runs=3 if args.quick else 7)
    if "parser" in args.only:
        report_parser(20_000 if args.quick else 200_000)
    if "bomb" in args.only:
        ok &= report_bomb()
    return 0 if ok or not args.strict else 1


# -- the response parser alone ----------------------------------------------------------

RAW_RESPONSE = (
    b"HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Tue, 01 Dec 2026 09:00:00 GMT\r\n"
    b"Content-Type: application/json\r\nContent-Length: %d\r\nConnection: keep-alive\r\n\r\n"
    % len(BODY)
    + BODY
)


def _h11_parse() -> None:
    import h11

    conn = h11.Connection(h11.CLIENT)
    conn.send(h11.Request(method="GET", target=PATH, headers=[("Host", "127.0.0.1")]))
    conn.send(h11.EndOfMessage())
    conn.receive_data(RAW_RESPONSE)
    while not isinstance(conn.next_event(), h11.EndOfMessage):
        pass


def report_parser(n: int) -> None:
    """CPU per parse of the bench's whole response (head and 1 KB body, one read)."""
    from restwright.transports.http11 import ResponseParser

    print(f"\nparser: one {len(RAW_RESPONSE)} B response fed in one read, CPU us/parse")
    peers = {"restwright ResponseParser": lambda: ResponseParser().feed(RAW_RESPONSE)}
    with contextlib.suppress(ImportError):
        import h11  # noqa: F401

        peers["h11"] = _h11_parse
    for name, parse in peers.items():
        runs = []
        for _ in range(3):
            t0 = time.process_time()
            for _ in range(n if name != "h11" else n // 10):
                parse()
            runs.append((time.process_time() - t0) / (n if name != "h11" else n // 10))
        print(f"  {name:<28} {min(runs) * 1e6:8.2f}")


# -- a decompression bomb ---------------------------------------------------------------

BOMB_SIZE = 1 << 30
BOMB_RSS_LIMIT_MB = 200.0  # the default max_body_size (128 MiB), the interpreter, slack
BOMB_CLIENT = """
import asyncio, resource, sys
import restwright

kind, url = sys.argv[1:]
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    if kind == "sync":
        with restwright.Client(url, retry=0) as client:
            client.get("/bomb")
    else:
        async def main():
            async with restwright.AsyncClient(url, retry=0) as client:
                await client.get("/bomb")
        asyncio.run(main())
    outcome = "accepted"
except restwright.errors.TransportError as exc:
    outcome = type(exc).__name__
print(before, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, outcome)
"""


def gzip_bomb(size: int) -> bytes:
    """``size`` zero bytes gzipped, built a MiB at a time (about 1 MiB for 1 GiB)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1 << 20)
    return b"".join(comp.compress(block) for _ in range(size >> 20)) + comp.flush()


@contextlib.contextmanager
def bomb_server(body: bytes) -> Iterator[str]:
    """A raw socket on 127.0.0.1 answering every request with the gzip ``body``."""
    answer = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
        b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body
    )
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn, contextlib.suppress(OSError):
                conn.recv(65536)
                conn.sendall(answer)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        with contextlib.suppress(OSError):
            listener.shutdown(socket.SHUT_RDWR)
        listener.close()
        thread.join(timeout=5)


def report_bomb() -> bool:
    """Peak RSS of a fresh client process fed a 1 GiB gzip bomb with the default limits."""
    body = gzip_bomb(BOMB_SIZE)
    print(f"\nbomb: GET -> {len(body) / 1e6:.1f} MB gzip inflating to 1 GiB, default limits")
    ok = True
    with bomb_server(body) as url:
        for kind in ("sync", "async"):
            out = subprocess.run(
                [sys.executable, "-c", BOMB_CLIENT, kind, url],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()
            before, peak = int(out[0]) / 1024, int(out[1]) / 1024
            label = f"bomb: {kind} peak RSS ({out[2]}; {before:.0f} MB before the call)"
            ok &= limit_line(label, peak, BOMB_RSS_LIMIT_MB, unit="MB", value_format="6.0f")
    return ok


def report_import(runs: int) -> bool:
    if restwright_or_none("Client") is None:
        print("  import restwright: not available (restwright.Client missing)")
        return True
    times = importtime_ms("restwright", runs)
    med = sorted(times)[len(times) // 2]
    ok = limit_line(f"import: -X importtime cumulative (median of {runs})", med, IMPORT_LIMIT_MS)
    print(f"  {'':<54}   min {min(times):.1f} ms, max {max(times):.1f} ms")
    wall = import_wall_ms("restwright", runs=2 * runs)
    label = f"import: wall, 'import restwright' - 'pass' ({2 * runs}x)"
    return limit_line(label, wall, IMPORT_LIMIT_MS) and ok


if __name__ == "__main__":
    sys.exit(main())
