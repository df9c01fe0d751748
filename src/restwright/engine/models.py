"""The request and response objects that flow through the pipeline and the transports."""

from __future__ import annotations

import json as _json
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Protocol, Union

if TYPE_CHECKING:
    from datetime import timedelta

from ..errors import ApiError, DecodeError, error_for_status
from .file_bodies import FileBody
from .headers import Headers, HeaderTypes, check_header
from .json_decoding import decode_json
from .redaction import MASK, SENSITIVE_HEADERS, mask_body, mask_headers, mask_target
from .timeouts import DEFAULT_TIMEOUT, Timeout
from .urls import Origin, split_url

#: What a request body can be once encoded: bytes, or a (sync or async) iterable of bytes
#: (an iterator is sent once; an iterable that says ``replayable`` can be sent again).
Content = Union[bytes, Iterable[bytes], AsyncIterable[bytes], None]


class SyncByteStream(Protocol):
    def __iter__(self) -> Iterator[bytes]: ...
    def close(self) -> None: ...


class AsyncByteStream(Protocol):
    def __aiter__(self) -> AsyncIterator[bytes]: ...
    async def aclose(self) -> None: ...


class Request:
    """One HTTP request, ready for a transport.

    ``sensitive_headers``/``sensitive_params`` name what must be masked (lower-case header
    names; query parameter names) on top of the always-sensitive headers.
    """

    __slots__ = (
        "content",
        "headers",
        "method",
        "origin",
        "sensitive_headers",
        "sensitive_params",
        "target",
        "timeout",
    )

    def __init__(
        self,
        method: str,
        origin: Origin,
        target: str,
        headers: Headers | HeaderTypes = None,
        content: Content = None,
        timeout: Timeout = DEFAULT_TIMEOUT,
        sensitive_headers: frozenset[str] = frozenset(),
        sensitive_params: frozenset[str] = frozenset(),
    ) -> None:
        self.method = method
        self.origin = origin
        self.target = target
        self.headers = headers if isinstance(headers, Headers) else Headers(headers)
        self.content = content
        self.timeout = timeout
        self.sensitive_headers = sensitive_headers
        self.sensitive_params = sensitive_params

    @classmethod
    def from_url(cls, method: str, url: str, **kwargs: Any) -> Request:
        """Build a request for an absolute URL (what an ``auth_flow`` yields for a login).

        ``headers`` may be a mapping; a bytes ``content`` is framed by the transport.
        """
        if isinstance(kwargs.get("content"), str):
            kwargs["content"] = kwargs["content"].encode("utf-8")
        for name, value in Headers(kwargs.get("headers")).raw():
            check_header(name, value)
        origin, target = split_url(url)
        return cls(method.upper(), origin, target, **kwargs)

    @property
    def url(self) -> str:
        return f"{self.origin}{self.target}"

    @property
    def replayable(self) -> bool:
        """Whether the body can be sent again (bytes, or a stream that can restart).

        A plain iterator is consumed by the first attempt: such a request is never retried
        once it may have been sent, since a retry would send a truncated body.
        """
        content = self.content
        return (
            content is None
            or isinstance(content, bytes)
            or bool(getattr(content, "replayable", False))
        )

    @property
    def redacted_url(self) -> str:
        return f"{self.origin}{mask_target(self.target, self.sensitive_params)}"

    def copy(self) -> Request:
        new = Request.__new__(Request)
        new.method = self.method
        new.origin = self.origin
        new.target = self.target
        new.headers = self.headers.copy()
        new.content = self.content
        new.timeout = self.timeout
        new.sensitive_headers = self.sensitive_headers
        new.sensitive_params = self.sensitive_params
        return new

    def redacted(self) -> Request:
        """A copy with every credential masked, safe to log, print or pickle.

        Secret-looking fields of JSON and form bodies (``password``, ``client_secret``,
        ``token``...) are masked too; streamed bodies are left out.
        """
        body = self.content if isinstance(self.content, bytes) else None
        if body:
            body = mask_body(body, self.headers.get("content-type"))
        return Request(
            self.method,
            self.origin,
            mask_target(self.target, self.sensitive_params),
            Headers.from_raw(mask_headers(self.headers.raw(), self.sensitive_headers)),
            body,
            self.timeout,
            self.sensitive_headers,
            self.sensitive_params,
        )

    def to_curl(self, *, reveal_credentials: bool = False) -> str:
        """Render the request as a curl command line (credentials masked unless asked)."""
        import shlex

        req = self if reveal_credentials else self.redacted()
        parts = ["curl", "-X", self.method, shlex.quote(req.url)]
        for name, value in req.headers.raw():
            parts += ["-H", shlex.quote(f"{name}: {value}")]
        if isinstance(req.content, bytes) and req.content:
            try:
                parts += ["--data-binary", shlex.quote(req.content.decode("utf-8"))]
            except UnicodeDecodeError:
                parts += ["--data-binary", "@body.bin"]
        elif isinstance(self.content, FileBody):  # curl reads the same file
            parts += ["--data-binary", shlex.quote("@" + self.content.path)]
        elif self.content is not None and not isinstance(self.content, bytes):
            parts += ["--data-binary", "@-"]
        return " ".join(parts)

    def __repr__(self) -> str:
        return f"<Request {self.method} {self.redacted_url!r}>"


