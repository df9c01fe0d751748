"""A forward proxy that only tunnels: ``CONNECT host:port``, then bytes both ways.

Enough to check that TLS (with a client certificate) is negotiated *through* the tunnel
with the origin, not with the proxy.  It records each CONNECT target and the
``Proxy-Authorization`` it came with, and tunnels only to 127.0.0.1 / localhost.
This module imports nothing from pytest.
"""

from __future__ import annotations

import asyncio
import contextlib

from .loops import LoopThread

__all__ = ["ConnectProxy"]


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()


class ConnectProxy:
    """Start it, point ``proxy=`` at :attr:`url`, read :attr:`tunnels` afterwards."""

    def __init__(self) -> None:
        self.port = 0
        self.tunnels: list[tuple[str, str | None]] = []  # (target, Proxy-Authorization)
        self._loop: LoopThread | None = None
        self._server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ConnectProxy:
        self._loop = LoopThread("connect-proxy")
        self._server = self._loop.run(asyncio.start_server(self._client, "127.0.0.1", 0))
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        method, target, _ = head[0].split(" ", 2)
        fields = dict(line.split(": ", 1) for line in head[1:] if ": " in line)
        self.tunnels.append((target, fields.get("Proxy-Authorization")))
        host, _, port = target.rpartition(":")
        if method != "CONNECT" or host not in ("127.0.0.1", "localhost"):
            writer.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            writer.close()
            return
        upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", int(port))
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        with contextlib.suppress(asyncio.CancelledError):  # the proxy is being stopped
            await asyncio.gather(_pipe(reader, upstream_writer), _pipe(upstream_reader, writer))

    def stop(self) -> None:
        loop, server = self._loop, self._server
        if loop is None:
            return
        if server is not None:
            server.close()
        loop.close()
        self._loop = self._server = None

    def __enter__(self) -> ConnectProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
