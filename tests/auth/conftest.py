"""Fixtures of the OAuth 2 tests: a real authorization server (authlib) on 127.0.0.1, a
scripted "browser" that follows authorize URLs, and one client factory per kind."""

from __future__ import annotations

import http.client
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

import restwright

try:
    from tests.engine._harness import Api, LoopThread
    from tests.servers.oauth2_provider import OAuth2Provider, running_provider
except ImportError:
    from engine._harness import Api, LoopThread  # type: ignore[no-redef]
    from servers.oauth2_provider import OAuth2Provider, running_provider  # type: ignore[no-redef]


@pytest.fixture(scope="session")
def _provider() -> Iterator[OAuth2Provider]:
    with running_provider() as provider:
        provider.register("app", "app-secret")
        provider.register("cli")  # a public client (no secret)
        provider.register("web", "web-secret", ("http://127.0.0.1:9/callback",))
        yield provider


@pytest.fixture
def provider(_provider: OAuth2Provider) -> OAuth2Provider:
    _provider.reset()
    return _provider


def visit(url: str) -> http.client.HTTPResponse:
    """One GET on 127.0.0.1 without following redirects (what a browser's first hop sees)."""
    parts = urlsplit(url)
    assert parts.hostname == "127.0.0.1"
    conn = http.client.HTTPConnection("127.0.0.1", parts.port, timeout=10)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    conn.request("GET", target)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


def consent(authorize_url: str) -> dict[str, str]:
    """The user consents on the provider's page: the redirect's query (code, state)."""
    response = visit(authorize_url)
    assert response.status == 302, response.status
    location = response.headers["Location"]
    return dict(parse_qsl(urlsplit(location).query))


def scripted_browser(seen: list[str]) -> Callable[[str], None]:
    """An ``open_browser`` that follows the authorize URL and then the redirect (like a
    browser on a provider that remembers the user's consent)."""

    def open_browser(url: str) -> None:
        seen.append(url)
        response = visit(url)
        assert response.status == 302
        visit(response.headers["Location"])

    return open_browser


@pytest.fixture
def make_api(client_kind: str) -> Iterator[Callable[..., Api]]:
    """``make_api(base_url, auth=...)``: an :class:`Api` over a sync or async client."""
    runner = LoopThread() if client_kind == "async" else None
    made: list[Api] = []

    def make(base_url: str, **options: Any) -> Api:
        cls = restwright.AsyncClient if client_kind == "async" else restwright.Client
        api = Api(client_kind, cls(base_url, **options), runner)
        made.append(api)
        return api

    try:
        yield make
    finally:
        for api in made:
            api.run(api.raw.aclose() if api.is_async else api.raw.close())
        if runner is not None:
            runner.close()
