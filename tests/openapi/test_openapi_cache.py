"""The on-disk cache: hits skip parsing, misses and corrupt entries fall back to a load."""

from __future__ import annotations

import collections
import copy
import dataclasses
import datetime
import logging
import marshal
import os
import pickle
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from restwright.errors import SpecError
from restwright.openapi import Operation, load, loader, normalize
from restwright.openapi import cache as cache_module
from restwright.openapi.model import SchemaMap


def entries(directory: Path) -> list[Path]:
    return sorted(directory.glob("openapi-*.entry")) if directory.is_dir() else []


def test_miss_then_hit(documents: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache_dir = tmp_path / "c"
    fresh = load(documents / "kinto-swagger.json", cache_dir=cache_dir)
    assert len(entries(cache_dir)) == 1
    assert not list(cache_dir.glob("*.tmp"))
    monkeypatch.setattr(loader, "_parse", None)  # a hit must not parse
    cached = load(documents / "kinto-swagger.json", cache_dir=cache_dir)
    assert cached == fresh
    assert cached is not fresh
    assert cached.operation("get_records").parameters == fresh.operation("get_records").parameters


def test_env_var_is_the_default_directory(documents: Path, _isolated_cache: Path) -> None:
    load(documents / "petstore-v2.yaml")
    # petstore-v2.yaml references common.yaml: cached along with its digest.
    assert len(entries(_isolated_cache)) == 1


def test_cache_false_writes_nothing(documents: Path, _isolated_cache: Path) -> None:
    load(documents / "petstore-v2.yaml", cache=False)
    assert not _isolated_cache.exists()


def test_changed_document_misses(tmp_path: Path) -> None:
    doc = tmp_path / "api.yaml"
    doc.write_text("openapi: 3.0.3\ninfo: {title: one, version: '1'}\npaths: {}\n")
    assert load(doc, cache_dir=tmp_path / "c").title == "one"
    doc.write_text("openapi: 3.0.3\ninfo: {title: two, version: '1'}\npaths: {}\n")
    assert load(doc, cache_dir=tmp_path / "c").title == "two"
    assert len(entries(tmp_path / "c")) == 2


def framed(index: Any, values: bytes = b"") -> bytes:
    """An entry file: the magic line, the index's length and marshal, then the values."""
    data = marshal.dumps(index)
    return cache_module.MAGIC + len(data).to_bytes(8, "little") + data + values


@pytest.mark.parametrize(
    "garbage",
    [
        b"",
        b"not an entry",
        pickle.dumps({"a": 1}),
        cache_module.MAGIC + b"\xff\x00",
        framed(("wrong", "", {}, None)),
        framed((cache_module._FORMAT, "", {}, b"", b"", b"", b"", (), ())),
        framed((cache_module._FORMAT, "", {}, b"m", b"m", b"m", b"m", (), (0, 10)), b"m0"),
    ],
)
def test_corrupt_entry_is_ignored_and_rewritten(
    documents: Path,
    tmp_path: Path,
    garbage: bytes,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cache_dir = tmp_path / "c"
    fresh = load(documents / "petstore-v3.0.yaml", cache_dir=cache_dir)
    (entry,) = entries(cache_dir)
    entry.write_bytes(garbage)
    with caplog.at_level(logging.WARNING, logger="restwright.openapi.cache"):
        again = load(documents / "petstore-v3.0.yaml", cache_dir=cache_dir)
    assert again == fresh
    assert any("cache entry" in r.getMessage() for r in caplog.records)
    assert entry.read_bytes().startswith(cache_module.MAGIC)
    monkeypatch.setattr(loader, "_parse", None)  # rewritten: the next load is a hit
    assert load(documents / "petstore-v3.0.yaml", cache_dir=cache_dir) == fresh


def test_truncated_entry(documents: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "c"
    load(documents / "petstore-v3.1.yaml", cache_dir=cache_dir)
    (entry,) = entries(cache_dir)
    entry.write_bytes(entry.read_bytes()[:1000])
    assert load(documents / "petstore-v3.1.yaml", cache_dir=cache_dir).title == "Petstore"


def test_external_documents_are_part_of_the_key(tmp_path: Path) -> None:
    api = tmp_path / "api.yaml"
    api.write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n"
        "components:\n  schemas:\n    A:\n      $ref: 'common.yaml#/A'\n"
    )
    common = tmp_path / "common.yaml"
    common.write_text("A: {type: string}\n")
    cache_dir = tmp_path / "c"
    first = load(api, cache_dir=cache_dir)
    assert first.resolve(first.schemas["A"]) == {"type": "string"}
    second = load(api, cache_dir=cache_dir)  # hit: same documents
    assert second == first
    common.write_text("A: {type: integer}\n")
    third = load(api, cache_dir=cache_dir)  # stale: common.yaml changed
    assert third.resolve(third.schemas["A"]) == {"type": "integer"}
    # The same root bytes somewhere else reference another common.yaml: a miss.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(api, elsewhere / "api.yaml")
    (elsewhere / "common.yaml").write_text("A: {type: boolean}\n")
    moved = load(elsewhere / "api.yaml", cache_dir=cache_dir)
    assert moved.resolve(moved.schemas["A"]) == {"type": "boolean"}
    common.unlink()  # a referenced document that vanished invalidates the entry too
    with pytest.raises(SpecError, match="common"):
        load(api, cache_dir=cache_dir)


def test_dict_sources_are_cached_by_canonical_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}}
    cache_dir = tmp_path / "c"
    fresh = load(doc, cache_dir=cache_dir)
    monkeypatch.setattr(normalize, "normalize", None)  # a hit must not normalize
    reordered = {"paths": {}, "info": {"version": "1", "title": "t"}, "openapi": "3.0.3"}
    assert load(reordered, cache_dir=cache_dir) == fresh


