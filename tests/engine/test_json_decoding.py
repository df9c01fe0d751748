"""``Response.json()`` decodes with orjson when it is installed, and reads exactly what the
standard library reads: the bodies below come from a real server, once with orjson and
once with the standard library alone."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator

import pytest

import restwright
from restwright.engine import json_decoding
from restwright.errors import DecodeError

try:  # as the root conftest does: ``tests`` as a package or its folder on sys.path
    from tests.servers.scripted_server import ScriptedServer
except ImportError:
    from servers.scripted_server import ScriptedServer

BODIES: dict[str, bytes] = {
    "/plain": json.dumps(
        {"id": 1296269, "name": "Hello-World", "private": False, "score": 0.5, "tags": ["a"]}
    ).encode(),
    # beyond 64 bits: orjson alone would answer a float
    "/big-int": b'{"id": 123456789012345678901234567890, "low": -9223372036854775809}',
    "/big-int-string": b'{"sha": "1234567890123456789012345", "n": 3}',
    "/nan": b'{"x": NaN, "y": Infinity, "z": -Infinity}',
    "/bom": b'\xef\xbb\xbf{"a": 1}',
    "/surrogate": b'{"s": "\\ud800"}',
    "/unicode": '{"name": "Łódź ☃ 😀"}'.encode(),
}
BAD: dict[str, bytes] = {"/invalid": b"{'not': json,}", "/latin1": b'{"a": "\xe9"}'}


@pytest.fixture(scope="module")
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as server:
        for path, body in {**BODIES, **BAD}.items():
            server.script(path, lambda n, body=body: (200, "application/json", body))
        yield server


@pytest.fixture(params=["orjson", "json"])
def decoder(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "orjson":
        pytest.importorskip("orjson")
        monkeypatch.setattr(json_decoding, "_resolved", False)
    else:  # as without the extra: the standard library alone
        monkeypatch.setattr(json_decoding, "_fast", None)
        monkeypatch.setattr(json_decoding, "_resolved", True)
    assert json_decoding.json_decoder_name() == request.param
    return str(request.param)


def _same(a: object, b: object) -> bool:
    """Equal, with NaN equal to itself and ints told from floats."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    if type(a) is not type(b):
        return False
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


@pytest.mark.parametrize("path", list(BODIES))
def test_json_reads_what_the_standard_library_reads(
    server: ScriptedServer, decoder: str, path: str
) -> None:
    with restwright.Client(server.base_url) as client:
        got = client.get(path).json()
    want = json.loads(BODIES[path].decode("utf-8-sig"))
    assert _same(got, want), (decoder, got, want)


def test_big_integers_keep_every_digit(server: ScriptedServer, decoder: str) -> None:
    with restwright.Client(server.base_url) as client:
        body = client.get("/big-int").json()
    assert body == {"id": 123456789012345678901234567890, "low": -9223372036854775809}
    assert type(body["id"]) is int


@pytest.mark.parametrize("path", list(BAD))
def test_invalid_json_raises_decode_error(server: ScriptedServer, decoder: str, path: str) -> None:
    with restwright.Client(server.base_url) as client:
        response = client.get(path)
        with pytest.raises(DecodeError) as info:
            response.json()
    error = info.value  # carries (redacted copies of) the exchange
    assert error.response is not None and error.response.content == BAD[path]
    assert error.request is not None and error.request.url == server.base_url + path
