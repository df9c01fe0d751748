"""OpenAPI runtime-client benchmark (issue #4's speed targets).

1. Build a runtime client from GitHub's REST description (13 MB of JSON) and make a first
   call to a local nginx, each case in a fresh interpreter: restwright with an empty cache
   (cold) and with the cache the cold run left (cached), against openapi-core reading the
   same document (and aiopenapi3 when it is installed); time and peak RSS.
2. Per-call overhead: the same GET through the bare engine (``restwright.Client``) and
   through a runtime-client operation, against nginx; CPU us per call.

Prints tables and the targets with PASS/MISS.  Run from the repository root::

    .venv/bin/python -m bench.openapi [--quick] [--only build,calls] [--strict]

See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
SPEC = REPO_ROOT.parent / "shared" / "specs" / "github-api.github.com.json"
CACHE_ENV = "RESTWRIGHT_CACHE_DIR"
KEYS = ("build", "calls")

COLD_LIMIT_S = 1.0
CACHED_LIMIT_S = 0.1
RSS_LIMIT_MB = 80.0
OVERHEAD_LIMIT = 1.3  # runtime-client CPU / engine CPU per call (small bodies)
REAL_OVERHEAD_LIMIT = 1.2  # the same on real-sized GitHub bodies (issue #15)
MODELS_LIMIT = 1.6  # models=True CPU / engine CPU per call, GitHub bodies

# GitHub's ``meta/root`` operation: GET / answering the ``root`` schema.
ROOT_OP = ("meta", "root")
ROOT_PATH = "/"

# A small description for the per-call comparison: one operation with a path parameter.
SMALL_DOC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "bench", "version": "1"},
    "servers": [{"url": "http://placeholder.invalid"}],
    "paths": {
        "/items/{item_id}": {
            "get": {
                "operationId": "getItem",
                "tags": ["items"],
                "parameters": [
                    {
                        "name": "item_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    }
                ],
                "responses": {
                    "200": {
                        "description": "the item",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        }
    },
}
SMALL_OP = ("items", "get_item")

# Real-sized bodies (issue #15): GitHub's own examples, served on these paths.
REPO_PATH = "/repos/octo/hello"  # repos/get: the full-repository example (~24 KB)
ORG_REPOS_PATH = "/orgs/octo/repos"  # repos/list-for-org: a page of 30 repositories
PAGE_SIZE = 30

#: The distributions whose versions head the report.
PACKAGES = ("restwright", "openapi-core", "aiopenapi3")


def root_body(spec: Path) -> bytes:
    """A response that satisfies GitHub's ``root`` schema (every ``*_url`` property)."""
    with spec.open("rb") as fh:
        schema = json.load(fh)["components"]["schemas"]["root"]
    return json.dumps({k: f"https://api.github.com/{k}" for k in schema["properties"]}).encode()


def github_bodies(spec: Path) -> dict[str, bytes]:
    """GitHub's examples for ``repos/get`` and ``repos/list-for-org``, keyed by path.

    The list example holds one repository; the page repeats it ``PAGE_SIZE`` times with
    distinct ids and names, as a real page of an organisation's repositories would.
    """
    with spec.open("rb") as fh:
        examples = json.load(fh)["components"]["examples"]
    repo = examples["full-repository-default-response"]["value"]
    item = examples["minimal-repository-items"]["value"][0]
    page = []
    for i in range(PAGE_SIZE):
        entry = dict(item, id=item["id"] + i, name=f"{item['name']}-{i}")
        entry["full_name"] = f"{item['owner']['login']}/{entry['name']}"
        page.append(entry)
    return {REPO_PATH: json.dumps(repo).encode(), ORG_REPOS_PATH: json.dumps(page).encode()}


def restwright_runtime() -> Callable[..., Any] | None:
    """``restwright.from_openapi`` (or ``restwright.openapi.runtime.from_openapi``), if built."""
    try:
        import restwright
    except Exception:
        return None
    found = getattr(restwright, "from_openapi", None)
    if found is None:
        try:
            from restwright.openapi.runtime import from_openapi as found
        except Exception:
            return None
    return found  # type: ignore[no-any-return]


def operation(client: Any, tag: str, name: str) -> Callable[..., Any]:
    """``client.<tag>.<name>``, else ``client.<name>``."""
    group = getattr(client, tag, None)
    op = getattr(group, name, None) if group is not None else None
    if op is None:
        op = getattr(client, name, None)
    if op is None:
        raise AttributeError(f"runtime client has neither .{tag}.{name} nor .{name}")
    return op  # type: ignore[no-any-return]