def test_uncacheable_dicts_still_load(tmp_path: Path) -> None:
    doc: dict[str, Any] = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}}
    doc["paths"] = {}
    doc["x-self"] = doc  # cyclic: no canonical JSON
    assert load(doc, cache_dir=tmp_path / "c").title == "t"
    assert entries(tmp_path / "c") == []
    assert cache_module.key_for_dict({1: "a", "b": 2}) is None  # keys of mixed types


def test_source_url_follows_the_current_source(
    doc_server: Any, documents: Path, tmp_path: Path
) -> None:
    cache_dir = tmp_path / "c"
    remote = load(doc_server.url("kinto-swagger.json"), cache_dir=cache_dir)
    assert remote.source_url == doc_server.url("kinto-swagger.json")
    local = load(documents / "kinto-swagger.json", cache_dir=cache_dir)  # same bytes: a hit
    assert len(entries(cache_dir)) == 1
    assert local.source_url is None
    again = load(doc_server.url("kinto-swagger.json"), cache_dir=cache_dir)
    assert again.source_url == doc_server.url("kinto-swagger.json")


def test_unwritable_cache_directory_only_warns(
    documents: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("")
    with caplog.at_level(logging.WARNING, logger="restwright.openapi.cache"):
        api = load(documents / "petstore-v3.0.yaml", cache_dir=not_a_dir)
    assert api.title == "Petstore"
    assert any("cannot write" in r.getMessage() for r in caplog.records)


def test_default_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache_module.ENV_VAR, "/somewhere/else")
    assert cache_module.default_cache_dir() == Path("/somewhere/else")
    monkeypatch.delenv(cache_module.ENV_VAR)
    platformdirs = pytest.importorskip("platformdirs")
    assert cache_module.default_cache_dir() == Path(platformdirs.user_cache_dir("restwright"))
    monkeypatch.setitem(sys.modules, "platformdirs", None)  # import fails
    assert cache_module.default_cache_dir() == Path.home() / ".cache" / "restwright"


def test_key_for_file_matches_key_for_bytes(documents: Path) -> None:
    path = documents / "kinto-swagger.json"
    assert cache_module.key_for_file(path) == cache_module.key_for_bytes(path.read_bytes())
    with pytest.raises(OSError):
        cache_module.key_for_file(documents)


