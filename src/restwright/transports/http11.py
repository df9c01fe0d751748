"""HTTP/1.1 framing, without I/O: request heads out, response messages in.

Both socket transports (sync and asyncio) feed the bytes they receive into
:class:`ResponseParser` and write what :func:`serialize_head` and :func:`frame_chunk`
produce, so the protocol logic exists once.  The parser is tuned for the common case of
a whole small response arriving in one read.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Mapping

from ..engine.headers import Headers
from ..engine.models import AsyncByteStream, Request, Response, SyncByteStream
from ..engine.retry import IDEMPOTENT_METHODS
from ..errors import DecodeError, InvalidRequestError, ReadError, TransportError

MAX_HEAD = 64 * 1024
_NO_BODY_STATUSES = frozenset({204, 304})


def serialize_head(request: Request, host: str, target: str, extra: str = "") -> bytes:
    """The request line and headers, ending with the blank line.

    ``extra`` holds framing headers the transport adds (``Transfer-Encoding``).  The result
    is checked once for stray CR/LF, so no value can smuggle a header or a request.
    """
    raw = request.headers.raw()
    text = "".join(
        [f"{request.method} {target} HTTP/1.1\r\nHost: {host}\r\n"]
        + [f"{k}: {v}\r\n" for k, v in raw]
        + [extra, "\r\n"]
    )
    expected = len(raw) + 3 + extra.count("\r\n")
    if text.count("\n") != expected or text.count("\r") != expected:
        raise InvalidRequestError("CR or LF in the request line or a header")
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        raise InvalidRequestError("header values must be latin-1 text") from None


def frame_chunk(chunk: bytes) -> bytes:
    """One chunk of a ``Transfer-Encoding: chunked`` body."""
    return b"%x\r\n%b\r\n" % (len(chunk), chunk)


LAST_CHUNK = b"0\r\n\r\n"


def request_framing(request: Request) -> tuple[str, bytes | None]:
    """Framing headers to add, and the body when it is plain bytes.

    A streamed body with no ``Content-Length`` goes out chunked.
    """
    content = request.content
    has_length = "content-length" in request.headers
    if content is None:
        return "", None
    if isinstance(content, bytes):
        # Requests built by hand (auth flows, Request.from_url) may lack the header.
        return ("" if has_length else f"Content-Length: {len(content)}\r\n"), content
    if has_length:
        return "", None
    return "Transfer-Encoding: chunked\r\n", None


def connect_head(route_host: str, authorization: str | None) -> bytes:
    """The CONNECT request that opens a tunnel through a proxy."""
    auth = f"Proxy-Authorization: {authorization}\r\n" if authorization else ""
    return f"CONNECT {route_host} HTTP/1.1\r\nHost: {route_host}\r\n{auth}\r\n".encode("latin-1")


class ContentDecoder:
    """Undo ``Content-Encoding: gzip``/``deflate`` incrementally."""

    def __init__(self, encoding: str) -> None:
        wbits = 16 + zlib.MAX_WBITS if encoding in ("gzip", "x-gzip") else zlib.MAX_WBITS
        self._encoding = encoding
        self._obj = zlib.decompressobj(wbits)
        self._first = encoding == "deflate"

    def decode(self, data: bytes) -> bytes:
        try:
            if self._first and data:
                self._first = False
                try:
                    return self._obj.decompress(data)
                except zlib.error:  # some servers send raw deflate without the zlib header
                    self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
            return self._obj.decompress(data)
        except zlib.error as exc:
            raise DecodeError(f"invalid {self._encoding} body: {exc}") from None

    def flush(self) -> bytes:
        return self._obj.flush()


def content_decoder(headers: Mapping[str, str]) -> ContentDecoder | None:
    """The decoder a response's ``Content-Encoding`` asks for (headers, or the parser's
    lower-cased index), or None."""
    encoding = (headers.get("content-encoding") or "").strip().lower()
    if encoding in ("gzip", "x-gzip", "deflate"):
        return ContentDecoder(encoding)
    return None


def build_response(
    parser: ResponseParser,
    request: Request,
    started: float,
    content: bytes | None,
    stream: SyncByteStream | AsyncByteStream | None = None,
) -> Response:
    """The :class:`Response` for a parsed message: ``content`` is the whole body (its
    ``Content-Encoding`` undone here), or None with the ``stream`` of a streamed body."""
    headers = Headers.from_raw(parser.headers, parser.index)
    if content:
        decoder = content_decoder(parser.index)
        if decoder is not None:
            content = decoder.decode(content) + decoder.flush()
    return Response(
        parser.status_code,
        headers,
        content,
        request=request,
        reason=parser.reason,
        http_version=parser.http_version,
        stream=stream,
        elapsed=time.perf_counter() - started,
    )


class ResponseParser:
    """Incremental HTTP/1.1 response parser.

    Call :meth:`feed` with received bytes: it returns the body bytes found (framing
    removed). After the head is parsed, ``status_code``/``reason``/``headers`` are set;
    ``complete`` becomes true at the end of the message. :meth:`feed_eof` tells the parser
    the peer closed the connection.
    """

    __slots__ = (
        "_buf",
        "_chunk_left",
        "_head_only",
        "_in_trailer",
        "complete",
        "framing",
        "head_done",
        "headers",
        "http_version",
        "index",
        "keep_alive",
        "reason",
        "remaining",
        "status_code",
    )

    def __init__(self, head_only: bool = False) -> None:
        self._buf = b""
        self._head_only = head_only
        self.head_done = False
        self.complete = False
        self.status_code = 0
        self.reason = ""
        self.http_version = "HTTP/1.1"
        self.headers: list[tuple[str, str]] = []
        self.index: dict[str, str] = {}
        self.keep_alive = True
        self.framing = "length"
        self.remaining = 0
        self._chunk_left = -1  # -1: expecting a size line
        self._in_trailer = False

    def feed(self, data: bytes) -> list[bytes]:
        if self.complete:
            return []
        buf = self._buf + data if self._buf else data
        if not self.head_done:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                if len(buf) > MAX_HEAD:
                    raise DecodeError("response head is too large")
                self._buf = buf
                return []
            self._parse_head(buf[:end])
            buf = buf[end + 4 :]
            while 100 <= self.status_code < 200 and self.status_code != 101:
                # Interim responses (100 Continue, 103 Early Hints) precede the real one.
                self.head_done = False
                end = buf.find(b"\r\n\r\n")
                if end < 0:
                    self._buf = buf
                    return []
                self._parse_head(buf[:end])
                buf = buf[end + 4 :]
        self._buf = b""
        framing = self.framing
        if framing == "length":
            remaining = self.remaining
            if len(buf) >= remaining:
                self.complete = True
                self.remaining = 0
                if len(buf) > remaining:
                    self.keep_alive = False  # the server sent more than it announced
                return [buf[:remaining]] if remaining else []
            self.remaining = remaining - len(buf)
            return [buf] if buf else []
        if framing == "chunked":
            return self._feed_chunked(buf)
        if framing == "close":
            return [buf] if buf else []
        self.complete = True  # "none"
        return []

    def feed_eof(self) -> None:
        if self.complete:
            return
        if self.head_done and self.framing == "close":
            self.complete = True
            return
        if not self.head_done:
            raise ReadError("the server closed the connection without a complete response")
        raise ReadError("the server closed the connection before the end of the body")

    def _parse_head(self, raw: bytes) -> None:
        try:
            text = raw.decode("latin-1")
            lines = text.split("\r\n")
            version, _, rest = lines[0].partition(" ")
            code, _, reason = rest.partition(" ")
            status = int(code)
        except ValueError:
            raise DecodeError("invalid HTTP status line") from None
        if not version.startswith("HTTP/1.") or not 100 <= status <= 999:
            raise DecodeError(f"invalid HTTP status line {lines[0][:80]!r}")
        headers: list[tuple[str, str]] = []
        index: dict[str, str] = {}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if not sep:
                if line[:1] in (" ", "\t") and headers:  # obsolete line folding
                    prev = headers[-1]
                    headers[-1] = (prev[0], f"{prev[1]} {line.strip()}")
                    continue
                raise DecodeError(f"invalid header line {line[:80]!r}")
            value = value.strip()
            headers.append((name, value))
            lname = name.lower()
            if lname in index:
                if lname == "content-length":
                    if index[lname] != value:
                        raise DecodeError("conflicting Content-Length headers")
                    continue
                index[lname] = f"{index[lname]}, {value}"
            else:
                index[lname] = value
        length = index.get("content-length")
        chunked = index.get("transfer-encoding", "").lower().endswith("chunked")
        connection = index.get("connection", "").lower()
        self.index = index
        self.status_code = status
        self.reason = reason
        self.http_version = version
        self.headers = headers
        self.head_done = True
        self.keep_alive = version == "HTTP/1.1" and "close" not in connection
        if version == "HTTP/1.0" and "keep-alive" in connection:
            self.keep_alive = True
        if self._head_only or status in _NO_BODY_STATUSES or status < 200:
            self.framing = "none"
        elif chunked:
            self.framing = "chunked"
        elif length is not None:
            try:
                self.remaining = int(length)
            except ValueError:
                raise DecodeError(f"invalid Content-Length {length!r}") from None
            if self.remaining < 0:
                raise DecodeError(f"invalid Content-Length {length!r}")
            self.framing = "length"
        else:
            self.framing = "close"
            self.keep_alive = False

    def _feed_chunked(self, buf: bytes) -> list[bytes]:
        out: list[bytes] = []
        pos = 0
        n = len(buf)
        while pos < n or self._chunk_left == 0:
            if self._in_trailer:
                end = buf.find(b"\r\n", pos)
                if end < 0:
                    break
                if end == pos:  # blank line: end of message
                    self.complete = True
                    if end + 2 < n:
                        self.keep_alive = False
                    return out
                pos = end + 2
                continue
            if self._chunk_left == -1:
                end = buf.find(b"\r\n", pos)
                if end < 0:
                    if n - pos > 1024:
                        raise DecodeError("invalid chunk size line")
                    break
                size_text = buf[pos:end].split(b";", 1)[0].strip()
                try:
                    size = int(size_text, 16)
                except ValueError:
                    raise DecodeError(f"invalid chunk size {size_text[:20]!r}") from None
                pos = end + 2
                if size == 0:
                    self._in_trailer = True
                    continue
                self._chunk_left = size
                continue
            if self._chunk_left > 0:
                take = min(self._chunk_left, n - pos)
                if take == 0:
                    break
                out.append(buf[pos : pos + take])
                pos += take
                self._chunk_left -= take
                if self._chunk_left > 0:
                    break
                self._chunk_left = 0
            # _chunk_left == 0: expect the CRLF closing the chunk
            if n - pos < 2:
                break
            if buf[pos : pos + 2] != b"\r\n":
                raise DecodeError("missing CRLF after a chunk")
            pos += 2
            self._chunk_left = -1
        self._buf = buf[pos:]
        return out


class StaleConnection(Exception):
    """Internal signal of both socket transports: a reused keep-alive connection was found
    closed before any answer, so the request may go again on a fresh connection."""


def stale_or(request: Request, error: TransportError) -> Exception:
    """What a failure on a reused connection means: :class:`StaleConnection` (try a new
    connection) when re-sending cannot apply anything twice, else ``error`` itself."""
    if request.method in IDEMPOTENT_METHODS and request.replayable:
        return StaleConnection()
    return error
