"""A ledger server and a fault-injecting TCP proxy in front of it, for the fault-proof suite.

:class:`LedgerServer` (aiohttp, 127.0.0.1) counts on the server side what clients did:
``POST /items`` creates an item from the JSON body ``{"key": K}`` (a second POST with the same
``Idempotency-Key`` header answers the first result again without creating anything, as real
APIs deduplicate); ``PUT /items/{key}`` writes (idempotent); ``GET /items/{key}`` reads.
:attr:`LedgerServer.creates` counts creations per key: a count above one is a request that was
sent twice and applied twice.

:class:`FaultProxy` sits between the clients and the server (its own port on 127.0.0.1) and
forwards bytes both ways.  For each request it sees (a client write while no request is in
flight: the clients do not pipeline) it injects, with probability ``rate``, the fault of its
current ``mode``:

``reset-before``   the client's connection is reset before anything is forwarded
``reset-after``    the request is forwarded, the server answers, then the client's connection
                   is reset before any response byte reaches it (the server DID apply it)
``truncate``       half of the first response bytes are forwarded, then the connection closes
``stall``          the response is held ``stall`` seconds (past the clients' read timeout)
``drip``           the response is forwarded one byte every ``drip`` seconds
``503``            the proxy answers ``503`` + ``Retry-After: 0`` itself (nothing forwarded)
``429``            the proxy answers ``429`` + ``Retry-After: 0`` itself (nothing forwarded)
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import random
import socket
import struct
import threading
from collections.abc import Iterator
from typing import Any

from aiohttp import web

from .loops import LoopThread

_METHODS = frozenset({b"GET", b"HEAD", b"POST", b"PUT", b"PATCH", b"DELETE", b"OPTIONS"})
MODES = ("reset-before", "reset-after", "truncate", "stall", "drip", "503", "429")


class LedgerServer:
    """Counts what was applied, per item key (see the module docstring)."""

    def __init__(self) -> None:
        self.creates: collections.Counter[str] = collections.Counter()
        self.writes: collections.Counter[str] = collections.Counter()
        self._idempotent: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self.port = 0
        self._thread: LoopThread | None = None
        self._runner: web.AppRunner | None = None

    async def _create(self, request: web.Request) -> web.Response:
        body = await request.json()
        key = str(body["key"])
        idem = request.headers.get("Idempotency-Key")
        with self._lock:
            if idem and idem in self._idempotent:
                return web.json_response(self._idempotent[idem], status=201)
            self.creates[key] += 1
            answer = {"key": key, "n": self.creates[key]}
            if idem:
                self._idempotent[idem] = answer
        return web.json_response(answer, status=201)

    async def _write(self, request: web.Request) -> web.Response:
        key = request.match_info["key"]
        await request.read()
        with self._lock:
            self.writes[key] += 1
        return web.json_response({"key": key})

    async def _read(self, request: web.Request) -> web.Response:
        key = request.match_info["key"]
        return web.json_response({"key": key, "creates": self.creates.get(key, 0)})

    def reset(self) -> None:
        with self._lock:
            self.creates.clear()
            self.writes.clear()
            self._idempotent.clear()

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_post("/items", self._create)
        app.router.add_put("/items/{key}", self._write)
        app.router.add_get("/items/{key}", self._read)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    def start(self) -> LedgerServer:
        self._thread = LoopThread("ledger-server")
        self._thread.run(self._start(), timeout=10)
        return self

    def stop(self) -> None:
        if self._thread is None:
            return
        if self._runner is not None:
            with contextlib.suppress(Exception):
                self._thread.run(self._runner.cleanup(), timeout=10)
        self._thread.close()
        self._thread = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP reset (SO_LINGER 0), as a crashed peer or a middlebox would."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


class FaultProxy:
    """A TCP proxy injecting faults into a share of the requests (module docstring)."""

    def __init__(
        self,
        upstream_port: int,
        *,
        mode: str | None = None,
        rate: float = 0.2,
        stall: float = 1.0,
        drip: float = 0.002,
        seed: int = 0,
    ) -> None:
        self.upstream_port = upstream_port
        self.mode = mode
        self.rate = rate
        self.stall = stall
        self.drip = drip
        self._random = random.Random(seed)
        self.injected: collections.Counter[str] = collections.Counter()
        self.port = 0
        self._thread: LoopThread | None = None
        self._server: asyncio.base_events.Server | None = None

    def _pick(self) -> str | None:
        if self.mode is None or self._random.random() >= self.rate:
            return None
        self.injected[self.mode] += 1
        return self.mode

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Two pumps: client to server (where each new request draws its fault) and server
        to client (where the fault drawn for the request in flight is applied to the first
        bytes of its response)."""
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        faults: asyncio.Queue[str | None] = asyncio.Queue()

        async def client_to_server() -> None:
            while data := await reader.read(65536):
                fault = self._pick() if data.split(b" ", 1)[0] in _METHODS else "continuation"
                if fault == "reset-before":
                    _reset(writer)
                    return
                if fault in ("503", "429"):
                    await self._answer_itself(reader, writer, int(fault), data)
                    continue
                if fault != "continuation":
                    faults.put_nowait(fault)
                up_writer.write(data)
                await up_writer.drain()

        async def server_to_client() -> None:
            while data := await up_reader.read(65536):
                fault = faults.get_nowait() if not faults.empty() else None
                if fault == "reset-after":
                    _reset(writer)
                    return
                if fault == "truncate":
                    writer.write(data[: max(1, len(data) // 2)])
                    await writer.drain()
                    writer.close()
                    return
                if fault == "stall":
                    await asyncio.sleep(self.stall)
                if fault == "drip":
                    for i in range(len(data)):
                        writer.write(data[i : i + 1])
                        await writer.drain()
                        await asyncio.sleep(self.drip)
                    continue
                writer.write(data)
                await writer.drain()

        pumps = [
            asyncio.ensure_future(client_to_server()),
            asyncio.ensure_future(server_to_client()),
        ]
        try:
            await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
        except (ConnectionError, OSError):
            pass
        finally:
            for pump in pumps:
                pump.cancel()
            await asyncio.gather(*pumps, return_exceptions=True)
            up_writer.close()
            with contextlib.suppress(Exception):
                writer.close()

    async def _answer_itself(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, status: int, head: bytes
    ) -> None:
        """Answer without forwarding; the request body (if any) is read and dropped."""
        await _drain_request(reader, head)
        body = json.dumps({"message": "injected by the fault proxy"}).encode()
        reason = "Service Unavailable" if status == 503 else "Too Many Requests"
        writer.write(
            f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
            f"Retry-After: 0\r\nContent-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        await writer.drain()

    async def _start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    def start(self) -> FaultProxy:
        self._thread = LoopThread("fault-proxy")
        self._thread.run(self._start(), timeout=10)
        return self

    def stop(self) -> None:
        if self._thread is None:
            return
        if self._server is not None:
            self._server.close()
        self._thread.close()
        self._thread = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


async def _drain_request(reader: asyncio.StreamReader, head: bytes) -> None:
    """Read the rest of a request whose first bytes were ``head`` (Content-Length bodies)."""
    while b"\r\n\r\n" not in head:
        more = await reader.read(65536)
        if not more:
            return
        head += more
    header, _, body = head.partition(b"\r\n\r\n")
    for line in header.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            missing = int(value) - len(body)
            if missing > 0:
                await reader.readexactly(missing)


@contextlib.contextmanager
def ledger_behind_proxy(**proxy_options: Any) -> Iterator[tuple[LedgerServer, FaultProxy]]:
    """A ledger server and a fault proxy in front of it, both stopped on exit."""
    ledger = LedgerServer().start()
    try:
        proxy = FaultProxy(ledger.port, **proxy_options).start()
        try:
            yield ledger, proxy
        finally:
            proxy.stop()
    finally:
        ledger.stop()
