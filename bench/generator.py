"""Generated clients benchmark (issue #10's targets), side by side with openapi-python-client.

1. generate: ``restwright generate`` and ``openapi-python-client generate`` on Mattermost's
   and GitHub's documents, each in a fresh process: wall time, peak RSS of the process,
   files written, and the pieces each leaves untyped (restwright's summary entries;
   openapi-python-client's warnings, each a schema or response it dropped).
2. import: ``python -X importtime -c "import restwright.mattermost"``; restwright's tag
   module ``api.users`` alone (it imports no model), and with what one ``get_user`` call
   adds (the ``User`` model's modules, imported and its validator built on one record),
   against openapi-python-client's ``api.users.get_user`` (which imports every model).
3. calls: per-call CPU of one generated operation (typed result: a pydantic model) against
   the same GET through the bare engine and through the runtime client, against nginx, in
   interleaved rounds; a ratio is the median of the rounds' ratios (``_measure.Rounds``).
4. mattermost: the same for ``restwright.mattermost`` on real-sized bodies.

Run from the repository root (openapi-python-client comes from the ``bench`` extra)::

    .venv/bin/python -m bench.generator [--quick] [--only generate,import,calls] [--strict]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
SPECS = REPO_ROOT.parent / "shared" / "specs"
DOCUMENTS = {
    "Mattermost": REPO_ROOT
    / "src"
    / "restwright"
    / "mattermost"
    / "generated"
    / "_spec"
    / "mattermost-openapi-v4.yaml",
    "GitHub": SPECS / "github-api.github.com.json",
}
KEYS = ("generate", "import", "calls", "mattermost")
GENERATE_LIMITS_S = {"Mattermost": 1.0, "GitHub": 3.0}
RSS_LIMIT_MB = 150.0
IMPORT_LIMIT_MS = 150.0
CALL_LIMIT = 1.2  # generated operation CPU / bare engine CPU per call
MODELS_LIMIT = 1.6  # the same on real-sized Mattermost bodies (issue #15's models=True goal)


# -- 1. generation ---------------------------------------------------------------------------


def _run_measured(command: list[str], cwd: Path) -> tuple[float, float, str, int, float]:
    """Run ``command``; return (wall s, peak RSS MB of that process, output, exit code, CPU s
    of that process: user + system, steadier than wall on a shared machine)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(REPO_ROOT / "src")
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert proc.stdout is not None
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    cpu = usage.ru_utime + usage.ru_stime
    return wall, usage.ru_maxrss / 1024, output, proc.returncode, cpu


