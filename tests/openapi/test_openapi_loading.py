"""Where documents come from: paths, URLs, dicts, JSON and YAML text, bytes."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest
import yaml

from restwright.errors import SpecError
from restwright.openapi import ApiDescription, load
from restwright.openapi.loader import parse_document

PETSTORES = ["petstore-v2.yaml", "petstore-v3.0.yaml", "petstore-v3.1.yaml"]


def _summary(api: ApiDescription) -> list[tuple[str, str, str, list[str]]]:
    return [
        (op.name, op.method, op.path, [p.python_name for p in op.parameters])
        for op in api.operations
    ]


@pytest.mark.parametrize("name", PETSTORES)
def test_path_as_str_and_as_pathlib(documents: Path, name: str) -> None:
    from_str = load(str(documents / name), cache=False)
    from_path = load(documents / name, cache=False)
    assert isinstance(from_str, ApiDescription)
    assert from_str.title == "Petstore"
    assert _summary(from_str) == _summary(from_path)
    assert from_str.source_url is None


def test_relative_path_and_file_uri(documents: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(documents.parent)
    relative = load("documents/petstore-v3.0.yaml", cache=False)
    uri = load((documents / "petstore-v3.0.yaml").as_uri(), cache=False)
    assert _summary(relative) == _summary(uri)


@pytest.mark.parametrize("name", [*PETSTORES, "kinto-swagger.json"])
def test_url(doc_server: Any, documents: Path, name: str) -> None:
    api = load(doc_server.url(name), cache=False)
    assert _summary(api) == _summary(load(documents / name, cache=False))
    assert api.source_url == doc_server.url(name)


def test_url_resolves_relative_servers_against_the_document(doc_server: Any) -> None:
    api = load(doc_server.url("petstore-v3.0.yaml"), cache=False)
    assert api.servers == ["http://localhost:4010/v1", "/v1"]
    assert api.resolve_server() == "http://localhost:4010/v1"
    assert api.resolve_server(index=1) == f"http://127.0.0.1:{doc_server.port}/v1"


def test_relative_server_without_a_base_is_an_error(documents: Path) -> None:
    api = load(documents / "petstore-v3.0.yaml", cache=False)
    with pytest.raises(ValueError, match="relative"):
        api.resolve_server(index=1)
    assert api.resolve_server("https://pets.example/docs/api.yaml", index=1) == (
        "https://pets.example/v1"
    )


def test_url_not_found_is_a_spec_error(doc_server: Any) -> None:
    with pytest.raises(SpecError, match="404"):
        load(doc_server.url("missing.yaml"), cache=False)


def test_url_connection_refused_is_a_spec_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(SpecError, match="cannot fetch"):
        load(f"http://127.0.0.1:{port}/openapi.json", cache=False, timeout=5)


def test_url_timeout_is_a_spec_error() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)  # accepts the connection, never answers
        port = server.getsockname()[1]
        with pytest.raises(SpecError, match="cannot fetch"):
            load(f"http://127.0.0.1:{port}/slow.json", cache=False, timeout=0.3)


def test_dict_json_text_yaml_text_and_bytes_agree(documents: Path) -> None:
    text = (documents / "kinto-swagger.json").read_text()
    as_dict = json.loads(text)
    expected = _summary(load(as_dict, cache=False))
    assert _summary(load(text, cache=False)) == expected
    assert _summary(load(text.encode(), cache=False)) == expected
    yaml_text = yaml.safe_dump(as_dict, sort_keys=False)
    assert _summary(load(yaml_text, cache=False)) == expected


def test_one_line_yaml_text() -> None:
    api = load("{openapi: 3.0.0, info: {title: t, version: '1'}, paths: {}}", cache=False)
    assert api.title == "t"
    assert api.operations == []


def test_dict_source_is_not_modified(documents: Path) -> None:
    source = yaml.safe_load((documents / "petstore-v3.0.yaml").read_text())
    # The document's external $refs resolve against the current directory for dicts.
    before = json.dumps(source, sort_keys=True)
    with pytest.raises(SpecError, match=r"common\.yaml"):
        load(source, cache=False)
    assert json.dumps(source, sort_keys=True) == before


def test_dict_with_external_refs_is_copied_not_modified(
    documents: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(documents)
    source = yaml.safe_load((documents / "petstore-v3.0.yaml").read_text())
    before = json.dumps(source, sort_keys=True)
    api = load(source, cache=False)
    assert json.dumps(source, sort_keys=True) == before
    tag = api.resolve(api.schemas["Pet"]["properties"]["tag"])
    assert tag["properties"]["name"] == {"type": "string"}


def test_missing_file_is_a_spec_error(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="no such file"):
        load(tmp_path / "nope.yaml", cache=False)
    with pytest.raises(SpecError, match="no such file"):
        load(str(tmp_path), cache=False)  # a directory is not a document


def test_unsupported_source_type() -> None:
    with pytest.raises(TypeError):
        load(42)  # type: ignore[arg-type]


def test_yaml_keeps_dates_as_strings_and_numbers_as_text() -> None:
    doc = parse_document(b"a: 2024-01-01\nb: 1.0\n")
    assert doc == {"a": "2024-01-01", "b": 1.0}
    api = load("openapi: 3.0.0\ninfo:\n  title: 12\n  version: 1.0\npaths: {}\n", cache=False)
    assert (api.title, api.version) == ("12", "1.0")


def test_yaml_int_response_codes() -> None:
    text = """
openapi: 3.0.0
info: {title: t, version: '1'}
paths:
  /a:
    get:
      responses:
        200: {description: ok}
        4xx: {description: client error}
"""
    op = load(text, cache=False).operations[0]
    assert list(op.responses) == ["200", "4XX"]


def test_big_json_with_non_ascii_text_decodes_exactly() -> None:
    # Above the size threshold non-ASCII characters are escaped before decoding.
    payload: dict[str, Any] = {
        "openapi": "3.0.0",
        "info": {"title": "Caf\u00e9 \U0001f36b \u2014 \\\u00e9", "version": "1"},
        "paths": {},
        "x-padding": ["p" * 1000] * 1200,
    }
    data = json.dumps(payload, ensure_ascii=False).encode()
    assert len(data) > 1024 * 1024
    api = load(data, cache=False)
    assert api.title == "Caf\u00e9 \U0001f36b \u2014 \\\u00e9"


def test_utf8_bom_and_utf16() -> None:
    text = '{"openapi": "3.0.0", "info": {"title": "\u00e9", "version": "1"}, "paths": {}}'
    assert load(b"\xef\xbb\xbf" + text.encode(), cache=False).title == "\u00e9"
    assert load(text.encode("utf-16"), cache=False).title == "\u00e9"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (b'{"openapi": "3.0.0", ', "not valid JSON"),
        (b"openapi: [unclosed\n", "not valid YAML"),
        (b"\xff\xfe\xfa", "not valid"),
        (b"- just\n- a list\n", "must be an object"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b"a: &x [*x, *x]\n", "not an OpenAPI document"),
    ],
)
def test_unparsable_documents(source: bytes, message: str) -> None:
    with pytest.raises(SpecError, match=message):
        load(source, cache=False)
