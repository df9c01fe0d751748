"""The on-disk cache: hits skip parsing, misses and corrupt entries fall back to a load."""

from __future__ import annotations

import logging
import pickle
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from restwright.errors import SpecError
from restwright.openapi import ApiDescription, load, loader, normalize
from restwright.openapi import cache as cache_module


def entries(directory: Path) -> list[Path]:
    return sorted(directory.glob("openapi-*.pickle")) if directory.is_dir() else []


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


@pytest.mark.parametrize(
    "garbage",
    [b"", b"not a pickle", pickle.dumps({"a": 1}), pickle.dumps(("wrong", "", {}, None))],
)
def test_corrupt_entry_is_ignored_and_rewritten(
    documents: Path, tmp_path: Path, garbage: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    cache_dir = tmp_path / "c"
    fresh = load(documents / "petstore-v3.0.yaml", cache_dir=cache_dir)
    (entry,) = entries(cache_dir)
    entry.write_bytes(garbage)
    with caplog.at_level(logging.WARNING, logger="restwright.openapi.cache"):
        again = load(documents / "petstore-v3.0.yaml", cache_dir=cache_dir)
    assert again == fresh
    assert any("cache entry" in r.getMessage() for r in caplog.records)
    payload = pickle.loads(entry.read_bytes())
    assert isinstance(payload[3], ApiDescription)


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
