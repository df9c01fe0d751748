"""Docs fixtures for docs/oauth2.md.

* ``oauth2``: the authlib authorization server of ``tests/servers/oauth2_provider.py`` as
  ``https://auth.example`` (``/authorize``, ``/token``) and as the API
  ``https://api.example`` (its ``/api/...`` resource answers who called with which scope);
  clients ``my-app``/``my-app-secret``, ``my-cli`` (public) and ``my-web``/``my-web-secret``
  (redirect ``https://app.example/callback``); users ``alice``/``wonderland``.  Globals:
  ``browser`` (an ``open_browser`` whose user consents) and ``redirect_of(url)`` (the
  ``(code, state)`` the user comes back with).
* ``mxit``: the stand-in for Mxit's API and auth site (``tests/servers/mxit_server.py``) as
  ``https://api.mxit.com`` and ``https://auth.mxit.com``, seeded like the README's examples;
  globals ``MXIT_CLIENT_ID``, ``MXIT_CLIENT_SECRET`` and ``RECEIVED_AUTH_CODE`` (a new code
  of the auth site each time it is used); ``/path/to/`` is a temporary folder holding
  ``avatar.png``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.servers import mxit_server
from tests.servers.mxit_server import FreshCode, MxitServer
from tests.servers.oauth2_provider import OAuth2Provider, running_provider


@pytest.fixture(scope="session")
def _docs_oauth2_provider() -> Iterator[OAuth2Provider]:
    with running_provider() as provider:
        provider.register("my-app", "my-app-secret")
        provider.register("my-cli")
        provider.register("my-web", "my-web-secret", ("https://app.example/callback",))
        yield provider


@pytest.fixture
def oauth2(_docs_oauth2_provider: OAuth2Provider) -> dict[str, object]:
    provider = _docs_oauth2_provider
    provider.reset()

    def redirect_of(url: str) -> tuple[str, str]:
        redirect = provider.consent(url)
        return redirect["code"], redirect["state"]

    return {
        "https://auth.example": provider.url,
        "https://api.example": provider.url,
        "browser": provider.browser(),
        "redirect_of": redirect_of,
    }


@pytest.fixture(scope="session")
def _docs_mxit() -> Iterator[MxitServer]:
    with mxit_server.running_mxit() as server:
        yield server


@pytest.fixture
def mxit(_docs_mxit: MxitServer, tmp_path: Path) -> dict[str, object]:
    mxit_server.seed(_docs_mxit)
    folder = tmp_path / "mxit-files"
    folder.mkdir()
    (folder / "avatar.png").write_bytes(b"\x89PNG an avatar")
    return {
        "https://api.mxit.com": _docs_mxit.url,
        "https://auth.mxit.com": _docs_mxit.auth.url,
        "/path/to/": f"{folder}/",
        "MXIT_CLIENT_ID": mxit_server.CLIENT_ID,
        "MXIT_CLIENT_SECRET": mxit_server.CLIENT_SECRET,
        "RECEIVED_AUTH_CODE": FreshCode(_docs_mxit),
    }
