"""Hostile servers: malformed framing, oversized heads and trailers, endless interim
answers, decompression bombs, broken gzip and dripping servers, for both clients.

Every answer comes from a raw socket on 127.0.0.1 (:mod:`tests.servers.raw_http_server`),
byte for byte as written here.  Each one must end in a clear restwright error carrying
the request (or, where RFC 9112 allows, a correct result), and bytes a server sends after
its answer must never become the answer to the next request.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator

import pytest
from tests.servers.raw_http_server import RawServer, Script, raw_server

import restwright
from restwright.errors import DecodeError, LimitExceeded, TimeoutError

from ._harness import Api
from .conftest import MakeClient

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
CHUNKED_HELLO = b"5\r\nhello\r\n0\r\n\r\n"
PAYLOAD = b'{"hello": "world"}' * 100


def bomb(size: int) -> bytes:
    """A gzip body of ``size`` zero bytes, compressed without ever holding them."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1024 * 1024)
    parts = [comp.compress(block) for _ in range(size // len(block))]
    return b"".join(parts) + comp.flush()


def gzip_answer(body: bytes) -> bytes:
    return (
        b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(body)
        + body
    )


def endless(piece: bytes, prefix: bytes = b"") -> Iterator[bytes]:
    yield prefix
    while True:
        yield piece


MALFORMED = {
    "length-underscore": b"HTTP/1.1 200 OK\r\nContent-Length: 1_0\r\n\r\nhellohello",
    "length-plus": b"HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\nhello",
    "length-negative": b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\nhello",
    "length-conflict": b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
    "chunk-0x": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n",
    "chunk-plus": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n+5\r\nhello\r\n0\r\n\r\n",
    "chunk-underscore": (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1_0\r\n0123456789abcdef\r\n0\r\n\r\n"
    ),
    "chunk-negative": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\nx\r\n0\r\n\r\n",
    "status-underscore": b"HTTP/1.1 2_00 OK\r\nContent-Length: 2\r\n\r\nok",
    "status-http2": b"HTTP/2.0 200 OK\r\nContent-Length: 2\r\n\r\nok",
    "space-before-colon": b"HTTP/1.1 200 OK\r\nContent-Length : 5\r\n\r\nhello",
    "te-xchunked": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: xchunked\r\n\r\n" + CHUNKED_HELLO,
    "te-gzip-chunked": (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n" + CHUNKED_HELLO
    ),
    "te-twice": (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"
        b"Content-Length: 5\r\n\r\n" + CHUNKED_HELLO
    ),
    "obs-fold": b"HTTP/1.1 200 OK\r\nX-Folded: a\r\n b\r\nContent-Length: 2\r\n\r\nok",
    "bare-lf": b"HTTP/1.1 200 OK\nContent-Length: 2\n\nok",
    "unasked-101": b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n",
    "gzip-truncated": gzip_answer(gzip.compress(PAYLOAD)[:-12]),
    "gzip-garbage": gzip_answer(gzip.compress(PAYLOAD) + b"garbage"),
}

LIMITS = {
    "long-header-line": (
        b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 100_000 + b"\r\nContent-Length: 2\r\n\r\nok"
    ),
    "many-headers": (
        b"HTTP/1.1 200 OK\r\n" + b"X-H: v\r\n" * 10_000 + b"Content-Length: 2\r\n\r\nok"
    ),
    "huge-content-length": b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000000\r\n\r\nx",
}

SCRIPTS: dict[str, Script | list[Script]] = {
    "ok": Script([OK]),
    **{name: Script([raw]) for name, raw in {**MALFORMED, **LIMITS}.items()},
    "endless-head": Script(lambda: endless(b"a" * 65536, b"HTTP/1.1 200 OK\r\nX-Big: ")),
    "endless-headers": Script(lambda: endless(b"X-H: v\r\n" * 1000, b"HTTP/1.1 200 OK\r\n")),
    "endless-trailer": Script(
        lambda: endless(
            b"a" * 65536,
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-T: ",
        )
    ),
    "endless-trailers": Script(
        lambda: endless(
            b"X-T: v\r\n" * 1000,
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n",
        )
    ),
    "endless-continue": Script(lambda: endless(b"HTTP/1.1 100 Continue\r\n\r\n")),
    "bomb-64m": Script(lambda: [gzip_answer(bomb(64 * 1024 * 1024))]),
    "bomb-256m": Script(lambda: [gzip_answer(bomb(256 * 1024 * 1024))]),
    "smuggle": Script(
        [b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello" + OK.replace(b"ok", b"no")]
    ),
    "length-and-chunked": Script(
        [
            b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
            CHUNKED_HELLO,
        ]
    ),
    "chunked-trailer": Script(
        [b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n"]
    ),
    "early-hints": Script([b"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n" + OK]),
    "drip-head": Script([OK], drip=0.1, byte_by_byte=True),
    "drip-body": Script(
        [b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"] + [b"x"] * 100, drip=0.1
    ),
    "drip-continue": Script(lambda: endless(b"HTTP/1.1 100 Continue\r\n\r\n"), drip=0.1),
}


@pytest.fixture(scope="module")
def hostile() -> Iterator[RawServer]:
    with raw_server(SCRIPTS) as server:
        yield server
    assert not server.errors, f"the raw server crashed: {server.errors!r}"


def client(make_client: MakeClient, server: RawServer, **options: object) -> Api:
    return make_client(server.base_url, retry=0, **options)


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_answers_raise_decode_error(make_client, hostile, name):
    api = client(make_client, hostile)
    with pytest.raises(DecodeError) as info:
        api.get(f"/{name}")
    assert not isinstance(info.value, LimitExceeded)
    assert info.value.request is not None and info.value.request.url.endswith(name)
    assert api.get("/ok").content == b"ok"  # the client goes on on a fresh connection


@pytest.mark.parametrize(
    "name",
    [
        *sorted(LIMITS),
        *("endless-head", "endless-headers", "endless-trailer", "endless-trailers"),
        *("endless-continue", "bomb-256m"),
    ],
)
def test_what_a_server_can_make_the_client_hold_is_bounded(make_client, hostile, name):
    api = client(make_client, hostile)
    with pytest.raises(LimitExceeded) as info:
        api.get(f"/{name}")
    assert info.value.request is not None
    assert api.get("/ok").content == b"ok"


def test_limits_are_options(make_client, hostile):
    small = restwright.Limits(max_body_size=1024 * 1024)
    with pytest.raises(LimitExceeded, match="max_body_size"):
        client(make_client, hostile, limits=small).get("/bomb-64m")
    relaxed = restwright.Limits(max_headers=None, max_head_size=None)
    response = client(make_client, hostile, limits=relaxed).get("/many-headers")
    assert response.content == b"ok" and len(response.headers.raw()) == 10_001


def test_a_streamed_bomb_is_not_bounded_by_the_buffered_limit(make_client, hostile):
    small = restwright.Limits(max_body_size=1024)
    api = client(make_client, hostile, limits=small)
    response, size, _ = api.stream_read("GET", "/bomb-64m")
    assert response.status_code == 200 and size == 64 * 1024 * 1024


def test_bytes_after_an_answer_never_answer_the_next_request(make_client, hostile):
    api = client(make_client, hostile)
    before = hostile.connections
    assert api.get("/smuggle").content == b"hello"
    assert api.get("/ok").content == b"ok"
    assert hostile.connections == before + 2  # the first connection was not reused


def test_transfer_encoding_wins_over_content_length_and_the_connection_is_closed(
    make_client, hostile
):
    api = client(make_client, hostile)
    before = hostile.connections
    assert api.get("/length-and-chunked").content == b"hello"
    assert api.get("/ok").content == b"ok"
    assert hostile.connections == before + 2


def test_well_formed_trailers_and_interim_answers_are_accepted(make_client, hostile):
    api = client(make_client, hostile)
    before = hostile.connections
    assert api.get("/chunked-trailer").content == b"hello"
    assert api.get("/early-hints").content == b"ok"
    assert hostile.connections == before + 1  # one kept-alive connection for both


@pytest.mark.parametrize("name", ["drip-head", "drip-body", "drip-continue"])
def test_a_dripping_server_meets_the_total_timeout(make_client, hostile, name):
    api = client(make_client, hostile, timeout=restwright.Timeout(5.0, 5.0, 5.0, total=1.0))
    with pytest.raises(TimeoutError) as info:
        api.get(f"/{name}")
    assert info.value.request is not None


def test_each_retry_gets_a_fresh_total(make_client):
    timeout = restwright.Timeout(5.0, 5.0, 5.0, total=1.0)
    retry = restwright.Retry(total=1, backoff=0.01)
    drip_then_ok = [Script([OK], drip=0.1, byte_by_byte=True), Script([OK])]
    with raw_server({"drip-then-ok": drip_then_ok}) as server:
        api = make_client(server.base_url, timeout=timeout, retry=retry)
        assert api.get("/drip-then-ok").content == b"ok"
        assert server.served["drip-then-ok"] == 2  # the first attempt ran out of its total
