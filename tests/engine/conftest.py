"""Fixtures of the engine behaviour suite: clients of both kinds against the fault server."""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import restwright

from ._harness import Api, FaultServer, LoopThread

PROXY_VARIABLES = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
)


@pytest.fixture(autouse=True)
def _no_proxy_from_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests talk to 127.0.0.1 directly unless a test sets a proxy itself."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


MakeClient = Callable[..., Api]


@pytest.fixture
def make_client(client_kind: str, fault_server: FaultServer) -> Iterator[MakeClient]:
    """``make_client(base_url=None, **options)`` -> :class:`Api` of the current kind.

    The base URL defaults to the fault server.  Every client is closed at teardown (and
    the helper event loop of the async kind stopped).
    """
    runner = LoopThread() if client_kind == "async" else None
    created: list[Api] = []

    def factory(base_url: str | None = None, **options: Any) -> Api:
        base = fault_server.base_url if base_url is None else base_url
        if runner is None:
            client = restwright.Client(base, **options)
            entered = client.__enter__()
        else:

            async def build() -> Any:
                client = restwright.AsyncClient(base, **options)
                return client, await client.__aenter__()

            client, entered = runner.run(build())
        api = Api(client_kind, entered if entered is not None else client, runner)
        created.append(api)
        return api

    try:
        yield factory
    finally:
        for api in reversed(created):
            with contextlib.suppress(Exception):
                api.close()
        if runner is not None:
            runner.close()


@pytest.fixture
def api(make_client: MakeClient) -> Api:
    """A client of the current kind on the fault server, default options but fast retries."""
    return make_client(retry=restwright.Retry(total=2, backoff=0.01))


@pytest.fixture
def blackhole_port() -> Iterator[int]:
    """A 127.0.0.1 port whose listen queue is full: connecting to it hangs (SYN dropped)."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers: list[socket.socket] = []
    try:
        for _ in range(16):
            probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            probe.settimeout(0.2)
            try:
                probe.connect(("127.0.0.1", port))
            except (TimeoutError, OSError):
                probe.close()
                break
            fillers.append(probe)
        else:
            pytest.skip("could not fill the listen queue of a 127.0.0.1 socket")
        time.sleep(0.05)
        yield port
    finally:
        for sock in fillers:
            sock.close()
        listener.close()
