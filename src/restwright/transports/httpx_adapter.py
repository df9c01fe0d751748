"""Adapters that let an existing ``httpx.Client``/``httpx.AsyncClient`` carry requests.

Useful to reuse an application's configured httpx client, and to call in-process WSGI/ASGI
apps through ``httpx.WSGITransport``/``httpx.ASGITransport`` (no network at all). Redirects,
retries, auth and cookies stay with restwright's pipeline: the adapter disables httpx's own.
"""

from __future__ import annotations

from collections.abc import AsyncIterable
from typing import Any

from ..engine.headers import Headers
from ..engine.models import Request, Response
from ..errors import ConnectError, DecodeError, ReadError, TimeoutError, TransportError, WriteError


def _httpx() -> Any:
    try:
        import httpx
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("the httpx adapter needs httpx: pip install 'restwright[httpx]'") from exc
    return httpx


def _translate(httpx: Any, exc: Exception, request: Request) -> TransportError:
    if isinstance(exc, httpx.TimeoutException):
        sent = not isinstance(exc, (httpx.ConnectTimeout, httpx.PoolTimeout))
        return TimeoutError(str(exc) or "timed out", request=request, request_sent=sent)
    if isinstance(exc, httpx.ConnectError):
        return ConnectError(str(exc), request=request)
    if isinstance(exc, httpx.WriteError):
        return WriteError(str(exc), request=request)
    if isinstance(exc, httpx.DecodingError):
        return DecodeError(str(exc), request=request)
    return ReadError(str(exc) or type(exc).__name__, request=request)


def _timeout(httpx: Any, request: Request) -> Any:
    t = request.timeout
    return httpx.Timeout(connect=t.connect, read=t.read, write=t.write, pool=t.connect)


def _build(httpx: Any, client: Any, request: Request, *, asynchronous: bool = False) -> Any:
    """The httpx request for ``request``, cookies included: exactly the pipeline's (the
    httpx client's own jar would add cookies to origins the pipeline keeps them from).

    ``asynchronous``: a body that iterates both ways (a file, a multipart body) goes as its
    async iterator, since httpx takes anything sync-iterable for a sync-only stream, which
    an ``httpx.AsyncClient`` refuses."""
    content = request.content
    if asynchronous and isinstance(content, AsyncIterable):
        content = content.__aiter__()
    req = client.build_request(
        request.method,
        request.url,
        headers=request.headers.raw(),
        content=content,
        timeout=_timeout(httpx, request),
    )
    if "cookie" not in request.headers:
        req.headers.pop("cookie", None)
    return req


def _response(request: Request, r: Any, stream: Any) -> Response:
    return Response(
        r.status_code,
        Headers.from_raw([(k, v) for k, v in r.headers.multi_items()]),
        None if stream is not None else r.content,
        request=request,
        reason=r.reason_phrase,
        http_version=r.http_version,
        stream=stream,
        elapsed=r.elapsed.total_seconds() if stream is None else 0.0,
    )


class _SyncStream:
    def __init__(self, response: Any) -> None:
        self._response = response

    def __iter__(self) -> Any:
        return self._response.iter_bytes()

    def close(self) -> None:
        self._response.close()


class _AsyncStream:
    def __init__(self, response: Any) -> None:
        self._response = response

    def __aiter__(self) -> Any:
        return self._response.aiter_bytes()

    async def aclose(self) -> None:
        await self._response.aclose()


class HTTPXTransport:
    """Sends requests through an ``httpx.Client``."""

    def __init__(self, client: Any) -> None:
        self._httpx = _httpx()
        self.client = client

    def handle(self, request: Request, *, stream: bool = False) -> Response:
        httpx = self._httpx
        try:
            req = _build(httpx, self.client, request)
            r = self.client.send(req, stream=stream, follow_redirects=False)
        except httpx.HTTPError as exc:
            raise _translate(httpx, exc, request) from None
        return _response(request, r, _SyncStream(r) if stream else None)

    def close(self) -> None:
        self.client.close()


class AsyncHTTPXTransport:
    """Sends requests through an ``httpx.AsyncClient``."""

    def __init__(self, client: Any) -> None:
        self._httpx = _httpx()
        self.client = client

    async def handle_async(self, request: Request, *, stream: bool = False) -> Response:
        httpx = self._httpx
        try:
            req = _build(httpx, self.client, request, asynchronous=True)
            r = await self.client.send(req, stream=stream, follow_redirects=False)
        except httpx.HTTPError as exc:
            raise _translate(httpx, exc, request) from None
        return _response(request, r, _AsyncStream(r) if stream else None)

    async def aclose(self) -> None:
        await self.client.aclose()
