"""Timing helpers shared by the bench scripts.

Every measurement reports wall time and the CPU time of *this* process
(``time.process_time``: user + system, all threads; the server's CPU is not included).
A measurement is repeated and the best run is kept: the minimum wall time and the
minimum CPU time are taken separately, since noise only ever adds time.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from importlib import metadata


@dataclass
class Result:
    name: str
    n: int  # requests per timed run
    wall_s: float  # best wall time of one run
    cpu_s: float  # best process CPU time of one run
    note: str = ""

    @property
    def rps(self) -> float:
        return self.n / self.wall_s

    @property
    def cpu_us(self) -> float:
        return self.cpu_s / self.n * 1e6

    @property
    def wall_us(self) -> float:
        return self.wall_s / self.n * 1e6


def _best(name: str, n: int, runs: list[tuple[float, float]]) -> Result:
    return Result(name, n, min(w for w, _ in runs), min(c for _, c in runs))


def time_sync(name: str, fetch: Callable[[], object], n: int, warmup: int, repeat: int) -> Result:
    """Call ``fetch()`` ``warmup`` times untimed, then time ``repeat`` runs of ``n`` calls."""
    for _ in range(warmup):
        fetch()
    runs = []
    for _ in range(repeat):
        gc.collect()
        w0, c0 = time.perf_counter(), time.process_time()
        for _ in range(n):
            fetch()
        runs.append((time.perf_counter() - w0, time.process_time() - c0))
    return _best(name, n, runs)


@dataclass
class Rounds:
    """Interleaved rounds: each round times every fetch once, one after the other.

    The best run of each fetch is kept as everywhere else (:attr:`best`), but a *ratio*
    between two fetches is taken round by round and the median kept (:meth:`ratio`).  On a
    shared virtual machine the CPU a call costs drifts by a fifth from one second to the
    next; two runs in the same round see the same machine, and the median of many such
    pairs does not depend on one lucky or unlucky run, where the ratio of two separate
    minimums does.
    """

    runs: dict[str, list[Result]]

    @property
    def best(self) -> dict[str, Result]:
        return {
            key: Result(key, runs[0].n, min(r.wall_s for r in runs), min(r.cpu_s for r in runs))
            for key, runs in self.runs.items()
        }

    def ratio(self, key: str, base: str) -> float:
        """The median, over the rounds, of ``key``'s CPU per call over ``base``'s."""
        return statistics.median(
            mine.cpu_s / other.cpu_s
            for mine, other in zip(self.runs[key], self.runs[base], strict=True)
        )


def interleaved(
    fetches: dict[str, Callable[[], object]], n: int, rounds: int, warmup: int
) -> Rounds:
    """``rounds`` rounds of ``n`` calls of every fetch in turn (after ``warmup`` calls of
    each, untimed)."""
    runs: dict[str, list[Result]] = {key: [] for key in fetches}
    for i in range(rounds):
        for key, fetch in fetches.items():
            runs[key].append(time_sync(key, fetch, n, warmup if i == 0 else 0, 1))
    return Rounds(runs)


async def _drive(fetch: Callable[[], Awaitable[object]], n: int, concurrency: int) -> None:
    """Run ``n`` awaits of ``fetch()`` with ``concurrency`` workers pulling from a counter."""
    remaining = n

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await fetch()

    await asyncio.gather(*(worker() for _ in range(min(concurrency, n))))


async def time_async(
    name: str,
    fetch: Callable[[], Awaitable[object]],
    n: int,
    concurrency: int,
    warmup: int,
    repeat: int,
) -> Result:
    """Async twin of :func:`time_sync`: ``n`` requests in flight ``concurrency`` at a time."""
    await _drive(fetch, warmup, concurrency)
    runs = []
    for _ in range(repeat):
        gc.collect()
        w0, c0 = time.perf_counter(), time.process_time()
        await _drive(fetch, n, concurrency)
        runs.append((time.perf_counter() - w0, time.process_time() - c0))
    return _best(name, n, runs)


# -- import time -----------------------------------------------------------------------


def _user_env() -> dict[str, str]:
    """The environment of a user's interpreter: bytecode caching on (a shell that sets
    PYTHONDONTWRITEBYTECODE would make every import recompile and measure the compiler)."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def importtime_ms(module: str, runs: int = 5) -> list[float]:
    """Cumulative import time of ``module`` (ms) from ``python -X importtime``, per run."""
    out = []
    for _ in range(runs + 1):  # the first run may write .pyc files: discarded
        err = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", f"import {module}"],
            capture_output=True,
            text=True,
            check=True,
            env=_user_env(),
        ).stderr
        cumulative = None
        for line in err.splitlines():
            fields = line.split("|")
            # "import time: <self us> | <cumulative us> | <name>"; top level = not indented
            if len(fields) == 3 and fields[2].rstrip() == f" {module}":
                cumulative = int(fields[1]) / 1000
        if cumulative is None:
            raise RuntimeError(f"no top-level {module!r} line in -X importtime output")
        out.append(cumulative)
    return out[1:]


