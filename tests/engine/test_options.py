"""``with_options`` / ``clone``: derived clients override options and share the pool."""

from __future__ import annotations

import time

import pytest

import restwright
from restwright import errors

from ._harness import echo_header, echo_headers


@pytest.mark.parametrize("method", ["with_options", "clone"])
def test_derived_client_shares_the_pool(make_client, fault_server, method):
    api = make_client(retry=0)
    api.get("/echo/first")
    derived = getattr(api, method)(headers={"X-Derived": "1"})
    derived.get("/echo/second")
    api.get("/echo/third")
    seen = fault_server.requests
    assert [r.path for r in seen] == ["/echo/first", "/echo/second", "/echo/third"]
    # one keep-alive connection served the three requests
    assert len({r.peer_port for r in seen}) == 1, [r.peer_port for r in seen]


@pytest.mark.timeout(30)
@pytest.mark.parametrize("method", ["with_options", "clone"])
def test_derived_client_overrides_options(make_client, fault_server, method):
    api = make_client(headers={"X-Base": "1"}, retry=0)
    derived = getattr(api, method)(
        headers={"X-Derived": "1"},
        timeout=0.3,
        auth=restwright.BearerAuth("derived-token"),
    )
    echo = derived.get("/echo").json()
    assert echo_header(echo, "X-Derived") == "1"
    assert echo_header(echo, "Authorization") == "Bearer derived-token"
    with pytest.raises(errors.TimeoutError):
        derived.get("/stall", params={"seconds": 3})
    # the original is untouched
    echo = api.get("/echo").json()
    assert echo_header(echo, "X-Derived") is None
    assert echo_header(echo, "Authorization") is None
    assert echo_header(echo, "X-Base") == "1"
    assert api.get("/stall", params={"seconds": 1}).status_code == 200


def test_client_headers_sent_and_overridden_per_call(make_client):
    api = make_client(headers={"User-Agent": "tests/1.0", "X-A": "client"}, retry=0)
    echo = api.get("/echo", headers={"X-A": "call"}).json()
    assert echo_header(echo, "User-Agent") == "tests/1.0"
    assert echo_headers(echo, "X-A") == ["call"]


def test_connections_are_reused(make_client, fault_server):
    api = make_client(retry=0)
    for n in range(5):
        api.get(f"/echo/{n}")
    assert len({r.peer_port for r in fault_server.requests}) == 1


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_stale_pooled_connection_is_replaced(make_client, fault_server, method):
    """The server silently closed the idle keep-alive connection: no retry is needed
    (``retry=0``) to send the next request on a fresh connection, exactly once."""
    api = make_client(retry=0)
    api.get("/echo/first", params={"then_close": 1})
    time.sleep(0.3)  # let the close reach the client
    response = api.request(method, "/echo/second", json={"n": 1})
    assert response.json()["path"] == "/echo/second"
    seen = fault_server.requests
    assert [(r.method, r.path) for r in seen] == [("GET", "/echo/first"), (method, "/echo/second")]
    assert seen[0].peer_port != seen[1].peer_port
