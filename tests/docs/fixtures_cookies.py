"""Docs fixtures for the cookie examples of docs/engine.md.

* ``cookie_app``: the session-login server of ``tests/servers/cookie_server.py`` (``/login``
  sets a ``sessionid`` and a ``csrftoken`` cookie, ``/notes`` wants both, ``/whoami``,
  ``/echo``) as ``https://app.example``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.servers.cookie_server import CookieServer


@pytest.fixture(scope="session")
def _docs_cookie_server() -> Iterator[CookieServer]:
    with CookieServer() as server:
        yield server


@pytest.fixture
def cookie_app(_docs_cookie_server: CookieServer) -> dict[str, object]:
    return {"https://app.example": _docs_cookie_server.url}
