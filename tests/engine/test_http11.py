"""The sans-IO HTTP/1.1 parser shared by both socket transports.

Whatever way the bytes are split into reads, the parser must yield the same status,
headers and body, and must reject malformed framing with a clear error.
"""

from __future__ import annotations

import gzip
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from restwright.engine.headers import Headers
from restwright.engine.models import Request
from restwright.engine.urls import Origin
from restwright.errors import DecodeError, InvalidRequestError, LimitExceeded, ReadError
from restwright.transports.http11 import (
    STREAM_PIECE,
    ContentDecoder,
    ResponseParser,
    frame_chunk,
    serialize_head,
)


def parse(raw: bytes, cuts: list[int], head_only: bool = False) -> tuple[ResponseParser, bytes]:
    parser = ResponseParser(head_only=head_only)
    body = b""
    positions = sorted({c % (len(raw) + 1) for c in cuts} | {0, len(raw)})
    for start, end in itertools.pairwise(positions):
        for chunk in parser.feed(raw[start:end]):
            body += chunk
    return parser, body


def chunked(payload: bytes, sizes: list[int]) -> bytes:
    out, pos = b"", 0
    for size in sizes:
        piece = payload[pos : pos + size]
        if not piece:
            break
        out += frame_chunk(piece)
        pos += len(piece)
    if pos < len(payload):
        out += frame_chunk(payload[pos:])
    return out + b"0\r\nX-Trailer: yes\r\n\r\n"


@settings(max_examples=300, deadline=None)
@given(
    payload=st.binary(max_size=3000),
    sizes=st.lists(st.integers(1, 700), max_size=8),
    cuts=st.lists(st.integers(0, 10_000), max_size=12),
)
def test_chunked_body_survives_any_split(payload: bytes, sizes: list[int], cuts: list[int]):
    raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(payload, sizes)
    parser, body = parse(raw, cuts)
    assert parser.complete
    assert body == payload
    assert parser.keep_alive


@settings(max_examples=200, deadline=None)
@given(payload=st.binary(max_size=3000), cuts=st.lists(st.integers(0, 10_000), max_size=12))
def test_content_length_body_survives_any_split(payload: bytes, cuts: list[int]):
    raw = b"HTTP/1.1 201 Created\r\nContent-Length: %d\r\nX-A: 1\r\n\r\n%b" % (
        len(payload),
        payload,
    )
    parser, body = parse(raw, cuts)
    assert parser.complete and body == payload
    assert parser.status_code == 201 and parser.reason == "Created"
    assert parser.headers["x-a"] == "1"


def test_parsed_headers_answer_like_built_ones():
    """A response's headers are split from the head only when read; before and after,
    lookups, membership, repeats and changes behave as for headers built from pairs."""
    raw = (
        b"HTTP/1.1 200 OK\r\nX-A: 1\r\nSet-Cookie: a=1\r\nx-a:  2 \t\r\n"
        b"Content-Length: 0\r\nEmpty:\r\n\r\n"
    )
    pairs = [("X-A", "1"), ("Set-Cookie", "a=1"), ("x-a", "2"), ("Content-Length", "0")]
    pairs.append(("Empty", ""))
    built = Headers(pairs)
    for probe in ("x-a", "X-A", "set-cookie", "empty", "a", "x-a:", "x-a\r\n", "", "1", 5):
        parser, _ = parse(raw, [])
        assert (probe in parser.headers) == (probe in built), probe
        if isinstance(probe, str):
            parser, _ = parse(raw, [])
            assert parser.headers.get(probe, "-") == built.get(probe, "-"), probe
            try:
                assert parser.headers[probe] == built[probe], probe
            except KeyError:
                assert probe not in built, probe
    parser, _ = parse(raw, [])
    assert parser.headers.get("Content-Length") == "0" and parser.headers.get("EMPTY") == ""
    assert parser.headers._pairs is None  # a header named once is read without splitting
    parser, _ = parse(raw, [])
    headers = parser.headers
    assert headers["x-a"] == built["x-a"] == "1, 2"
    assert headers.get_list("X-A") == ["1", "2"] and headers.raw() == pairs
    assert headers == built and len(headers) == len(built) == 4
    headers.add("X-New", "n")
    assert "x-new" in headers and headers["x-new"] == "n"
    del headers["set-cookie"]
    assert "set-cookie" not in headers
    parser, _ = parse(raw, [])
    parser.headers["X-A"] = "3"
    assert parser.headers.get_list("x-a") == ["3"] and "x-a" in parser.headers