def as_data(result: Any) -> Any:
    """The decoded body, whether an operation returns data or a response."""
    if hasattr(result, "status_code") and callable(getattr(result, "json", None)):
        return result.json()
    return result


# -- child side: one case in a fresh interpreter ------------------------------------------


def _rss_mb() -> float:
    """Peak RSS of this process, MB (MiB).

    ``getrusage(RUSAGE_SELF).ru_maxrss`` is not used on Linux: it survives ``execve``, so a
    child spawned by a big parent starts with the parent's peak.  ``VmHWM`` in
    /proc/self/status is the high-water mark of this program's own memory.
    """
    with contextlib.suppress(OSError), open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def child_baseline(spec: str, base: str) -> dict[str, Any]:
    t0 = time.perf_counter()
    import restwright  # noqa: F401

    return {"import_s": time.perf_counter() - t0}


def child_restwright(spec: str, base: str) -> dict[str, Any]:
    t0 = time.perf_counter()
    import restwright
    import restwright.openapi

    from_openapi = restwright_runtime()  # imports the runtime module
    t1 = time.perf_counter()
    out: dict[str, Any] = {"import_s": t1 - t0}
    if from_openapi is not None:
        client = from_openapi(spec, base_url=base)
        t2 = time.perf_counter()
        data = as_data(operation(client, *ROOT_OP)())
        t3 = time.perf_counter()
    else:  # the runtime client is not there yet: load() + the same GET through the engine
        api = restwright.openapi.load(spec)
        api.operation("meta/root")
        t2 = time.perf_counter()
        with restwright.Client(base) as client:
            data = client.get(ROOT_PATH).json()
        t3 = time.perf_counter()
        out["note"] = "from_openapi missing: load() + engine GET"
    out.update(build_s=t2 - t1, call_s=t3 - t2, ok=isinstance(data, dict) and len(data) > 20)
    return out


def child_openapi_core(spec: str, base: str, validate_spec: bool = True) -> dict[str, Any]:
    t0 = time.perf_counter()
    from openapi_core import Config, OpenAPI
    from openapi_core.testing import MockRequest, MockResponse

    t1 = time.perf_counter()
    if validate_spec:
        api = OpenAPI.from_file_path(spec)
    else:
        api = OpenAPI.from_file_path(spec, config=Config(spec_validator_cls=None))
    t2 = time.perf_counter()
    # First call: the GET through the standard library (openapi-core is not an HTTP
    # client), then validate the request and the response against the description.
    import urllib.request

    with urllib.request.urlopen(base + ROOT_PATH, timeout=10) as resp:
        body = resp.read()
    request = MockRequest("https://api.github.com", "get", ROOT_PATH)
    api.validate_request(request)
    api.validate_response(request, MockResponse(body, content_type="application/json"))
    t3 = time.perf_counter()
    return {"import_s": t1 - t0, "build_s": t2 - t1, "call_s": t3 - t2, "ok": True}


def child_openapi_core_novalidate(spec: str, base: str) -> dict[str, Any]:
    return child_openapi_core(spec, base, validate_spec=False)


def child_aiopenapi3(spec: str, base: str) -> dict[str, Any]:
    t0 = time.perf_counter()
    import httpx2  # aiopenapi3's HTTP client
    from aiopenapi3 import OpenAPI

    t1 = time.perf_counter()
    out: dict[str, Any] = {"import_s": t1 - t0}
    try:
        with open(spec, "rb") as fh:
            api = OpenAPI(base + "/", json.load(fh), session_factory=httpx2.Client)
    except Exception as exc:
        out.update(build_s=time.perf_counter() - t1, ok=False)
        out["note"] = f"cannot load it: {type(exc).__name__}: {str(exc)[:90]}"
        return out
    t2 = time.perf_counter()
    data = api._["meta/root"]()  # never reached so far: the load above fails
    t3 = time.perf_counter()
    out.update(build_s=t2 - t1, call_s=t3 - t2, ok=data is not None)
    return out


CHILDREN: dict[str, Callable[[str, str], dict[str, Any]]] = {
    "baseline": child_baseline,
    "restwright": child_restwright,
    "openapi-core": child_openapi_core,
    "openapi-core-novalidate": child_openapi_core_novalidate,
    "aiopenapi3": child_aiopenapi3,
}


