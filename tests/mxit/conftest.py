"""Fixtures of the Mxit tests: the stand-in for Mxit's API and auth site on 127.0.0.1
(tests/servers/mxit_server.py), seeded with the files and folders the README's examples
use, and a runner that calls a sync or async client the same way."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from restwright.mxit import AsyncMxit, Mxit

try:
    from tests.servers import mxit_server as standin
    from tests.servers.loops import LoopThread
except ImportError:
    from servers import mxit_server as standin  # type: ignore[no-redef]
    from servers.loops import LoopThread  # type: ignore[no-redef]

CLIENT_ID, CLIENT_SECRET = standin.CLIENT_ID, standin.CLIENT_SECRET
FreshCode, MxitServer, seed = standin.FreshCode, standin.MxitServer, standin.seed

__all__ = ["CLIENT_ID", "CLIENT_SECRET", "FreshCode", "Runner", "seed"]


@pytest.fixture(scope="session")
def _mxit_server() -> Iterator[MxitServer]:
    with standin.running_mxit() as server:
        yield server


@pytest.fixture
def mxit_server(_mxit_server: MxitServer) -> MxitServer:
    seed(_mxit_server)
    return _mxit_server


class Runner:
    """Builds Mxit clients of one kind and runs their calls to completion."""

    def __init__(self, kind: str, server: MxitServer) -> None:
        self.kind = kind
        self.server = server
        self.loop = LoopThread() if kind == "async" else None
        self.clients: list[Any] = []

    def client(self, **options: Any) -> Any:
        cls = AsyncMxit if self.kind == "async" else Mxit
        client = cls(
            CLIENT_ID,
            options.pop("client_secret", CLIENT_SECRET),
            api_endpoint=self.server.url,
            auth_endpoint=self.server.auth.url,
            **options,
        )
        self.clients.append(client)
        return client

    def __call__(self, value: Any) -> Any:
        """The result of a call (awaited on the test loop for the async kind)."""
        if self.loop is None:
            return value
        return self.loop.run(value)

    def run(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return self(func(*args, **kwargs))

    def close(self) -> None:
        for client in self.clients:
            self(client.aclose() if self.kind == "async" else client.close())
        if self.loop is not None:
            self.loop.close()


@pytest.fixture
def mxit(client_kind: str, mxit_server: MxitServer) -> Iterator[Runner]:
    runner = Runner(client_kind, mxit_server)
    try:
        yield runner
    finally:
        runner.close()
