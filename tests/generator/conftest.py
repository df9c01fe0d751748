"""Fixtures of the generator suite.

* ``generated``: ``generated(spec, package) -> module`` writes a package with
  ``restwright generate``'s function into a temporary directory put on ``sys.path``, imports
  it and forgets it (and its submodules) at teardown.
* ``prism_served``: ``prism_served(document) -> (base_url, hooks)`` starts Prism for the
  test; the hooks record Prism's ``sl-violations``, which must stay empty.
* ``check_code``: ``check_code(directory)`` runs ``ruff check`` and ``mypy --strict`` on
  generated code and fails with their output.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from types import ModuleType
from typing import Any

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
def prism_served() -> Iterator[Callable[[Path], tuple[str, dict[str, Any]]]]:
    """``prism_served(document) -> (base_url, hooks)``: Prism on the document for the test,
    and engine hooks recording its ``sl-violations``, asserted absent at teardown."""
    from tests.servers.prism import VIOLATIONS_HEADER, find_prism, prism_mock

    try:
        find_prism()
    except FileNotFoundError as exc:
        pytest.skip(str(exc))
    violations: list[str] = []

    def record(response: Any) -> None:
        if response.headers.get(VIOLATIONS_HEADER):
            violations.append(response.headers[VIOLATIONS_HEADER])

    with ExitStack() as stack:

        def serve(document: Path) -> tuple[str, dict[str, Any]]:
            return stack.enter_context(prism_mock(document)), {"response": [record]}

        yield serve
    assert not violations, violations


# restwright is checked by its own configuration; in a user's project it is an installed,
# typed package whose own modules mypy does not report on: the same here.
MYPY_CONFIG = """\
[mypy]
strict = True
cache_dir = /dev/null
incremental = False

[mypy-restwright.*]
follow_imports = silent
"""


def run_mypy(
    cwd: Path, *targets: str, path: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``mypy --strict`` on ``targets`` from ``cwd`` (restwright's sources on MYPYPATH)."""
    config = cwd / "mypy-check.ini"
    config.write_text(MYPY_CONFIG)
    search = [str(ROOT / "src")] + ([str(path)] if path is not None else [])
    env = {**os.environ, "MYPYPATH": os.pathsep.join(search)}
    return subprocess.run(
        [str(BIN / "mypy"), "--config-file", str(config), *targets],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
    )


@pytest.fixture
def check_code() -> Callable[[Path], None]:
    def check(directory: Path) -> None:
        ruff = subprocess.run(
            [str(BIN / "ruff"), "check", "--no-cache", "--isolated", *RUFF_RULES, str(directory)],
            capture_output=True,
            text=True,
        )
        assert ruff.returncode == 0, ruff.stdout + ruff.stderr
        mypy = run_mypy(directory.parent, "-p", directory.name)
        assert mypy.returncode == 0, mypy.stdout + mypy.stderr

    return check
