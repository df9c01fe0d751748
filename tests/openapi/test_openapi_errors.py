"""Malformed documents raise SpecError naming the JSON pointer and what was expected."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from restwright.errors import SpecError
from restwright.openapi import load

OK = {"responses": {"200": {"description": "ok"}}}


def v3(paths: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}}
    doc["paths"] = paths if paths is not None else {}
    doc.update(extra)
    return doc


def v2(paths: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {"swagger": "2.0", "info": {"title": "t", "version": "1"}}
    doc["paths"] = paths if paths is not None else {}
    doc.update(extra)
    return doc


def spec_error(source: Any) -> SpecError:
    with pytest.raises(SpecError) as info:
        load(source, cache=False)
    assert "unexpected error" not in str(info.value), "a loader bug, not a validation"
    return info.value


CASES: list[tuple[str, Any, str, str]] = [
    (
        "parameter location",
        v3({"/users/{id}": {"get": {"parameters": [{"name": "id", "in": "body"}], **OK}}}),
        "/paths/~1users~1{id}/get/parameters/0/in",
        "'path', 'query', 'header' or 'cookie'",
    ),
    (
        "unresolvable parameter $ref",
        v3({"/a": {"get": {"parameters": [{"$ref": "#/components/parameters/Nope"}], **OK}}}),
        "/paths/~1a/get/parameters/0/$ref",
        "an existing location",
    ),
    (
        "unresolvable schema $ref",
        v3(
            components={
                "schemas": {"Pet": {"properties": {"tag": {"$ref": "#/components/schemas/Tag"}}}}
            }
        ),
        "/components/schemas/Pet/properties/tag/$ref",
        "an existing location",
    ),
    (
        "unresolvable $ref inside an inline response schema",
        v3(
            {
                "/a": {
                    "get": {
                        "responses": {
                            "200": {
                                "description": "ok",
                                "content": {
                                    "application/json": {
                                        "schema": {"items": {"$ref": "#/definitions/X"}}
                                    }
                                },
                            }
                        }
                    }
                }
            }
        ),
        "/paths/~1a/get/responses/200/content/application~1json/schema/items/$ref",
        "an existing location",
    ),
    (
        "operation not an object",
        v3({"/a": {"get": ["not", "an", "operation"]}}),
        "/paths/~1a/get",
        "an Operation Object",
    ),
    (
        "response status",
        v3({"/a": {"get": {"responses": {"999": {"description": "?"}}}}}),
        "/paths/~1a/get/responses/999",
        "an HTTP status code, '1XX'..'5XX' or 'default'",
    ),
    (
        "no version field",
        {"info": {"title": "t", "version": "1"}, "paths": {}},
        "",
        "a 'swagger: \"2.0\"' or 'openapi: 3.x.y' field",
    ),
    (
        "unsupported OpenAPI version",
        {"openapi": "2.5.0", "info": {}, "paths": {}},
        "/openapi",
        "3.0.x or 3.1.x",
    ),
    (
        "unknown security scheme type",
        v3(components={"securitySchemes": {"x": {"type": "magic"}}}),
        "/components/securitySchemes/x/type",
        "'apiKey', 'http', 'oauth2', 'openIdConnect' or 'mutualTLS'",
    ),
    (
        "deprecated is not a boolean",
        v3({"/a": {"get": {"deprecated": "yes", **OK}}}),
        "/paths/~1a/get/deprecated",
        "a boolean",
    ),
    (
        "$ref is not a string",
        v3({"/a": {"get": {"requestBody": {"$ref": 5}, **OK}}}),
        "/paths/~1a/get/requestBody/$ref",
        "a URI reference",
    ),
    (
        "path does not start with a slash",
        v3({"a": {}}),
        "/paths/a",
        "a path starting with '/'",
    ),
    (
        "pointer escaping of ~ and /",
        v3({"/a~b/c": {"get": {"tags": "pets", **OK}}}),
        "/paths/~1a~0b~1c/get/tags",
        "'tags'",
    ),
    (
        "paths is not an object",
        v3(paths=[]),  # type: ignore[arg-type]
        "/paths",
        "'paths'",
    ),
    (
        "circular parameter references",
        v3(
            {"/a": {"get": {"parameters": [{"$ref": "#/components/parameters/A"}], **OK}}},
            components={
                "parameters": {
                    "A": {"$ref": "#/components/parameters/B"},
                    "B": {"$ref": "#/components/parameters/A"},
                }
            },
        ),
        "/components/parameters/B/$ref",
        "a chain ending in an object",
    ),
    (
        "circular schema aliases",
        v3(
            components={
                "schemas": {
                    "A": {"$ref": "#/components/schemas/B"},
                    "B": {"$ref": "#/components/schemas/A"},
                }
            }
        ),
        "/components/schemas/",
        "a schema",
    ),
    (
        "unsupported $ref fragment",
        v3({"/a": {"get": {"parameters": [{"$ref": "#anchor"}], **OK}}}),
        "/paths/~1a/get/parameters/0/$ref",
        "a JSON pointer fragment such as '#/components/schemas/Name'",
    ),
    (
        "2.0: two body parameters",
        v2(
            {
                "/a": {
                    "post": {
                        "parameters": [
                            {"name": "a", "in": "body", "schema": {}},
                            {"name": "b", "in": "body", "schema": {}},
                        ],
                        **OK,
                    }
                }
            }
        ),
        "/paths/~1a/post/parameters",
        "at most one 'in: body' parameter",
    ),
    (
        "2.0: a file outside formData",
        v2({"/a": {"get": {"parameters": [{"name": "f", "in": "query", "type": "file"}], **OK}}}),
        "/paths/~1a/get/parameters/0/in",
        "'formData'",
    ),
    (
        "2.0: collectionFormat",
        v2(
            {
                "/a": {
                    "get": {
                        "parameters": [
                            {"name": "q", "in": "query", "type": "array", "collectionFormat": "x"}
                        ],
                        **OK,
                    }
                }
            }
        ),
        "/paths/~1a/get/parameters/0/collectionFormat",
        "'csv', 'ssv', 'tsv', 'pipes' or 'multi'",
    ),
    (
        "2.0: cookie parameters do not exist",
        v2({"/a": {"get": {"parameters": [{"name": "c", "in": "cookie"}], **OK}}}),
        "/paths/~1a/get/parameters/0/in",
        "'path', 'query', 'header', 'body' or 'formData'",
    ),
    (
        "2.0: oauth2 flow",
        v2(securityDefinitions={"o": {"type": "oauth2", "flow": "clientCredentials"}}),
        "/securityDefinitions/o/flow",
        "'implicit', 'password', 'application' or 'accessCode'",
    ),
    (
        "schema is not an object",
        v3(components={"schemas": {"Pet": "object"}}),
        "/components/schemas/Pet",
        "a Schema Object",
    ),
    (
        "server url",
        v3(servers=[{"description": "no url"}]),
        "/servers/0/url",
        "a URL string",
    ),
]


@pytest.mark.parametrize(("label", "doc", "pointer", "expected"), CASES, ids=[c[0] for c in CASES])
def test_spec_error_pointer(label: str, doc: Any, pointer: str, expected: str) -> None:
    error = spec_error(doc)
    if pointer.endswith("/") and pointer != "/":
        assert error.pointer.startswith(pointer), error
    else:
        assert error.pointer == pointer, error
    assert error.expected == expected, error
    if pointer:
        assert repr(pointer if not pointer.endswith("/") else error.pointer) in str(error)


def test_spec_error_from_yaml_text_and_json_text() -> None:
    text = """
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /users/{id}:
    get:
      parameters:
        - name: id
          in: somewhere
      responses: {'200': {description: ok}}