def _files(directory: Path) -> int:
    return sum(1 for p in directory.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def generate_restwright(spec: Path, out: Path) -> dict[str, Any]:
    wall, rss, output, code, cpu = _run_measured(
        [
            sys.executable,
            "-m",
            "restwright",
            "generate",
            str(spec),
            "--package",
            "gen",
            "--out",
            str(out),
        ],
        out,
    )
    loose = [line for line in output.splitlines() if line.startswith("  ")]
    return {
        "wall": wall,
        "cpu": cpu,
        "rss": rss,
        "files": _files(out / "gen"),
        "untyped": len(loose),
        "ok": code == 0,
        "note": "" if code == 0 else output[-200:],
    }


def generate_peer(spec: Path, out: Path) -> dict[str, Any]:
    binary = Path(sys.executable).parent / "openapi-python-client"
    if not binary.exists():
        return {"ok": False, "note": "openapi-python-client not installed (bench extra)"}
    target = out / "peer"
    wall, rss, output, code, cpu = _run_measured(
        [str(binary), "generate", "--path", str(spec), "--output-path", str(target), "--overwrite"],
        out,
    )
    warnings = [
        line
        for line in output.splitlines()
        if "Unable to" in line or "will be omitted" in line or "Unsupported" in line
    ]
    return {
        "wall": wall,
        "cpu": cpu,
        "rss": rss,
        "files": _files(target) if target.exists() else 0,
        "untyped": len(warnings),
        "ok": code == 0,
        "note": "" if code == 0 else output.strip().splitlines()[-1][:120],
        "package": target,
    }


def run_generate(args: argparse.Namespace, work: Path) -> tuple[bool, dict[str, Path]]:
    from bench._measure import limit_line

    ok = True
    peers: dict[str, Path] = {}
    print("\ngenerate: one fresh process per run, best of the runs (s, MB)")
    print(
        f"  {'document':<12}{'generator':<24}{'wall s':>8}{'CPU s':>7}{'peak RSS':>10}"
        f"{'files':>7}{'untyped':>9}  note"
    )
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for name, spec in DOCUMENTS.items():
        if not spec.exists():
            print(f"  {name:<12}document absent ({spec.name})")
            continue
        for label, fn in (
            ("restwright", generate_restwright),
            ("openapi-python-client", generate_peer),
        ):
            best: dict[str, Any] | None = None
            repeat = args.repeat if label == "restwright" else args.peer_repeat
            for _ in range(repeat):
                out = work / f"{name}-{label}-{time.monotonic_ns()}"
                out.mkdir()
                got = fn(spec, out)
                if best is None or got.get("wall", 1e9) < best.get("wall", 1e9):
                    best = got
            assert best is not None
            rows[(name, label)] = best
            if label != "restwright" and best.get("ok"):
                peers[name] = best["package"]
            wall = f"{best['wall']:.2f}" if "wall" in best else "-"
            rss = f"{best['rss']:.0f}" if "rss" in best else "-"
            cpu = f"{best['cpu']:.2f}" if "cpu" in best else "-"
            print(
                f"  {name:<12}{label:<24}{wall:>8}{cpu:>7}{rss:>10}{best.get('files', 0):>7}"
                f"{best.get('untyped', 0):>9}  {best.get('note', '')}".rstrip()
            )
    print(
        "  untyped = restwright: constructs typed more loosely than written (listed by the"
        " summary);\n            openapi-python-client: warnings about schemas/responses it"
        " left out"
    )
    for name in DOCUMENTS:
        mine = rows.get((name, "restwright"))
        if mine is None:
            continue
        ok &= limit_line(
            f"generate {name}: wall",
            mine["wall"],
            GENERATE_LIMITS_S[name],
            unit="s",
            value_format="5.2f",
        )
        ok &= limit_line(f"generate {name}: peak RSS", mine["rss"], RSS_LIMIT_MB, unit="MB")
        peer = rows.get((name, "openapi-python-client"))
        if peer and peer.get("ok"):
            print(
                f"  {'openapi-python-client / restwright, ' + name:<54} = "
                f"{peer['wall'] / mine['wall']:5.1f}x time, {peer['rss'] / mine['rss']:.1f}x RSS"
            )
    return ok, peers


# -- 2. import time --------------------------------------------------------------------------

# What one typed get_user call imports and builds beyond the engine, in a fresh process.
ONE_CALL = """
import time
t0 = time.perf_counter()
from restwright.mattermost.generated.api import users
from restwright.mattermost.generated import models
record = {"id": "u1", "notify_props": {"email": "true"}, "timezone": {"manualTimezone": ""}}
models.User.model_validate(record)
print((time.perf_counter() - t0) * 1000)
"""


def one_call_ms(runs: int) -> list[float]:
    """Wall ms of :data:`ONE_CALL` in a fresh interpreter, per run (the first discarded)."""
    from bench._measure import _user_env

    out = []
    for _ in range(runs + 1):
        done = subprocess.run(
            [sys.executable, "-c", ONE_CALL], capture_output=True, text=True, env=_user_env()
        )
        out.append(float(done.stdout))
    return out[1:]


def run_import(args: argparse.Namespace, peers: dict[str, Path]) -> bool:
    import statistics

    from bench._measure import importtime_ms, limit_line

    print("\nimport: python -X importtime, median of the runs (ms)")
    env_path = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = str(REPO_ROOT / "src")
    try:
        package = statistics.median(importtime_ms("restwright.mattermost", args.import_runs))
        tag_module = statistics.median(
            importtime_ms("restwright.mattermost.generated.api.users", args.import_runs)
        )
        ops = statistics.median(one_call_ms(args.import_runs))
        print(f"  {'import restwright.mattermost':<58}{package:>8.1f}")
        print(f"  {'restwright.mattermost.generated.api.users (no model)':<58}{tag_module:>8.1f}")
        print(f"  {'  + models.User built and validated (one get_user)':<58}{ops:>8.1f}")
        peer = peers.get("Mattermost")
        if peer is not None:
            module = next(p.name for p in peer.iterdir() if (p / "__init__.py").exists())
            os.environ["PYTHONPATH"] += os.pathsep + str(peer)
            theirs = statistics.median(
                importtime_ms(f"{module}.api.users.get_user", args.import_runs)
            )
            print(
                f"  {'openapi-python-client: ' + module + '.api.users.get_user':<58}{theirs:>8.1f}"
            )
            print(
                f"  {'openapi-python-client op module / restwright one call':<54} = "
                f"{theirs / ops:5.1f}x"
            )
    finally:
        if env_path is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = env_path
    return limit_line("import restwright.mattermost", package, IMPORT_LIMIT_MS)


# -- 3. per-call CPU -------------------------------------------------------------------------


def _schema_of(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return {"type": "object", "properties": {k: _schema_of(v) for k, v in value.items()}}
    if isinstance(value, list):
        return {"type": "array", "items": _schema_of(value[0]) if value else {}}
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int):
        return {"type": "integer"}
    if isinstance(value, float):
        return {"type": "number"}
    if isinstance(value, str):
        return {"type": "string"}
    return {}


def call_document() -> dict[str, Any]:
    """GET /orders/{order_id} answering nginx's record, described property by property."""
    from bench._nginx import PAYLOAD

    return {
        "openapi": "3.0.3",
        "info": {"title": "bench", "version": "1"},
        "servers": [{"url": "http://placeholder.invalid"}],
        "paths": {
            "/orders/{order_id}": {
                "get": {
                    "operationId": "getOrder",
                    "tags": ["orders"],
                    "parameters": [
                        {
                            "name": "order_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "the order",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Order"}
                                }
                            },
                        }
                    },
                }
            }
        },
        "components": {"schemas": {"Order": _schema_of(PAYLOAD)}},
    }