def run_child(case: str, spec: str, base: str) -> int:
    try:
        out = CHILDREN[case](spec, base)
    except Exception as exc:
        out = {"ok": False, "note": f"FAILED: {type(exc).__name__}: {str(exc)[:120]}"}
    out["rss_mb"] = _rss_mb()
    print(json.dumps(out))
    return 0


# -- parent side: cases, tables, targets ----------------------------------------------------


@dataclass
class Case:
    label: str
    child: str
    cache: str = ""  # "cold", "cached" or "" (not applicable)
    runs: list[dict[str, Any]] = field(default_factory=list)
    process_s: list[float] = field(default_factory=list)

    def best(self, key: str) -> float | None:
        got = [r[key] for r in self.runs if r.get(key) is not None]
        return min(got) if got else None

    @property
    def total_s(self) -> float | None:
        """Best in-process time: import + build + first call."""
        got = [
            r["import_s"] + r["build_s"] + r["call_s"]
            for r in self.runs
            if r.get("ok") and r.get("call_s") is not None
        ]
        return min(got) if got else None

    @property
    def note(self) -> str:
        notes = [r["note"] for r in self.runs if r.get("note")]
        return notes[-1] if notes else ""


def spawn(case: Case, spec: Path, base: str, cache_dir: str) -> None:
    # A user's interpreter caches bytecode; a shell's PYTHONDONTWRITEBYTECODE would make
    # every child recompile restwright and time the compiler instead.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env[CACHE_ENV] = cache_dir
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "bench.openapi", "--child", case.child, str(spec), base],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
        timeout=1800,
    )
    elapsed = time.perf_counter() - t0
    lines = proc.stdout.strip().splitlines()
    try:
        out = json.loads(lines[-1])
    except (IndexError, ValueError):
        out = {"ok": False, "note": f"child exited {proc.returncode}: {proc.stderr[-200:]}"}
    case.runs.append(out)
    case.process_s.append(elapsed)


def installed(module: str) -> bool:
    proc = subprocess.run(
        [sys.executable, "-c", f"import {module}"], capture_output=True, cwd=REPO_ROOT
    )
    return proc.returncode == 0


def run_build(args: argparse.Namespace, base: str) -> dict[str, Case]:
    cases = {
        "baseline": Case("python + import restwright", "baseline"),
        "cold": Case("restwright, cold", "restwright", "cold"),
        "cached": Case("restwright, cached", "restwright", "cached"),
    }
    if args.peers:
        cases["core"] = Case("openapi-core", "openapi-core")
        cases["core-nv"] = Case("openapi-core, no spec check", "openapi-core-novalidate")
        if installed("aiopenapi3"):
            cases["aio"] = Case("aiopenapi3", "aiopenapi3")
        else:
            print("  aiopenapi3: not installed, skipped")
    print(
        f"\nbuild: {args.repeat} fresh interpreter(s) per restwright case, "
        f"{args.peer_repeat} per peer ..."
    )
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory(prefix="bench-openapi-cache-") as cache_dir:
            spawn(cases["baseline"], SPEC, base, cache_dir)
            spawn(cases["cold"], SPEC, base, cache_dir)  # empty cache: parses, then stores
            spawn(cases["cached"], SPEC, base, cache_dir)  # the entry the cold run stored
    for key in ("core", "core-nv", "aio"):
        if key in cases:
            for _ in range(args.peer_repeat):
                with tempfile.TemporaryDirectory(prefix="bench-openapi-cache-") as cache_dir:
                    spawn(cases[key], SPEC, base, cache_dir)
    return cases


def _fmt(value: float | None, scale: float = 1000.0, digits: int = 0) -> str:
    return "-" if value is None else f"{value * scale:,.{digits}f}"


def print_build_table(cases: dict[str, Case]) -> None:
    base_rss = cases["baseline"].best("rss_mb")
    print("\nbuild a client from GitHub's description + first call (best of the runs; ms, MB)")
    head = f"  {'case':<29}{'import':>8}{'build':>9}{'call':>7}{'total':>9}{'process':>9}"
    print(f"{head}{'peak RSS':>10}{'+RSS':>7}  note")
    for case in cases.values():
        rss = case.best("rss_mb")
        extra = "-" if rss is None or base_rss is None else f"{rss - base_rss:.0f}"
        proc = min(case.process_s) if case.process_s else None
        row = (
            f"  {case.label:<29}{_fmt(case.best('import_s')):>8}{_fmt(case.best('build_s')):>9}"
            f"{_fmt(case.best('call_s')):>7}{_fmt(case.total_s):>9}{_fmt(proc):>9}"
            f"{_fmt(rss, 1, 1):>10}{extra:>7}"
        )
        print(f"{row}  {case.note}".rstrip())
    print(
        "  total = import + build + first call inside the child; process = the child's whole"
        " life\n  seen from the parent (interpreter start-up included); +RSS = peak RSS above"
        " the baseline row"
    )


