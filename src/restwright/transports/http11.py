"""HTTP/1.1 framing, without I/O: request heads out, response messages in.

Both socket transports (sync and asyncio) feed the bytes they receive into
:class:`ResponseParser` and write what :func:`serialize_head` and :func:`frame_chunk`
produce, so the protocol logic exists once.  Responses are framed by llhttp (Node.js's
parser, through ``httptools``), strict where a client must be strict.  Measured with
``bench/engine.py --only parser`` (a 1.2 KB response in one read), the whole wrapper costs
6-7 µs against 65-85 µs for h11; llhttp itself takes about 1.3 µs.  The head is decoded,
lower-cased and searched for the few fields framing needs, and split into header pairs
only if something reads them: with nginx's eight headers, 6.3 µs against 8.6 µs when
every line was split and indexed (interleaved in one process).
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterable, Iterator

import httptools

from ..engine.headers import ParsedHeaders, head_field
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
    if content is None:
        return "", None
    has_length = "content-length" in request.headers
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
    partial data.  With ``limit``, output beyond ``limit`` bytes is :class:`LimitExceeded`:
    zlib is asked for one piece at a time, so a decompression bomb costs the limit in
    memory, not its inflated size.
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
        out = []
        for piece in self.pieces(data):  # never more than the limit and one piece in memory
            left -= len(piece)
            if left < 0:
                raise LimitExceeded(
                    f"the {self._encoding} body inflates beyond the max_body_size limit"
                )
            out.append(piece)
        self._left = left
        return b"".join(out)

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


def content_decoder(encoding: str | None, limit: int | None = None) -> ContentDecoder | None:
    """The decoder a response's ``Content-Encoding`` value asks for, or None."""
    encoding = (encoding or "").strip().lower()
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
    if content and parser.content_encoding is not None:
        decoder = content_decoder(parser.content_encoding, parser.limits.max_body_size)
        if decoder is not None:
            try:
                content = decoder.decode(content) + decoder.flush()
            except DecodeError as exc:
                exc.request = request.redacted()
                raise
    return Response(
        parser.status_code,
        parser.headers,
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


def _over(value: int, limit: int | None, name: str, what: str) -> None:
    if limit is not None and value > limit:
        raise LimitExceeded(f"{what} exceeds the {name} limit ({limit})")


_CONNECTION = "\r\nconnection:"
_CONTENT_LENGTH = "\r\ncontent-length:"
_CONTENT_ENCODING = "\r\ncontent-encoding:"
_TRANSFER_ENCODING = "\r\ntransfer-encoding:"


class ResponseParser:
    """Incremental, strict HTTP/1.1 response parser on llhttp (through ``httptools``).

    llhttp checks the syntax (plain decimal lengths, plain hex chunk sizes, header names
    that are tokens, no whitespace before the colon, CRLF line ends, no obs-fold, one
    Content-Length) and frames the body; this wrapper adds what a client must decide
    itself (RFC 9112 §6): only ``chunked`` as transfer coding, Transfer-Encoding over
    Content-Length with the connection not reused, interim ``1xx`` answers skipped, no
    body for HEAD/204/304, a body read to the close when unframed, and the
    :class:`Limits`.

    Call :meth:`feed` with received bytes: it returns the body bytes found (framing
    removed). After the head is parsed, ``status_code``/``reason``/``headers`` are set;
    ``complete`` becomes true at the end of the message. :meth:`feed_eof` tells the parser
    the peer closed the connection.  ``buffered``: the body is held in memory, so
    ``max_body_size`` applies to it.  Bytes after the end of the message are never parsed
    as another response: they only make ``keep_alive`` false.

    Why the head is not taken from llhttp's header callbacks: those cost a Python call
    and a bytes copy per field (and grow a field by concatenation, read after read).  Once
    llhttp has accepted a head, it is decoded and lower-cased once; the few fields framing
    needs are found in it by substring search (exact: names are tokens, and no whitespace
    precedes a colon), and ``headers`` splits it into pairs only if something reads them.
    llhttp itself never holds a head or a trailer section: this parser keeps the bytes of
    an incomplete head, bounded by ``max_head_size``, and counts those of a trailer
    section read by read.
    """

    # Class-level defaults: a new parser (one per request) sets only what differs.
    complete = False
    head_done = False
    keep_alive = True
    status_code = 0
    reason = ""
    http_version = "HTTP/1.1"
    _data = b""  # the read being parsed
    _cursor = 0  # where the current head starts in _data (when _head_buf is empty)
    _head_buf = b""  # the start of a head that began in an earlier read
    _until_close = False
    _in_trailer = False
    _trailer_bytes = 0  # bytes of reads that began and ended in the trailer section
    _interims = 0
    content_encoding: str | None = None  # the Content-Encoding header, once the head is in
    headers: ParsedHeaders  # set with the head

    def __init__(
        self, head_only: bool = False, limits: Limits = DEFAULT_LIMITS, buffered: bool = False
    ) -> None:
        parser = httptools.HttpResponseParser(self)
        # Content-Length with Transfer-Encoding: TE wins (RFC 9112 §6.3), and the
        # connection is closed after the message (see on_headers_complete).
        parser.set_dangerous_leniencies(lenient_chunked_length=True)
        self._parser: httptools.HttpResponseParser | None = parser
        self._head_only = head_only
        self.limits = limits
        self._body_left = limits.max_body_size if buffered else None
        self._out: list[bytes] = []

    # -- fed by the transports -------------------------------------------------------------
    def feed(self, data: bytes) -> list[bytes]:
        parser = self._parser
        if parser is None or self.complete:
            return []
        in_trailer = self._in_trailer
        self._data = data
        self._cursor = 0
        try:
            parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._failed(exc)
        if self.complete:
            self._parser = None  # llhttp holds this object: break the cycle now
        elif not self.head_done:
            # a head arriving over many reads: keep its bytes, within the limit
            self._head_buf += data[self._cursor :]
            limit = self.limits.max_head_size
            _over(len(self._head_buf), limit, "max_head_size", "the response head")
        elif in_trailer and self._in_trailer:
            self._trailer_bytes += len(data)
            limit = self.limits.max_trailer_size
            _over(self._trailer_bytes, limit, "max_trailer_size", "the trailer section")
        self._data = b""
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

    def _failed(self, exc: httptools.HttpParserError) -> None:
        cause = exc.__context__
        if isinstance(cause, _Stop):
            # The head of an answer to HEAD/CONNECT ended the message: anything after it
            # is not ours to read.
            if len(self._data) > self._cursor:
                self.keep_alive = False
            return
        if self.complete:  # anything after the message, even garbage, is not ours to read
            self.keep_alive = False
            return
        if isinstance(cause, TransportError):
            raise cause from None
        reason = exc.args[0] if exc.args else type(exc).__name__
        raise DecodeError(f"invalid HTTP response: {reason}") from None

    def _take_head(self) -> bytes:
        """The head llhttp just accepted, up to the CRLF ending its last line."""
        data, start, shift = self._data, self._cursor, 0
        if self._head_buf:  # the head began in an earlier read (so this read's cursor is 0)
            data, shift = self._head_buf + data, len(self._head_buf)
            self._head_buf = b""
        while data.startswith((b"\r", b"\n"), start):  # llhttp skips CRLF between messages
            start += 1
        end = data.find(b"\r\n\r\n", start) + 2
        self._cursor = end + 2 - shift
        return data[start:end]

    # -- llhttp callbacks --------------------------------------------------------------------
    def on_message_begin(self) -> None:
        if self.complete:
            self.keep_alive = False
            raise _Surplus

    def on_headers_complete(self) -> None:
        parser = self._parser
        assert parser is not None
        head = self._take_head()
        limits = self.limits
        limit = limits.max_head_size
        if limit is not None and len(head) > limit + 2:  # (+2: the CRLF of the last line)
            _over(len(head) - 2, limit, "max_head_size", "the response head")
        text = head.decode("latin-1")
        limit = limits.max_headers
        if limit is not None and len(head) > 4 * limit:  # a header line takes 4 bytes or more
            lines = text.count("\r\n") - 1
            _over(lines, limit, "max_headers", "the number of header lines")
        status = parser.get_status_code()
        version = parser.get_http_version()
        if version not in ("1.1", "1.0") or status < 100:
            raise DecodeError(f"invalid HTTP status line (HTTP/{version} {status})")
        if status < 200 and status != 101:
            # Interim responses (100 Continue, 103 Early Hints) precede the real one.
            self._interims += 1
            what = "the number of 1xx answers"
            _over(self._interims, limits.max_interim_responses, "max_interim_responses", what)
            return
        if status == 101 and not self._head_only:
            raise DecodeError("unexpected 101 Switching Protocols: no upgrade was asked for")
        lowered = text.lower()
        self.headers = ParsedHeaders(text, lowered)
        self.status_code = status
        status_line = text[: text.index("\r\n")].split(" ", 2)
        self.reason = status_line[2] if len(status_line) == 3 else ""
        self.head_done = True
        # (each field is looked up only if its name is in the head at all: most are not)
        if _CONTENT_ENCODING in lowered:
            self.content_encoding = head_field(text, lowered, _CONTENT_ENCODING)
        if version == "1.1":
            if "close" in lowered:
                connection = head_field(text, lowered, _CONNECTION)
                if connection is not None and "close" in connection.lower():
                    self.keep_alive = False
        else:
            self.http_version = "HTTP/1.0"
            connection = head_field(text, lowered, _CONNECTION)
            self.keep_alive = connection is not None and "keep-alive" in connection.lower()
        if self._head_only:
            self.complete = True
            raise _Stop
        coding = None
        if _TRANSFER_ENCODING in lowered:
            coding = head_field(text, lowered, _TRANSFER_ENCODING)
        if coding is not None and [c.strip().lower() for c in coding.split(",")] != ["chunked"]:
            raise DecodeError(f"unsupported Transfer-Encoding {coding[:80]!r}")
        if status in _NO_BODY_STATUSES:
            return  # llhttp ends the message here
        if coding is not None:
            if version == "1.0" or _CONTENT_LENGTH in lowered:
                self.keep_alive = False  # RFC 9112 §6.1, §6.3: faulty framing, do not reuse
            return
        length = head_field(text, lowered, _CONTENT_LENGTH)  # llhttp checked it: digits, once
        if length is None:
            self._until_close = True
            self.keep_alive = False
        elif self._body_left is not None and int(length) > self._body_left:
            _over(int(length), self._body_left, "max_body_size", f"Content-Length {length}")

    def on_body(self, data: bytes) -> None:
        self._in_trailer = False
        left = self._body_left
        if left is not None:
            left = self._body_left = left - len(data)
            if left < 0:
                raise LimitExceeded("the body exceeds the max_body_size limit")
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
