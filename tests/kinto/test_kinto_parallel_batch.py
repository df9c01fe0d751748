"""The async client's batch with parallel chunks, against the real Kinto server."""

from __future__ import annotations

from typing import Any

import pytest

import restwright.kinto as kinto_http

pytestmark = pytest.mark.kinto


ALICE = ("alice", "alice-s3cret")  # the same principal as the other Kinto tests


async def _client(kinto_url: str) -> Any:
    client = kinto_http.AsyncClient(server_url=kinto_url, auth=ALICE, bucket="b", collection="c")
    await client.create_bucket()
    await client.create_collection()
    return client


async def test_parallel_chunks_deliver_every_record_once_in_order(kinto_url: str) -> None:
    client = await _client(kinto_url)
    try:
        async with client.batch(parallel=4) as batch:
            for i in range(47):  # 5 chunks of 10 on this server
                await batch.create_record(data={"id": f"r{i:03d}", "n": i})
        results = batch.results()
        assert [r["data"]["n"] for r in results] == list(range(47))
        records = await client.get_records()
        assert sorted(r["id"] for r in records) == [f"r{i:03d}" for i in range(47)]
    finally:
        await client.aclose()


async def test_parallel_chunks_report_every_failure(kinto_url: str) -> None:
    client = await _client(kinto_url)
    try:
        await client.create_record(data={"id": "taken", "n": -1})
        with pytest.raises(kinto_http.KintoBatchException) as info:
            async with client.batch(parallel=3) as batch:
                for i in range(25):
                    record_id = "taken" if i in (3, 21) else f"r{i:03d}"
                    await batch.create_record(data={"id": record_id, "n": i}, safe=True)
        exc = info.value
        assert len(exc.exceptions) == 2  # both refused creations, from two chunks
        assert all(e.response.status_code == 412 for e in exc.exceptions)
        records = await client.get_records()
        assert len(records) == 1 + 23  # the others all arrived, exactly once
    finally:
        await client.aclose()
