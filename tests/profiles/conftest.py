"""Fixtures of the profile tests: every test gets its own config directory
(``RESTWRIGHT_CONFIG``), so no test ever reads or writes the user's own config."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # the servers are imported as tests.servers.*
    sys.path.insert(0, str(ROOT))

#: ``restwright profile`` as a user runs it (the interpreter running the tests).
PROFILE_COMMAND = [sys.executable, "-m", "restwright", "profile"]


@pytest.fixture(autouse=True)
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    directory = tmp_path / "config"
    monkeypatch.setenv("RESTWRIGHT_CONFIG", str(directory))
    yield directory


@pytest.fixture
def run_profile(config_dir: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """``run_profile("add", "x", ...)``: the ``profile`` command in a child process, output
    piped (not a terminal), as a script would run it."""

    def run(
        *args: str, env: dict[str, str | None] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """``env``: variables to set, or to remove (``None``)."""
        child_env = {**os.environ, **(env or {})}
        return subprocess.run(
            [*PROFILE_COMMAND, *args],
            capture_output=True,
            text=True,
            env={k: v for k, v in child_env.items() if v is not None},
            timeout=60,
            check=False,
        )

    return run
