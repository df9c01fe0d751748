"""Fixtures of the OAuth 2 tests: a real authorization server (authlib) on 127.0.0.1, a
scripted user (``provider.consent``, ``provider.browser``), one client factory per kind."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

import restwright

try:
    from tests.engine._harness import Api
    from tests.servers.loops import LoopThread
    from tests.servers.oauth2_provider import OAuth2Provider, running_provider
except ImportError:
    from engine._harness import Api  # type: ignore[no-redef]
    from servers.loops import LoopThread  # type: ignore[no-redef]
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
