"""The httpx adapters: restwright's pipeline over an existing httpx client.

In-process WSGI and ASGI apps (through httpx's own transports) and the real fault server
(through a real httpx connection pool) must behave like the default transports: errors
mapped, retries driven by restwright, auth sent, credentials redacted.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

import restwright
from restwright import errors
from restwright.transports import AsyncHTTPXTransport, HTTPXTransport


def wsgi_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    path = environ["PATH_INFO"]
    if path.endswith("/missing"):
        start_response("404 Not Found", [("Content-Type", "application/json")])
        return [json.dumps({"message": "no such thing"}).encode()]
    body = {
        "path": path,
        "raw_path": environ.get("RAW_URI") or environ.get("REQUEST_URI") or path,
        "query": environ.get("QUERY_STRING", ""),
        "authorization": environ.get("HTTP_AUTHORIZATION"),
        "method": environ["REQUEST_METHOD"],
    }
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps(body).encode()]


async def asgi_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    assert scope["type"] == "http"
    headers = {k.decode(): v.decode() for k, v in scope["headers"]}
    status, payload = (
        200,
        {
            "raw_path": scope["raw_path"].decode(),
            "query": scope["query_string"].decode(),
            "authorization": headers.get("authorization"),
            "method": scope["method"],
        },
    )
    if scope["path"].endswith("/missing"):
        status, payload = 404, {"message": "no such thing"}
    body = json.dumps(payload).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": body})


def test_wsgi_app_through_httpx_transport() -> None:
    transport = HTTPXTransport(httpx.Client(transport=httpx.WSGITransport(app=wsgi_app)))
    with restwright.Client(
        "http://app.local/api", auth=restwright.BearerAuth("wsgi-token"), transport=transport
    ) as api:
        body = api.get(
            "/items/{id}", path_params={"id": "a/b"}, params={"tag": ["x", "y"], "on": True}
        ).json()
        assert body["method"] == "GET"
        assert body["query"] == "tag=x&tag=y&on=true"
        assert body["authorization"] == "Bearer wsgi-token"
        with pytest.raises(errors.NotFound) as info:
            api.get("/missing")
        assert info.value.message == "no such thing"
        assert "wsgi-token" not in repr(info.value.request.headers)


async def test_asgi_app_through_async_httpx_transport() -> None:
    transport = AsyncHTTPXTransport(httpx.AsyncClient(transport=httpx.ASGITransport(app=asgi_app)))
    async with restwright.AsyncClient(
        "http://app.local/api", auth=("user", "asgi-pass"), transport=transport
    ) as api:
        body = (await api.get("/items/{id}", path_params={"id": "../x"})).json()
        assert body["raw_path"] == "/api/items/..%2Fx"  # one segment: cannot climb
        assert body["authorization"].startswith("Basic ")
        with pytest.raises(errors.NotFound):
            await api.get("/missing")


def test_real_server_through_httpx_client(fault_server: Any) -> None:
    transport = HTTPXTransport(httpx.Client())
    with restwright.Client(
        fault_server.base_url, transport=transport, retry=restwright.Retry(total=2, backoff=0)
    ) as api:
        echo = api.post("/echo", json={"n": 1}).json()
        assert echo["method"] == "POST"
        with pytest.raises(errors.ServerError):
            api.get("/status/500")


async def test_file_bodies_through_async_httpx_client(fault_server: Any, tmp_path: Any) -> None:
    """A file and a multipart body (sync and async iterable) go out through an
    ``httpx.AsyncClient`` (which refuses a sync-only stream), the file with its length."""
    blob = tmp_path / "blob.bin"
    blob.write_bytes(b"abc" * 30_000)
    transport = AsyncHTTPXTransport(httpx.AsyncClient())
    async with restwright.AsyncClient(fault_server.base_url, transport=transport) as api:
        echo = (await api.put("/echo", content=blob)).json()
        assert echo["body_size"] == 90_000 and echo["content_length"] == "90000"
        echo = (await api.post("/echo", files={"f": blob})).json()
        assert [part["size"] for part in echo["parts"]] == [90_000]


def test_httpx_connect_error_is_mapped(closed_port: int) -> None:
    transport = HTTPXTransport(httpx.Client())
    with (
        restwright.Client(f"http://127.0.0.1:{closed_port}", transport=transport, retry=0) as api,
        pytest.raises(errors.ConnectError) as info,
    ):
        api.get("/")
    assert info.value.request_sent is False
