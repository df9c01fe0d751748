"""Instructions per call (callgrind): the per-call cases of issues #10 and #15, counted.

CPU time on a shared virtual machine moves by a fifth between identical runs (the same
floor reads 1.05x in one run and 1.34x in the next), which is more than what is being
measured; the number of instructions a call executes does not move.  Each (case, variant)
runs in a fresh interpreter under ``valgrind --tool=callgrind --instr-atstart=no``
against nginx on 127.0.0.1: the child makes 200 calls untimed (past the drift policy's
first 20 full checks), switches collection on (``callgrind_control -i on``), makes ``--n``
calls, switches it off; the parent reads the total from valgrind's summary.  Instructions
are not CPU time - a model-heavy call spends more cycles per instruction than the
engine's JSON decoding - so the timed benches stay the figures the issues name; this one
says where the instructions go.

Variants: ``engine`` (the bare engine's GET + ``.json()``), ``floor`` (the bare GET, then
the same pydantic-core validation the described call does: what no described call can go
below), ``generated`` / ``runtime`` / ``models`` (the described call), ``... drift=off``
(the same without drift checks: the sampled checks' share).

    .venv/bin/python -m bench.instructions                      # every case, about 12 min
    .venv/bin/python -m bench.instructions --only order,mm-user --n 500
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

CASES = {
    "order": ("engine", "floor", "generated", "generated drift=off", "runtime"),
    "mm-user": ("engine", "floor", "generated", "generated drift=off"),
    "mm-chan": ("engine", "floor", "generated", "generated drift=off"),
    "mm-posts": ("engine", "floor", "generated", "generated drift=off"),
    "gh-repo": ("engine", "floor", "runtime", "models", "models drift=off"),
    "gh-list": ("engine", "floor", "runtime", "models", "models drift=off"),
}
LABELS = {
    "order": "generated orders.get_order (1 KB, 7 nested models)",
    "mm-user": "generated Mattermost users.get_user (0.8 KB)",
    "mm-chan": "generated Mattermost, 50 channels (21 KB)",
    "mm-posts": "generated Mattermost, 60 posts (44 KB)",
    "gh-repo": "runtime GitHub repos/get (24 KB)",
    "gh-list": "runtime GitHub repos/list-for-org (30 repositories, 160 KB)",
}
WARMUP = 200
#: Calls counted: enough that the sampled drift checks (one response in 50 on average, at
#: random) and the toggling of collection weigh alike in every run.
N_DEFAULT = {"order": 2000, "mm-user": 2000, "mm-chan": 300, "mm-posts": 200, "gh-repo": 500}
N_DEFAULT["gh-list"] = 150


# -- the child: one (case, variant) under callgrind -------------------------------------------


@contextlib.contextmanager
def _order(variant: str) -> Iterator[Callable[[], Any]]:
    import restwright
    from bench._nginx import BODY, nginx_server
    from bench.generator import generated_orders
    from restwright.openapi.models import BodyModel

    work = Path(tempfile.mkdtemp(prefix="bench-instructions-"))
    try:
        spec, bench_orders = generated_orders(work)
        with nginx_server(body=BODY) as base, contextlib.ExitStack() as stack:
            engine = stack.enter_context(restwright.Client(base))
            if variant == "engine":
                yield lambda: engine.get("/orders/o1").json()
            elif variant == "floor":
                order = importlib.import_module("bench_orders.models").Order
                floor = BodyModel.of(order, "floor", must_fit=True)
                yield lambda: floor.from_bytes(engine.get("/orders/o1").content)
            elif variant == "runtime":
                runtime = stack.enter_context(restwright.from_openapi(spec, base_url=base))
                yield lambda: runtime.orders.get_order("o1")
            else:
                drift = "off" if variant.endswith("drift=off") else "sample"
                typed = stack.enter_context(bench_orders.Client(base, drift=drift))
                yield lambda: typed.orders.get_order("o1")
    finally:
        shutil.rmtree(work, ignore_errors=True)


@contextlib.contextmanager
def _mattermost(case: str, variant: str) -> Iterator[Callable[[], Any]]:
    import restwright
    from bench._mattermost_bodies import mattermost_calls
    from bench._nginx import nginx_server
    from bench.generator import return_type
    from restwright.mattermost.generated.client import Client
    from restwright.openapi.models import BodyModel
    from restwright.openapi.typed import load_document

    api = load_document("restwright.mattermost.generated", "mattermost-openapi-v4.yaml")
    calls = mattermost_calls(api)
    call = calls[("mm-user", "mm-chan", "mm-posts").index(case)]
    params = {k: v for k, v in call.kwargs.items() if k == "per_page"} or None
    with (
        nginx_server(files={c.path: c.body for c in calls}) as base,
        contextlib.ExitStack() as stack,
    ):
        engine = stack.enter_context(
            restwright.Client(base, auth=restwright.BearerAuth("bench-token"))
        )
        drift = "off" if variant.endswith("drift=off") else "sample"
        typed = stack.enter_context(Client(base, "Bearer bench-token", drift=drift))
        method = getattr(getattr(typed, call.group), call.method)
        if variant == "engine":
            yield lambda: engine.get(call.path, params=params).json()
        elif variant == "floor":
            floor = BodyModel.of(return_type(method), "floor", must_fit=True)
            yield lambda: floor.from_bytes(engine.get(call.path, params=params).content)
        else:
            yield lambda: method(**call.kwargs)


@contextlib.contextmanager
def _github(case: str, variant: str) -> Iterator[Callable[[], Any]]:
    import restwright
    from bench import openapi
    from bench._nginx import nginx_server

    cases = {c.operation_id: c for c in openapi.call_cases()}
    call = cases["repos/get" if case == "gh-repo" else "repos/list-for-org"]
    spec = str(openapi.SPEC)
    bodies = openapi.github_bodies(openapi.SPEC)
    with (
        nginx_server(openapi.root_body(openapi.SPEC), bodies) as base,
        contextlib.ExitStack() as stack,
    ):
        engine = stack.enter_context(restwright.Client(base))
        options: dict[str, Any] = {"models": variant != "runtime"}
        if variant.endswith("drift=off"):
            options["drift"] = "off"
        client = stack.enter_context(restwright.from_openapi(spec, base_url=base, **options))
        operation = client.operation(call.operation_id)
        if variant == "engine":
            yield lambda: engine.get(call.path).json()
        elif variant == "floor":
            floor = openapi.models_floor(client, call, engine)
            yield lambda: floor.from_bytes(engine.get(call.path).content)
        else:
            yield lambda: operation(**call.kwargs)


def run_child(case: str, variant: str, n: int) -> int:
    logging.getLogger("restwright").addHandler(logging.NullHandler())
    logging.getLogger("restwright").propagate = False  # drift warnings: not measured
    if case == "order":
        fetcher = _order(variant)
    elif case.startswith("mm-"):
        fetcher = _mattermost(case, variant)
    else:
        fetcher = _github(case, variant)
    with fetcher as fetch:
        for _ in range(WARMUP):
            fetch()
        control = ["callgrind_control", "-i"]
        subprocess.run([*control, "on", str(os.getpid())], capture_output=True, check=True)
        for _ in range(n):
            fetch()
        subprocess.run([*control, "off", str(os.getpid())], capture_output=True, check=True)
    return 0


# -- the parent ---------------------------------------------------------------------------------


def count(case: str, variant: str, n: int) -> int:
    """Instructions per call of ``variant`` in ``case``."""
    command = [
        "valgrind",
        "--tool=callgrind",
        "--instr-atstart=no",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        "-m",
        "bench.instructions",
        "--child",
        case,
        variant,
        str(n),
    ]
    # one string hash for every run: probing sequences of dicts and sets change the count
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    done = subprocess.run(
        command, capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1], env=env
    )
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode or found is None:
        raise RuntimeError(f"{case} {variant}: {done.stderr[-2000:]}")
    return int(found.group(1)) // n


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        return run_child(argv[1], argv[2], int(argv[3]))
    ap = argparse.ArgumentParser(prog="python -m bench.instructions", description=__doc__)
    ap.add_argument("--only", help=f"comma-separated subset of: {','.join(CASES)}")
    ap.add_argument("--n", type=int, default=0, help="calls counted (default: by body size)")
    args = ap.parse_args(argv)
    chosen = args.only.split(",") if args.only else list(CASES)
    if unknown := set(chosen) - set(CASES):
        ap.error(f"unknown case(s) {sorted(unknown)}; choose from {list(CASES)}")
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        print("valgrind (with callgrind_control) is needed: apt-get install valgrind")
        return 1
    from bench._nginx import ensure_nginx

    ensure_nginx()
    print("instructions per call (callgrind), the bare engine's GET + .json() = 1.00x")
    for case in chosen:
        n = args.n or N_DEFAULT[case]
        counts = {variant: count(case, variant, n) for variant in CASES[case]}
        engine, floor = counts["engine"], counts["floor"]
        print(f"\n{LABELS[case]} ({n} calls)")
        for variant, value in counts.items():
            share = ""
            if variant not in ("engine", "floor", "runtime"):
                share = f"   restwright's own {(value - floor) / engine:+.3f}x"
            print(f"  {variant:<22}{value:>12,}{value / engine:>8.3f}x{share}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
