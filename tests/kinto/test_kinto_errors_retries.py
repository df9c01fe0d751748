"""Exceptions (kinto-http's classes that are also restwright's) and retries (kinto-http's
``retry``/``retry_after`` mapped onto the engine), against real servers."""

from __future__ import annotations

import pickle
import time
from typing import TYPE_CHECKING, Any

import pytest

import restwright.kinto as kinto_http
from restwright import errors
from restwright.kinto.batch import AsyncBatchSession, BatchSession
from restwright.kinto.exceptions import kinto_error_class

if TYPE_CHECKING:
    from tests.servers.fault_server import FaultServer

    from conftest import Harness


async def test_exceptions_are_both_kinds(kt: Harness) -> None:
    client = kt.client(bucket="b", collection="c")
    await kt(client.create_bucket())
    await kt(client.create_collection())
    with pytest.raises(errors.NotFound) as info:
        await kt(client.get_record(id="missing"))
    exc = info.value
    assert isinstance(exc, kinto_http.KintoException)
    assert isinstance(exc, errors.RestwrightError)
    assert exc.status_code == 404
    assert exc.body["errno"] == 110
    assert exc.response.status_code == 404
    assert exc.response.json()["code"] == 404
    assert exc.request.method == "GET"
    assert str(exc).startswith("GET /v1/buckets/b/collections/c/records/missing - 404 404 - {")
    assert type(exc) is kinto_error_class(kinto_http.KintoException, errors.NotFound)
    assert type(exc).__name__ == "KintoException"

    copy = pickle.loads(pickle.dumps(exc))
    assert type(copy) is type(exc)
    assert copy.status_code == 404
    assert str(copy) == str(exc)


def test_exception_classes_compat() -> None:
    plain = kinto_http.KintoException("boom")
    assert str(plain) == "boom"
    assert plain.request is None and plain.response is None
    wrapped = kinto_http.BucketNotFound("b1", plain)
    assert isinstance(wrapped, kinto_http.KintoException)
    assert str(wrapped) == "b1"
    assert kinto_error_class(kinto_http.BucketNotFound, errors.Forbidden) is kinto_error_class(
        kinto_http.BucketNotFound, errors.Forbidden
    )
    assert issubclass(
        kinto_error_class(kinto_http.BucketNotFound, errors.Forbidden), errors.ClientError
    )
    batch = kinto_http.KintoBatchException([plain], [])
    assert str(batch) == "boom"
    assert batch.results == [] and batch.unsent == []
    assert pickle.loads(pickle.dumps(batch)).exceptions[0].message == "boom"
    backoff = kinto_http.BackoffException("wait", 5)
    assert backoff.backoff == 5


# -- retries, against the fault server (it fails on demand and counts requests) ------------


@pytest.fixture(params=["sync", "async"])
async def fault_client(request: pytest.FixtureRequest, fault_server: FaultServer) -> Any:
    made: list[Any] = []

    def make(**kwargs: Any) -> Any:
        cls = kinto_http.AsyncClient if request.param == "async" else kinto_http.Client
        kwargs.setdefault("auth", ("u", "p"))
        kwargs.setdefault("server_url", fault_server.base_url)
        client = cls(**kwargs)
        made.append(client)
        return client

    yield make
    for client in made:
        if request.param == "async":
            await client.aclose()
        else:
            client.close()


async def _call(value: Any) -> Any:
    return await value if hasattr(value, "__await__") else value


async def test_idempotent_requests_are_retried(
    fault_client: Any, fault_server: FaultServer
) -> None:
    client = fault_client(retry=2, retry_after=0)
    body, _ = await _call(client.session.request("GET", "/flaky/get?fails=2&status=503"))
    assert body["attempts"] == 3
    body, _ = await _call(client.session.request("PUT", "/flaky/put?fails=1&status=409"))
    assert body["attempts"] == 2  # 409 is retried, as kinto-http does
    with pytest.raises(errors.ServerError) as info:
        await _call(client.session.request("DELETE", "/flaky/del?fails=5&status=500"))
    assert isinstance(info.value, kinto_http.KintoException)
    assert len(fault_server.requests_to("/flaky/del")) == 3  # 1 + 2 retries


async def test_changes_are_never_sent_twice(fault_client: Any, fault_server: FaultServer) -> None:
    client = fault_client(retry=3, retry_after=0)
    for method in ("PATCH", "POST"):
        with pytest.raises(errors.ServerError):
            await _call(client.session.request(method, f"/flaky/{method}?fails=1&status=503"))
        assert len(fault_server.requests_to(f"/flaky/{method}")) == 1


async def test_no_retry_by_default(fault_client: Any, fault_server: FaultServer) -> None:
    client = fault_client()
    with pytest.raises(errors.ServerError):
        await _call(client.session.request("GET", "/flaky/once?fails=1&status=503"))
    assert len(fault_server.requests_to("/flaky/once")) == 1


async def test_retry_after_header_and_forced_delay(
    fault_client: Any, fault_server: FaultServer
) -> None:
    client = fault_client(retry=1)
    start = time.monotonic()
    body, _ = await _call(client.session.request("GET", "/flaky/ra?fails=1&retry_after=1"))
    assert body["attempts"] == 2
    assert time.monotonic() - start >= 0.9  # the server's Retry-After was honoured
    forced = fault_client(retry=1, retry_after=0)
    start = time.monotonic()
    body, _ = await _call(forced.session.request("GET", "/flaky/ra2?fails=1&retry_after=30"))
    assert body["attempts"] == 2
    assert time.monotonic() - start < 5  # retry_after=0 overrides the server's 30 s


async def test_backoff_header_delays_next_request(
    fault_client: Any, fault_server: FaultServer
) -> None:
    client = fault_client()
    await _call(client.session.request("GET", "/flaky/bo?fails=0&success_backoff=1"))
    start = time.monotonic()
    await _call(client.session.request("GET", "/echo"))
    assert time.monotonic() - start >= 0.9  # waited instead of raising BackoffException


async def test_batch_chunks_retried_only_when_idempotent(
    fault_client: Any, fault_server: FaultServer
) -> None:
    # /flaky/<key>/batch: the fault server fails once, then answers (without "responses").
    puts = fault_client(server_url=fault_server.url("/flaky/puts"), retry=2, retry_after=0)
    patches = fault_client(server_url=fault_server.url("/flaky/patches"), retry=2, retry_after=0)
    for client, method in ((puts, "PUT"), (patches, "PATCH")):
        cls = AsyncBatchSession if isinstance(client, kinto_http.AsyncClient) else BatchSession
        batch = cls(client, batch_max_requests=10)
        await _call(batch.request(method, "/buckets/b", data={}))
        with pytest.raises(kinto_http.KintoBatchException):
            await _call(batch.send())
    assert len(fault_server.requests_to("/flaky/puts")) == 2  # retried after the 503
    assert len(fault_server.requests_to("/flaky/patches")) == 1  # never re-sent


async def test_connection_refused(closed_port: int) -> None:
    client = kinto_http.Client(server_url=f"http://127.0.0.1:{closed_port}/v1", auth=("u", "p"))
    with pytest.raises(errors.ConnectError):
        client.server_info()


async def test_alert_header_warns_and_bad_json_raises(
    fault_client: Any, fault_server: FaultServer
) -> None:
    client = fault_client()
    with pytest.warns(DeprecationWarning, match="end of life"):
        await _call(client.session.request("GET", "/echo?set_header=Alert:end%20of%20life"))
    with pytest.raises(errors.DecodeError):
        await _call(client.session.request("GET", "/bad-json/invalid"))
