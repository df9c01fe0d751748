"""Batch chunks that the server aborts with a 409: what is reported, what is re-sent.

Kinto rolls back a batch chunk's transaction at each sub-request answering 409, so the
sub-requests before it answered 2xx but were *not* applied.  These tests use a small real
server that answers ``/batch`` with exactly those rules on demand
(:mod:`tests.servers.kinto_batch_server`); ``test_kinto_postgresql.py`` checks the same
guarantees against a real Kinto on PostgreSQL, where the conflicts come from concurrency.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from tests.kinto.conftest import Harness
from tests.servers.kinto_batch_server import ConflictingBatchServer, conflicting_batch_server

import restwright.kinto as kinto_http
from restwright import errors

pytestmark = pytest.mark.kinto

IDS = [f"r{i:02d}" for i in range(25)]  # three chunks: 10, 10, 5


@pytest.fixture
def server() -> Iterator[ConflictingBatchServer]:
    with conflicting_batch_server() as server:
        yield server


def _client(kt: Harness, server: ConflictingBatchServer, **kwargs: Any) -> Any:
    kwargs.setdefault("retry_after", 0)
    return kt.client(server_url=server.url, bucket="b", collection="c", **kwargs)


async def _create_all(kt: Harness, client: Any, **batch_kwargs: Any) -> Any:
    async with kt.batch(client, **batch_kwargs) as batch:
        for record_id in IDS:
            await kt(batch.create_record(id=record_id, data={"n": record_id}))
    return batch


async def _create_all_in_parallel(server: ConflictingBatchServer) -> Any:
    """:func:`_create_all` with the async client and ``batch(parallel=3)``."""
    harness = Harness("async", server.url)
    try:
        return await _create_all(harness, _client(harness, server), parallel=3)
    finally:
        await harness.close()


def _ids(requests: list[Any]) -> list[str]:
    return [r["path"].rsplit("/", 1)[-1] for r in requests]


async def test_rolled_back_subrequests_are_reported_not_lost(
    kt: Harness, server: ConflictingBatchServer
) -> None:
    server.conflicts = {"r13": 1}  # 4th sub-request of chunk 2
    client = _client(kt, server)
    with pytest.raises(kinto_http.KintoBatchException) as info:
        await _create_all(kt, client)
    exc = info.value
    # r10..r12 answered 201, then the 409 of r13 rolled them back: they are reported.
    assert _ids(exc.aborted) == ["r10", "r11", "r12"]
    failed = [(e.request["path"].rsplit("/", 1)[-1], e.status_code) for e in exc.exceptions]
    assert failed == [("r10", 409), ("r11", 409), ("r12", 409), ("r13", 409)]
    assert all(isinstance(e, errors.Conflict) for e in exc.exceptions)
    assert "rolled back" in str(exc.exceptions[0])
    # Every id is either on the server or in the exception; none was sent twice.
    assert sorted(server.records) == sorted(set(IDS) - {"r10", "r11", "r12", "r13"})
    assert len(server.batches) == 3
    assert set(server.writes.values()) == {1}


async def test_rolled_back_subrequests_are_resent_with_retry(
    kt: Harness, server: ConflictingBatchServer
) -> None:
    server.conflicts = {"r13": 1, "r24": 2}
    client = _client(kt, server, retry=2)
    batch = await _create_all(kt, client)
    # Only what was rolled back went again: r10..r13 once, r20..r24 twice.
    assert server.batches == [
        IDS[0:10],
        IDS[10:20],
        IDS[10:14],
        IDS[20:25],
        IDS[20:25],
        IDS[20:25],
    ]
    assert sorted(server.records) == IDS
    assert set(server.writes.values()) == {1}
    results = batch.results()
    assert [r["data"]["id"] for r in results] == IDS  # in request order, merged


async def test_retries_exhausted_reports_the_last_answer(
    kt: Harness, server: ConflictingBatchServer
) -> None:
    server.conflicts = {"r02": 5}
    client = _client(kt, server, retry=1)
    with pytest.raises(kinto_http.KintoBatchException) as info:
        await _create_all(kt, client)
    assert _ids(info.value.aborted) == ["r00", "r01"]
    assert server.batches[:3] == [IDS[0:10], IDS[0:3], IDS[10:20]]
    assert "r00" not in server.records and "r03" in server.records


async def test_non_idempotent_rolled_back_subrequests_are_never_resent(
    kt: Harness, server: ConflictingBatchServer
) -> None:
    server.records["r00"] = {"id": "r00", "n": 0}
    server.conflicts = {"r02": 1}
    client = _client(kt, server, retry=3)
    with pytest.raises(kinto_http.KintoBatchException) as info:
        async with kt.batch(client) as batch:
            await kt(batch.patch_record(id="r00", data={"seen": True}))  # a PATCH: not idempotent
            await kt(batch.create_record(id="r01", data={}))
            await kt(batch.create_record(id="r02", data={}))
            await kt(batch.create_record(id="r03", data={}))
    assert server.batches == [["r00", "r01", "r02", "r03"]]  # sent once, whatever retry= says
    assert _ids(info.value.aborted) == ["r00", "r01"]
    assert server.records["r00"] == {"id": "r00", "n": 0}  # the patch was rolled back
    assert "r03" in server.records


async def test_ignore_batch_4xx_still_reports_rolled_back_subrequests(
    kt: Harness, server: ConflictingBatchServer
) -> None:
    server.conflicts = {"r01": 1}
    client = _client(kt, server, ignore_batch_4xx=True)
    with pytest.raises(kinto_http.KintoBatchException) as info:
        async with kt.batch(client) as batch:
            for record_id in ("r00", "r01", "r02"):
                await kt(batch.create_record(id=record_id, data={}))
    # The 409 itself is a 4xx the caller chose to ignore; the rolled-back 201 is not.
    assert [e.request["path"].rsplit("/", 1)[-1] for e in info.value.exceptions] == ["r00"]
    assert sorted(server.records) == ["r02"]


async def test_parallel_chunks_rolled_back_by_conflicts_are_resent_once_done(
    server: ConflictingBatchServer,
) -> None:
    server.conflicts = {"r03": 1, "r15": 1, "r21": 1}
    batch = await _create_all_in_parallel(server)
    # Three chunks in parallel, then the rolled-back prefixes, one at a time, with retry=0.
    first, resent = server.batches[:3], server.batches[3:]
    assert sorted(map(tuple, first)) == [tuple(IDS[0:10]), tuple(IDS[10:20]), tuple(IDS[20:25])]
    assert resent == [IDS[0:4], IDS[10:16], IDS[20:22]]
    assert sorted(server.records) == IDS
    assert set(server.writes.values()) == {1}
    assert [r["data"]["id"] for r in batch.results()] == IDS


async def test_parallel_chunk_refused_whole_is_resent(server: ConflictingBatchServer) -> None:
    server.refuse_batches = 1  # the first /batch to arrive gets a 409 as a whole
    batch = await _create_all_in_parallel(server)
    assert len(server.batches) == 4
    assert server.batches[3] == server.batches[0]
    assert sorted(server.records) == IDS
    assert set(server.writes.values()) == {1}
    assert len(batch.results()) == len(IDS)