def report_build(cases: dict[str, Case]) -> bool:
    runtime = not any("from_openapi missing" in r.get("note", "") for r in cases["cold"].runs)
    ok = True
    cold, cached = cases["cold"], cases["cached"]
    if not runtime:
        why = "from_openapi not available; the figures above are load() + an engine GET"
        print(f"  build targets: n/a ({why})")
        return True
    from bench._measure import limit_line

    ok &= seconds_line("build: cold, import + build + first call", cold.total_s, COLD_LIMIT_S)
    ok &= seconds_line("build: cached, import + build + first call", cached.total_s, CACHED_LIMIT_S)
    # The same without the imports (a program that already imported restwright.openapi).
    for label, case, limit in (("cold", cold, COLD_LIMIT_S), ("cached", cached, CACHED_LIMIT_S)):
        got = [r["build_s"] + r["call_s"] for r in case.runs if r.get("call_s") is not None]
        seconds_line(f"  (info) {label}, build + first call, imports excluded", min(got), limit)
    worst = max((c.best("rss_mb") or 0) for c in (cold, cached))
    ok &= limit_line("build: peak RSS (worse of cold and cached)", worst, RSS_LIMIT_MB, unit="MB")
    for key in ("core", "core-nv", "aio"):
        peer = cases.get(key)
        if peer is None:
            continue
        mine, theirs = cold.total_s, peer.total_s
        if theirs is None or mine is None:
            print(f"  {peer.label + ' / restwright cold':<54} n/a ({peer.note or 'no figure'})")
            continue
        rss = (peer.best("rss_mb") or 0) / (cold.best("rss_mb") or 1)
        print(
            f"  {peer.label + ' / restwright cold (time)':<54} = {theirs / mine:5.1f}x   "
            f"[RSS: {rss:.1f}x; vs cached: {theirs / (cached.total_s or mine):.0f}x]"
        )
    return ok


def seconds_line(label: str, value_s: float | None, limit_s: float) -> bool:
    from bench._measure import limit_line

    return limit_line(label, value_s, limit_s, unit="s", value_format="6.3f", limit_format="")


# -- 2. per-call overhead -------------------------------------------------------------------


@contextlib.contextmanager
def _closing(client: Any) -> Iterator[Any]:
    try:
        yield client
    finally:
        close = getattr(client, "close", None)
        if callable(close):
            close()


@dataclass
class CallCase:
    """One request measured through the bare engine and through runtime-client variants."""

    label: str
    doc: Any  # the description (a dict or a path)
    operation_id: str
    kwargs: dict[str, Any]
    path: str
    #: variant label -> (from_openapi options, target ratio or None for information only)
    variants: dict[str, tuple[dict[str, Any], float | None]]
    results: dict[str, Any] = field(default_factory=dict)
    rounds: Any = None  # the bench._measure.Rounds the results come from

    def ratio(self, name: str) -> float:
        """``name``'s CPU per call over the bare engine's: the median of the rounds'."""
        return float(self.rounds.ratio(name, next(iter(self.results))))


def call_cases() -> list[CallCase]:
    runtime = {"runtime operation": ({}, OVERHEAD_LIMIT)}
    real = {
        "runtime operation": ({}, REAL_OVERHEAD_LIMIT),
        "runtime, models=True": ({"models": True}, MODELS_LIMIT),
        'runtime, drift="all"': ({"drift": "all"}, None),
        'runtime, drift="off"': ({"drift": "off"}, None),
    }
    return [
        CallCase(
            "small doc: GET /items/{id}",
            SMALL_DOC,
            "getItem",
            {"item_id": "r1"},
            "/items/r1",
            runtime,
        ),
        CallCase("GitHub: GET / (meta/root)", str(SPEC), "meta/root", {}, ROOT_PATH, runtime),
        CallCase(
            "GitHub: repos/get (one full repository)",
            str(SPEC),
            "repos/get",
            {"owner": "octo", "repo": "hello"},
            REPO_PATH,
            real,
        ),
        CallCase(
            "GitHub: repos/list-for-org (page of 30)",
            str(SPEC),
            "repos/list-for-org",
            {"org": "octo"},
            ORG_REPOS_PATH,
            real,
        ),
    ]


