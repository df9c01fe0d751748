"""The default sync transport: HTTP/1.1 over plain sockets with a keep-alive pool.

Why not http.client or urllib3?  Measured on loopback (see ``bench/engine.py``) they spend
most of a small request in header parsing and bookkeeping; this transport does one
``sendall`` and usually one ``recv`` per request and parses with
:class:`~restwright.transports.http11.ResponseParser`, shared with the asyncio transport.
"""

from __future__ import annotations

import builtins
import contextlib
import select
import socket
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..engine.limits import DEFAULT_LIMITS, Limits
from ..engine.models import Request, Response
from ..engine.timeouts import NO_DEADLINE, Deadline
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

#: Bytes asked of each ``recv``.  Below glibc's mmap threshold (128 KiB) on purpose: each
#: ``recv(n)`` allocates ``n`` bytes and shrinks them to what came, and a 256 KiB buffer
#: was mapped, faulted in and unmapped on every call, measured at 11.7 us of CPU per
#: request on loopback (17.1 us against 5.4 us for a raw send + recv of the bench's 1 KB
#: answer); 64 KiB still takes a large body in few calls.
RECV_SIZE = 64 * 1024


class _Connection:
    __slots__ = ("key", "poller", "sock", "timeout")

    def __init__(self, sock: socket.socket, key: Route) -> None:
        self.sock = sock
        self.key = key
        self.timeout: float | None = -1.0
        self.poller = select.poll()
        self.poller.register(sock, select.POLLIN)

    def set_timeout(self, timeout: float | None, deadline: Deadline = NO_DEADLINE) -> None:
        """Wait at most ``timeout`` (cut to what is left of ``deadline``) in each socket
        call from now on."""
        if deadline is not NO_DEADLINE:
            timeout = deadline.bound(timeout)
        if timeout != self.timeout:  # settimeout costs a syscall: only when it changes
            self.sock.settimeout(timeout)
            self.timeout = timeout

    def is_dropped(self) -> bool:
        """An idle keep-alive connection that is readable was closed (or misbehaves)."""
        try:
            return bool(self.poller.poll(0))
        except (OSError, ValueError):
            return True

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()