class Response:
    """An HTTP response. ``content`` is read eagerly unless the request was streamed."""

    __slots__ = (
        "_content",
        "_elapsed",
        "_stream",
        "headers",
        "http_version",
        "reason",
        "request",
        "status_code",
    )

    def __init__(
        self,
        status_code: int,
        headers: Headers,
        content: bytes | None = b"",
        *,
        request: Request,
        reason: str = "",
        http_version: str = "HTTP/1.1",
        stream: SyncByteStream | AsyncByteStream | None = None,
        elapsed: float = 0.0,
    ) -> None:
        self.status_code = status_code
        self.headers = headers
        self._content = content
        self.request = request
        self.reason = reason
        self.http_version = http_version
        self._stream = stream
        self._elapsed = elapsed

    # -- body ------------------------------------------------------------------------
    @property
    def content(self) -> bytes:
        if self._content is None:
            raise RuntimeError(
                "the body of a streamed response was not read: call read()/aread() first"
            )
        return self._content

    @property
    def is_stream_consumed(self) -> bool:
        return self._content is not None

    def read(self) -> bytes:
        """Read the rest of a streamed body (sync)."""
        if self._content is None:
            self._content = b"".join(self.iter_bytes())
        return self._content

    async def aread(self) -> bytes:
        """Read the rest of a streamed body (async)."""
        if self._content is None:
            self._content = b"".join([chunk async for chunk in self.aiter_bytes()])
        return self._content

    def iter_bytes(self) -> Iterator[bytes]:
        if self._content is not None:
            if self._content:
                yield self._content
            return
        stream = self._stream
        if stream is None or not hasattr(stream, "__iter__"):
            raise RuntimeError("use aiter_bytes() on an async response")
        self._content = b""
        sync_stream: SyncByteStream = stream  # type: ignore[assignment]
        try:
            yield from sync_stream
        finally:
            sync_stream.close()

    async def aiter_bytes(self) -> AsyncIterator[bytes]:
        if self._content is not None:
            if self._content:
                yield self._content
            return
        stream = self._stream
        if stream is None or not hasattr(stream, "__aiter__"):
            raise RuntimeError("use iter_bytes() on a sync response")
        self._content = b""
        async_stream: AsyncByteStream = stream  # type: ignore[assignment]
        try:
            async for chunk in async_stream:
                yield chunk
        finally:
            await async_stream.aclose()

    def close(self) -> None:
        stream = self._stream
        if self._content is None and stream is not None and hasattr(stream, "close"):
            stream.close()
            self._content = b""

    async def aclose(self) -> None:
        stream = self._stream
        if self._content is None and stream is not None and hasattr(stream, "aclose"):
            await stream.aclose()
            self._content = b""

    @property
    def encoding(self) -> str:
        ctype = self.headers.get("content-type") or ""
        for param in ctype.split(";")[1:]:
            key, _, value = param.strip().partition("=")
            if key.lower() == "charset" and value:
                return value.strip('"')
        return "utf-8"

    @property
    def text(self) -> str:
        return self.content.decode(self.encoding, errors="replace")

    def json(self, **loads_kwargs: Any) -> Any:
        """Decode the body as JSON; raise :class:`DecodeError` if it is not JSON."""
        content = self._content
        if content is None:
            content = self.content  # raises: the body of a stream was not read
        try:
            if loads_kwargs:
                return _json.loads(content, **loads_kwargs)
            return decode_json(content)  # orjson when installed (see json_decoding)
        except ValueError as exc:
            raise DecodeError(
                f"response body is not valid JSON: {exc}", request=self.request, response=self
            ) from None
        except RecursionError:
            raise DecodeError(
                "response body is JSON nested too deeply to decode",
                request=self.request,
                response=self,
            ) from None

    # -- metadata --------------------------------------------------------------------
    @property
    def elapsed(self) -> timedelta:
        """Time from sending the request to receiving the response head."""
        from datetime import timedelta

        return timedelta(seconds=self._elapsed)

    @property
    def url(self) -> str:
        return self.request.url

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def is_success(self) -> bool:
        return 200 <= self.status_code < 300

    @property
    def is_redirect(self) -> bool:
        return self.status_code in (301, 302, 303, 307, 308) and "location" in self.headers

    def raise_for_status(self) -> Response:
        """Raise the :class:`~restwright.errors.ApiError` subclass mapping an error status."""
        if self.status_code >= 400:
            raise api_error(self)
        return self

    def redacted(self) -> Response:
        """A copy safe to log: its request is redacted and so are cookie headers."""
        return Response(
            self.status_code,
            Headers.from_raw(mask_headers(self.headers.raw(), frozenset())),
            self._content,
            request=self.request.redacted(),
            reason=self.reason,
            http_version=self.http_version,
            elapsed=self._elapsed,
        )

    def __repr__(self) -> str:
        return f"<Response [{self.status_code} {self.reason}]>"