def run_calls(args: argparse.Namespace, base: str) -> list[CallCase]:
    import restwright
    from bench._measure import interleaved

    from_openapi = restwright_runtime()
    if from_openapi is None:
        print("\ncalls: not available (restwright.from_openapi missing)")
        return []
    warmup = max(50, args.n // 20)
    # Drift is summed up below; the once-per-mismatch warnings would only clutter the run.
    logging.getLogger("restwright").addHandler(logging.NullHandler())
    from restwright.engine.json_decoding import json_decoder_name

    print(
        f"\ncalls: {args.rounds} interleaved rounds of {args.n} sequential calls per client"
        f" ({max(50, args.n // 2)} for the GitHub bodies), warm-up {warmup}; JSON bodies"
        f" decoded with {json_decoder_name()} ..."
    )
    done = []
    for case in call_cases():
        n = max(50, args.n // 2) if len(case.variants) > 1 else args.n
        try:
            with contextlib.ExitStack() as stack:
                engine = stack.enter_context(_closing(restwright.Client(base)))
                want = engine.get(case.path).json()
                fetches: dict[str, Callable[[], Any]] = {
                    "restwright.Client.get().json()": lambda e=engine, p=case.path: e.get(p).json(),
                    "  same, stdlib json.loads": lambda e=engine, p=case.path: json.loads(
                        e.get(p).content
                    ),
                }
                clients: dict[str, Any] = {}
                for name, (options, _) in case.variants.items():
                    try:
                        client = stack.enter_context(
                            _closing(from_openapi(case.doc, base_url=base, **options))
                        )
                    except TypeError as exc:  # an option this version does not have
                        print(f"  {case.label}, {name}: skipped ({exc})")
                        continue
                    clients[name] = client
                    op = client.operation(case.operation_id)
                    got = as_data(op(**case.kwargs))
                    if options.get("models"):
                        got = _dump(got)
                    if got != want:
                        raise AssertionError(f"{name} answered {str(got)[:100]}")
                    # timed as it is called: as_data's probe of a pydantic result goes
                    # through the model's __getattr__ (microseconds of a failed lookup)
                    fetches[name] = lambda o=op, k=case.kwargs: o(**k)
                    if options.get("models"):
                        model = models_floor(client, case, engine)
                        fetches[FLOOR] = lambda m=model, e=engine, p=case.path: m.from_bytes(
                            e.get(p).content
                        )
                # Interleaved rounds (engine, runtime, engine, ...) so that noise from
                # the rest of the machine hits every client alike; a ratio is the median
                # of the rounds' ratios.
                case.rounds = interleaved(fetches, n, args.rounds, warmup)
                case.results = case.rounds.best
                for name, client in clients.items():
                    print(f"  {case.label}, {name}: {drift_summary(client)}")
        except Exception as exc:
            print(f"  {case.label}: FAILED: {type(exc).__name__}: {str(exc)[:200]}")
            continue
        done.append(case)
    return done


#: The row that shows what no described call can go below: the bare engine's GET, then the
#: bytes validated into the same pydantic models (one pydantic-core call, the garbage
#: collector paused as the runtime does), with nothing of the runtime client in between.
FLOOR = "  floor: engine + same models"


def models_floor(client: Any, case: CallCase, engine: Any) -> Any:
    """The models a ``models=True`` call of ``case`` validates its 200 answer into (the
    runtime's own ``BodyModel``, so the floor row measures the same pydantic-core call)."""
    response = engine.get(case.path)
    plan = client._call_plan(case.operation_id)
    return plan.body_model(client._model_factory, 200, response.headers.get("content-type"))


def drift_summary(client: Any) -> str:
    """What a client's drift log holds after the run, in one line."""
    log = client.drift
    if not len(log):
        return "no drift recorded"
    pointers = sorted({entry.pointer or entry.kind for entry in log})
    return (
        f"{len(pointers)} distinct mismatch(es) ({', '.join(pointers)}), "
        f"{len(log) + log.dropped} recorded"
    )


def _dump(value: Any) -> Any:
    """A pydantic result as the JSON it came from (by alias, unset fields left out)."""
    if isinstance(value, list):
        return [_dump(v) for v in value]
    dump = getattr(value, "model_dump", None)
    return dump(by_alias=True, exclude_unset=True) if callable(dump) else value


def print_calls_table(cases: list[CallCase], repeat: int) -> None:
    print(
        f"\nper call against nginx (same GET, decoded): the best of {repeat} interleaved"
        " rounds, and the median of the rounds' CPU ratios"
    )
    print(f"  {'client':<34}{'CPU us/call':>12}{'wall us/call':>14}{'CPU ratio':>11}")
    for case in cases:
        print(f"  {case.label}")
        for name, r in case.results.items():
            print(f"    {name:<32}{r.cpu_us:>12.1f}{r.wall_us:>14.1f}{case.ratio(name):>10.2f}x")


def report_calls(cases: list[CallCase]) -> bool:
    ok = True
    if not cases:
        print("  calls: n/a (restwright.from_openapi missing or failed)")
    for case in cases:
        engine = next(iter(case.results.values()))
        for name, (_, limit) in case.variants.items():
            r = case.results.get(name)
            if r is None or limit is None:
                continue
            ratio = case.ratio(name)
            verdict = "PASS" if ratio <= limit else "MISS"
            wall = r.wall_us / engine.wall_us
            below = ""
            if name.endswith("models=True") and FLOOR in case.results:
                floor = case.ratio(FLOOR)
                below = f" [floor {floor:.2f}x; restwright's own {ratio - floor:+.2f}x]"
            print(
                f"  {name + ' / engine CPU, ' + case.label:<78} = {ratio:5.2f}x  "
                f"(target <= {limit}x)  {verdict}   [wall: {wall:.2f}x]{below}"
            )
            ok &= ratio <= limit
    return ok


# -- main -----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    from bench._measure import bench_parser, parse_bench_args

    ap = bench_parser("python -m bench.openapi", __doc__, KEYS)
    ap.add_argument("--quick", action="store_true", help="fewer runs, small N, no peers")
    ap.add_argument(
        "--n", type=int, help="calls per timed round (default 1000; half on GitHub's bodies)"
    )
    ap.add_argument("--repeat", type=int, help="runs per restwright build case (default 3)")
    ap.add_argument("--rounds", type=int, help="interleaved rounds per call case (default 15)")
    ap.add_argument("--peer-repeat", type=int, default=1, help="runs per peer (slow; default 1)")
    ap.add_argument("--no-peers", dest="peers", action="store_false", help="skip the peers")
    ap.add_argument(
        "--stdlib-json",
        action="store_true",
        help="decode JSON bodies with the standard library even when orjson is installed",
    )
    args = parse_bench_args(ap, argv, KEYS)
    args.n = args.n or (300 if args.quick else 1000)
    args.repeat = args.repeat or (1 if args.quick else 3)
    args.rounds = args.rounds or (2 if args.quick else 15)
    if args.quick:
        args.peers = False
    return args


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        return run_child(*argv[1:4])
    args = parse_args(argv)
    from bench._nginx import ensure_nginx, nginx_server, nginx_version

    if args.stdlib_json:  # as on a machine without restwright[speedups]
        from restwright.engine import json_decoding

        json_decoding._fast, json_decoding._resolved = None, True

    if not SPEC.exists():
        print(f"GitHub's description not found at <repo>/../shared/specs/{SPEC.name}")
        return 1
    nginx = ensure_nginx()
    size = SPEC.stat().st_size / 1e6
    from bench._measure import versions

    print(
        f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs; "
        f"{nginx_version(nginx)}, 1 worker\n{versions(*PACKAGES)}\n"
        f"description: {SPEC.name} ({size:.1f} MB); nginx answers every path with a body "
        "satisfying GitHub's root schema."
    )
    ok = True
    cases: dict[str, Case] = {}
    calls: list[CallCase] = []
    with nginx_server(root_body(SPEC), github_bodies(SPEC)) as base:
        if "build" in args.only:
            cases = run_build(args, base)
        if "calls" in args.only:
            calls = run_calls(args, base)
    if cases:
        print_build_table(cases)
    if calls:
        print_calls_table(calls, args.rounds)
    print("\ntargets")
    if cases:
        ok &= report_build(cases)
    if "calls" in args.only:
        ok &= report_calls(calls)
    return 0 if ok or not args.strict else 1


if __name__ == "__main__":
    sys.exit(main())
