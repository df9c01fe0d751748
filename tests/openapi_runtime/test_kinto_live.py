"""The runtime client built from a real Kinto server's own ``/v1/__api__`` (Swagger 2.0).

The document's ``host`` and ``basePath`` give the base URL; records are created, read,
listed, updated with ``If-Match`` and deleted through the generated operations.  The drift
tests alter a copy of Kinto's document and check what the client reports about the real
answers.
"""

from __future__ import annotations

import copy
import json
import urllib.request
import uuid
from typing import Any

import pytest

from restwright.errors import NotFound, PreconditionFailed
from restwright.openapi.drift import DriftError

from ._support import call

pytestmark = pytest.mark.kinto

AUTH = ("alice", "s3cret")


@pytest.fixture
def kinto(kinto_url: str, make_client: Any) -> Any:
    return make_client(kinto_url + "/__api__", auth=AUTH)


@pytest.fixture(scope="session")
def kinto_document(kinto_url: str) -> dict[str, Any]:
    with urllib.request.urlopen(kinto_url + "/__api__", timeout=10) as response:
        return json.loads(response.read())  # type: ignore[no-any-return]


async def test_records_crud(kinto: Any, kinto_url: str) -> None:
    assert kinto.base_url == kinto_url  # host + basePath of the live document
    assert kinto.api.openapi_version == "2.0"
    assert {"buckets", "collections", "records"} <= set(kinto.tags)
    bucket = f"b-{uuid.uuid4().hex[:8]}"
    await call(kinto.buckets.create_bucket, body={"data": {"id": bucket}})
    await call(kinto.collections.create_collection, bucket, body={"data": {"id": "tasks"}})

    created = await call(
        kinto.records.create_record, bucket, "tasks", body={"data": {"title": "write tests"}}
    )
    record = created["data"]
    assert record["title"] == "write tests"
    fetched = await call(kinto.records.get_record, bucket, "tasks", record["id"])
    assert fetched["data"] == record

    for i in range(7):  # more than one page (the server pages by 5)
        await call(kinto.records.create_record, bucket, "tasks", body={"data": {"title": f"t{i}"}})
    page = await call(
        kinto.records.get_records,
        bucket_id=bucket,
        collection_id="tasks",
        sort=["-last_modified"],
        fields=["title"],
        limit=3,
        return_response=True,
    )
    assert "_sort=-last_modified" in page.request.target
    titles = [r["title"] for r in page.json()["data"]]
    assert titles == ["t6", "t5", "t4"]
    assert page.headers.get("next-page")

    # If-Match: the engine quotes the timestamp; a stale one is refused
    updated = await call(
        kinto.records.update_record,
        bucket,
        "tasks",
        record["id"],
        body={"data": {"title": "tested"}},
        if_match=record["last_modified"],
    )
    assert updated["data"]["title"] == "tested"
    with pytest.raises(PreconditionFailed):
        await call(
            kinto.records.patch_record,
            bucket,
            "tasks",
            record["id"],
            body={"data": {"done": True}},
            if_match=record["last_modified"],
        )
    await call(kinto.records.delete_record, bucket, "tasks", record["id"])
    with pytest.raises(NotFound):
        await call(kinto.records.get_record, bucket, "tasks", record["id"])
    info = await call(kinto.utilities.server_info)
    assert info["project_name"] == "kinto"
    assert not kinto.drift, kinto.drift.report()


async def test_models_from_kinto(kinto_url: str, make_client: Any) -> None:
    kinto = make_client(kinto_url + "/__api__", auth=AUTH, models=True)
    bucket = f"m-{uuid.uuid4().hex[:8]}"
    created = await call(kinto.buckets.create_bucket, body={"data": {"id": bucket}})
    assert type(created).__name__ == "CreateBucketResponse"
    assert created.model_dump(by_alias=True)["data"]["id"] == bucket
    assert created.permissions.write and created.permissions.write[0].startswith("basicauth:")


def _altered(document: dict[str, Any]) -> dict[str, Any]:
    """Kinto's document with deliberate mistakes in the record responses."""
    doc = copy.deepcopy(document)
    records = doc["paths"]["/buckets/{bucket_id}/collections/{collection_id}/records/{id}"]
    get_200 = records["get"]["responses"]["200"]["schema"]
    data = get_200["properties"]["data"]
    data["properties"] = {
        "last_modified": {"type": "string"},  # really an integer
        "title": {"type": "string", "enum": ["only this"]},
    }
    data["required"] = ["title", "owner"]  # no record has an owner
    listing = doc["paths"]["/buckets/{bucket_id}/collections/{collection_id}/records"]
    post = listing["post"]["responses"]
    post.pop("201")  # Kinto answers 201: now undocumented (only errors and default remain)
    return doc


async def test_drift_against_real_kinto(
    kinto_url: str, kinto_document: dict[str, Any], make_client: Any
) -> None:
    kinto = make_client(_altered(kinto_document), auth=AUTH)
    assert kinto.base_url == kinto_url
    bucket = f"d-{uuid.uuid4().hex[:8]}"
    await call(kinto.buckets.create_bucket, body={"data": {"id": bucket}})
    await call(kinto.collections.create_collection, bucket, body={"data": {"id": "c"}})
    created = await call(kinto.records.create_record, bucket, "c", body={"data": {"title": "x"}})
    record = await call(kinto.records.get_record, bucket, "c", created["data"]["id"])
    assert record["data"]["title"] == "x"  # lenient: the call still works
    entries = [(e.operation, e.status, e.pointer, e.expected, e.got) for e in kinto.drift]
    assert ("get_record", 200, "/data/owner", "required property", "missing") in entries
    assert (
        "get_record",
        200,
        "/data/last_modified",
        "string",
        f"integer {record['data']['last_modified']}",
    ) in entries
    assert ("get_record", 200, "/data/title", "one of ['only this']", "string 'x'") in entries
    # the 201 now falls to the documented "default" (Kinto's error schema)
    assert ("create_record", 201, "/code", "required property", "missing") in entries
    report = kinto.drift.report()
    assert "get_record (GET /buckets/{bucket_id}/collections/{collection_id}/records/{id}):" in (
        report
    )
    assert "200 /data/owner: expected required property, got missing" in report


async def test_strict_mode_against_real_kinto(
    kinto_document: dict[str, Any], make_client: Any
) -> None:
    kinto = make_client(_altered(kinto_document), auth=AUTH, strict=True)
    bucket = f"s-{uuid.uuid4().hex[:8]}"
    await call(kinto.buckets.create_bucket, body={"data": {"id": bucket}})
    await call(kinto.collections.create_collection, bucket, body={"data": {"id": "c"}})
    with pytest.raises(DriftError) as info:
        await call(kinto.records.create_record, bucket, "c", body={"data": {"title": "x"}})
    error = info.value
    assert error.response is not None and error.response.status_code == 201
    assert error.request is not None and error.request.method == "POST"
    assert "alice" not in repr(error.request.headers) and "s3cret" not in str(error.__dict__)
    assert {e.pointer for e in error.entries} >= {"/code", "/errno", "/error"}
