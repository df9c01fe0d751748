"""Records, listings, pagination, permissions and patches against real Kinto, sync and async."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

import pytest

import restwright.kinto as kinto_http
from restwright import errors
from restwright.kinto.patch_type import BasicPatch, JSONPatch, MergePatch

if TYPE_CHECKING:
    from conftest import Harness

pytestmark = pytest.mark.kinto


async def _setup(kt: Harness, **kwargs: Any) -> Any:
    client = kt.client(bucket="b", collection="c", **kwargs)
    await kt(client.create_bucket())
    await kt(client.create_collection())
    return client


async def _fill(kt: Harness, client: Any, n: int) -> list[dict[str, Any]]:
    created = []
    async with kt.batch(client) as batch:
        for i in range(n):
            await kt(batch.create_record(id=f"r{i:02d}", data={"n": i, "even": i % 2 == 0}))
    for body in batch.results():
        created.append(body["data"])
    return created


async def test_record_lifecycle(kt: Harness) -> None:
    client = await _setup(kt)
    created = await kt(client.create_record(data={"title": "hello"}))
    record = created["data"]
    assert record["title"] == "hello"
    assert len(record["id"]) == 36  # a UUID was chosen

    got = await kt(client.get_record(id=record["id"]))
    assert got["data"] == record
    assert "write" in got["permissions"]

    updated = await kt(client.update_record(data={**record, "title": "bye"}))
    assert updated["data"]["title"] == "bye"
    with pytest.raises(errors.PreconditionFailed) as info:  # record's timestamp is stale now
        await kt(client.update_record(data={**record, "title": "again"}))
    assert isinstance(info.value, kinto_http.KintoException)
    assert info.value.response.status_code == 412

    patched = await kt(client.patch_record(id=record["id"], changes=BasicPatch({"x": 1})))
    assert patched["data"]["x"] == 1
    assert patched["data"]["title"] == "bye"

    deleted = await kt(client.delete_record(id=record["id"]))
    assert deleted["deleted"] is True
    with pytest.raises(errors.NotFound) as missing:
        await kt(client.get_record(id=record["id"]))
    assert isinstance(missing.value, kinto_http.KintoException)
    assert await kt(client.delete_record(id=record["id"], if_exists=True)) is None
    with pytest.raises(errors.NotFound):
        await kt(client.delete_record(id=record["id"]))


async def test_create_record_safe_and_if_not_exists(kt: Harness) -> None:
    client = await _setup(kt)
    first = await kt(client.create_record(id="r1", data={"v": 1}))
    with pytest.raises(errors.PreconditionFailed):
        await kt(client.create_record(id="r1", data={"v": 2}))
    existing = await kt(client.create_record(data={"id": "r1", "v": 3}, if_not_exists=True))
    assert existing["data"] == first["data"]
    fresh = await kt(client.create_record(data={"v": 4}, if_not_exists=True))
    assert fresh["data"]["v"] == 4
    overwritten = await kt(client.create_record(id="r1", data={"v": 5}, safe=False))
    assert overwritten["data"]["v"] == 5


async def test_record_errors_403_and_missing_id(kt: Harness) -> None:
    client = await _setup(kt)
    bob = kt.client(auth=kt.BOB, bucket="b", collection="c")
    with pytest.raises(kinto_http.KintoException) as info:
        await kt(bob.create_record(data={"x": 1}))
    assert isinstance(info.value, errors.Forbidden)
    assert "permission to create or write on this collection record" in str(info.value)
    with pytest.raises(errors.Forbidden):
        await kt(bob.get_records())
    with pytest.raises(KeyError):
        await kt(client.update_record(data={"x": 1}))
    with pytest.raises(KeyError):
        await kt(client.patch_record(changes=BasicPatch({"x": 1})))


async def test_patch_kinds_and_safety(kt: Harness) -> None:
    client = await _setup(kt)
    record = (await kt(client.create_record(id="r", data={"a": {"b": 1, "c": 2}, "l": [1]})))[
        "data"
    ]
    merged = await kt(client.patch_record(id="r", changes=MergePatch({"a": {"b": None}})))
    assert merged["data"]["a"] == {"c": 2}
    jsonpatched = await kt(
        client.patch_record(
            id="r", changes=JSONPatch([{"op": "add", "path": "/data/l/0", "value": 0}])
        )
    )
    assert jsonpatched["data"]["l"] == [0, 1]
    # original= gives id and timestamp; it is stale: refused.
    with pytest.raises(errors.PreconditionFailed):
        await kt(client.patch_record(original=record, changes=BasicPatch({"z": 1})))
    # Legacy style: data= is both the patch and the original.
    legacy = await kt(client.patch_record(data={"id": "r", "z": 2}))
    assert legacy["data"]["z"] == 2
    # Permissions can be patched too.
    bob_id = (await kt(kt.client(auth=kt.BOB).server_info()))["user"]["id"]
    perms = await kt(client.patch_record(id="r", permissions={"read": [bob_id]}))
    assert perms["permissions"]["read"] == [bob_id]
    with pytest.raises(TypeError):
        await kt(client.patch_record(id="r", changes={"not": "a patch"}))


async def test_dates_become_iso_strings(kt: Harness) -> None:
    client = await _setup(kt)
    when = datetime.datetime(2024, 5, 17, 9, 41, 27, tzinfo=datetime.timezone.utc)
    day = datetime.date(2024, 5, 18)
    record = await kt(client.create_record(id="d", data={"when": when, "day": day}))
    assert record["data"]["when"] == when.isoformat()
    assert record["data"]["day"] == "2024-05-18"
    updated = await kt(client.update_record(id="d", data={"nested": [{"at": day}]}))
    assert updated["data"]["nested"] == [{"at": "2024-05-18"}]


async def test_get_records_merges_pages(kt: Harness) -> None:
    client = await _setup(kt)
    created = await _fill(kt, client, 23)  # the server pages by 5
    records = await kt(client.get_records())
    assert len(records) == 23
    assert {r["id"] for r in records} == {r["id"] for r in created}

    assert len(await kt(client.get_records(_limit=3))) == 3  # _limit alone: one page
    assert len(await kt(client.get_records(_limit=3, pages=2))) == 6
    assert len(await kt(client.get_records(_limit=10, pages=float("inf")))) == 23

    ascending = await kt(client.get_records(_sort="n"))
    assert [r["n"] for r in ascending] == list(range(23))
    evens = await kt(client.get_records(even=True, _sort="-n"))
    assert [r["n"] for r in evens] == list(range(22, -1, -2))
    some = await kt(client.get_records(in_n=[1, 2, 3], _sort="n"))
    assert [r["n"] for r in some] == [1, 2, 3]
    fewer = await kt(client.get_records(exclude_n=[0, 1], _sort="n"))
    assert [r["n"] for r in fewer][:2] == [2, 3]
    chosen = await kt(client.get_records(_fields="n", _sort="n", _limit=2))
    assert chosen == [
        {"id": "r00", "n": 0, "last_modified": chosen[0]["last_modified"]},
        {"id": "r01", "n": 1, "last_modified": chosen[1]["last_modified"]},
    ]


async def test_get_records_since_and_timestamp(kt: Harness) -> None:
    client = await _setup(kt)
    await _fill(kt, client, 3)
    timestamp = await kt(client.get_records_timestamp())
    assert timestamp.isdigit()
    await kt(client.create_record(id="later", data={"n": 99}))
    # The timestamp is remembered for this client (kinto-http's behaviour) ...
    assert await kt(client.get_records_timestamp()) == timestamp
    # ... and refreshed by a listing, from its ETag.
    newer = await kt(client.get_records(_since=timestamp))
    assert [r["id"] for r in newer] == ["later"]
    fresh = await kt(client.get_records_timestamp())
    assert int(fresh) > int(timestamp)
    # A new client reads it with a HEAD request.
    assert await kt(client.clone().get_records_timestamp()) == fresh
    # If-None-Match: nothing changed, nothing returned.
    assert await kt(client.get_records(if_none_match=fresh)) == []


async def test_get_paginated_records(kt: Harness) -> None:
    client = await _setup(kt)
    await _fill(kt, client, 12)
    pages = await kt.pages(client.get_paginated_records(_sort="n"))
    assert [len(p["data"]) for p in pages] == [5, 5, 2]
    assert [r["n"] for p in pages for r in p["data"]] == list(range(12))
    small = await kt.pages(client.get_paginated_records(_limit=4))
    assert [len(p["data"]) for p in small] == [4, 4, 4]
    if kt.is_async:  # awaiting it gives the list of pages, like kinto-http's async client
        assert len(await client.get_paginated_records()) == 3


async def test_delete_records(kt: Harness) -> None:
    client = await _setup(kt)
    await _fill(kt, client, 12)
    # The server deletes 5 per request (paginate_by): every page is followed.
    deleted = await kt(client.delete_records())
    assert len(deleted) == 12
    assert all(r["deleted"] for r in deleted)
    assert await kt(client.get_records()) == []


async def test_records_with_permissions(kt: Harness) -> None:
    client = await _setup(kt)
    bob = kt.client(auth=kt.BOB, bucket="b", collection="c")
    bob_id = (await kt(bob.server_info()))["user"]["id"]
    await kt(client.create_record(id="shared", data={"x": 1}, permissions={"read": [bob_id]}))
    await kt(client.create_record(id="private", data={"x": 2}))
    assert (await kt(bob.get_record(id="shared")))["data"]["x"] == 1
    with pytest.raises(errors.Forbidden):
        await kt(bob.get_record(id="private"))
    record = await kt(client.get_record(id="shared"))
    record["permissions"]["write"].append(bob_id)
    await kt(client.update_record(data=record["data"], permissions=record["permissions"]))
    assert (await kt(bob.patch_record(id="shared", changes=BasicPatch({"x": 3}))))["data"]["x"] == 3


async def test_get_permissions(kt: Harness) -> None:
    client = await _setup(kt)
    await kt(client.create_record(id="r1", data={}))
    perms = await kt(client.get_permissions())
    kinds = {p["resource_name"] for p in perms}
    assert {"bucket", "collection", "record"} <= kinds
    no_records = await kt(client.get_permissions(exclude_resource_names=("record",)))
    assert {p["resource_name"] for p in no_records} == kinds - {"record"}
    assert any(
        p["collection_id"] == "c" and "write" in p["permissions"]
        for p in no_records
        if p["resource_name"] == "collection"
    )


async def test_get_endpoint_and_odd_ids(kt: Harness) -> None:
    client = await _setup(kt)
    assert client.get_endpoint("record", id="x1") == "/buckets/b/collections/c/records/x1"
    assert client.get_endpoint("bucket", bucket="other") == "/buckets/other"
    assert client.get_endpoint("group", group="g") == "/buckets/b/groups/g"
    assert client.get_endpoint("root") == "/"
    with pytest.raises(kinto_http.KintoException, match="group is missing"):
        client.get_endpoint("group")
    # An id that is not a valid Kinto id is sent percent-encoded as one path segment,
    # never rewritten (kinto-http would slugify "a/../b" into "ab").
    assert client.get_endpoint("record", id="a/../b").endswith("/records/a%2F..%2Fb")
    with pytest.raises(errors.ClientError):
        await kt(client.create_record(id="a/../b", data={}))
    assert await kt(client.get_records()) == []


async def test_dry_mode_sends_nothing(kt: Harness) -> None:
    client = kt.client(bucket="b", collection="c", dry_mode=True)
    assert await kt(client.create_record(id="r", data={"x": 1})) == {}
    assert await kt(client.delete_record(id="r")) == {}
    assert await kt(client.delete_collection(id="c")) == {}
    async with kt.batch(client) as batch:
        await kt(batch.create_record(id="r1", data={}))
        await kt(batch.create_record(id="r2", data={}))
    assert batch.results() == [{}, {}]
    real = kt.client(bucket="b", collection="c")
    with pytest.raises(kinto_http.BucketNotFound):
        await kt(real.get_bucket())


async def test_get_with_body_is_refused(kt: Harness) -> None:
    client = kt.client()
    with pytest.raises(kinto_http.KintoException, match="not allowed to have a body"):
        await kt(client.session.request("GET", "/buckets", data={"x": 1}))
    body, headers = await kt(client.session.request("get", "/"))
    assert body["project_name"] == "kinto"
    assert headers["Content-Type"].startswith("application/json")
