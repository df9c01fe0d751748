"""Fixtures of the command line suite: the command run as a user runs it.

* ``restwright(*args, input=None, env=None)``: runs ``python -m restwright ARGS`` in a
  subprocess (the interpreter running the tests, ``PYTHONPATH`` inherited, so the tree under
  test is the one run), with its own config directory; returns the completed process
  (``stdout``/``stderr`` as text).
* ``prism_petstore``: ``(document path, base URL)`` of Prism mocking the petstore document.
* ``kinto_url``: a real Kinto server (session-wide), ``http://127.0.0.1:PORT/v1``.
* ``terminal``: a real terminal (tmux, 200x50) to run a command line in and read the
  screen back with its colours (see :class:`Terminal`).
* ``fault_server`` (tests/conftest.py) answers the plain URL commands.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # the launchers are imported as tests.servers.*
    sys.path.insert(0, str(ROOT))

from tests.profiles.tmux_terminal import TmuxTerminal, tmux_terminal  # noqa: E402
from tests.servers.prism import find_prism, prism_mock  # noqa: E402

PETSTORE = ROOT / "tests" / "openapi" / "documents" / "prism" / "petstore-3.0.yaml"
SHARED_SPECS = ROOT.parent / "shared" / "specs"
GITHUB = SHARED_SPECS / "github-api.github.com.json"

Run = Callable[..., "subprocess.CompletedProcess[str]"]


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a run: the test's, with a config directory of its own."""
    env = dict(os.environ)
    # the run starts in a directory of its own: keep a relative PYTHONPATH (src) pointing
    # at the same tree
    paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    if paths:
        env["PYTHONPATH"] = os.pathsep.join(os.path.abspath(p) for p in paths)
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    env["RESTWRIGHT_CONFIG"] = str(tmp_path / "config" / "restwright")  # profiles
    env.pop("RESTWRIGHT_DEBUG", None)
    return env


@pytest.fixture
def restwright(cli_env: dict[str, str], tmp_path: Path) -> Run:
    def run(
        *args: str, input: str | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        argv = [sys.executable, "-m", "restwright", *args]
        return run_process(argv, {**cli_env, **(env or {})}, tmp_path, input=input)

    return run


def run_process(
    argv: list[str], env: dict[str, str], cwd: Path, *, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` to its end (two minutes at most), its output captured as text."""
    return subprocess.run(
        argv, capture_output=True, text=True, input=input, env=env, cwd=cwd, timeout=120,
        check=False,
    )  # fmt: skip


@contextmanager
def launched(find_executable: Callable[[], object], launch: Callable[[], Any]) -> Iterator[Any]:
    """``launch()``'s server while the block runs, or a skip when its executable is absent."""
    try:
        find_executable()
    except FileNotFoundError as exc:
        pytest.skip(str(exc))
    with launch() as value:
        yield value


@pytest.fixture(scope="session")
def prism_petstore(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    logs = tmp_path_factory.mktemp("prism-logs")
    with launched(find_prism, lambda: prism_mock(PETSTORE, log_dir=logs)) as url:
        yield PETSTORE, url


@pytest.fixture(scope="session")
def kinto_url(session_kinto: str) -> str:
    return session_kinto


@pytest.fixture(scope="session")
def github_document() -> Path:
    if not GITHUB.is_file():
        pytest.skip(f"GitHub's description is not next to the repository ({GITHUB})")
    return GITHUB


class Terminal:
    """bash in a real terminal (:mod:`tests.profiles.tmux_terminal`, 200x50): :meth:`run`
    types a command line (send-keys) and returns the screen, with its colour escapes
    (capture-pane -e), once the command ended."""

    def __init__(self, tmux: TmuxTerminal, cwd: Path) -> None:
        self.tmux = tmux
        tmux.start(["bash", "--norc", "--noprofile"])
        self.run(f"cd {shlex.quote(str(cwd))}")

    def run(self, command: str, timeout: float = 60.0) -> str:
        marker = f"done-{uuid.uuid4().hex[:8]}"
        self.tmux.send("clear")
        # the marker is printed from two halves, so the typed line never shows it whole
        half = len(marker) // 2
        self.tmux.send(f"{command}; printf '%s%s\\n' '{marker[:half]}' '{marker[half:]}'")
        screen = self.tmux.wait_for(marker, escapes=True, timeout=timeout)
        assert marker in screen, f"{command!r} did not finish; screen:\n{screen}"
        return screen


@pytest.fixture
def terminal(cli_env: dict[str, str], tmp_path: Path) -> Iterator[Terminal]:
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    env = {**cli_env, "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    env.pop("TMUX", None)
    with tmux_terminal(tmp_path, env, width=200, height=50) as tmux:
        yield Terminal(tmux, tmp_path)


def shell_words(*args: Any) -> str:
    """A command line of ``python -m restwright ARGS`` for the terminal."""
    return " ".join(shlex.quote(str(a)) for a in [sys.executable, "-m", "restwright", *args])