def test_interim_responses_are_skipped():
    raw = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
    raw += b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    parser, body = parse(raw, [5, 40, 77])
    assert parser.status_code == 200 and body == b"ok"


def test_head_and_no_body_statuses_have_no_body():
    parser, body = parse(b"HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n", [], head_only=True)
    assert parser.complete and body == b""
    parser, body = parse(b"HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n", [])
    assert parser.complete and body == b""


def test_read_until_close_body():
    parser = ResponseParser()
    assert parser.feed(b"HTTP/1.0 200 OK\r\n\r\nabc") == [b"abc"]
    assert not parser.complete and not parser.keep_alive
    parser.feed_eof()
    assert parser.complete


@pytest.mark.parametrize(
    "raw",
    [
        b"HTTP/1.1 abc OK\r\n\r\n",
        b"SPDY/3 200 OK\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n",
    ],
)
def test_malformed_responses_raise_decode_error(raw: bytes):
    with pytest.raises(DecodeError):
        ResponseParser().feed(raw)


def test_truncated_body_raises_read_error():
    parser = ResponseParser()
    parser.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
    with pytest.raises(ReadError):
        parser.feed_eof()


def test_gzip_and_deflate_decoding():
    payload = b'{"a": 1}' * 1000
    dec = ContentDecoder("gzip")
    data = gzip.compress(payload)
    assert dec.decode(data[:10]) + dec.decode(data[10:]) + dec.flush() == payload
    import zlib

    raw_deflate = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    data = raw_deflate.compress(payload) + raw_deflate.flush()
    dec = ContentDecoder("deflate")
    assert dec.decode(data) + dec.flush() == payload
    with pytest.raises(DecodeError):
        ContentDecoder("gzip").decode(b"not gzip at all")


def test_request_head_refuses_smuggling():
    origin = Origin("http", "h", 80)
    req = Request("GET", origin, "/x", Headers([("X-Ok", "1")]))
    assert serialize_head(req, "h", "/x") == b"GET /x HTTP/1.1\r\nHost: h\r\nX-Ok: 1\r\n\r\n"
    evil = Request("GET", origin, "/x", Headers.from_raw([("X-Evil", "a\r\nHost: other")]))
    with pytest.raises(InvalidRequestError):
        serialize_head(evil, "h", "/x")
    with pytest.raises(InvalidRequestError):
        serialize_head(Request("GET", origin, "/x\r\nX: y"), "h", "/x\r\nX: y")


def test_gzip_integrity_and_bounds():
    payload = bytes(8 * 1024 * 1024)
    data = gzip.compress(payload)
    pieces = list(ContentDecoder("gzip").pieces(data))
    assert b"".join(pieces) == payload and max(map(len, pieces)) <= STREAM_PIECE
    truncated = ContentDecoder("gzip")
    truncated.decode(data[:-8])
    with pytest.raises(DecodeError, match="truncated"):
        truncated.flush()
    with pytest.raises(DecodeError, match="after the end"):
        ContentDecoder("gzip").decode(data + b"x")
    with pytest.raises(LimitExceeded):
        ContentDecoder("gzip", limit=len(payload) - 1).decode(data)
    assert ContentDecoder("gzip", limit=len(payload)).decode(data) == payload
    assert ContentDecoder("gzip").flush() == b""  # an empty body is not a truncated one
