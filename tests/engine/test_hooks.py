"""Request/response hooks, sync functions everywhere and coroutine functions on async."""

from __future__ import annotations

import asyncio
import logging


def test_hooks_are_called(make_client, fault_server, client_kind):
    seen: list[tuple] = []

    def on_request(request):
        seen.append(("request", request.method, str(request.url)))

    def on_response(response):
        seen.append(("response", response.status_code, response.request.method))

    hooks: dict[str, list] = {"request": [on_request], "response": [on_response]}
    if client_kind == "async":

        async def on_request_async(request):
            await asyncio.sleep(0)
            seen.append(("async-request", request.method, str(request.url)))

        async def on_response_async(response):
            await asyncio.sleep(0)
            seen.append(("async-response", response.status_code, response.request.method))

        hooks["request"].append(on_request_async)
        hooks["response"].append(on_response_async)

    api = make_client(hooks=hooks, retry=0)
    api.post("/echo/hooked", params={"a": "1"}, json={})
    url = fault_server.url("/echo/hooked?a=1")
    expected = [("request", "POST", url)]
    if client_kind == "async":
        expected.append(("async-request", "POST", url))
    expected.append(("response", 200, "POST"))
    if client_kind == "async":
        expected.append(("async-response", 200, "POST"))
    assert seen == expected
    assert len(fault_server.requests) == 1


def test_exchange_is_logged(make_client, fault_server, caplog):
    caplog.set_level(logging.DEBUG, logger="restwright")
    api = make_client(retry=0)
    api.get("/echo/logged")
    messages = [
        r.getMessage()
        for r in caplog.records
        if r.name.startswith("restwright") and r.levelno == logging.DEBUG
    ]
    assert any("GET" in m and "/echo/logged" in m and "200" in m for m in messages), messages
