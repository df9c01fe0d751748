"""The pytest plugin ``restwright.testing``, run as a user runs it: pytest in a subprocess on
a test file of theirs, recording against the real fault server, then replaying."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import restwright

from ._harness import FaultServer

USER_TESTS = """
import os

import pytest

import restwright


def test_me(restwright_cassette):
    with restwright.Client(os.environ["API_URL"], transport=restwright_cassette.transport()) as api:
        assert api.get("/echo", params={"q": os.environ.get("Q", "1")}).json()["method"] == "GET"


@pytest.mark.restwright_cassette("shared.yaml", match_on=("method", "url"))
async def test_async(restwright_cassette):
    async with restwright.AsyncClient(
        os.environ["API_URL"], transport=restwright_cassette.transport()
    ) as api:
        assert (await api.get("/echo", params={"q": "any"})).status_code == 200
"""


def run_pytest(
    folder: Path, url: str, *args: str, q: str = "1"
) -> subprocess.CompletedProcess[str]:
    source = str(Path(restwright.__file__).resolve().parents[1])  # the restwright under test
    path = os.pathsep.join(filter(None, [source, os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "API_URL": url, "Q": q, "PYTHONPATH": path}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "restwright.testing",
            "-p",
            "no:cacheprovider",
            "-q",
            "-o",
            "asyncio_mode=auto",
            *args,
            str(folder / "test_user.py"),
        ],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_record_once_then_replay_in_ci(fault_server: FaultServer, tmp_path: Path) -> None:
    (tmp_path / "test_user.py").write_text(textwrap.dedent(USER_TESTS))
    first = run_pytest(tmp_path, fault_server.base_url)
    assert first.returncode == 0, first.stdout + first.stderr
    assert (tmp_path / "cassettes" / "test_user" / "test_me.json").is_file()
    assert (tmp_path / "cassettes" / "test_user" / "shared.yaml").is_file()
    assert len(fault_server.requests) == 2

    again = run_pytest(tmp_path, fault_server.base_url, "--restwright-record=replay")
    assert again.returncode == 0, again.stdout + again.stderr
    assert len(fault_server.requests) == 2  # replayed: nothing reached the server

    missing = run_pytest(tmp_path, fault_server.base_url, "--restwright-record=replay", q="2")
    assert missing.returncode == 1
    assert "CassetteError" in missing.stdout and "closest recorded: GET" in missing.stdout
    assert len(fault_server.requests) == 2
