"""Batches: chunking, results, failures, retries (real Kinto, sync and async; plus the pure
chunk logic against a scripted session for the cases a healthy server cannot produce)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

import restwright.kinto as kinto_http
from restwright import errors
from restwright.kinto.batch import BatchSession
from restwright.kinto.patch_type import BasicPatch

if TYPE_CHECKING:
    from conftest import Harness

pytestmark = pytest.mark.kinto


async def _setup(kt: Harness, **kwargs: Any) -> Any:
    client = kt.client(bucket="b", collection="c", **kwargs)
    await kt(client.create_bucket())
    await kt(client.create_collection())
    return client


def _spy(client: Any) -> list[tuple[str, str, dict[str, Any]]]:
    """Record what goes through ``client.session.request`` (sync or async)."""
    calls: list[tuple[str, str, dict[str, Any]]] = []
    original = client.session.request

    def spy(method: str, endpoint: str, **kwargs: Any) -> Any:
        calls.append((method, endpoint, kwargs))
        return original(method, endpoint, **kwargs)

    client.session.request = spy
    return calls


async def test_batch_chunks_by_server_limit(kt: Harness) -> None:
    client = await _setup(kt)
    await kt(client.server_info())
    calls = _spy(client)
    async with kt.batch(client) as batch:
        for i in range(23):
            result = await kt(batch.update_record(data={"id": f"r{i:02d}", "n": i}))
            assert result == {}  # a placeholder: nothing was sent yet
        assert calls == []
    posts = [c for c in calls if c[1].endswith("/batch")]
    assert [len(c[2]["payload"]["requests"]) for c in posts] == [10, 10, 3]
    assert len(calls) == 3  # server_info was cached: no extra request
    results = batch.results()
    assert [r["data"]["n"] for r in results] == list(range(23))
    records = await kt(client.get_records(_sort="n"))
    assert [r["n"] for r in records] == list(range(23))
    # The sub-requests are all PUTs (idempotent): each chunk may be retried.
    assert all(c[2]["idempotent"] is True for c in posts)


async def test_batch_results_in_order_with_reads(kt: Harness) -> None:
    client = await _setup(kt)
    await kt(client.create_record(id="r1", data={"n": 1}))
    await kt(client.create_record(id="r2", data={"n": 2}))
    async with kt.batch(client) as batch:
        await kt(batch.get_record(id="r1"))
        await kt(batch.patch_record(id="r2", changes=BasicPatch({"m": 1})))
        await kt(batch.get_records(_sort="-n"))
        await kt(batch.get_record(id="r2"))
    r1, patched, listing, r2 = batch.results()
    assert r1["data"]["n"] == 1
    assert patched["data"]["m"] == 1
    assert [r["id"] for r in listing["data"]] == ["r2", "r1"]
    assert r2["data"]["m"] == 1


async def test_batch_with_4xx_raises_with_every_subresponse(kt: Harness) -> None:
    client = await _setup(kt)
    await kt(client.create_record(id="taken", data={"n": 0}))
    with pytest.raises(kinto_http.KintoBatchException) as info:
        async with kt.batch(client) as batch:
            for i in range(12):
                await kt(batch.create_record(id=f"r{i:02d}", data={"n": i}))
            await kt(batch.create_record(id="taken", data={"n": 99}))  # 412, in chunk 2
            await kt(batch.delete_record(id="missing"))  # 404, in chunk 2
    exc = info.value
    assert isinstance(exc, kinto_http.KintoException)
    assert len(exc.exceptions) == 2
    failed_412, failed_404 = exc.exceptions
    assert isinstance(failed_412, kinto_http.KintoException)
    assert isinstance(failed_412, errors.PreconditionFailed)
    assert failed_412.response.status_code == 412
    assert failed_412.request.path_url.endswith("/records/taken")
    assert isinstance(failed_404, errors.NotFound)
    # Every chunk was sent and every sub-response is there.
    statuses = [r["status"] for body, _ in exc.results for r in body["responses"]]
    assert statuses == [201] * 12 + [412, 404]
    assert exc.unsent == []
    assert len(await kt(client.get_records())) == 13
    assert len(batch.results()) == 14


async def test_ignore_batch_4xx(kt: Harness) -> None:
    client = await _setup(kt, ignore_batch_4xx=True)
    await kt(client.create_record(id="taken", data={}))
    async with kt.batch(client) as batch:
        await kt(batch.create_record(id="taken", data={}))
        await kt(batch.create_record(id="new", data={}))
    taken, new = batch.results()
    assert taken["code"] == 412
    assert new["data"]["id"] == "new"


async def test_error_in_block_sends_nothing(kt: Harness) -> None:
    client = await _setup(kt)
    with pytest.raises(RuntimeError):
        async with kt.batch(client) as batch:
            await kt(batch.create_record(id="r1", data={}))
            raise RuntimeError("changed my mind")
    assert await kt(client.get_records()) == []


async def test_batch_request_refused_as_a_whole(kt: Harness) -> None:
    client = await _setup(kt)
    info = await kt(client.server_info())
    info["settings"]["batch_max_requests"] = 50  # pretend the server allows more than it does
    with pytest.raises(kinto_http.KintoBatchException) as caught:
        async with kt.batch(client) as batch:
            for i in range(12):
                await kt(batch.create_record(id=f"r{i}", data={}))
    exc = caught.value
    assert isinstance(exc, errors.BadRequest)  # the /batch request itself got a 400
    assert exc.response.status_code == 400
    assert len(exc.failed) == 12  # type: ignore[attr-defined]
    assert exc.unsent == []
    assert await kt(client.get_records()) == []


async def test_batch_kwargs_and_clone(kt: Harness) -> None:
    client = await _setup(kt)
    await kt(client.create_collection(id="other"))
    async with kt.batch(client, collection="other") as batch:
        assert batch.collection_name == "other"
        await kt(batch.create_record(id="x", data={}))
    assert [r["id"] for r in await kt(client.get_records(collection="other"))] == ["x"]


# -- the chunk logic, against a scripted session --------------------------------------------


class ScriptedSession:
    """A session answering ``/batch`` with scripted sub-statuses, recording the calls."""

    server_url = "http://kinto.test/v1"
    auth = None
    dry_mode = False

    def __init__(self, *answers: Any) -> None:
        self.answers = list(answers)
        self.calls: list[dict[str, Any]] = []

    def request(self, method: str, endpoint: str, **kwargs: Any) -> Any:
        self.calls.append({"method": method, "endpoint": endpoint, **kwargs})
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        requests = kwargs["payload"]["requests"]
        statuses = answer
        responses = [
            {"status": s, "path": r["path"], "body": {"code": s} if s >= 400 else {"data": {}}}
            for s, r in zip(statuses, requests, strict=True)
        ]
        return {"responses": responses}, {}


def _batch(session: ScriptedSession, size: int = 2, **kwargs: Any) -> BatchSession:
    client = kinto_http.Client(session=session, bucket="b", collection="c")
    return BatchSession(client, batch_max_requests=size, **kwargs)


def test_5xx_subresponse_stops_and_lists_unsent() -> None:
    session = ScriptedSession([200, 503])
    batch = _batch(session)
    for i in range(5):
        batch.request("PUT", f"/buckets/b/collections/c/records/r{i}", data={"i": i})
    with pytest.raises(kinto_http.KintoBatchException) as info:
        batch.send()
    exc = info.value
    assert len(session.calls) == 1  # chunks 2 and 3 were not sent
    assert [r["path"] for r in exc.unsent] == [
        "/buckets/b/collections/c/records/r2",
        "/buckets/b/collections/c/records/r3",
        "/buckets/b/collections/c/records/r4",
    ]
    assert isinstance(exc.exceptions[0], errors.ServerError)
    assert len(exc.results) == 1


def test_4xx_subresponse_ignored_only_when_asked() -> None:
    session = ScriptedSession([200, 404], [200])
    batch = _batch(session, ignore_4xx_errors=True)
    for i in range(3):
        batch.request("DELETE", f"/buckets/b/collections/c/records/r{i}")
    batch.send()
    assert len(batch.results()) == 3
    session = ScriptedSession([200, 404], [200])
    batch = _batch(session)
    for i in range(3):
        batch.request("DELETE", f"/buckets/b/collections/c/records/r{i}")
    with pytest.raises(kinto_http.KintoBatchException) as info:
        batch.send()
    assert len(session.calls) == 2  # a 4xx does not stop the following chunks
    assert info.value.unsent == []


def test_only_idempotent_chunks_are_retryable() -> None:
    session = ScriptedSession([200, 200], [200, 200])
    batch = _batch(session)
    batch.request("PUT", "/buckets/b", data={})
    batch.request("DELETE", "/buckets/a")
    batch.request("PATCH", "/buckets/b", data={"x": 1})
    batch.request("GET", "/buckets/b")
    batch.send()
    first, second = session.calls
    assert first["idempotent"] is True
    assert second["idempotent"] is False


def test_failure_of_a_later_chunk_reports_what_was_sent() -> None:
    lost = errors.ReadError("connection lost")
    session = ScriptedSession([200, 200], lost)
    batch = _batch(session)
    for i in range(6):
        batch.request("POST", "/buckets/b/collections/c/records", data={"i": i})
    with pytest.raises(kinto_http.KintoBatchException) as info:
        batch.send()
    exc = info.value
    assert exc.__cause__ is lost
    assert exc.exceptions == [lost]
    assert len(exc.results) == 1  # chunk 1 was applied
    assert len(exc.failed) == 2  # type: ignore[attr-defined]  # chunk 2: outcome unknown
    assert len(exc.unsent) == 2  # chunk 3: never sent
    assert len(session.calls) == 2


def test_batch_query_parameters_are_encoded() -> None:
    session = ScriptedSession([200])
    batch = _batch(session, size=10)
    batch.request("GET", "/buckets/b/collections/c/records", params={"in_id": ["a", "b"], "x": 1})
    batch.send()
    (request,) = session.calls[0]["payload"]["requests"]
    assert request["path"] == "/buckets/b/collections/c/records?in_id=a,b&x=1"