def generated_orders(work: Path) -> tuple[Path, Any]:
    """:func:`call_document` written to ``work`` and generated there as the package
    ``bench_orders``, imported: ``(document path, package)``."""
    import importlib

    from restwright.generator import generate

    spec = work / "orders.json"
    spec.write_text(json.dumps(call_document()))
    generate(spec, "bench_orders", work / "calls")
    sys.path.insert(0, str(work / "calls"))
    importlib.invalidate_caches()
    return spec, importlib.import_module("bench_orders")


def return_type(method: Any) -> Any:
    """The return type of a generated method (its annotation's text, evaluated in the
    generated module): what a floor row validates into."""
    module = vars(sys.modules[method.__module__])
    return eval(method.__annotations__["return"], module)


#: The row that shows what no typed call can go below: the bare engine's GET, then the bytes
#: validated into the method's return type (one pydantic-core call, the garbage collector
#: paused as the generated call does), with nothing of restwright's clients in between.
FLOOR = "floor: engine + same models"


def floor_note(rounds: Any, typed: str, engine: str) -> str:
    """``floor 1.26x; restwright's own +0.09x``: how much of a typed call's ratio is
    pydantic building the models, and how much is restwright's own work (paired ratios)."""
    floor = rounds.ratio(FLOOR, engine)
    return f"floor {floor:.2f}x; restwright's own {rounds.ratio(typed, engine) - floor:+.2f}x"


