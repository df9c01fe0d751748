"""Fixtures of the ``restwright kinto`` tests: one real Kinto server per session (memory
backends, 5 objects per page), flushed before each test; ``kinto_cli(...)`` runs the command
in a child process with its output piped, as a script would; each test has its own config
directory (``RESTWRIGHT_CONFIG``) for profiles."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # the launcher is imported as tests.servers.kinto_server
    sys.path.insert(0, str(ROOT))

from tests.servers.kinto_server import flush  # noqa: E402

import restwright.kinto  # noqa: E402

#: ``restwright kinto`` as a user runs it (the interpreter running the tests).
KINTO_COMMAND = [sys.executable, "-m", "restwright", "kinto"]
ALICE = ("alice", "alice-s3cret")


@pytest.fixture
def kinto_url(session_kinto: str) -> str:
    flush(session_kinto)
    return session_kinto


@pytest.fixture(autouse=True)
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "config"
    monkeypatch.setenv("RESTWRIGHT_CONFIG", str(directory))
    return directory


@pytest.fixture
def alice(kinto_url: str) -> Iterator[restwright.kinto.Client]:
    """alice's Kinto client on bucket ``main``, collection ``tasks`` (both created)."""
    with restwright.kinto.Client(
        server_url=kinto_url, auth=ALICE, bucket="main", collection="tasks"
    ) as client:
        client.create_bucket(id="main")
        client.create_collection(id="tasks")
        yield client


Runner = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def kinto_cli(kinto_url: str) -> Runner:
    """``kinto_cli("records", "list")``: ``restwright kinto -s URL -a alice:... -b main -c
    tasks records list`` (``server=False`` leaves out ``-s``/``-a``/``-b``/``-c``)."""

    def run(
        *args: str, server: bool = True, stdin: str | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        head = ["-s", kinto_url, "-a", ":".join(ALICE), "-b", "main", "-c", "tasks"]
        return subprocess.run(
            [*KINTO_COMMAND, *(head if server else []), *args],
            input=stdin,
            capture_output=True,
            text=True,
            env={**os.environ, **(env or {})},
            timeout=60,
            check=False,
        )

    return run