class SocketTransport:
    """Sync HTTP/1.1 transport with connection reuse, proxies and TLS.

    ``verify``: True, False, a CA bundle path or an ``ssl.SSLContext``. ``cert``: a client
    certificate (see :mod:`~restwright.transports.client_cert`), loaded here. ``proxy``: a
    proxy URL overriding the environment. ``uds``: the path of a Unix domain socket every
    connection goes to (the URL's host only names the server). ``max_idle``: idle
    connections kept per origin.
    ``limits``: what a response may make the client hold (:class:`~restwright.Limits`).
    """

    def __init__(
        self,
        *,
        verify: Any = True,
        cert: CertTypes | None = None,
        trust_env: bool = True,
        proxy: str | Proxy | None = None,
        uds: str | os.PathLike[str] | None = None,
        max_idle: int = 32,
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        self._verify = verify
        self._trust_env = trust_env
        self._routes = RouteTable(proxy, trust_env, uds)
        self._idle: dict[Route, list[_Connection]] = {}
        forksafe.register(self)
        self._max_idle = max_idle
        self._ssl: ssl.SSLContext | None = (
            None if cert is None else ssl_context(verify, trust_env, cert)
        )
        self._limits = limits

    # -- connections ---------------------------------------------------------------------
    def _ssl_context(self) -> ssl.SSLContext:
        if self._ssl is None:
            self._ssl = ssl_context(self._verify, self._trust_env)
        return self._ssl

    def _connect(self, route: Route, timeout: float | None) -> socket.socket:
        uds = self._routes.uds
        if uds is None:
            addr = route.connect_to
            sock = socket.create_connection((addr.host, addr.port), timeout=timeout)
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                sock.close()
                raise
            return sock
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.settimeout(timeout)
            sock.connect(uds)
        except OSError:
            sock.close()
            raise
        return sock

    def _open(self, route: Route, request: Request) -> _Connection:
        uds = self._routes.uds
        addr = route.connect_to if uds is None else f"unix socket {uds!r}"
        timeout = request.timeout.connect
        try:
            sock = self._connect(route, timeout)
        except builtins.TimeoutError:
            raise TimeoutError(
                f"timed out connecting to {addr}", request=request, request_sent=False
            ) from None
        except OSError as exc:
            raise ConnectError(f"cannot connect to {addr}: {exc}", request=request) from None
        try:
            if route.tunnel:
                self._open_tunnel(sock, route, request)
            if route.origin.scheme == "https":
                sock = self._ssl_context().wrap_socket(sock, server_hostname=route.origin.host)
        except TransportError:
            sock.close()
            raise
        except builtins.TimeoutError:
            sock.close()
            raise TimeoutError(
                "timed out during the TLS handshake", request=request, request_sent=False
            ) from None
        except OSError as exc:
            sock.close()
            raise ConnectError(
                f"cannot connect to {route.origin}: {exc}", request=request
            ) from None
        conn = _Connection(sock, route)
        conn.timeout = timeout
        return conn

    def _open_tunnel(self, sock: socket.socket, route: Route, request: Request) -> None:
        assert route.proxy is not None
        sock.sendall(connect_head(route.host_header, route.proxy.authorization))
        parser = ResponseParser(head_only=True)
        while not parser.head_done:
            data = sock.recv(RECV_SIZE)
            if not data:
                raise ConnectError("the proxy closed the connection", request=request)
            parser.feed(data)
        if not 200 <= parser.status_code < 300:
            raise ConnectError(
                f"the proxy refused the tunnel: {parser.status_code} {parser.reason}",
                request=request,
            )

    def _acquire(self, route: Route, request: Request) -> tuple[_Connection, bool]:
        idle = self._idle.get(route)
        while idle:
            try:
                conn = idle.pop()
            except IndexError:
                break
            if conn.is_dropped():
                conn.close()
                continue
            return conn, True
        return self._open(route, request), False

    def _release(self, conn: _Connection) -> None:
        idle = self._idle.get(conn.key)
        if idle is None:
            idle = self._idle[conn.key] = []
        if len(idle) < self._max_idle:
            idle.append(conn)
        else:
            conn.close()

    # -- exchange ------------------------------------------------------------------------
    def handle(self, request: Request, *, stream: bool = False) -> Response:
        route = self._routes.get(request.origin)
        started = time.perf_counter()
        deadline = Deadline.start(request.timeout.total)
        conn, reused = self._acquire(route, request)
        try:
            return self._exchange(conn, route, request, stream, started, reused, deadline)
        except StaleConnection:
            # The server closed a kept-alive connection as we reused it and answered
            # nothing: an idempotent request is tried once more on a new connection.
            conn = self._open(route, request)
            return self._exchange(conn, route, request, stream, started, False, deadline)

    def _exchange(
        self,
        conn: _Connection,
        route: Route,
        request: Request,
        stream: bool,
        started: float,
        reused: bool,
        deadline: Deadline,
    ) -> Response:
        sock = conn.sock
        timeout = request.timeout
        received_any = False
        try:
            conn.set_timeout(timeout.write, deadline)
            self._send(sock, route, request)
            # (made while the server works on the request: not before sending it)
            parser = ResponseParser(request.method == "HEAD", self._limits, buffered=not stream)
            body: list[bytes] = []
            while not parser.head_done:
                conn.set_timeout(timeout.read, deadline)
                data = sock.recv(RECV_SIZE)
                if not data:
                    parser.feed_eof()
                received_any = True
                body += parser.feed(data)
            if stream:
                conn.set_timeout(timeout.read)  # the total ends with the head of a stream
                stream_body = _SyncBody(self, conn, parser, body)
                return build_response(parser, request, started, None, stream_body)
            while not parser.complete:
                conn.set_timeout(timeout.read, deadline)
                data = sock.recv(RECV_SIZE)
                if not data:
                    parser.feed_eof()
                    break
                body += parser.feed(data)
        except builtins.TimeoutError:
            conn.close()
            message = deadline.explain("timed out waiting for the server")
            raise TimeoutError(message, request=request) from None
        except TransportError as exc:
            conn.close()
            exc.request = exc.request or request.redacted()
            if reused and isinstance(exc, ReadError) and not received_any:
                raise stale_or(request, exc) from None
            raise
        except OSError as exc:
            conn.close()
            error = ReadError(f"connection error: {exc}", request=request)
            if reused and not received_any:
                raise stale_or(request, error) from None
            raise error from None
        if parser.keep_alive:
            self._release(conn)
        else:
            conn.close()
        content = body[0] if len(body) == 1 else b"".join(body)
        return build_response(parser, request, started, content)

    @staticmethod
    def _send(sock: socket.socket, route: Route, request: Request) -> None:
        extra, body = request_framing(request)
        if route.absolute_form and route.proxy is not None and route.proxy.authorization:
            extra += f"Proxy-Authorization: {route.proxy.authorization}\r\n"
        head = serialize_head(request, route.host_header, route.target(request.target), extra)
        if body is not None or request.content is None:
            sock.sendall(head + body if body else head)
            return
        sock.sendall(head)
        content: Any = request.content
        if hasattr(content, "__aiter__") and not hasattr(content, "__iter__"):
            raise WriteError("an async body needs an async transport", request=request)
        chunked = bool(extra.startswith("Transfer-Encoding"))
        try:
            for chunk in content:
                if chunk:
                    sock.sendall(frame_chunk(chunk) if chunked else chunk)
        except OSError:
            raise
        except Exception as exc:
            raise WriteError(f"the request body failed: {exc}", request=request) from exc
        if chunked:
            sock.sendall(LAST_CHUNK)

    def close(self) -> None:
        idle, self._idle = self._idle, {}
        for conns in idle.values():
            for conn in conns:
                conn.close()

    def __enter__(self) -> SocketTransport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _SyncBody:
    """The unread rest of a streamed response body; releases the connection at the end."""

    def __init__(
        self,
        transport: SocketTransport,
        conn: _Connection,
        parser: ResponseParser,
        pending: list[bytes],
    ) -> None:
        self._transport = transport
        self._conn: _Connection | None = conn
        self._parser = parser
        self._pending = pending
        self._decoder = content_decoder(parser.content_encoding)

    def __iter__(self) -> Iterator[bytes]:
        conn = self._conn
        if conn is None:
            return
        parser, decoder = self._parser, self._decoder
        try:
            yield from decoded(self._pending, decoder)
            self._pending = []
            while not parser.complete:
                data = conn.sock.recv(RECV_SIZE)
                if not data:
                    parser.feed_eof()
                    break
                yield from decoded(parser.feed(data), decoder)
            if self._decoder:
                tail = self._decoder.flush()
                if tail:
                    yield tail
        except builtins.TimeoutError:
            self.close()
            raise TimeoutError("timed out reading the response body") from None
        except OSError as exc:
            self.close()
            raise ReadError(f"connection error while reading the body: {exc}") from None
        except BaseException:
            self.close()
            raise
        self._conn = None
        if parser.keep_alive:
            self._transport._release(conn)
        else:
            conn.close()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


__all__ = ["SocketTransport"]