def test_cached_model_resolves_like_the_fresh_one(documents: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "c"
    load(documents / "petstore-v3.0.yaml", cache_dir=cache_dir)
    cached = load(documents / "petstore-v3.0.yaml", cache_dir=cache_dir)
    category = cached.schemas["Category"]
    assert cached.resolve(category["properties"]["children"]["items"]) is category
    tag = cached.resolve(cached.schemas["Pet"]["properties"]["tag"])
    assert cached.resolve(tag["properties"]["related"]["items"]) is tag
    assert cached.operation("listPets").name == "list_pets"


# -- lazy restoration ------------------------------------------------------------------------


def test_a_hit_decodes_only_what_is_read(documents: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "c"
    fresh = load(documents / "petstore-v3.0.yaml", cache_dir=cache_dir)
    cached = load(documents / "petstore-v3.0.yaml", cache_dir=cache_dir)
    assert isinstance(cached.schemas, SchemaMap)
    assert cached.schemas._decoded == {}  # nothing decoded yet
    assert list(cached.schemas) == list(fresh.schemas)
    assert "Pet" in cached.schemas and "Nope" not in cached.schemas
    assert cached.schemas.get("Nope", 1) == 1
    pet = cached.schemas["Pet"]
    assert pet == fresh.schemas["Pet"]
    assert cached.schemas["Pet"] is pet and cached.schemas.get("Pet") is pet
    assert list(cached.schemas._decoded) == ["Pet"]
    op = cached.operation("listPets")
    assert op.name == "list_pets" and op.tag_name == "pets"
    assert op._deferred_decode is not None  # only the head fields are set so far
    assert op.parameters == fresh.operation("listPets").parameters
    assert op._deferred_decode is None
    assert op == fresh.operation("listPets")
    with pytest.raises(AttributeError):
        _ = op.no_such_field
    assert not hasattr(cached.operation("createPet"), "no_such_field")
    # Everything a reader can observe is that of the fresh model.
    assert cached == fresh and fresh == cached
    assert cached.schemas == fresh.schemas and fresh.schemas == cached.schemas
    assert repr(cached) == repr(fresh)
    assert pickle.loads(pickle.dumps(cached)) == fresh
    assert type(pickle.loads(pickle.dumps(cached)).schemas) is dict
    assert copy.deepcopy(cached) == fresh
    renamed = dataclasses.replace(cached.operation("getPetById"), name="show")
    assert renamed.path == fresh.operation("getPetById").path and renamed.name == "show"
    for schema in cached.schemas.values():
        cached.resolve(schema)


def test_deferred_operation_decoded_by_several_threads(documents: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "c"
    fresh = load(documents / "kinto-swagger.json", cache_dir=cache_dir)

    def read(ops: list[Operation], barrier: threading.Barrier) -> list[Any]:
        barrier.wait()
        return [(op.parameters, op.responses, op.summary) for op in ops]

    for _ in range(20):
        ops = load(documents / "kinto-swagger.json", cache_dir=cache_dir).operations
        barrier = threading.Barrier(4)
        with ThreadPoolExecutor(4) as pool:
            results = list(pool.map(read, [ops] * 4, [barrier] * 4))
        expected = [(op.parameters, op.responses, op.summary) for op in fresh.operations]
        assert all(r == expected for r in results)


def test_references_into_a_schema_stay_inside_it(tmp_path: Path) -> None:
    doc = tmp_path / "api.yaml"
    doc.write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n"
        "components:\n  schemas:\n"
        "    A:\n      type: object\n      properties:\n"
        "        b: {type: string}\n        c: {$ref: '#/components/schemas/A/properties/b'}\n"
        "    D:\n      type: array\n      items: {$ref: '#/components/schemas/A/properties/c'}\n"
    )
    cache_dir = tmp_path / "c"
    fresh = load(doc, cache_dir=cache_dir)
    cached = load(doc, cache_dir=cache_dir)
    assert isinstance(cached.schemas, SchemaMap)
    assert cached.ref_targets == fresh.ref_targets
    assert list(cached.ref_targets) == list(fresh.ref_targets)
    b = cached.schemas["A"]["properties"]["b"]
    assert cached.resolve(cached.schemas["D"]["items"]) is b
    assert cached.resolve({"$ref": "#/components/schemas/A/properties/c"}) is b


def test_values_marshal_cannot_hold_are_pickled(tmp_path: Path) -> None:
    when = datetime.date(2024, 1, 2)
    schema = collections.OrderedDict(type="string", example=when)
    doc = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/a": {
                "get": {
                    "parameters": [{"name": "q", "in": "query", "schema": schema}],
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
        "components": {"schemas": {"A": schema}},
    }
    cache_dir = tmp_path / "c"
    fresh = load(doc, cache_dir=cache_dir)
    cached = load(doc, cache_dir=cache_dir)
    assert isinstance(cached.schemas, SchemaMap)
    assert cached == fresh
    assert type(cached.schemas["A"]) is collections.OrderedDict
    assert cached.schemas["A"]["example"] == when
    assert type(cached.operations[0].parameters[0].schema) is collections.OrderedDict


def test_yaml_cycles_survive_the_cache(tmp_path: Path) -> None:
    doc = tmp_path / "api.yaml"
    doc.write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n"
        "components:\n  schemas:\n    A: &a\n      type: object\n"
        "      properties:\n        self: *a\n"
    )
    cache_dir = tmp_path / "c"
    load(doc, cache_dir=cache_dir)
    cached = load(doc, cache_dir=cache_dir)
    assert isinstance(cached.schemas, SchemaMap)
    assert cached.schemas["A"]["properties"]["self"] is cached.schemas["A"]


# -- file records: the digest of an unchanged file is not recomputed ------------------------


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files count as settled at once (instead of RACY_SECONDS after their last change)."""
    monkeypatch.setattr(cache_module, "RACY_SECONDS", -3600)


def records(directory: Path) -> list[Path]:
    return sorted(directory.glob("openapi-*.stat"))


def refuse_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(path: Path) -> str:
        raise AssertionError(f"{path} was hashed")

    monkeypatch.setattr(cache_module, "key_for_file", fail)


def test_unchanged_file_is_not_hashed(
    documents: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settled: None
) -> None:
    cache_dir = tmp_path / "c"
    fresh = load(documents / "kinto-swagger.json", cache_dir=cache_dir)
    (record,) = records(cache_dir)
    key = cache_module.key_for_file(documents / "kinto-swagger.json")
    assert record.read_bytes().endswith(b"\0" + key.encode())
    refuse_hashing(monkeypatch)
    monkeypatch.setattr(loader, "_parse", None)
    assert load(documents / "kinto-swagger.json", cache_dir=cache_dir) == fresh
    store = cache_module.DescriptionCache(cache_dir)
    assert store.file_key(documents / "kinto-swagger.json") == key


def test_recently_changed_file_is_not_recorded(documents: Path, tmp_path: Path) -> None:
    doc = tmp_path / "api.json"
    shutil.copy(documents / "kinto-swagger.json", doc)  # modified just now
    load(doc, cache_dir=tmp_path / "c")
    load(doc, cache_dir=tmp_path / "c")
    assert records(tmp_path / "c") == []
    os.utime(doc, (time.time() - 60, time.time() - 60))  # the ctime is still recent
    load(doc, cache_dir=tmp_path / "c")
    assert records(tmp_path / "c") == []


def test_rewritten_file_is_hashed_again(tmp_path: Path, settled: None) -> None:
    doc = tmp_path / "api.yaml"
    text = "openapi: 3.0.3\ninfo: {title: %s, version: '1'}\npaths: {}\n"
    doc.write_text(text % "one")
    before = doc.stat()
    assert load(doc, cache_dir=tmp_path / "c").title == "one"
    assert len(records(tmp_path / "c")) == 1
    # Same size, same mtime (set back): the ctime still tells the file was changed.
    time.sleep(0.05)
    doc.write_text(text % "two")
    os.utime(doc, ns=(before.st_atime_ns, before.st_mtime_ns))
    if doc.stat().st_ctime_ns == before.st_ctime_ns:
        pytest.skip("the file system's ctime did not move in 50 ms")
    assert load(doc, cache_dir=tmp_path / "c").title == "two"
    # Same size, another mtime.
    doc.write_text(text % "six")
    os.utime(doc, ns=(before.st_atime_ns, before.st_mtime_ns + 10**9))
    assert load(doc, cache_dir=tmp_path / "c").title == "six"
    # Replaced by another file (another inode) of the same size.
    other = tmp_path / "other.yaml"
    other.write_text(text % "ten")
    os.replace(other, doc)
    assert load(doc, cache_dir=tmp_path / "c").title == "ten"
    assert len(records(tmp_path / "c")) == 1  # one record per path, rewritten


def test_record_of_another_path_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settled: None
) -> None:
    text = "openapi: 3.0.3\ninfo: {title: %s, version: '1'}\npaths: {}\n"
    first, second = tmp_path / "first.yaml", tmp_path / "second.yaml"
    first.write_text(text % "one")
    second.write_text(text % "two")
    cache_dir = tmp_path / "c"
    load(first, cache_dir=cache_dir)
    store = cache_module.DescriptionCache(cache_dir)
    record = store.record_for(str(first))
    # Whatever sits in the slot of `second` (a tag collision, garbage) is not trusted.
    for content in (record.read_bytes(), b"garbage", b""):
        store.record_for(str(second)).write_bytes(content)
        assert load(second, cache_dir=cache_dir).title == "two"


def test_unreadable_record_directory_still_loads(
    documents: Path, tmp_path: Path, settled: None
) -> None:
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("")
    assert load(documents / "kinto-swagger.json", cache_dir=not_a_dir).title


def test_a_hit_imports_little(documents: Path, tmp_path: Path) -> None:
    """A hit on a recorded file needs no hashlib, pickle, tempfile, YAML or logging."""
    script = (
        "import sys\n"
        "from restwright.openapi import cache, load\n"
        "cache.RACY_SECONDS = -3600\n"
        "api = load(sys.argv[1])\n"
        "api.operations[0].parameters, api.schemas[next(iter(api.schemas))]\n"
        "heavy = ('hashlib', 'logging', 'pickle', 'tempfile', 'yaml', 'urllib.request')\n"
        "print(','.join(m for m in heavy if m in sys.modules))\n"
    )
    env = {**os.environ, "RESTWRIGHT_CACHE_DIR": str(tmp_path / "c")}
    doc = str(documents / "kinto-swagger.json")
    runs = [
        subprocess.run(
            [sys.executable, "-c", script, doc], env=env, capture_output=True, text=True, check=True
        ).stdout.strip()
        for _ in range(2)
    ]
    assert "hashlib" in runs[0]  # the miss hashed the file, parsed and stored it
    assert runs[1] == ""
