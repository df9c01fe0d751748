"""Buckets, groups and collections against the real Kinto server, sync and async."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

import restwright.kinto as kinto_http
from restwright import errors
from restwright.kinto.patch_type import BasicPatch, JSONPatch, MergePatch

if TYPE_CHECKING:
    from conftest import Harness

pytestmark = pytest.mark.kinto


async def test_server_info_is_cached(kt: Harness) -> None:
    client = kt.client()
    info = await kt(client.server_info())
    assert info["settings"]["batch_max_requests"] == 10
    assert "attachments" in info["capabilities"]
    assert info["user"]["id"].startswith("basicauth:")
    calls: list[str] = []
    original = client.session.request

    def spy(method: str, endpoint: str, **kwargs: object) -> object:
        calls.append(endpoint)
        return original(method, endpoint, **kwargs)

    client.session.request = spy
    assert await kt(client.server_info()) is info
    assert calls == []


async def test_bucket_lifecycle(kt: Harness) -> None:
    client = kt.client()
    created = await kt(client.create_bucket(id="blog", data={"title": "Blog"}))
    assert created["data"]["id"] == "blog"
    assert created["data"]["title"] == "Blog"
    assert any(p.startswith("basicauth:") for p in created["permissions"]["write"])

    got = await kt(client.get_bucket(id="blog"))
    assert got["data"] == created["data"]

    updated = await kt(client.update_bucket(id="blog", data={"title": "New"}))
    assert updated["data"]["title"] == "New"
    patched = await kt(client.patch_bucket(id="blog", changes=BasicPatch({"lang": "fr"})))
    assert patched["data"]["title"] == "New"
    assert patched["data"]["lang"] == "fr"

    buckets = await kt(client.get_buckets())
    assert [b["id"] for b in buckets] == ["blog"]

    deleted = await kt(client.delete_bucket(id="blog"))
    assert deleted["deleted"] is True
    with pytest.raises(kinto_http.BucketNotFound) as info:
        await kt(client.get_bucket(id="blog"))
    # A missing bucket is hidden behind 403 for users who cannot read it.
    assert isinstance(info.value, errors.Forbidden)
    assert info.value.response.status_code == 403


async def test_default_bucket_is_the_client_bucket(kt: Harness) -> None:
    client = kt.client(bucket="mine")
    await kt(client.create_bucket())
    assert (await kt(client.get_bucket()))["data"]["id"] == "mine"
    default = kt.client()  # bucket="default": the personal bucket of the default_bucket plugin
    assert (await kt(default.get_bucket()))["data"]["id"] != "default"


async def test_create_bucket_safe_and_if_not_exists(kt: Harness) -> None:
    client = kt.client()
    first = await kt(client.create_bucket(id="b1", data={"v": 1}))
    with pytest.raises(kinto_http.KintoException) as info:
        await kt(client.create_bucket(id="b1", data={"v": 2}))
    assert isinstance(info.value, errors.PreconditionFailed)
    assert info.value.response.status_code == 412
    # if_not_exists: the existing bucket is returned, unchanged.
    again = await kt(client.create_bucket(id="b1", data={"v": 3}, if_not_exists=True))
    assert again["data"] == first["data"]
    # safe=False overwrites.
    forced = await kt(client.create_bucket(id="b1", data={"v": 4}, safe=False))
    assert forced["data"]["v"] == 4


async def test_update_with_stale_timestamp_is_refused(kt: Harness) -> None:
    client = kt.client()
    bucket = (await kt(client.create_bucket(id="b1", data={"v": 1})))["data"]
    await kt(client.update_bucket(id="b1", data={"v": 2}))
    with pytest.raises(errors.PreconditionFailed) as info:
        await kt(client.update_bucket(data={**bucket, "v": 3}))  # last_modified is stale
    assert isinstance(info.value, kinto_http.KintoException)
    with pytest.raises(errors.PreconditionFailed):
        await kt(client.patch_bucket(id="b1", changes=BasicPatch({"v": 3}), if_match=1))
    with pytest.raises(errors.PreconditionFailed):
        await kt(client.delete_bucket(id="b1", if_match=bucket["last_modified"]))
    # safe=False ignores the timestamp.
    done = await kt(client.update_bucket(data={**bucket, "v": 3}, safe=False))
    assert done["data"]["v"] == 3


async def test_delete_if_exists_and_delete_buckets(kt: Harness) -> None:
    client = kt.client()
    assert await kt(client.delete_bucket(id="nothing", if_exists=True)) is None
    await kt(client.create_bucket(id="b1"))
    await kt(client.create_bucket(id="b2"))
    deleted = await kt(client.delete_buckets())
    assert sorted(b["id"] for b in deleted) == ["b1", "b2"]
    assert await kt(client.get_buckets()) == []


async def test_permissions_and_forbidden(kt: Harness) -> None:
    alice = kt.client()
    bob = kt.client(auth=kt.BOB)
    bob_id = (await kt(bob.server_info()))["user"]["id"]
    await kt(alice.create_bucket(id="shared"))
    with pytest.raises(kinto_http.BucketNotFound) as info:
        await kt(bob.get_bucket(id="shared"))
    assert isinstance(info.value, errors.Forbidden)

    await kt(alice.patch_bucket(id="shared", permissions={"read": [bob_id]}))
    seen = await kt(bob.get_bucket(id="shared"))
    assert seen["data"]["id"] == "shared"
    with pytest.raises(kinto_http.KintoException) as info2:
        await kt(bob.create_collection(id="c", bucket="shared"))
    assert isinstance(info2.value, errors.Forbidden)
    assert "permission to create or write on this collection" in str(info2.value)
    with pytest.raises(errors.Forbidden):
        await kt(bob.delete_bucket(id="shared"))
    # if_exists on a bucket also swallows 403 (kinto-http's behaviour).
    assert await kt(bob.delete_bucket(id="shared", if_exists=True)) is None


async def test_unauthenticated_get_bucket(kt: Harness) -> None:
    anonymous = kt.client(auth=None)
    with pytest.raises(kinto_http.KintoException) as info:
        await kt(anonymous.get_bucket(id="private"))
    assert isinstance(info.value, errors.Unauthorized)
    assert "Please authenticate" in str(info.value)


async def test_groups(kt: Harness) -> None:
    client = kt.client(bucket="team")
    await kt(client.create_bucket())
    group = await kt(client.create_group(id="devs", data={"members": ["account:x"]}))
    assert group["data"]["members"] == ["account:x"]
    assert (await kt(client.get_group(id="devs")))["data"]["members"] == ["account:x"]
    again = await kt(client.create_group(id="devs", data={"members": []}, if_not_exists=True))
    assert again["data"]["members"] == ["account:x"]
    with pytest.raises(errors.PreconditionFailed):
        await kt(client.create_group(id="devs", data={"members": []}))

    updated = await kt(client.update_group(id="devs", data={"members": ["account:y"]}))
    assert updated["data"]["members"] == ["account:y"]
    patched = await kt(
        client.patch_group(
            id="devs",
            changes=JSONPatch([{"op": "add", "path": "/data/members/0", "value": "account:z"}]),
        )
    )
    assert patched["data"]["members"] == ["account:z", "account:y"]
    merged = await kt(client.patch_group(id="devs", changes=MergePatch({"label": "Devs"})))
    assert merged["data"]["label"] == "Devs"

    await kt(client.create_group(id="ops", data={"members": []}))
    assert [g["id"] for g in await kt(client.get_groups())] == ["ops", "devs"]
    assert (await kt(client.delete_group(id="ops")))["deleted"] is True
    assert await kt(client.delete_group(id="ops", if_exists=True)) is None
    with pytest.raises(errors.NotFound):
        await kt(client.delete_group(id="ops"))
    with pytest.raises(errors.NotFound):
        await kt(client.get_group(id="ops"))
    deleted = await kt(client.delete_groups())
    assert [g["id"] for g in deleted] == ["devs"]

    with pytest.raises(KeyError):
        await kt(client.create_group(data={"members": []}))
    with pytest.raises(KeyError):
        await kt(client.update_group(data={"members": []}))


async def test_group_create_forbidden_message(kt: Harness) -> None:
    client = kt.client()
    with pytest.raises(kinto_http.KintoException) as info:
        await kt(client.create_group(id="g", bucket="not-mine", data={"members": []}))
    assert isinstance(info.value, errors.Forbidden)
    assert "permission to create or write on this group" in str(info.value)


async def test_collections(kt: Harness) -> None:
    client = kt.client(bucket="blog", collection="articles")
    await kt(client.create_bucket())
    created = await kt(client.create_collection(data={"schema": {}}))
    assert created["data"]["id"] == "articles"
    again = await kt(client.create_collection(if_not_exists=True))
    assert again["data"] == created["data"]
    assert (await kt(client.get_collection()))["data"]["id"] == "articles"
    updated = await kt(client.update_collection(data={"title": "A"}))
    assert updated["data"]["title"] == "A"
    patched = await kt(
        client.patch_collection(original=updated["data"], changes=MergePatch({"x": 1}))
    )
    assert patched["data"]["x"] == 1
    with pytest.raises(errors.PreconditionFailed):  # original's timestamp is now stale
        await kt(client.patch_collection(original=updated["data"], changes=MergePatch({"x": 2})))

    await kt(client.create_collection(id="drafts"))
    assert {c["id"] for c in await kt(client.get_collections())} == {"articles", "drafts"}
    assert (await kt(client.delete_collection(id="drafts")))["deleted"] is True
    assert await kt(client.delete_collection(id="drafts", if_exists=True)) is None
    with pytest.raises(kinto_http.CollectionNotFound) as info:
        await kt(client.get_collection(id="drafts"))
    assert isinstance(info.value, errors.NotFound)
    assert info.value.response.status_code == 404
    deleted = await kt(client.delete_collections())
    assert [c["id"] for c in deleted] == ["articles"]


async def test_review_workflow_fields(kt: Harness) -> None:
    # The review helpers (kinto-remote-settings) are PATCHes of collection fields.
    client = kt.client(bucket="main", collection="cfg")
    await kt(client.create_bucket())
    await kt(client.create_collection())
    data = (await kt(client.request_review("please")))["data"]
    assert (data["status"], data["last_editor_comment"]) == ("to-review", "please")
    data = (await kt(client.decline_changes("no")))["data"]
    assert (data["status"], data["last_reviewer_comment"]) == ("work-in-progress", "no")
    data = (await kt(client.approve_changes()))["data"]
    assert data["status"] == "to-sign"
    data = (await kt(client.rollback_changes("undo")))["data"]
    assert (data["status"], data["last_editor_comment"]) == ("to-rollback", "undo")
    # This server has no changeset endpoint (kinto-remote-settings): a 404 error.
    with pytest.raises(errors.NotFound):
        await kt(client.get_changeset())


async def test_clone_and_repr(kt: Harness) -> None:
    client = kt.client(bucket="b1", collection="c1")
    assert repr(client).endswith("/v1/buckets/b1/collections/c1>")
    other = client.clone(collection="c2")
    assert other.session is client.session
    assert (other.bucket_name, other.collection_name) == ("b1", "c2")
    bob = client.clone(auth=kt.BOB)
    assert bob.session is not client.session
    assert bob.session.engine.base_url == client.session.engine.base_url
    assert (await kt(bob.server_info()))["user"]["id"] != (await kt(client.server_info()))["user"][
        "id"
    ]
    retrying = client.clone(retry=3, retry_after=0)
    assert retrying.session.nb_retry == 3
    assert retrying.session.engine.retry.total == 3
    assert type(retrying) is type(client)