def import_wall_ms(module: str, runs: int = 10) -> float:
    """Median wall time of ``python -c "import module"`` minus ``python -c "pass"`` (ms)."""

    def wall(code: str) -> float:
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, env=_user_env())
        return time.perf_counter() - t0

    wall(f"import {module}")  # warm-up: .pyc files, page cache
    with_import, bare = [], []
    for _ in range(runs):  # interleaved so drift hits both sides alike
        with_import.append(wall(f"import {module}"))
        bare.append(wall("pass"))
    return (statistics.median(with_import) - statistics.median(bare)) * 1000


# -- reporting -------------------------------------------------------------------------


def print_table(title: str, results: list[Result]) -> None:
    print(f"\n{title}")
    print(f"  {'client':<24}{'n':>7}{'req/s':>10}{'CPU us/req':>12}{'wall us/req':>13}  note")
    for r in results:
        row = f"  {r.name:<24}{r.n:>7}{r.rps:>10,.0f}{r.cpu_us:>12.1f}{r.wall_us:>13.1f}"
        print(f"{row}  {r.note}".rstrip())


def ratio_line(label: str, mine: Result | None, other: Result | None, target: float) -> bool:
    """Print ``label: mine / other`` on req/s against ``target``; return False on a MISS.

    The CPU ratio is shown the same way round (other's CPU us / mine), so >1 means
    restwright spends less CPU per request than the peer.
    """
    if mine is None or other is None:
        missing = "restwright" if mine is None else "peer"
        print(f"  {label:<54} n/a ({missing} not measured)  (target >= {target}x)")
        return True
    speed = mine.rps / other.rps
    cpu = other.cpu_us / mine.cpu_us
    verdict = "PASS" if speed >= target else "MISS"
    print(f"  {label:<54} = {speed:5.2f}x  (target >= {target}x)  {verdict}   [CPU: {cpu:.2f}x]")
    return speed >= target


def limit_line(
    label: str,
    value: float | None,
    limit: float,
    *,
    unit: str = "ms",
    value_format: str = "5.1f",
    limit_format: str = ".0f",
) -> bool:
    """Print ``label = value unit (target <= limit unit) PASS|MISS``; True unless missed
    (a value that could not be measured is shown as n/a and does not fail)."""
    target = f"(target <= {limit:{limit_format}} {unit})"
    if value is None:
        print(f"  {label:<54} n/a  {target}")
        return True
    verdict = "PASS" if value <= limit else "MISS"
    print(f"  {label:<54} = {value:{value_format}} {unit}  {target}  {verdict}")
    return value <= limit


def versions(*names: str) -> str:
    """``"name 1.2.3, other -"``: the installed version of each distribution."""
    out = []
    for name in names:
        try:
            out.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            out.append(f"{name} -")
    return ", ".join(out)


def bench_parser(prog: str, doc: str | None, keys: Sequence[str]) -> argparse.ArgumentParser:
    """The options every bench script has: ``--only`` (a subset of ``keys``) and
    ``--strict``; the script adds its own, then calls :func:`parse_bench_args`."""
    ap = argparse.ArgumentParser(prog=prog, description=(doc or "").split("\n")[0])
    ap.add_argument("--only", help=f"comma-separated subset of: {','.join(keys)}")
    ap.add_argument("--strict", action="store_true", help="exit 1 if any target is missed")
    return ap


def parse_bench_args(
    ap: argparse.ArgumentParser, argv: list[str] | None, keys: Sequence[str]
) -> argparse.Namespace:
    """Parse ``argv``; ``args.only`` becomes the set of chosen keys (all by default)."""
    args = ap.parse_args(argv)
    only = set(args.only.split(",")) if args.only else set(keys)
    if only - set(keys):
        ap.error(f"unknown --only name(s) {sorted(only - set(keys))}; choose from {list(keys)}")
    args.only = only
    return args
