"""Fixtures of the Kinto client suite: one real Kinto server per session, flushed per test.

``kinto_url`` is the server (with a fake OpenID Connect provider in front of it for the
browser login test).  ``kt`` is the harness that lets one test body run against both
clients: it is parametrized over ``"sync"`` and ``"async"``; ``kt.client(...)`` builds a
:class:`restwright.kinto.Client` or :class:`~restwright.kinto.AsyncClient`, ``await
kt(call)`` awaits the call when it is a coroutine (and returns it as is otherwise),
``kt.batch(client)`` is an ``async with`` block for both kinds, ``await kt.pages(...)``
collects ``get_paginated_records()``.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # the launcher is imported as tests.servers.kinto_server
    sys.path.insert(0, str(ROOT))

from tests.servers.kinto_server import (  # noqa: E402
    attachment_access_log,
    fake_openid_provider,
    flush,
    kinto_server,
)

import restwright.kinto as kinto_http  # noqa: E402

ALICE = ("alice", "alice-s3cret")
BOB = ("bob", "bob-s3cret")


@pytest.fixture(scope="session")
def _kinto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, Path]]:
    tmp = tmp_path_factory.mktemp("kinto")
    with fake_openid_provider() as issuer, kinto_server(tmp, openid_issuer=issuer) as url:
        yield url, issuer, tmp


@pytest.fixture(scope="session")
def kinto_url(_kinto: tuple[str, str, Path]) -> str:
    return _kinto[0]


@pytest.fixture(scope="session")
def kinto_tmp(_kinto: tuple[str, str, Path]) -> Path:
    """The server's directory (ini, logs, attachments, attachment access log)."""
    return _kinto[2]


@pytest.fixture
def access_log(kinto_tmp: Path) -> Path:
    """The attachment file server's log, emptied for this test."""
    log = attachment_access_log(kinto_tmp)
    log.write_text("")
    return log


@pytest.fixture(autouse=True)
def _flushed(kinto_url: str) -> None:
    flush(kinto_url)


class Harness:
    """Run one test body with the sync or the async client."""

    ALICE = ALICE
    BOB = BOB

    def __init__(self, kind: str, url: str) -> None:
        self.kind = kind
        self.url = url
        self.is_async = kind == "async"
        self.cls: type[Any] = kinto_http.AsyncClient if self.is_async else kinto_http.Client
        self._clients: list[Any] = []

    def client(self, **kwargs: Any) -> Any:
        if "session" not in kwargs:
            kwargs.setdefault("server_url", self.url)
            kwargs.setdefault("auth", ALICE)
        client = self.cls(**kwargs)
        self._clients.append(client)
        return client

    async def __call__(self, value: Any) -> Any:
        if inspect.isawaitable(value):
            return await value
        return value

    @asynccontextmanager
    async def batch(self, client: Any, **kwargs: Any) -> AsyncIterator[Any]:
        if self.is_async:
            async with client.batch(**kwargs) as batch:
                yield batch
        else:
            with client.batch(**kwargs) as batch:
                yield batch

    async def pages(self, pages: Any) -> list[Any]:
        if self.is_async:
            return [page async for page in pages]
        return list(pages)

    async def close(self) -> None:
        for client in self._clients:
            if self.is_async:
                await client.aclose()
            else:
                client.close()


@pytest.fixture(params=["sync", "async"])
async def kt(request: pytest.FixtureRequest, kinto_url: str) -> AsyncIterator[Harness]:
    harness = Harness(str(request.param), kinto_url)
    yield harness
    await harness.close()
