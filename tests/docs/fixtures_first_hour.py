"""Docs fixtures for a new user's first hour (README's recipes, docs/engine.md's auth).

* ``mattermost_login``: a server that logs users in as Mattermost does
  (``tests/servers/mattermost_login.py``: password ``s3cret``, the token in a ``Token``
  header) as ``https://mattermost.example``.
* ``github_document``: GitHub's REST API document as ``api.github.com.json``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.servers.mattermost_login import mattermost_login_server

GITHUB = (
    Path(__file__).resolve().parents[2].parent / "shared" / "specs" / "github-api.github.com.json"
)


@pytest.fixture(scope="session")
def _docs_mattermost_login() -> Iterator[str]:
    with mattermost_login_server() as url:
        yield url


@pytest.fixture
def mattermost_login(_docs_mattermost_login: str) -> dict[str, object]:
    return {"https://mattermost.example": _docs_mattermost_login}


@pytest.fixture
def github_document() -> dict[str, object]:
    if not GITHUB.is_file():
        pytest.skip(f"GitHub's document is absent ({GITHUB})")
    return {"api.github.com.json": GITHUB}
