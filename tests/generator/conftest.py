"""Fixtures of the generator suite.

* ``generated``: ``generated(spec, package) -> module`` writes a package with
  ``restwright generate``'s function into a temporary directory put on ``sys.path``, imports
  it and forgets it (and its submodules) at teardown.
* ``check_code``: ``check_code(directory)`` runs ``ruff check`` and ``mypy --strict`` on
  generated code and fails with their output.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest

from restwright.generator import GenerationSummary, generate

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SHARED_SPECS = ROOT.parent / "shared" / "specs"
RUFF_RULES = ["--select", "E,F,W,I,B,UP,SIM,RUF", "--ignore", "UP007", "--line-length", "100"]


@pytest.fixture
def generated(tmp_path: Path) -> Iterator[Callable[..., tuple[ModuleType, GenerationSummary]]]:
    out = tmp_path / "out"
    names: list[str] = []

    def make(spec: Path, package: str) -> tuple[ModuleType, GenerationSummary]:
        summary = generate(spec, package, out)
        names.append(package)
        importlib.invalidate_caches()  # the directory did not exist when put on sys.path
        return importlib.import_module(package), summary

    sys.path.insert(0, str(out))
    try:
        yield make
    finally:
        sys.path.remove(str(out))
        for name in list(sys.modules):
            if any(name == p or name.startswith(p + ".") for p in names):
                del sys.modules[name]


@pytest.fixture
def check_code() -> Callable[[Path], None]:
    def check(directory: Path) -> None:
        env = {**os.environ, "MYPYPATH": str(ROOT / "src")}
        ruff = subprocess.run(
            [str(BIN / "ruff"), "check", "--no-cache", "--isolated", *RUFF_RULES, str(directory)],
            capture_output=True,
            text=True,
        )
        assert ruff.returncode == 0, ruff.stdout + ruff.stderr
        mypy = subprocess.run(
            [
                str(BIN / "mypy"),
                "--strict",
                "--no-incremental",
                "--cache-dir",
                os.devnull,
                "-p",
                directory.name,
            ],
            capture_output=True,
            text=True,
            cwd=directory.parent,
            env=env,
        )
        assert mypy.returncode == 0, mypy.stdout + mypy.stderr

    return check
