"""Command line start-up benchmark (issue #13's targets), side by side with httpie and curl.

A command line is started for every call, so its start-up is most of a call's latency.
Each round runs, in fresh processes, against nginx on 127.0.0.1 (every path answers the
same ~1 KB JSON record), stdout to /dev/null:

* ``restwright get URL`` (``python -m restwright``, this tree's sources);
* ``restwright GITHUB repos get owner=octo repo=hello --base-url URL``: an operation of
  GitHub's 13 MB description, read from the description cache (warmed first);
* ``http --ignore-stdin GET URL`` (httpie, from the ``bench`` extra) and ``http --version``;
* ``curl -s URL``.

Rounds are interleaved (machine noise hits every command alike); the best and the median
wall time of each command are printed, then the ratios against httpie and curl, and the
targets: ``restwright get`` <= 0.15 s, ``restwright SPEC TAG OP`` <= 0.3 s (best run, as
every bench here keeps the best).  ``python -X importtime`` shows where the start-up goes:
the cumulative import time of the modules each command loads (the command's own module is
loaded by ``importlib.import_module``, which ``-X importtime`` does not report: its few
milliseconds of own code are left out, the modules it imports are counted).

Run from the repository root::

    .venv/bin/python -m bench.cli [--rounds 15] [--strict]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench._measure import limit_line, versions
from bench._nginx import nginx_server

REPO_ROOT = Path(__file__).resolve().parents[1]
GITHUB = REPO_ROOT.parent / "shared" / "specs" / "github-api.github.com.json"
GET_LIMIT_S = 0.15
DESCRIBED_LIMIT_S = 0.30


def _environment(cache_dir: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(REPO_ROOT / "src")
    env["RESTWRIGHT_CACHE_DIR"] = cache_dir
    return env


def _wall(command: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(
        command, env=env, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL, check=True
    )
    return time.perf_counter() - t0


def _commands(base_url: str) -> dict[str, list[str]]:
    url = f"{base_url}/repos/octo/hello"
    restwright = [sys.executable, "-m", "restwright"]
    commands = {"restwright get URL": [*restwright, "get", url]}
    if GITHUB.is_file():
        commands["restwright GITHUB repos get"] = [
            *restwright,
            str(GITHUB),
            "repos",
            "get",
            "owner=octo",
            "repo=hello",
            "--base-url",
            base_url,
        ]
    http = shutil.which(
        "http", path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    )
    if http:
        commands["http GET URL (httpie)"] = [http, "--ignore-stdin", "GET", url]
        commands["http --version (httpie)"] = [http, "--version"]
    curl = shutil.which("curl")
    if curl:
        commands["curl -s URL"] = [curl, "-s", url]
    return commands


def _top_level_ms(command: list[str], env: dict[str, str]) -> dict[str, float]:
    """Cumulative ``-X importtime`` of each top-level import of ``command`` (ms)."""
    err = subprocess.run(
        [sys.executable, "-X", "importtime", *command],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=True,
    ).stderr
    found: dict[str, float] = {}
    for line in err.splitlines():
        fields = line.split("|")
        top_level = fields[2:] and fields[2].startswith(" ") and not fields[2].startswith("  ")
        if len(fields) == 3 and top_level and fields[1].strip().isdigit():
            found[fields[2].strip()] = int(fields[1]) / 1000
    return found


def import_ms(command: list[str], env: dict[str, str], runs: int = 5) -> float:
    """Median import time a command adds to a bare interpreter's (``-c pass``) (ms)."""
    totals = []
    for _ in range(runs):
        bare = _top_level_ms(["-c", "pass"], env)
        mine = _top_level_ms(command, env)
        totals.append(sum(ms for name, ms in mine.items() if name not in bare))
    return statistics.median(totals)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    print(f"versions: {versions('click', 'rich', 'httpie')}, Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as cache_dir, nginx_server() as base_url:
        env = _environment(cache_dir)
        commands = _commands(base_url)
        for command in commands.values():  # warm-up: .pyc files, the description cache
            _wall(command, env)
        walls: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.rounds):
            for name, command in commands.items():
                walls[name].append(_wall(command, env))
        imports = {
            name: import_ms(command[1:], env)
            for name, command in commands.items()
            if command[0] == sys.executable
        }
    print(f"\nstart-up, wall time of one call ({args.rounds} interleaved rounds)")
    print(f"  {'command':<32}{'best s':>9}{'median s':>10}")
    for name, runs in walls.items():
        print(f"  {name:<32}{min(runs):>9.3f}{statistics.median(runs):>10.3f}")
    get = min(walls["restwright get URL"])
    print("\nratios (peer best wall / restwright get URL best wall; above 1: restwright is faster)")
    for peer in ("http GET URL (httpie)", "http --version (httpie)", "curl -s URL"):
        if peer in walls:
            print(f"  {peer:<32} = {min(walls[peer]) / get:5.2f}x")
    print("\nimports beyond a bare interpreter's (python -X importtime, cumulative, median of 5)")
    for name, ms in imports.items():
        print(f"  {name:<32}{ms:>8.1f} ms")
    print("\ntargets")
    ok = limit_line(
        "restwright get URL, best wall",
        get,
        GET_LIMIT_S,
        unit="s",
        value_format="5.3f",
        limit_format=".2f",
    )
    described = walls.get("restwright GITHUB repos get")
    ok &= limit_line(
        "restwright GITHUB repos get (cached description), best",
        min(described) if described else None,
        DESCRIBED_LIMIT_S,
        unit="s",
        value_format="5.3f",
        limit_format=".2f",
    )
    return 0 if ok or not args.strict else 1


if __name__ == "__main__":
    raise SystemExit(main())
