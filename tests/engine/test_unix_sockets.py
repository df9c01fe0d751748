"""HTTP over a Unix domain socket (``uds=``) on a real server listening in a temp folder.

The server (``tests/servers/unix_server.py``) is aiohttp's ``UnixSite``; every test runs
with the sync and the async client.
"""

from __future__ import annotations

import hashlib
import pickle

import httpx
import pytest

import restwright
from restwright import errors
from restwright.transports import AsyncHTTPXTransport, HTTPXTransport

try:
    from tests.servers.unix_server import CONTAINERS, unix_server
except ImportError:
    from servers.unix_server import CONTAINERS, unix_server  # type: ignore[no-redef]


@pytest.fixture(scope="module")
def docker(tmp_path_factory):
    with unix_server(tmp_path_factory.mktemp("uds")) as server:
        yield server


@pytest.fixture
def uds_client(make_client, docker):
    def make(**options):
        return make_client("http://localhost", uds=docker.unix_path, retry=0, **options)

    return make


def _connections(api) -> int:
    return int(api.get("/connections").json()["connections"])


def test_requests_go_over_the_socket(uds_client):
    api = uds_client()
    response = api.get("/v1.43/_ping")
    assert (response.status_code, response.text) == (200, "OK")
    assert response.headers["Api-Version"] == "1.43"
    assert response.request.url == "http://localhost/v1.43/_ping"
    running = api.get("/containers/json").json()
    assert [c["Names"] for c in running] == [["/web"], ["/db"]]


def test_connections_are_kept_alive_and_reused(uds_client):
    api = uds_client()
    before = _connections(api)
    for _ in range(5):
        assert api.get("/version").json()["ApiVersion"] == "1.43"
    assert _connections(api) == before  # the same pooled connection, six requests later


def test_a_streamed_response_body(uds_client):
    api = uds_client()
    response, size, sha = api.stream_read("GET", "/stream", params={"chunks": 64, "size": 8192})
    expected = hashlib.sha256(b"".join(str(n % 10).encode() * 8192 for n in range(64)))
    assert (response.status_code, size, sha) == (200, 64 * 8192, expected.hexdigest())
    assert api.get("/version").status_code == 200  # the connection is usable afterwards


def test_a_streamed_request_body(uds_client):
    api = uds_client()
    pieces = [bytes([n]) * 50_000 for n in range(20)]
    answer = api.post("/upload", content=iter(pieces)).json()
    assert answer == {
        "size": 1_000_000,
        "sha256": hashlib.sha256(b"".join(pieces)).hexdigest(),
        "chunked": True,
    }


def test_errors_are_mapped_as_over_tcp(uds_client):
    api = uds_client()
    with pytest.raises(errors.NotFound) as caught:
        api.get("/containers/nope/logs")
    assert caught.value.message == "No such container: nope"


def test_proxies_from_the_environment_do_not_apply(uds_client, fault_server, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", fault_server.base_url)
    monkeypatch.setenv("ALL_PROXY", fault_server.base_url)
    api = uds_client()
    assert api.get("/_ping").text == "OK"
    assert fault_server.requests == []


def test_a_pickled_client_keeps_its_socket(docker):
    with restwright.Client("http://localhost", uds=docker.unix_path) as client:
        copy = pickle.loads(pickle.dumps(client))
    with copy:
        assert copy.get("/v1.43/_ping").text == "OK"


def test_a_missing_socket_is_a_connect_error(make_client, tmp_path):
    path = tmp_path / "nobody-listens.sock"
    api = make_client("http://localhost", uds=path, retry=0)
    with pytest.raises(errors.ConnectError, match="unix socket") as caught:
        api.get("/_ping")
    assert str(path) in str(caught.value)
    assert caught.value.request_sent is False


def test_uds_with_a_proxy_is_refused(make_client, docker, fault_server):
    with pytest.raises(ValueError, match="uds= and proxy="):
        make_client("http://localhost", uds=docker.unix_path, proxy=fault_server.base_url)


def test_uds_with_a_custom_transport_is_refused(make_client, docker):
    transport = HTTPXTransport(httpx.Client())
    try:
        with pytest.raises(ValueError, match="transport="):
            make_client("http://localhost", uds=docker.unix_path, transport=transport)
    finally:
        transport.close()


def test_the_httpx_adapter_over_httpx_own_unix_socket_transport(make_client, client_kind, docker):
    """With ``transport=``, the socket is the httpx client's business (httpx's ``uds=``)."""
    if client_kind == "sync":
        transport = HTTPXTransport(
            httpx.Client(transport=httpx.HTTPTransport(uds=str(docker.unix_path)))
        )
    else:
        transport = AsyncHTTPXTransport(
            httpx.AsyncClient(transport=httpx.AsyncHTTPTransport(uds=str(docker.unix_path)))
        )
    api = make_client("http://localhost", transport=transport, retry=0)
    try:
        assert api.get("/v1.43/containers/json", params={"all": "true"}).json() == CONTAINERS
        response, size, _ = api.stream_read("GET", "/stream", params={"chunks": 3, "size": 10})
        assert (response.status_code, size) == (200, 30)
    finally:
        api.run(transport.aclose() if api.is_async else transport.close())