"""
    error = spec_error(text)
    assert error.pointer == "/paths/~1users~1{id}/get/parameters/0/in"


def test_missing_external_file(tmp_path: Path) -> None:
    (tmp_path / "api.yaml").write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n"
        "components:\n  schemas:\n    A:\n      $ref: 'missing.yaml#/A'\n"
    )
    error = spec_error(tmp_path / "api.yaml")
    assert error.pointer == "/components/schemas/A/$ref"
    assert "missing.yaml" in str(error)


def test_error_inside_an_external_document_names_it(tmp_path: Path) -> None:
    (tmp_path / "params.yaml").write_text("Bad:\n  name: x\n  in: nowhere\n")
    (tmp_path / "api.yaml").write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n"
        "paths:\n  /a:\n    get:\n      parameters:\n        - $ref: 'params.yaml#/Bad'\n"
        "      responses: {'200': {description: ok}}\n"
    )
    error = spec_error(tmp_path / "api.yaml")
    assert error.pointer == "/Bad/in"
    assert "params.yaml" in str(error)


def test_remote_document_may_not_reference_local_files(
    doc_server: Any, serve: Any, tmp_path: Path
) -> None:
    # petstore-v3.0.yaml references common.yaml relatively: fine over HTTP ...
    load(doc_server.url("petstore-v3.0.yaml"), cache=False)
    # ... but an absolute file: reference from a remote document is refused.
    local = tmp_path / "secret.yaml"
    local.write_text("A: {type: string}\n")
    bad = tmp_path / "served"
    bad.mkdir()
    (bad / "api.yaml").write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n"
        f"components:\n  schemas:\n    A:\n      $ref: '{local.as_uri()}#/A'\n"
    )
    error = spec_error(serve(bad).url("api.yaml"))
    assert error.pointer == "/components/schemas/A/$ref"
    assert "may not reference the local file" in str(error)


def test_cyclic_python_structures_do_not_hang() -> None:
    doc = v3(
        {"/a": {"get": copy.deepcopy(OK)}},
        components={"schemas": {"A": {"type": "object", "properties": {}}}},
    )
    a = doc["components"]["schemas"]["A"]
    a["properties"]["self"] = a  # a real cycle of dicts, as YAML aliases can make
    api = load(doc, cache=False)
    assert api.schemas["A"]["properties"]["self"] is api.schemas["A"]
    doc["paths"]["/a"]["get"]["responses"]["200"]["content"] = {"application/json": {"schema": a}}
    load(doc, cache=False)
    doc["paths"]["/a"]["get"]["responses"] = doc["paths"]
    spec_error(doc)


def test_an_operation_field_nobody_defines_is_a_visible_warning() -> None:
    from restwright.errors import SpecWarning
    from restwright.openapi import load

    document = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/items": {
                "get": {
                    "operationId": "get_item",
                    "paramaters": [{"name": "id", "in": "query"}],
                    "x-vendor": "fine",
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
    }
    with pytest.warns(SpecWarning, match=r"/paths/~1items/get: 'paramaters' not understood"):
        api = load(document, cache=False)
    assert api.operation("get_item").parameters == []  # left out, but not silently
