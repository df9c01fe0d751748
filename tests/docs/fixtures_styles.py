"""Docs fixture ``styles``: MAX, OAuth2 and CloudCIX look-alikes for ``docs/styles.md``.

Keys replaced in the docs' text: ``https://max.example``, ``https://oauth.example`` and
``https://api.cloudcix.example`` (the servers' URLs).  Globals: ``TOKEN`` (accepted by MAX
and CloudCIX alike) and ``max_headers`` (an auth function adding MAX's headers).
``CLOUDCIX_API_URL`` points at the CloudCIX look-alike while the docs run.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # the servers are imported as tests.servers.*
    sys.path.insert(0, str(ROOT))

from tests.servers.styles_server import MAX_TOKEN, StyleServer  # noqa: E402


@pytest.fixture
def styles(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, object]]:
    with ExitStack() as stack:
        servers = {}
        for kind in ("max", "oauth", "cloudcix"):
            server = StyleServer(kind, token=MAX_TOKEN)
            server.reset()
            server.start()
            stack.callback(server.stop)
            servers[kind] = server
        servers["max"].oauth_url = servers["oauth"].base_url
        monkeypatch.setenv("CLOUDCIX_API_URL", servers["cloudcix"].base_url + "/")
        monkeypatch.delenv("CLOUDCIX_SETTINGS_MODULE", raising=False)

        def max_headers(request: Any) -> None:
            request.headers["X-Oauth-Token"] = MAX_TOKEN
            request.headers["X-Oauth-Username"] = "bob"

        yield {
            "https://max.example": servers["max"].base_url,
            "https://oauth.example": servers["oauth"].base_url,
            "https://api.cloudcix.example": servers["cloudcix"].base_url,
            "TOKEN": MAX_TOKEN,
            "max_headers": max_headers,
        }
