"""Bulk work with the Kinto client against a real Kinto: one record per item, or one batch
per chunk of records; every item accounted for, and checked on the server."""

from __future__ import annotations

from typing import Any

from restwright.kinto import KintoBatchException
from restwright.kinto.utils import chunks


async def setup(kt: Any) -> Any:
    client = kt.client(bucket="b", collection="c")
    await kt(client.create_bucket())
    await kt(client.create_collection())
    return client


async def stored_ids(kt: Any, client: Any) -> set[str]:
    return {r["id"] for r in await kt(client.get_records())}


async def test_one_record_per_item(kt: Any) -> None:
    client = await setup(kt)
    records = [{"id": f"r{i}", "n": i} for i in range(40)]
    if kt.is_async:

        async def create(c: Any, record: dict[str, Any]) -> str:
            return (await c.create_record(data=record))["data"]["id"]

        result = await client.bulk(records, create, concurrency=8)
    else:
        result = client.bulk(records, lambda c, r: c.create_record(data=r)["data"]["id"])
    assert result.ok and sorted(v for _, v in result.succeeded) == sorted(r["id"] for r in records)
    assert await stored_ids(kt, client) == {r["id"] for r in records}


async def test_one_batch_per_chunk_reports_the_failed_chunk(kt: Any) -> None:
    client = await setup(kt)
    records = [{"id": f"r{i}"} for i in range(50)]
    records[23] = {"id": "not a valid id!"}  # Kinto refuses it: its chunk fails
    batches = list(chunks(records, 10))
    if kt.is_async:

        async def send(c: Any, chunk: list[dict[str, Any]]) -> int:
            async with c.batch() as batch:
                for record in chunk:
                    await batch.create_record(data=record)
            return len(batch.results())

        result = await client.bulk(batches, send, concurrency=3)
    else:

        def send(c: Any, chunk: list[dict[str, Any]]) -> int:
            with c.batch() as batch:
                for record in chunk:
                    batch.create_record(data=record)
            return len(batch.results())

        result = client.bulk(batches, send, concurrency=3)
    assert len(result.succeeded) == 4 and len(result.failed) == 1
    failed_chunk, error = result.failed[0]
    assert failed_chunk is batches[2]
    assert isinstance(error, KintoBatchException)
    assert [e.request["body"]["data"]["id"] for e in error.exceptions] == ["not a valid id!"]
    expected = {r["id"] for r in records if r["id"] != "not a valid id!"}
    assert await stored_ids(kt, client) == expected  # the other 9 of that chunk were applied
