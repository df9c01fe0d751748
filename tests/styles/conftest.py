"""Fixtures of the styles suite: MAX, OAuth2 and CloudCIX look-alikes, and a driver that runs
one test body with sync and async clients.

``drive(value)`` returns ``value`` for the sync kind and awaits it on a helper event loop
(:class:`~tests.servers.loops.LoopThread`) for the async kind, so a test is written once:
``drive(client.people["bob"].get())``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import restwright
from restwright.cloudcix import AsyncClient as CixAsyncClient
from restwright.cloudcix import Client as CixClient
from restwright.cloudcix import Settings
from restwright.max import AsyncMaxClient, MaxClient

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # the servers are imported as tests.servers.*
    sys.path.insert(0, str(ROOT))

from tests.servers.loops import LoopThread  # noqa: E402
from tests.servers.styles_server import StyleServer  # noqa: E402

Drive = Callable[[Any], Any]


@pytest.fixture(scope="session")
def _style_servers() -> Iterator[dict[str, StyleServer]]:
    servers: dict[str, StyleServer] = {}
    try:
        for kind in ("max", "oauth", "cloudcix"):
            servers[kind] = StyleServer(kind).start()
        servers["max"].oauth_url = servers["oauth"].base_url
        yield servers
    finally:
        for server in servers.values():
            server.stop()


def _fresh(servers: dict[str, StyleServer], kind: str) -> Iterator[StyleServer]:
    server = servers[kind]
    server.reset()
    yield server
    assert not server.errors, f"{kind} server handler crashed: {server.errors!r}"


@pytest.fixture
def max_server(_style_servers: dict[str, StyleServer]) -> Iterator[StyleServer]:
    yield from _fresh(_style_servers, "max")


@pytest.fixture
def oauth_server(_style_servers: dict[str, StyleServer]) -> Iterator[StyleServer]:
    yield from _fresh(_style_servers, "oauth")


@pytest.fixture
def cix_server(_style_servers: dict[str, StyleServer]) -> Iterator[StyleServer]:
    yield from _fresh(_style_servers, "cloudcix")


@pytest.fixture
def drive(client_kind: str) -> Iterator[Drive]:
    if client_kind == "sync":
        yield lambda value: value
        return
    loop = LoopThread()
    try:
        yield loop.run
    finally:
        loop.close()


def _clients_of_kind(
    client_kind: str,
    drive: Drive,
    sync_factory: Callable[..., Any],
    async_factory: Callable[..., Any],
) -> Iterator[Callable[..., Any]]:
    """A factory of clients of the current kind (an async one is made on the helper loop);
    every client made is closed at teardown."""
    made: list[Any] = []

    def make(*args: Any, **options: Any) -> Any:
        if client_kind == "sync":
            client = sync_factory(*args, **options)
        else:

            async def build() -> Any:
                return async_factory(*args, **options)

            client = drive(build())
        made.append(client)
        return client

    yield make
    for client in made:
        if client_kind == "sync":
            client.close()
        else:
            drive(client.aclose())


@pytest.fixture
def engine_client(client_kind: str, drive: Drive) -> Iterator[Callable[..., Any]]:
    """``engine_client(base_url, **options)``: a restwright client of the current kind."""
    yield from _clients_of_kind(client_kind, drive, restwright.Client, restwright.AsyncClient)


@pytest.fixture
def max_client(
    client_kind: str, drive: Drive, max_server: StyleServer, oauth_server: StyleServer
) -> Iterator[Callable[..., Any]]:
    """``max_client(**options)``: a MaxClient / AsyncMaxClient on the MAX look-alike (no
    retries unless asked)."""
    yield from _clients_of_kind(
        client_kind,
        drive,
        lambda **kw: MaxClient(max_server.base_url, **{"retry": 0, **kw}),
        lambda **kw: AsyncMaxClient(max_server.base_url, **{"retry": 0, **kw}),
    )


@pytest.fixture
def cix_client(
    client_kind: str, drive: Drive, cix_settings: Settings
) -> Iterator[Callable[..., Any]]:
    """``cix_client(application, service_uri, **options)``: a cloudcix Client or AsyncClient
    on the CloudCIX look-alike (no retries unless asked)."""
    yield from _clients_of_kind(
        client_kind,
        drive,
        lambda *a, **kw: CixClient(*a, **{"settings": cix_settings, "retry": 0, **kw}),
        lambda *a, **kw: CixAsyncClient(*a, **{"settings": cix_settings, "retry": 0, **kw}),
    )


@pytest.fixture
def cix_settings(cix_server: StyleServer) -> Settings:
    return Settings(cix_server.base_url + "/")