_MESSAGE_FIELDS = ("message", "error_description", "detail", "error", "title", "msg")


def error_details(response: Response) -> tuple[str, Any]:
    """The human message and decoded JSON body of an error response.

    Servers say why in many shapes (Kinto: ``message``; OAuth2: ``error_description``;
    RFC 7807 / FastAPI: ``detail``; GitHub: ``message``; Mattermost: ``message``).
    """
    body: Any = None
    content = response._content or b""
    if content[:1] in (b"{", b"["):
        try:
            body = _json.loads(content)
        except ValueError:
            body = None
    message = ""
    if isinstance(body, dict):
        for field in _MESSAGE_FIELDS:
            value = body.get(field)
            if isinstance(value, str) and value:
                message = value
                break
            if isinstance(value, (list, dict)) and value:
                message = _json.dumps(value)[:500]
                break
        if not message and isinstance(body.get("errors"), list) and body["errors"]:
            message = _json.dumps(body["errors"])[:500]
    if not message:
        text = content[:200].decode("utf-8", errors="replace").strip()
        ctype = response.headers.get("content-type") or ""
        message = text if text and ctype.startswith("text/plain") else response.reason
    return message, body


def api_error(response: Response) -> ApiError:
    """Build the exception that maps an error response."""
    message, body = error_details(response)
    cls = error_for_status(response.status_code)
    return cls(response.status_code, response.request, response, message, body=body)


__all__ = ["MASK", "SENSITIVE_HEADERS", "Content", "Request", "Response", "api_error"]
