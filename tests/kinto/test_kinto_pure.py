"""The pure helpers shared by both clients (no server needed for these)."""

from __future__ import annotations

import datetime
import json
import pickle
from pathlib import Path

import pytest

import restwright
import restwright.kinto as kinto_http
from restwright.kinto import utils
from restwright.kinto._core import Record
from restwright.kinto.patch_type import BasicPatch, JSONPatch, MergePatch, PatchType
from restwright.kinto.session import DEFAULT_TIMEOUT, encode_params


def test_slugify_keeps_ids_and_encodes_the_rest() -> None:
    assert utils.slugify("abc-DEF_1") == "abc-DEF_1"
    assert utils.slugify("c6894b2c-1856-11e6-9415-3c970ede22b0").startswith("c6894b2c")
    assert utils.slugify(42) == "42"
    assert utils.slugify("a b/c") == "a%20b%2Fc"
    assert utils.slugify("..") == "%2E%2E"
    assert utils.slugify("Café") == "Caf%C3%A9"


def test_endpoints() -> None:
    endpoints = kinto_http.Endpoints()
    records = endpoints.get("records", bucket="b", collection="c")
    assert records == "/buckets/b/collections/c/records"
    assert endpoints.get("record", bucket="b", collection="c", id=0) == (
        "/buckets/b/collections/c/records/0"
    )
    assert endpoints.get("history", bucket="b") == "/buckets/b/history"
    with pytest.raises(kinto_http.KintoException, match="collection is missing"):
        endpoints.get("records", bucket="b", collection=None)
    assert kinto_http.Endpoints("/v1").get("batch") == "/v1/batch"


def test_small_utils(tmp_path: Path) -> None:
    assert utils.quote("123") == '"123"' == utils.quote('"123"') == utils.quote(123)
    assert [list(c) for c in utils.chunks([1, 2, 3, 4, 5], 2)] == [[1, 2], [3, 4], [5]]
    assert [list(c) for c in utils.chunks([1, 2], 0)] == [[1, 2]]
    assert utils.urljoin("http://h/v1/", "/buckets") == "http://h/v1/buckets"
    when = datetime.datetime(2020, 1, 2, 3, 4, 5)
    assert json.loads(utils.json_dumps({"at": when, "day": when.date()})) == {
        "at": "2020-01-02T03:04:05",
        "day": "2020-01-02",
    }
    with pytest.raises(TypeError):
        utils.json_dumps({"x": object()})
    records = [{"id": "a", "n": 2, "s": "x"}, {"id": "b", "n": 1, "s": "y"}]
    assert [r["id"] for r in utils.sort_records(records, "n")] == ["b", "a"]
    assert [r["id"] for r in utils.sort_records(records, "-s")] == ["b", "a"]
    assert utils.records_equal({"id": 1, "last_modified": 1}, {"id": 1, "last_modified": 2})
    create, update, delete = utils.collection_diff(
        [{"id": "1", "v": 1}, {"id": "2", "v": 2, "last_modified": 5}],
        [{"id": "2", "v": 1}, {"id": "3", "v": 3}],
    )
    assert create == [{"id": "1", "v": 1}]
    assert update == [({"id": "2", "v": 1}, {"id": "2", "v": 2})]
    assert delete == [{"id": "3", "v": 3}]
    path = tmp_path / "f"
    path.write_bytes(b"hello")
    assert utils.compute_sha256(path) == (
        "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
    )


def test_patch_types() -> None:
    assert BasicPatch({"a": 1}).body == {"data": {"a": 1}}
    assert BasicPatch(permissions={"read": ["x"]}).body == {"permissions": {"read": ["x"]}}
    assert MergePatch({"a": None}).content_type == "application/merge-patch+json"
    assert not isinstance(MergePatch(), BasicPatch)
    ops = [{"op": "remove", "path": "/data/a"}]
    assert JSONPatch(ops).body == ops
    assert JSONPatch(ops).content_type == "application/json-patch+json"
    assert all(issubclass(k, PatchType) for k in (BasicPatch, MergePatch, JSONPatch))


def test_params_encoding() -> None:
    assert encode_params(
        {"in_id": ["a", "b"], "exclude_x": "y", "_limit": 5, "flag": True, "s": "str", "n": None}
    ) == {"in_id": "a,b", "exclude_x": "y,", "_limit": "5", "flag": "true", "s": "str", "n": "null"}


def test_record_remembers_its_collection() -> None:
    record = Record({"id": "r", "x": 1}, ("b", "c"))
    assert record == {"id": "r", "x": 1}
    assert record.kinto_parent == ("b", "c")
    assert json.loads(json.dumps(record)) == {"id": "r", "x": 1}
    assert pickle.loads(pickle.dumps(record)).kinto_parent == ("b", "c")


def test_client_arguments() -> None:
    with pytest.raises(AttributeError, match="either set session"):
        kinto_http.Client()
    client = kinto_http.Client(server_url="http://kinto.test/v1")
    with pytest.raises(AttributeError, match="cannot specify session"):
        kinto_http.Client(session=client.session, server_url="http://kinto.test/v1")
    assert client.session.timeout is DEFAULT_TIMEOUT
    assert client.session.engine.timeout == restwright.Timeout(5.0, 30.0)
    assert kinto_http.Client(
        server_url="http://k.test/v1", timeout=None
    ).session.engine.timeout == restwright.Timeout.of(None)
    assert (
        kinto_http.Client(server_url="http://k.test/v1", timeout=(1, 2)).session.engine.timeout
        == restwright.Timeout.of((1, 2))
        == (1, 2, 2, None)
    )
    assert client.bucket_name == "default" and client.collection_name is None
    invalid = kinto_http.Client(server_url="...")  # accepted, fails when used
    with pytest.raises(kinto_http.KintoException, match="Invalid server_url"):
        invalid.server_info()
    no_url = kinto_http.Client(auth=("a", "b"))
    with pytest.raises(kinto_http.KintoException, match="No server_url"):
        no_url.server_info()