def run_calls(args: argparse.Namespace, base: str, work: Path) -> bool:
    import restwright
    from bench._measure import interleaved
    from restwright.openapi.models import BodyModel

    spec, package = generated_orders(work)
    warmup = max(50, args.n // 20)
    with (
        restwright.Client(base) as engine,
        restwright.from_openapi(spec, base_url=base) as runtime,
        package.Client(base) as typed,
        contextlib.ExitStack() as stack,
    ):
        order = typed.orders.get_order("o1")
        assert type(order).__name__ == "Order" and order.customer.address.city == "London"
        floor = BodyModel.of(type(order), "floor", must_fit=True)
        fetches = {
            "restwright.Client.get + .json()": lambda: engine.get("/orders/o1").json(),
            FLOOR: lambda: floor.from_bytes(engine.get("/orders/o1").content),
            "runtime-client operation": lambda: runtime.orders.get_order("o1"),
            "generated operation (model)": lambda: typed.orders.get_order("o1"),
        }
        peer = peer_call(spec, work, base, stack)
        if peer is not None:
            fetches[PEER_CALL] = peer
        rounds = interleaved(fetches, args.n, args.repeat, warmup)
    best = rounds.best
    print(
        f"\ncalls: a ~1 KB record, {args.repeat} interleaved rounds of {args.n} sequential"
        " GETs per client; best round, and the median of the rounds' CPU ratios"
    )
    print(f"  {'client':<36}{'CPU us/call':>12}{'wall us/call':>14}{'CPU ratio':>11}")
    engine_key = "restwright.Client.get + .json()"
    for key, r in best.items():
        ratio = rounds.ratio(key, engine_key)
        print(f"  {key:<36}{r.cpu_us:>12.1f}{r.wall_us:>14.1f}{ratio:>10.2f}x")
    typed_key = "generated operation (model)"
    ratio = rounds.ratio(typed_key, engine_key)
    verdict = "PASS" if ratio <= CALL_LIMIT else "MISS"
    print(
        f"  {'calls: generated / engine CPU':<54} = {ratio:5.2f}x  (target <= {CALL_LIMIT}x)"
        f"  {verdict}   [best rounds: {best[typed_key].cpu_us / best[engine_key].cpu_us:.2f}x;"
        f" generated / runtime: {rounds.ratio(typed_key, 'runtime-client operation'):.2f}x;"
        f" {floor_note(rounds, typed_key, engine_key)}]"
    )
    if PEER_CALL in best:
        print(
            f"  {'calls: openapi-python-client / engine CPU':<54} ="
            f" {rounds.ratio(PEER_CALL, engine_key):5.2f}x  (its generated call / restwright's:"
            f" {rounds.ratio(PEER_CALL, typed_key):.2f}x)"
        )
    return ratio <= CALL_LIMIT


PEER_CALL = "openapi-python-client call (httpx)"


def peer_call(
    spec: Path, work: Path, base: str, stack: contextlib.ExitStack
) -> Callable[[], Any] | None:
    """The same operation generated by openapi-python-client (its ``get_order.sync`` on
    its ``httpx``-based client, returning its attrs model), or None when it is absent."""
    import importlib

    out = work / "peer_calls"
    out.mkdir(exist_ok=True)
    made = generate_peer(spec, out)
    if not made.get("ok"):
        print(f"  (openapi-python-client call not timed: {made.get('note')})")
        return None
    root = made["package"]
    name = next(p.name for p in root.iterdir() if (p / "__init__.py").exists())
    sys.path.insert(0, str(root))
    importlib.invalidate_caches()
    client = stack.enter_context(importlib.import_module(name).Client(base_url=base))
    get_order = importlib.import_module(f"{name}.api.orders.get_order")
    order = get_order.sync("o1", client=client)
    assert order is not None and order.customer.address.city == "London"
    return lambda: get_order.sync("o1", client=client)


def run_mattermost(args: argparse.Namespace) -> bool:
    """The committed Mattermost client (``restwright.mattermost.SyncClient``) on real-sized
    bodies made from the document's schemas (``bench/_mattermost_bodies.py``), against the
    bare engine and the runtime client in the same run."""
    import restwright
    from bench._mattermost_bodies import mattermost_calls
    from bench._measure import interleaved
    from bench._nginx import nginx_server
    from restwright.mattermost import SyncClient
    from restwright.openapi.models import BodyModel
    from restwright.openapi.typed import load_document

    api = load_document("restwright.mattermost.generated", "mattermost-openapi-v4.yaml")
    calls = mattermost_calls(api)
    n = max(50, args.n // 3)
    warmup = max(50, n // 2)
    token = "bench-token"
    ok = True
    print(
        f"\nMattermost calls: restwright.mattermost.SyncClient, {args.repeat} interleaved rounds"
        f" of {n} GETs per client (best round; CPU ratio: the median of the rounds'); bodies"
        " made from the document's schemas"
    )
    print(
        f"  {'call / client':<46}{'body KB':>8}{'CPU us/call':>12}{'wall us/call':>14}{'ratio':>8}"
    )
    with nginx_server(files={c.path: c.body for c in calls}) as base:
        options = {"url": base, "auth": {"token": token}}
        with (
            restwright.Client(base, auth=restwright.BearerAuth(token)) as engine,
            restwright.from_openapi(api, base_url=base, auth=f"Bearer {token}") as runtime,
            SyncClient(options) as typed,
        ):
            for call in calls:
                params = {k: v for k, v in call.kwargs.items() if k == "per_page"}
                want = engine.get(call.path, params=params or None).json()
                generated = getattr(getattr(typed, call.group), call.method)
                described = getattr(runtime.tag(call.group), call.method)
                got = generated(**call.kwargs)
                dumped = (
                    got.model_dump(mode="json", by_alias=True, exclude_unset=True)
                    if hasattr(got, "model_dump")
                    else [m.model_dump(mode="json", by_alias=True, exclude_unset=True) for m in got]
                )
                assert dumped == want, f"{call.label}: the generated call answered otherwise"
                # a BodyModel of the generated method's return type, as the method makes
                floor = BodyModel.of(return_type(generated), "floor", must_fit=True)
                fetches = {
                    "restwright.Client.get + .json()": lambda c=call, p=params: engine.get(
                        c.path, params=p or None
                    ).json(),
                    FLOOR: lambda c=call, p=params, m=floor: m.from_bytes(
                        engine.get(c.path, params=p or None).content
                    ),
                    "runtime-client operation": lambda f=described, c=call: f(**c.kwargs),
                    "generated operation (models)": lambda f=generated, c=call: f(**c.kwargs),
                }
                rounds = interleaved(fetches, n, args.repeat, warmup)
                best = rounds.best
                engine_key = "restwright.Client.get + .json()"
                engine_r = best[engine_key]
                print(f"  {call.label}")
                for key, r in best.items():
                    size = f"{len(call.body) / 1024:.1f}" if r is engine_r else ""
                    print(
                        f"    {key:<42}{size:>8}{r.cpu_us:>12.1f}{r.wall_us:>14.1f}"
                        f"{rounds.ratio(key, engine_key):>7.2f}x"
                    )
                typed_key = "generated operation (models)"
                ratio = rounds.ratio(typed_key, engine_key)
                verdict = "PASS" if ratio <= MODELS_LIMIT else "MISS"
                print(
                    f"    generated / engine CPU = {ratio:.2f}x  (models target <= {MODELS_LIMIT}x)"
                    f"  {verdict};  {'within' if ratio <= CALL_LIMIT else 'above'} {CALL_LIMIT}x"
                    f"  [best rounds: {best[typed_key].cpu_us / engine_r.cpu_us:.2f}x;"
                    f" {floor_note(rounds, typed_key, engine_key)}]"
                )
                ok &= ratio <= MODELS_LIMIT
            drift = typed.drift
            print(f"  drift recorded by the generated client: {len(drift) or 'none'}")
            ok &= not len(drift)
    return ok


# -- main ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    from bench._measure import bench_parser, parse_bench_args, versions

    ap = bench_parser("python -m bench.generator", __doc__, KEYS)
    ap.add_argument("--quick", action="store_true", help="one run each, small N")
    ap.add_argument("--n", type=int, help="calls per timed round (default 300)")
    ap.add_argument("--repeat", type=int, help="interleaved rounds per case (default 15)")
    ap.add_argument("--peer-repeat", type=int, default=1, help="runs per peer (default 1)")
    args = parse_bench_args(ap, argv, KEYS)
    args.n = args.n or (100 if args.quick else 300)
    args.repeat = args.repeat or (2 if args.quick else 15)
    args.import_runs = 3 if args.quick else 7
    print(versions("restwright", "openapi-python-client", "pydantic"))
    ok = True
    work = Path(tempfile.mkdtemp(prefix="bench-generator-"))
    try:
        peers: dict[str, Path] = {}
        if "generate" in args.only or "import" in args.only:
            generated_ok, peers = run_generate(args, work)
            ok &= generated_ok if "generate" in args.only else True
        if "import" in args.only:
            ok &= run_import(args, peers)
        if "calls" in args.only:
            from bench._nginx import ensure_nginx, nginx_server

            ensure_nginx()
            with nginx_server() as base:
                ok &= run_calls(args, base, work)
        if "mattermost" in args.only:
            from bench._nginx import ensure_nginx

            ensure_nginx()
            ok &= run_mattermost(args)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if args.strict and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
