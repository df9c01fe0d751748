"""Failures below HTTP: refused connections, resets, truncated bodies, bad JSON, timeouts."""

from __future__ import annotations

import pytest

import restwright
from restwright import errors


def test_connect_error_on_closed_port(make_client, closed_port):
    api = make_client(f"http://127.0.0.1:{closed_port}", retry=0)
    with pytest.raises(errors.ConnectError) as info:
        api.get("/echo")
    exc = info.value
    assert isinstance(exc, errors.TransportError)
    assert exc.request_sent is False
    assert exc.request is not None
    assert str(exc.request.url) == f"http://127.0.0.1:{closed_port}/echo"
    assert exc.response is None


@pytest.mark.parametrize("mode", ["abort", "close"])
def test_connection_dropped_before_response_is_read_error(make_client, fault_server, mode):
    api = make_client(retry=0)
    with pytest.raises(errors.ReadError) as info:
        api.get("/reset-before", params={"mode": mode})
    assert not isinstance(info.value, errors.ConnectError)
    assert info.value.request_sent is True
    assert len(fault_server.requests_to("/reset-before")) == 1


@pytest.mark.parametrize(
    "path",
    [
        "/reset-after-headers?mode=abort",
        "/reset-after-headers?mode=close",
        "/bad-json/truncated-body",
    ],
)
def test_truncated_body_is_read_or_decode_error(make_client, fault_server, path):
    api = make_client(retry=0)
    with pytest.raises((errors.ReadError, errors.DecodeError)) as info:
        api.get(path)
    assert info.value.request_sent is True
    assert len(fault_server.requests) == 1


def test_truncated_body_while_streaming(make_client):
    api = make_client(retry=0)
    with pytest.raises((errors.ReadError, errors.DecodeError)):
        api.stream_read("GET", "/reset-after-headers")


@pytest.mark.parametrize("kind", ["invalid", "truncated-json"])
def test_invalid_json_body_is_decode_error(make_client, kind):
    api = make_client(retry=0)
    response = api.get(f"/bad-json/{kind}")
    assert response.status_code == 200
    assert response.content  # the bytes are there, only JSON decoding fails
    with pytest.raises(errors.DecodeError):
        response.json()


@pytest.mark.timeout(30)
def test_read_timeout_on_stall(make_client, fault_server):
    api = make_client(timeout=0.3, retry=0)
    with pytest.raises(errors.TimeoutError) as info:
        api.get("/stall", params={"seconds": 5})
    assert isinstance(info.value, errors.TransportError)
    assert len(fault_server.requests_to("/stall")) == 1


@pytest.mark.timeout(30)
def test_read_timeout_in_the_middle_of_the_body(make_client):
    api = make_client(timeout=0.3, retry=0)
    with pytest.raises(errors.TimeoutError):
        api.get("/stall", params={"seconds": 5, "after": "headers"})


@pytest.mark.timeout(30)
def test_read_timeout_while_streaming(make_client):
    api = make_client(timeout=0.3, retry=0)
    with pytest.raises(errors.TimeoutError):
        api.stream_read("GET", "/stall", params={"seconds": 5, "after": "headers"})


@pytest.mark.timeout(30)
def test_connect_timeout(make_client, blackhole_port):
    api = make_client(f"http://127.0.0.1:{blackhole_port}", timeout=(0.3, 30.0), retry=0)
    with pytest.raises(errors.TimeoutError) as info:
        api.get("/echo")
    # nothing could reach the server
    assert info.value.request_sent is False


@pytest.mark.timeout(30)
def test_tuple_timeout_is_connect_then_read(make_client):
    # a short *connect* timeout does not limit reading ...
    api = make_client(timeout=(0.3, 10.0), retry=0)
    assert api.get("/stall", params={"seconds": 1}).json() == {"stalled": 1.0}
    # ... and a short *read* timeout does
    api = make_client(timeout=(10.0, 0.3), retry=0)
    with pytest.raises(errors.TimeoutError):
        api.get("/stall", params={"seconds": 5})


@pytest.mark.timeout(30)
def test_timeout_object(make_client):
    api = make_client(timeout=restwright.Timeout(connect=5.0, read=0.3), retry=0)
    with pytest.raises(errors.TimeoutError):
        api.get("/stall", params={"seconds": 5})


@pytest.mark.timeout(30)
def test_per_call_timeout_overrides_client_timeout(make_client):
    short = make_client(timeout=0.3, retry=0)
    assert short.get("/stall", params={"seconds": 1}, timeout=10.0).json() == {"stalled": 1.0}
    assert short.get("/stall", params={"seconds": 1}, timeout=(5.0, 10.0)).status_code == 200
    long = make_client(timeout=10.0, retry=0)
    with pytest.raises(errors.TimeoutError):
        long.get("/stall", params={"seconds": 5}, timeout=0.3)
    with pytest.raises(errors.TimeoutError):
        long.get("/stall", params={"seconds": 5}, timeout=(5.0, 0.3))


@pytest.mark.timeout(30)
def test_timeout_none_waits(make_client):
    api = make_client(timeout=None, retry=0)
    assert api.get("/stall", params={"seconds": 1}).json() == {"stalled": 1.0}
