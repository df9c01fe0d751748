"""Docs fixtures for the examples of README.md and docs/engine, kinto, openapi.

* ``kinto``: a real Kinto (memory backend), emptied for each doc file; the docs' URLs
  ``https://kinto.example/v1`` and ``http://localhost:8888/v1`` point at it.
* ``api``: the fault server (``tests/servers/fault_server.py``: ``/echo``, ``/pages/...``,
  ``/status/...``) as ``https://api.example.test``; its peer, another origin, as
  ``https://other.example.test``.
* ``mattermost``: Prism serving Mattermost's document as ``https://chat.example``, and the
  document itself as ``mattermost-openapi-v4.yaml``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.servers.fault_server import FaultServer
from tests.servers.kinto_server import flush
from tests.servers.prism import find_prism, prism_mock

ROOT = Path(__file__).resolve().parents[2]
MATTERMOST = ROOT.parent / "shared" / "specs" / "mattermost-openapi-v4.yaml"


@pytest.fixture
def kinto(session_kinto: str) -> dict[str, object]:
    flush(session_kinto)
    return {"https://kinto.example/v1": session_kinto, "http://localhost:8888/v1": session_kinto}


@pytest.fixture
def api(fault_server: FaultServer, other_server: FaultServer) -> dict[str, object]:
    return {
        "https://api.example.test": fault_server.base_url,
        "https://other.example.test": other_server.base_url,
    }


@pytest.fixture(scope="session")
def _docs_mattermost(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not MATTERMOST.is_file():
        pytest.skip(f"the Mattermost document is absent ({MATTERMOST})")
    try:
        find_prism()
    except FileNotFoundError as exc:
        pytest.skip(str(exc))
    with prism_mock(MATTERMOST, log_dir=tmp_path_factory.mktemp("docs-prism")) as url:
        yield url


@pytest.fixture
def mattermost(_docs_mattermost: str) -> dict[str, object]:
    return {"https://chat.example": _docs_mattermost, "mattermost-openapi-v4.yaml": MATTERMOST}
