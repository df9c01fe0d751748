"""HTTP/1.1 framing, without I/O: request heads out, response messages in.

Both socket transports (sync and asyncio) feed the bytes they receive into
:class:`ResponseParser` and write what :func:`serialize_head` and :func:`frame_chunk`
produce, so the protocol logic exists once.  Responses are framed by llhttp (Node.js's
parser, through ``httptools``): strict where a client must be strict, and about ten times
faster than the hand-written parser it replaced (1.3 µs against 11 µs for a 1 KB JSON
response).
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterable, Iterator, Mapping

import httptools

from ..engine.headers import Headers
from ..engine.limits import DEFAULT_LIMITS, Limits
from ..engine.models import AsyncByteStream, Request, Response, SyncByteStream
from ..engine.retry import IDEMPOTENT_METHODS
from ..errors import (
    DecodeError,
    InvalidRequestError,
    LimitExceeded,
    ReadError,
    TransportError,
)

_NO_BODY_STATUSES = frozenset({204, 304})
STREAM_PIECE = 1024 * 1024  # largest piece a streamed, decoded body is yielded in


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
    """Undo ``Content-Encoding: gzip``/``deflate`` incrementally, strictly.

    A stream that stops before its end (truncated) or that has bytes after its end
    (garbage, or a second response glued on) is a :class:`DecodeError`, never silently
    partial data.  With ``limit``, output beyond ``limit`` bytes is :class:`LimitExceeded`
    before it is produced: zlib is asked for at most ``limit + 1`` bytes, so a
    decompression bomb costs the limit in memory, not its inflated size.
    """

    __slots__ = ("_encoding", "_fed", "_first", "_left", "_obj")

    def __init__(self, encoding: str, limit: int | None = None) -> None:
        wbits = 16 + zlib.MAX_WBITS if encoding in ("gzip", "x-gzip") else zlib.MAX_WBITS
        self._encoding = encoding
        self._obj = zlib.decompressobj(wbits)
        self._first = encoding == "deflate"
        self._fed = False
        self._left = limit

    def decode(self, data: bytes) -> bytes:
        """All of ``data`` decoded (a buffered body), within the limit."""
        left = self._left
        if left is None:
            return self._inflate(data, 0)
        out = self._inflate(data, left + 1)
        if len(out) > left:
            raise LimitExceeded(
                f"the {self._encoding} body inflates beyond the max_body_size limit"
            )
        self._left = left - len(out)
        return out

    def pieces(self, data: bytes) -> Iterator[bytes]:
        """``data`` decoded in pieces of at most :data:`STREAM_PIECE` bytes (a streamed
        body): a bomb read as a stream costs one piece of memory at a time."""
        while data:
            out = self._inflate(data, STREAM_PIECE)
            data = self._obj.unconsumed_tail
            if out:
                yield out

    def _inflate(self, data: bytes, max_length: int) -> bytes:
        if not data:
            return b""
        self._fed = True
        try:
            if self._first:
                self._first = False
                try:
                    return self._checked(self._obj.decompress(data, max_length))
                except zlib.error:  # some servers send raw deflate without the zlib header
                    self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
            return self._checked(self._obj.decompress(data, max_length))
        except zlib.error as exc:
            raise DecodeError(f"invalid {self._encoding} body: {exc}") from None

    def _checked(self, out: bytes) -> bytes:
        if self._obj.unused_data:
            raise DecodeError(f"bytes after the end of the {self._encoding} body")
        return out

    def flush(self) -> bytes:
        """The last decoded bytes; raises if the stream stopped before its end."""
        tail = self._obj.flush()
        if self._fed and not self._obj.eof:
            raise DecodeError(f"truncated {self._encoding} body")
        return tail


def decoded(chunks: list[bytes], decoder: ContentDecoder | None) -> Iterable[bytes]:
    """The chunks of a streamed body with their ``Content-Encoding`` undone."""
    if decoder is None:
        return chunks
    return (piece for chunk in chunks for piece in decoder.pieces(chunk))


def content_decoder(headers: Mapping[str, str], limit: int | None = None) -> ContentDecoder | None:
    """The decoder a response's ``Content-Encoding`` asks for (headers, or the parser's
    lower-cased index), or None."""
    encoding = (headers.get("content-encoding") or "").strip().lower()
    if encoding in ("gzip", "x-gzip", "deflate"):
        return ContentDecoder(encoding, limit)
    return None


def build_response(
    parser: ResponseParser,
    request: Request,
    started: float,
    content: bytes | None,
    stream: SyncByteStream | AsyncByteStream | None = None,
) -> Response:
    """The :class:`Response` for a parsed message: ``content`` is the whole body (its
    ``Content-Encoding`` undone here, within ``max_body_size``), or None with the
    ``stream`` of a streamed body."""
    headers = Headers.from_raw(parser.headers, parser.index)
    if content:
        decoder = content_decoder(parser.index, parser.limits.max_body_size)
        if decoder is not None:
            try:
                content = decoder.decode(content) + decoder.flush()
            except DecodeError as exc:
                exc.request = request.redacted()
                raise
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


class _Stop(Exception):
    """Raised from a parser callback to stop llhttp: the message ended where llhttp
    cannot know it (the head of an answer to HEAD or CONNECT)."""


class _Surplus(Exception):
    """Raised from a parser callback when bytes follow the complete message."""


def _limit(value: int | None, name: str, what: str) -> None:
    if value is not None and value < 0:
        raise LimitExceeded(f"{what} exceeds the {name} limit")


class ResponseParser:
    """Incremental, strict HTTP/1.1 response parser on llhttp (through ``httptools``).

    llhttp checks the syntax (plain decimal lengths, plain hex chunk sizes, header names
    that are tokens, no whitespace before the colon, CRLF line ends, no obs-fold, one
    Content-Length); this wrapper adds what a client must decide itself (RFC 9112 §6):
    only ``chunked`` as transfer coding, Transfer-Encoding over Content-Length with the
    connection not reused, interim ``1xx`` answers skipped, no body for HEAD/204/304, a
    body read to the close when unframed, and the :class:`Limits`.

    Call :meth:`feed` with received bytes: it returns the body bytes found (framing
    removed). After the head is parsed, ``status_code``/``reason``/``headers`` are set;
    ``complete`` becomes true at the end of the message. :meth:`feed_eof` tells the parser
    the peer closed the connection.  ``buffered``: the body is held in memory, so
    ``max_body_size`` applies to it.  Bytes after the end of the message are never parsed
    as another response: they only make ``keep_alive`` false.
    """

    __slots__ = (
        "_body_left",
        "_head_left",
        "_head_only",
        "_headers_left",
        "_heads_in_feed",
        "_in_trailer",
        "_interim_left",
        "_out",
        "_parser",
        "_reason",
        "_trailer_left",
        "_until_close",
        "complete",
        "head_done",
        "headers",
        "http_version",
        "index",
        "keep_alive",
        "limits",
        "reason",
        "status_code",
    )

    def __init__(
        self, head_only: bool = False, limits: Limits = DEFAULT_LIMITS, buffered: bool = False
    ) -> None:
        self._parser: httptools.HttpResponseParser | None = httptools.HttpResponseParser(self)
        # Content-Length with Transfer-Encoding: TE wins (RFC 9112 §6.3), and the
        # connection is closed after the message (see on_headers_complete).
        self._parser.set_dangerous_leniencies(lenient_chunked_length=True)
        self._head_only = head_only
        self.limits = limits
        self._head_left = limits.max_head_size
        self._headers_left = limits.max_headers
        self._trailer_left = limits.max_trailer_size
        self._interim_left = limits.max_interim_responses
        self._body_left = limits.max_body_size if buffered else None
        self._out: list[bytes] = []
        self._reason = b""
        self._heads_in_feed = 0
        self._in_trailer = False
        self._until_close = False
        self.head_done = False
        self.complete = False
        self.status_code = 0
        self.reason = ""
        self.http_version = "HTTP/1.1"
        self.headers: list[tuple[str, str]] = []
        self.index: dict[str, str] = {}
        self.keep_alive = True

    # -- fed by the transports -------------------------------------------------------------
    def feed(self, data: bytes) -> list[bytes]:
        parser = self._parser
        if parser is None or self.complete:
            return []
        head_pending = not self.head_done
        in_trailer = self._in_trailer
        self._heads_in_feed = 0
        try:
            parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._failed(exc, data)
        if self.complete:
            self._parser = None  # llhttp holds this object: break the cycle now
        elif head_pending and not self.head_done and self._head_left is not None:
            # a head arriving over many reads: count every byte, not only whole lines
            self._head_left -= len(data)
            _limit(self._head_left, "max_head_size", "the response head")
        elif in_trailer and self._in_trailer and self._trailer_left is not None:
            self._trailer_left -= len(data)
            _limit(self._trailer_left, "max_trailer_size", "the trailer section")
        out = self._out
        if out:
            self._out = []
        return out

    def feed_eof(self) -> None:
        if self.complete:
            return
        self._parser = None
        if self.head_done and self._until_close:
            self.complete = True
            return
        if not self.head_done:
            raise ReadError("the server closed the connection without a complete response")
        raise ReadError("the server closed the connection before the end of the body")

    def _failed(self, exc: httptools.HttpParserError, data: bytes) -> None:
        cause = exc.__context__
        if isinstance(cause, _Stop):
            # The head of an answer to HEAD/CONNECT ended this message: reuse the
            # connection only if the read ended exactly with the heads it held.
            if not data.endswith(b"\r\n\r\n") or data.count(b"\r\n\r\n") != self._heads_in_feed:
                self.keep_alive = False
            return
        if self.complete:  # anything after the message, even garbage, is not ours to read
            self.keep_alive = False
            return
        if isinstance(cause, TransportError):
            raise cause from None
        reason = exc.args[0] if exc.args else type(exc).__name__
        raise DecodeError(f"invalid HTTP response: {reason}") from None

    # -- llhttp callbacks --------------------------------------------------------------------
    def on_message_begin(self) -> None:
        if self.complete:
            self.keep_alive = False
            raise _Surplus

    def on_status(self, data: bytes) -> None:
        self._reason += data
        if self._head_left is not None:
            self._head_left -= len(data)

    def on_header(self, name: bytes, value: bytes) -> None:
        size = len(name) + len(value) + 4
        if self.head_done:
            if self._trailer_left is not None:
                self._trailer_left -= size
                _limit(self._trailer_left, "max_trailer_size", "the trailer section")
            return
        if self._head_left is not None:
            self._head_left -= size
            _limit(self._head_left, "max_head_size", "the response head")
        if self._headers_left is not None:
            self._headers_left -= 1
            _limit(self._headers_left, "max_headers", "the number of headers")
        text = value.decode("latin-1").rstrip(" \t")
        key = name.decode("latin-1")
        self.headers.append((key, text))
        lname = key.lower()
        index = self.index
        index[lname] = f"{index[lname]}, {text}" if lname in index else text

    def on_headers_complete(self) -> None:
        parser = self._parser
        assert parser is not None
        self._heads_in_feed += 1
        status = parser.get_status_code()
        version = parser.get_http_version()
        if version not in ("1.1", "1.0") or status < 100:
            raise DecodeError(f"invalid HTTP status line (HTTP/{version} {status})")
        if status < 200 and status != 101:
            # Interim responses (100 Continue, 103 Early Hints) precede the real one.
            if self._interim_left is not None:
                self._interim_left -= 1
                _limit(self._interim_left, "max_interim_responses", "the number of 1xx answers")
            self.headers, self.index, self._reason = [], {}, b""
            return
        if status == 101 and not self._head_only:
            raise DecodeError("unexpected 101 Switching Protocols: no upgrade was asked for")
        index = self.index
        self.status_code = status
        self.reason = self._reason.decode("latin-1")
        self.http_version = f"HTTP/{version}"
        self.head_done = True
        connection = index.get("connection", "").lower()
        if version == "1.1":
            self.keep_alive = "close" not in connection
        else:
            self.keep_alive = "keep-alive" in connection
        if self._head_only:
            self.complete = True
            raise _Stop
        coding = index.get("transfer-encoding")
        if coding is not None and [c.strip().lower() for c in coding.split(",")] != ["chunked"]:
            raise DecodeError(f"unsupported Transfer-Encoding {coding[:80]!r}")
        if status in _NO_BODY_STATUSES:
            return  # llhttp ends the message here
        if coding is not None:
            if version == "1.0" or "content-length" in index:
                self.keep_alive = False  # RFC 9112 §6.1, §6.3: faulty framing, do not reuse
        elif "content-length" in index:
            length = int(index["content-length"])  # llhttp checked it: plain digits, once
            if self._body_left is not None and length > self._body_left:
                raise LimitExceeded(f"Content-Length {length} exceeds the max_body_size limit")
        else:
            self._until_close = True
            self.keep_alive = False

    def on_body(self, data: bytes) -> None:
        self._in_trailer = False
        if self._body_left is not None:
            self._body_left -= len(data)
            _limit(self._body_left, "max_body_size", "the response body")
        self._out.append(data)

    def on_chunk_header(self) -> None:
        self._in_trailer = True  # until body bytes come: the last chunk has none

    def on_chunk_complete(self) -> None:
        self._in_trailer = False

    def on_message_complete(self) -> None:
        if self.head_done:
            self.complete = True


class StaleConnection(Exception):
    """Internal signal of both socket transports: a reused keep-alive connection was found
    closed before any answer, so the request may go again on a fresh connection."""


def stale_or(request: Request, error: TransportError) -> Exception:
    """What a failure on a reused connection means: :class:`StaleConnection` (try a new
    connection) when re-sending cannot apply anything twice, else ``error`` itself."""
    if request.method in IDEMPOTENT_METHODS and request.replayable:
        return StaleConnection()
    return error
