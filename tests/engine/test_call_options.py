"""Per-call retry options, blocking steps in auth flows, and removing headers in clones."""

from __future__ import annotations

import threading
import time
import uuid

import pytest

import restwright
from restwright import errors
from restwright.engine.models import Request


def fast(total: int) -> restwright.Retry:
    return restwright.Retry(total=total, backoff=0.0, retry_after=0.0)


def test_idempotent_true_makes_a_post_retryable_without_a_header(make_client, fault_server):
    api = make_client(retry=fast(2))
    key = uuid.uuid4().hex
    response = api.post(
        f"/flaky/{key}", params={"fails": 2, "status": 503}, json={"n": 1}, idempotent=True
    )
    assert response.json()["attempts"] == 3
    seen = fault_server.requests_to(f"/flaky/{key}")
    assert len(seen) == 3
    assert all(r.header("Idempotency-Key") is None for r in seen)


def test_idempotent_false_forbids_resending_a_put(make_client, fault_server):
    api = make_client(retry=fast(2))
    key = uuid.uuid4().hex
    with pytest.raises(errors.ServerError):
        api.put(f"/flaky/{key}", params={"fails": 2, "status": 503}, idempotent=False)
    assert len(fault_server.requests_to(f"/flaky/{key}")) == 1


def test_per_call_retry_overrides_the_client_policy(make_client, fault_server):
    api = make_client(retry=0)
    key = uuid.uuid4().hex
    response = api.get(f"/flaky/{key}", params={"fails": 1, "status": 503}, retry=fast(1))
    assert response.json()["attempts"] == 2
    key = uuid.uuid4().hex
    with pytest.raises(errors.ServerError):
        api.get(f"/flaky/{key}", params={"fails": 1, "status": 503})
    assert len(fault_server.requests_to(f"/flaky/{key}")) == 1


class SlowLoginAuth(restwright.Auth):
    """Logs in through a blocking step (as an interactive browser login does)."""

    def __init__(self) -> None:
        self.threads: list[str] = []

    def _login(self, user: str) -> str:
        self.threads.append(threading.current_thread().name)
        time.sleep(0.3)  # stands for a human in a browser
        return f"token-of-{user}"

    def auth_flow(self, request: Request):
        token = yield restwright.Blocking(self._login, ("dave",))
        response = yield Request.from_url(
            "POST",
            request.url.split("/auth/")[0] + "/auth/login",
            headers={"Content-Type": "application/json"},
            content=b'{"username": "dave", "password": "dave-password"}',
        )
        assert token == "token-of-dave"
        request.headers["Authorization"] = f"Bearer {response.json()['token']}"
        yield request


def test_blocking_step_of_an_auth_flow(make_client, client_kind):
    auth = SlowLoginAuth()
    api = make_client(auth=auth, retry=0)
    if client_kind == "sync":
        assert api.get("/auth/protected").json() == {"ok": True, "user": "dave"}
        assert auth.threads == [threading.current_thread().name]
        return

    import asyncio

    async def scenario() -> tuple[dict[str, object], int]:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.02)
                ticks += 1

        task = asyncio.ensure_future(ticker())
        try:
            body = (await api.raw.get("/auth/protected")).json()
        finally:
            task.cancel()
        return body, ticks

    body, ticks = api.run(scenario())
    assert body == {"ok": True, "user": "dave"}
    # the event loop kept running while the login step blocked (in a worker thread)
    assert ticks >= 5
    assert auth.threads and auth.threads[0] != "engine-tests-loop"


def test_with_options_removes_a_header(make_client, fault_server):
    api = make_client(headers={"X-Team": "blue", "X-Keep": "1"}, retry=0)
    clone = api.with_options(headers={"X-Team": None})
    echoed = {k.lower(): v for k, v in clone.get("/echo").json()["headers"]}
    assert "x-team" not in echoed
    assert echoed["x-keep"] == "1"
    echoed = {k.lower(): v for k, v in api.get("/echo").json()["headers"]}
    assert echoed["x-team"] == "blue"


def test_request_from_url_validates_headers():
    with pytest.raises(errors.InvalidRequestError):
        Request.from_url("GET", "http://127.0.0.1/x", headers={"X-A": "1\r\nX-B: 2"})
    req = Request.from_url("post", "http://127.0.0.1/x", headers={"X-A": "1"}, content="é")
    assert (req.method, req.content, req.headers["x-a"]) == ("POST", "é".encode(), "1")
