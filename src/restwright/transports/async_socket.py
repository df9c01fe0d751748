"""The default async transport: HTTP/1.1 on asyncio protocols with a keep-alive pool.

Built directly on ``asyncio.BufferedProtocol`` (no streams, no per-read tasks), so a request
costs a write, a wake-up and a parse.  Buffered, because a plain ``Protocol`` is handed
what asyncio reads with ``recv(256 KiB)``: a buffer above glibc's mmap threshold, mapped
and unmapped on every read (see ``RECV_SIZE`` in the sync transport); here each connection
reads into its own 64 KiB buffer, and only the bytes that came are copied out.  The
HTTP/1.1 logic is the shared :class:`~restwright.transports.http11.ResponseParser`.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from ..engine.limits import DEFAULT_LIMITS, Limits
from ..engine.models import Request, Response
from ..engine.timeouts import Deadline
from ..errors import ConnectError, ReadError, TimeoutError, TransportError, WriteError
from . import forksafe
from .client_cert import CertTypes
from .environment import Proxy, ssl_context
from .http11 import (
    LAST_CHUNK,
    ResponseParser,
    StaleConnection,
    build_response,
    connect_head,
    content_decoder,
    decoded,
    frame_chunk,
    request_framing,
    serialize_head,
    stale_or,
)
from .routes import Route, RouteTable

if TYPE_CHECKING:
    import os
    import ssl

HIGH_WATER = 4 * 1024 * 1024
READ_BUFFER = 64 * 1024


class _Protocol(asyncio.BufferedProtocol):
    """One connection: buffers received data and wakes the reader."""

    def __init__(self, loop: asyncio.AbstractEventLoop, route: Route) -> None:
        self.loop = loop
        self.route = route
        self._read_buffer = memoryview(bytearray(READ_BUFFER))
        self.transport: asyncio.Transport | None = None
        self._chunks: deque[bytes] = deque()
        self._buffered = 0
        self._paused = False
        self._eof = False
        self._lost: Exception | None = None
        self._closed = False
        self._waiter: asyncio.Future[None] | None = None
        self._write_paused = False
        self._drain_waiter: asyncio.Future[None] | None = None

    # -- asyncio callbacks ---------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def get_buffer(self, sizehint: int) -> memoryview:
        return self._read_buffer

    def buffer_updated(self, nbytes: int) -> None:
        data = bytes(self._read_buffer[:nbytes])
        self._chunks.append(data)
        self._buffered += len(data)
        if self._buffered > HIGH_WATER and not self._paused and self.transport is not None:
            self._paused = True
            self.transport.pause_reading()
        self._wake()

    def eof_received(self) -> bool:
        self._eof = True
        self._wake()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self._closed = True
        self._eof = True
        self._lost = exc
        self._wake()
        waiter = self._drain_waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def pause_writing(self) -> None:
        self._write_paused = True

    def resume_writing(self) -> None:
        self._write_paused = False
        waiter = self._drain_waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    # -- used by the transport -------------------------------------------------------------
    @property
    def usable(self) -> bool:
        return not (self._closed or self._eof or self._chunks)

    async def recv(self, timeout: float | None) -> bytes:
        """Next received bytes; ``b""`` at end of stream."""
        while not self._chunks:
            if self._eof:
                if self._lost is not None:
                    raise self._lost
                return b""
            waiter = self._waiter = self.loop.create_future()
            handle = self.loop.call_later(timeout, _expire, waiter) if timeout is not None else None
            try:
                await waiter
            finally:
                self._waiter = None
                if handle is not None:
                    handle.cancel()
        data = self._chunks.popleft()
        self._buffered -= len(data)
        if self._paused and self._buffered < HIGH_WATER // 4 and self.transport is not None:
            self._paused = False
            self.transport.resume_reading()
        return data

    async def send(self, data: bytes, timeout: float | None) -> None:
        if self._closed or self.transport is None:
            raise ConnectionResetError("connection closed")
        self.transport.write(data)
        if self._write_paused:
            waiter = self._drain_waiter = self.loop.create_future()
            handle = self.loop.call_later(timeout, _expire, waiter) if timeout is not None else None
            try:
                await waiter
            finally:
                self._drain_waiter = None
                if handle is not None:
                    handle.cancel()
            if self._closed:
                raise ConnectionResetError("connection closed while sending")

    def close(self) -> None:
        self._closed = True
        if self.transport is not None:
            self.transport.close()


class _Expired(Exception):
    pass


def _expire(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_exception(_Expired())


class AsyncSocketTransport:
    """Asyncio HTTP/1.1 transport with connection reuse, proxies and TLS.

    ``verify``, ``cert``, ``proxy`` and ``uds`` as for
    :class:`~restwright.transports.SocketTransport`. ``max_connections`` bounds simultaneous
    connections per origin (requests wait for one); ``max_idle`` bounds idle kept-alive
    connections per origin; ``limits``: what a response may make the client hold
    (:class:`~restwright.Limits`).
    """

    def __init__(
        self,
        *,
        verify: Any = True,
        cert: CertTypes | None = None,
        trust_env: bool = True,
        proxy: str | Proxy | None = None,
        uds: str | os.PathLike[str] | None = None,
        max_idle: int = 100,
        max_connections: int = 100,
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        self._verify = verify
        self._trust_env = trust_env
        self._routes = RouteTable(proxy, trust_env, uds)
        self._idle: dict[Route, list[_Protocol]] = {}
        forksafe.register(self)
        self._max_idle = max_idle
        self._max_connections = max_connections
        self._slots: dict[Route, asyncio.Semaphore] = {}
        self._ssl: ssl.SSLContext | None = (
            None if cert is None else ssl_context(verify, trust_env, cert)
        )
        self._limits = limits

    def _ssl_context(self) -> ssl.SSLContext:
        if self._ssl is None:
            self._ssl = ssl_context(self._verify, self._trust_env)
        return self._ssl

    async def _open(self, route: Route, request: Request) -> _Protocol:
        loop = asyncio.get_running_loop()
        uds = self._routes.uds
        addr = route.connect_to if uds is None else f"unix socket {uds!r}"
        tls = route.origin.scheme == "https" and not route.tunnel
        tls_options: dict[str, Any] = (
            {"ssl": self._ssl_context(), "server_hostname": route.origin.host} if tls else {}
        )
        try:
            if uds is None:
                coro = loop.create_connection(
                    lambda: _Protocol(loop, route),
                    route.connect_to.host,
                    route.connect_to.port,
                    **tls_options,
                )
            else:
                coro = loop.create_unix_connection(
                    lambda: _Protocol(loop, route), uds, **tls_options
                )
            _, proto = await asyncio.wait_for(coro, request.timeout.connect)
            if route.tunnel:
                proto = await self._open_tunnel(loop, proto, route, request)
        except (asyncio.TimeoutError, _Expired):
            raise TimeoutError(
                f"timed out connecting to {addr}", request=request, request_sent=False
            ) from None
        except TransportError:
            raise
        except OSError as exc:
            raise ConnectError(f"cannot connect to {addr}: {exc}", request=request) from None
        return proto

    async def _open_tunnel(
        self, loop: asyncio.AbstractEventLoop, proto: _Protocol, route: Route, request: Request
    ) -> _Protocol:
        assert route.proxy is not None and proto.transport is not None
        await proto.send(
            connect_head(route.host_header, route.proxy.authorization), request.timeout.connect
        )
        parser = ResponseParser(head_only=True)
        while not parser.head_done:
            data = await proto.recv(request.timeout.connect)
            if not data:
                raise ConnectError("the proxy closed the connection", request=request)
            parser.feed(data)
        if not 200 <= parser.status_code < 300:
            proto.close()
            raise ConnectError(
                f"the proxy refused the tunnel: {parser.status_code} {parser.reason}",
                request=request,
            )
        tls_transport = await loop.start_tls(
            proto.transport, proto, self._ssl_context(), server_hostname=route.origin.host
        )
        proto.transport = tls_transport
        return proto

    async def handle_async(self, request: Request, *, stream: bool = False) -> Response:
        route = self._routes.get(request.origin)
        slots = self._slots.get(route)
        if slots is None:
            slots = self._slots[route] = asyncio.Semaphore(self._max_connections)
        started = time.perf_counter()
        await slots.acquire()
        deadline = Deadline.start(request.timeout.total)
        try:
            proto, reused = self._take_idle(route)
            if proto is None:
                proto = await self._open(route, request)
            try:
                return await self._exchange(
                    proto, route, request, stream, started, reused, slots, deadline
                )
            except StaleConnection:
                proto = await self._open(route, request)
                return await self._exchange(
                    proto, route, request, stream, started, False, slots, deadline
                )
        except BaseException:
            slots.release()
            raise

    def _take_idle(self, route: Route) -> tuple[_Protocol | None, bool]:
        idle = self._idle.get(route)
        while idle:
            proto = idle.pop()
            if proto.usable:
                return proto, True
            proto.close()
        return None, False

    def _release(self, proto: _Protocol, keep: bool, slots: asyncio.Semaphore) -> None:
        slots.release()
        if keep and proto.usable:
            idle = self._idle.setdefault(proto.route, [])
            if len(idle) < self._max_idle:
                idle.append(proto)
                return
        proto.close()

    async def _exchange(
        self,
        proto: _Protocol,
        route: Route,
        request: Request,
        stream: bool,
        started: float,
        reused: bool,
        slots: asyncio.Semaphore,
        deadline: Deadline,
    ) -> Response:
        parser = ResponseParser(request.method == "HEAD", self._limits, buffered=not stream)
        read_timeout = request.timeout.read
        received_any = False
        try:
            await self._send(proto, route, request, deadline)
            body: list[bytes] = []
            while not parser.head_done:
                data = await proto.recv(deadline.bound(read_timeout))
                if not data:
                    parser.feed_eof()
                received_any = True
                body += parser.feed(data)
            if stream:
                stream_body = _AsyncBody(self, proto, parser, body, slots, read_timeout)
                return build_response(parser, request, started, None, stream_body)
            while not parser.complete:
                data = await proto.recv(deadline.bound(read_timeout))
                if not data:
                    parser.feed_eof()
                    break
                body += parser.feed(data)
        except _Expired:
            proto.close()
            message = deadline.explain("timed out waiting for the server")
            raise TimeoutError(message, request=request) from None
        except TransportError as exc:
            proto.close()
            if reused and isinstance(exc, ReadError) and not received_any:
                raise stale_or(request, exc) from None
            exc.request = exc.request or request.redacted()
            raise
        except OSError as exc:
            proto.close()
            error = ReadError(f"connection error: {exc}", request=request)
            if reused and not received_any:
                raise stale_or(request, error) from None
            raise error from None
        self._release(proto, parser.keep_alive, slots)
        content = body[0] if len(body) == 1 else b"".join(body)
        return build_response(parser, request, started, content)

    @staticmethod
    async def _send(proto: _Protocol, route: Route, request: Request, deadline: Deadline) -> None:
        extra, body = request_framing(request)
        if route.absolute_form and route.proxy is not None and route.proxy.authorization:
            extra += f"Proxy-Authorization: {route.proxy.authorization}\r\n"
        head = serialize_head(request, route.host_header, route.target(request.target), extra)
        timeout = request.timeout.write
        if body is not None or request.content is None:
            await proto.send(head + body if body else head, deadline.bound(timeout))
            return
        await proto.send(head, deadline.bound(timeout))
        chunked = extra.startswith("Transfer-Encoding")
        content: Any = request.content
        try:
            if hasattr(content, "__aiter__"):
                async for chunk in content:
                    if chunk:
                        await proto.send(
                            frame_chunk(chunk) if chunked else chunk, deadline.bound(timeout)
                        )
            else:
                for chunk in content:
                    if chunk:
                        await proto.send(
                            frame_chunk(chunk) if chunked else chunk, deadline.bound(timeout)
                        )
        except (OSError, _Expired, TransportError):
            raise
        except Exception as exc:
            raise WriteError(f"the request body failed: {exc}", request=request) from exc
        if chunked:
            await proto.send(LAST_CHUNK, deadline.bound(timeout))

    async def aclose(self) -> None:
        idle, self._idle = self._idle, {}
        for protos in idle.values():
            for proto in protos:
                proto.close()

    async def __aenter__(self) -> AsyncSocketTransport:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


class _AsyncBody:
    """The unread rest of a streamed response body; releases the connection at the end."""

    def __init__(
        self,
        transport: AsyncSocketTransport,
        proto: _Protocol,
        parser: ResponseParser,
        pending: list[bytes],
        slots: asyncio.Semaphore,
        timeout: float | None,
    ) -> None:
        self._transport = transport
        self._proto: _Protocol | None = proto
        self._parser = parser
        self._pending = pending
        self._slots = slots
        self._timeout = timeout
        self._decoder = content_decoder(parser.content_encoding)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        proto = self._proto
        if proto is None:
            return
        parser, decoder = self._parser, self._decoder
        try:
            for piece in decoded(self._pending, decoder):
                yield piece
            self._pending = []
            while not parser.complete:
                data = await proto.recv(self._timeout)
                if not data:
                    parser.feed_eof()
                    break
                for piece in decoded(parser.feed(data), decoder):
                    yield piece
            if decoder:
                tail = decoder.flush()
                if tail:
                    yield tail
        except _Expired:
            await self.aclose()
            raise TimeoutError("timed out reading the response body") from None
        except OSError as exc:
            await self.aclose()
            raise ReadError(f"connection error while reading the body: {exc}") from None
        except BaseException:
            await self.aclose()
            raise
        self._proto = None
        self._transport._release(proto, parser.keep_alive, self._slots)

    async def aclose(self) -> None:
        proto, self._proto = self._proto, None
        if proto is not None:
            proto.close()
            self._slots.release()


__all__ = ["AsyncSocketTransport"]
