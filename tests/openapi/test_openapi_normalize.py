"""What the normalized model says about the fixture documents, per document version."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from restwright.errors import SpecError
from restwright.openapi import (
    ApiDescription,
    MediaType,
    Operation,
    Parameter,
    RequestBody,
    ResponseSpec,
    SecurityScheme,
    load,
)

V3 = ["petstore-v3.0.yaml", "petstore-v3.1.yaml"]
ALL = ["petstore-v2.yaml", *V3]


@pytest.fixture(scope="module")
def apis() -> dict[str, ApiDescription]:
    docs = Path(__file__).resolve().parent / "documents"
    names = [*ALL, "kinto-swagger.json"]
    return {name: load(docs / name, cache=False) for name in names}


def op(api: ApiDescription, key: str) -> Operation:
    return api.operation(key)


def params(operation: Operation) -> dict[str, Parameter]:
    return {p.name: p for p in operation.parameters}


# -- common to every version -------------------------------------------------------------


@pytest.mark.parametrize("name", ALL)
def test_operations_names_and_tags(apis: dict[str, ApiDescription], name: str) -> None:
    api = apis[name]
    names = [o.name for o in api.operations]
    assert len(names) == len(set(names))
    assert "list_pets" in names
    assert "get_pet_by_id" in names
    # DELETE /pets/{petId} has no operationId.
    delete = op(api, "delete_pets_pet_id")
    assert (delete.operation_id, delete.method, delete.path) == (None, "DELETE", "/pets/{petId}")
    listing = op(api, "listPets")
    assert listing is op(api, "list_pets")
    assert (listing.method, listing.path, listing.tags, listing.tag) == (
        "GET",
        "/pets",
        ["pets"],
        "pets",
    )
    assert listing.summary == "List pets"
    groups = api.by_tag()
    assert list(groups) == ["pets", "store", "users"]
    assert [o.name for o in groups["users"]] == ["login_user"]


@pytest.mark.parametrize("name", ALL)
def test_path_level_parameters_merge(apis: dict[str, ApiDescription], name: str) -> None:
    get = op(apis[name], "getPetById")
    by_name = params(get)
    pet_id = by_name["petId"]
    assert (pet_id.location, pet_id.python_name, pet_id.required) == ("path", "pet_id", True)
    assert (pet_id.style, pet_id.explode) == ("simple", False)
    assert pet_id.schema == {"type": "integer", "format": "int64"}
    if_none_match = by_name["If-None-Match"]
    assert (if_none_match.location, if_none_match.python_name) == ("header", "if_none_match")
    assert (if_none_match.style, if_none_match.explode, if_none_match.required) == (
        "simple",
        False,
        False,
    )


@pytest.mark.parametrize("name", ALL)
def test_query_defaults_and_referenced_parameters(
    apis: dict[str, ApiDescription], name: str
) -> None:
    by_name = params(op(apis[name], "listPets"))
    limit = by_name["limit"]
    assert (limit.location, limit.style, limit.explode, limit.required) == (
        "query",
        "form",
        True,
        False,
    )
    assert limit.schema["maximum"] == 100
    request_id = by_name["X-Request-ID"]
    assert (request_id.location, request_id.python_name) == ("header", "x_request_id")
    assert request_id.description == "Correlates the request with server logs."
    tags = by_name["tags"]
    assert (tags.style, tags.explode) == ("form", False)  # explicit in 3.x, csv in 2.0


@pytest.mark.parametrize("name", ALL)
def test_security(apis: dict[str, ApiDescription], name: str) -> None:
    api = apis[name]
    schemes = api.security_schemes
    assert schemes["basicAuth"] == SecurityScheme(name="basicAuth", type="http", scheme="basic")
    api_key = schemes["api_key"]
    assert (api_key.type, api_key.location, api_key.param_name) == ("apiKey", "header", "X-API-Key")
    oauth = schemes["oauth"]
    assert oauth.type == "oauth2"
    assert oauth.flows["clientCredentials"]["tokenUrl"] == (
        "https://petstore.example.com/oauth/token"
    )
    assert set(oauth.flows["clientCredentials"]["scopes"]) == {"pets:read", "pets:write"}
    assert op(api, "listPets").security is None  # inherits the global requirement
    assert op(api, "delete_pets_pet_id").security == []  # explicitly anonymous
    assert op(api, "createPet").security == [{"basicAuth": []}, {"oauth": ["pets:write"]}]


@pytest.mark.parametrize("name", ALL)
def test_json_request_body(apis: dict[str, ApiDescription], name: str) -> None:
    api = apis[name]
    body = op(api, "createPet").request_body
    assert isinstance(body, RequestBody)
    assert body.required is True
    assert list(body.content) == ["application/json"]
    media = body.content["application/json"]
    assert isinstance(media, MediaType)
    new_pet = api.resolve(media.schema)
    assert new_pet["required"] == ["name"]


@pytest.mark.parametrize("name", ALL)
def test_multipart_upload(apis: dict[str, ApiDescription], name: str) -> None:
    body = op(apis[name], "uploadPetPhoto").request_body
    assert body is not None and body.required
    media = body.content["multipart/form-data"]
    assert media.schema["type"] == "object"
    assert media.schema["required"] == ["file"]
    assert media.schema["properties"]["file"] == {"type": "string", "format": "binary"}
    assert media.schema["properties"]["caption"]["type"] == "string"


@pytest.mark.parametrize("name", ALL)
def test_form_body(apis: dict[str, ApiDescription], name: str) -> None:
    body = op(apis[name], "loginUser").request_body
    assert body is not None
    media = body.content["application/x-www-form-urlencoded"]
    assert set(media.schema["required"]) == {"username", "password"}


@pytest.mark.parametrize("name", ALL)
def test_binary_response(apis: dict[str, ApiDescription], name: str) -> None:
    response = op(apis[name], "downloadPetPhoto").responses["200"]
    assert isinstance(response, ResponseSpec)
    assert response.status == "200"
    assert response.description == "The photo."
    schema = response.content["image/png"]
    assert schema["type"] == "string"


@pytest.mark.parametrize("name", ALL)
def test_responses(apis: dict[str, ApiDescription], name: str) -> None:
    api = apis[name]
    listing = op(api, "listPets")
    assert set(listing.responses) == {"200", "default"}
    ok = listing.responses["200"]
    assert ok.headers["X-Next"]["type"] == "string"
    items = ok.content["application/json"]["items"]
    pet = api.resolve(items)
    assert pet["required"] == ["id", "name"]
    error = listing.responses["default"]
    assert error.status == "default"
    assert error.description == "An error."
    assert api.resolve(error.content["application/json"])["required"] == ["code", "message"]
    assert listing.response_for(200) is ok
    assert listing.response_for(503) is error
    assert op(api, "delete_pets_pet_id").responses["204"].content == {}


@pytest.mark.parametrize("name", ALL)
def test_recursive_schema_stays_a_graph(apis: dict[str, ApiDescription], name: str) -> None:
    api = apis[name]
    category = api.schemas["Category"]
    children = category["properties"]["children"]["items"]
    assert set(children) == {"$ref"}  # a marker, not an expansion
    assert api.resolve(children) is category
    # The recursive Tag of the external common.yaml resolves the same way.
    tag = api.resolve(api.schemas["Pet"]["properties"]["tag"])
    assert api.resolve(tag["properties"]["related"]["items"]) is tag


@pytest.mark.parametrize("name", ALL)
def test_external_refs_are_rewritten_and_resolvable(
    apis: dict[str, ApiDescription], name: str
) -> None:
    api = apis[name]
    error_ref = api.schemas["Error"]["$ref"]
    assert error_ref.startswith("file:///") and error_ref.endswith("/common.yaml#/Error")
    assert api.resolve(api.schemas["Error"])["required"] == ["code", "message"]
    assert error_ref in api.ref_targets


# -- version specifics -----------------------------------------------------------------------


def test_v3_servers_and_cookie(apis: dict[str, ApiDescription]) -> None:
    for name in V3:
        api = apis[name]
        assert api.servers == ["http://localhost:4010/v1", "/v1"]
        session = params(op(api, "getPetById"))["session"]
        assert (session.location, session.style, session.explode) == ("cookie", "form", True)
        assert api.openapi_version == ("3.0.3" if name.endswith("3.0.yaml") else "3.1.0")
        assert api.security == [{"bearerAuth": []}]
        bearer = api.security_schemes["bearerAuth"]
        assert (bearer.type, bearer.scheme, bearer.bearer_format) == ("http", "bearer", "JWT")
        encoding = (
            op(api, "uploadPetPhoto")
            .request_body.content[  # type: ignore[union-attr]
                "multipart/form-data"
            ]
            .encoding
        )
        assert encoding == {"file": {"contentType": "image/png, image/jpeg"}}
        assert op(api, "delete_pets_pet_id").deprecated is True
        assert op(api, "createPet").responses["4XX"].status == "4XX"


def test_v31_specifics(apis: dict[str, ApiDescription]) -> None:
    api = apis["petstore-v3.1.yaml"]
    pet = api.schemas["Pet"]
    assert pet["properties"]["nickname"] == {"type": ["string", "null"]}
    category = pet["properties"]["category"]
    assert category["description"] == "The category of the pet."
    assert api.resolve(category) is api.schemas["Category"]
    content = op(api, "downloadPetPhoto").responses["200"].content
    assert set(content) == {"image/png", "application/octet-stream"}
    # Webhooks are not operations.
    assert all(not o.path.startswith("newPet") for o in api.operations)


def test_v2_servers_security_and_collection_formats(apis: dict[str, ApiDescription]) -> None:
    api = apis["petstore-v2.yaml"]
    assert api.openapi_version == "2.0"
    assert api.servers == ["https://petstore.example.com/v1", "http://petstore.example.com/v1"]
    assert api.security == [{"api_key": []}]
    assert api.schema_ref_prefix == "#/definitions/"
    by_name = params(op(api, "listPets"))
    styles = {n: (p.style, p.explode) for n, p in by_name.items()}
    assert styles == {
        "limit": ("form", True),
        "tags": ("form", False),  # csv (the default)
        "status": ("form", True),  # multi
        "ids": ("pipeDelimited", False),
        "names": ("spaceDelimited", False),
        "codes": ("tabDelimited", False),
        "X-Request-ID": ("simple", False),
    }
    assert by_name["status"].schema["items"]["enum"] == ["available", "sold"]
    assert by_name["limit"].schema == {"type": "integer", "format": "int32", "maximum": 100}


def test_v2_body_and_form_data(apis: dict[str, ApiDescription]) -> None:
    api = apis["petstore-v2.yaml"]
    create = op(api, "createPet")
    assert create.parameters == []  # the body parameter became the request body
    assert create.request_body is not None
    assert create.request_body.description == "The pet to create."
    upload = op(api, "uploadPetPhoto")
    assert [p.name for p in upload.parameters] == ["petId"]
    login = op(api, "loginUser")
    media = login.request_body.content["application/x-www-form-urlencoded"]  # type: ignore[union-attr]
    assert media.encoding == {"scopes": {"style": "form", "explode": True}}
    assert media.schema["properties"]["scopes"] == {"type": "array", "items": {"type": "string"}}


def test_v2_file_response_and_produces() -> None:
    api = load(
        {
            "swagger": "2.0",
            "info": {"title": "t", "version": "1"},
            "produces": ["application/json", "application/xml"],
            "paths": {
                "/f": {
                    "get": {
                        "produces": ["application/octet-stream"],
                        "responses": {"200": {"description": "x", "schema": {"type": "file"}}},
                    },
                    "put": {
                        "consumes": ["text/plain"],
                        "parameters": [{"name": "b", "in": "body", "schema": {"type": "string"}}],
                        "responses": {"200": {"description": "x", "schema": {"type": "string"}}},
                    },
                }
            },
        },
        cache=False,
    )
    get, put = api.operations
    assert get.responses["200"].content == {
        "application/octet-stream": {"type": "string", "format": "binary"}
    }
    assert set(put.responses["200"].content) == {"application/json", "application/xml"}
    assert put.request_body is not None
    assert list(put.request_body.content) == ["text/plain"]
    assert put.request_body.required is False
    assert api.servers == ["/"]


def test_v2_host_without_schemes_is_scheme_relative() -> None:
    api = load(
        {"swagger": "2.0", "info": {"title": "t", "version": "1"}, "host": "h:1", "paths": {}},
        cache=False,
    )
    assert api.servers == ["//h:1/"]
    assert api.resolve_server("https://docs.example/api.json") == "https://h:1"


def test_kinto_style_document(apis: dict[str, ApiDescription]) -> None:
    api = apis["kinto-swagger.json"]
    assert api.servers == ["http://localhost:8888/v1"]
    assert api.resolve_server() == "http://localhost:8888/v1"
    names = [o.name for o in api.operations]
    assert "get_buckets_bid_collections" in names
    assert "delete_buckets_bid_collections_cid_records_id" in names
    assert "heartbeat" in names  # "__heartbeat__"
    records = op(api, "get_records")
    by_name = params(records)
    assert [p.python_name for p in records.parameters] == [
        "bid",
        "cid",
        "limit",
        "sort",
        "token",
        "since",
        "before",
        "fields",
        "id",
        "last_modified",
        "if_match",
        "if_none_match",
    ]
    assert (by_name["_sort"].style, by_name["_sort"].explode) == ("form", False)
    assert records.tag == "Records" and records.tag_name == "records"
    assert set(api.by_tag()) == {
        "utilities",
        "buckets",
        "collections",
        "records",
        "attachments",
        "batch",
    }
    attach = op(api, "attach_file").request_body
    assert attach is not None
    assert list(attach.content) == ["multipart/form-data"]
    assert attach.content["multipart/form-data"].schema["properties"]["attachment"] == {
        "type": "string",
        "format": "binary",
    }
    patch = op(api, "patch_bucket")
    assert patch.request_body is not None
    assert list(patch.request_body.content) == [
        "application/json",
        "application/merge-patch+json",
        "application/json-patch+json",
    ]
    assert params(patch)["Response-Behavior"].schema == {
        "type": "string",
        "enum": ["full", "light", "diff"],
    }
    assert op(api, "get_bucket").responses["404"].description.startswith("The object")  # type: ignore[union-attr]
    assert op(api, "server_info").security == []
    assert api.security_schemes["basicAuth"].description == "HTTP basic authentication."


# -- names ------------------------------------------------------------------------------------


def _doc(paths: dict[str, Any], version: str = "3.0.3") -> dict[str, Any]:
    return {"openapi": version, "info": {"title": "t", "version": "1"}, "paths": paths}


def test_duplicate_operation_ids_are_disambiguated(caplog: pytest.LogCaptureFixture) -> None:
    ok = {"responses": {"200": {"description": "ok"}}}
    doc = _doc(
        {
            "/a": {"get": {"operationId": "getThing", **ok}},
            "/b": {"get": {"operationId": "getThing", **ok}},
            "/c": {"get": {"operationId": "get_thing", **ok}},
            "/get/thing": {"get": ok},
        }
    )
    with caplog.at_level(logging.WARNING, logger="restwright.openapi"):
        api = load(doc, cache=False)
    assert [o.name for o in api.operations] == [
        "get_thing",
        "get_thing_2",
        "get_thing_3",
        "get_get_thing",
    ]
    assert api.operation("getThing").path == "/a"
    assert api.operation("get_thing_2").path == "/b"
    assert any("duplicate operationId 'getThing'" in r.getMessage() for r in caplog.records)


def test_parameter_python_names_are_identifiers_and_unique() -> None:
    parameters = [
        {"name": "if_match", "in": "query", "schema": {"type": "string"}},
        {"name": "If-Match", "in": "header", "schema": {"type": "string"}},
        {"name": "class", "in": "query", "schema": {"type": "string"}},
        {"name": "2fa", "in": "query", "schema": {"type": "string"}},
        {"name": "$", "in": "query", "schema": {"type": "string"}},
        {"name": "bucketId", "in": "path", "required": True, "schema": {"type": "string"}},
        {"name": "bucket_id", "in": "query", "schema": {"type": "string"}},
        {"name": "Accept", "in": "header", "schema": {"type": "string"}},  # ignored in 3.x
    ]
    api = load(
        _doc(
            {
                "/b/{bucketId}": {
                    "get": {"parameters": parameters, "responses": {"200": {"description": "ok"}}}
                }
            }
        ),
        cache=False,
    )
    names = [(p.name, p.python_name) for p in api.operations[0].parameters]
    assert names == [
        ("if_match", "if_match"),
        ("If-Match", "if_match_"),
        ("class", "class_"),
        ("2fa", "_2fa"),
        ("$", "param"),
        ("bucketId", "bucket_id"),
        ("bucket_id", "bucket_id_"),  # the path parameter keeps the plain name
    ]
    assert all(p.python_name.isidentifier() for p in api.operations[0].parameters)


def test_operation_level_parameter_overrides_path_level() -> None:
    doc = _doc(
        {
            "/a": {
                "parameters": [
                    {"name": "q", "in": "query", "schema": {"type": "string"}},
                    {"name": "q", "in": "header", "schema": {"type": "string"}},
                ],
                "get": {
                    "parameters": [
                        {
                            "name": "q",
                            "in": "query",
                            "required": True,
                            "schema": {"type": "integer"},
                        }
                    ],
                    "responses": {"200": {"description": "ok"}},
                },
            }
        }
    )
    parameters = load(doc, cache=False).operations[0].parameters
    assert [(p.name, p.location, p.required, p.schema) for p in parameters] == [
        ("q", "query", True, {"type": "integer"}),
        ("q", "header", False, {"type": "string"}),
    ]
    assert [p.python_name for p in parameters] == ["q", "q_"]


def test_content_parameter_and_server_overrides() -> None:
    doc = _doc(
        {
            "/a": {
                "servers": [{"url": "https://path.example"}],
                "get": {
                    "parameters": [
                        {
                            "name": "filter",
                            "in": "query",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        },
                        {"name": "p", "in": "query", "style": "deepObject", "explode": True},
                    ],
                    "responses": {"200": {"description": "ok"}},
                },
                "put": {
                    "servers": [{"url": "https://op.example"}],
                    "responses": {"200": {"description": "ok"}},
                },
            }
        }
    )
    api = load(doc, cache=False)
    get, put = api.operations
    flt, p = get.parameters
    assert (flt.content_type, flt.schema) == ("application/json", {"type": "object"})
    assert (p.style, p.explode, p.schema) == ("deepObject", True, {})
    assert get.servers == ["https://path.example"]
    assert put.servers == ["https://op.example"]
    assert api.servers == ["/"]


def test_structural_refs_in_external_files(tmp_path: Path) -> None:
    (tmp_path / "parts").mkdir()
    (tmp_path / "parts" / "params.yaml").write_text(
        "Limit:\n  name: limit\n  in: query\n  schema:\n    $ref: '#/LimitSchema'\n"
        "LimitSchema:\n  type: integer\n  maximum: 10\n"
    )
    (tmp_path / "parts" / "responses.yaml").write_text(
        "Ok:\n  description: fine\n  content:\n    application/json:\n"
        "      schema:\n        $ref: '../api.yaml#/components/schemas/Thing'\n"
    )
    (tmp_path / "api.yaml").write_text(
        """
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /things:
    $ref: 'parts/paths.yaml#/things'
components:
  schemas:
    Thing: {type: object}
"""
    )
    (tmp_path / "parts" / "paths.yaml").write_text(
        """
things:
  get:
    parameters:
      - $ref: 'params.yaml#/Limit'
    responses:
      '200':
        $ref: 'responses.yaml#/Ok'
"""
    )
    api = load(tmp_path / "api.yaml", cache=False)
    get = api.operations[0]
    limit = get.parameters[0]
    assert limit.python_name == "limit"
    # The parameter's schema lives in params.yaml; its relative $ref was made absolute.
    assert limit.schema["$ref"] == (tmp_path / "parts" / "params.yaml").as_uri() + "#/LimitSchema"
    assert api.resolve(limit.schema) == {"type": "integer", "maximum": 10}
    schema = get.responses["200"].content["application/json"]
    assert schema == {"$ref": "#/components/schemas/Thing"}  # back into the root document
    assert api.resolve(schema) is api.schemas["Thing"]


def test_resolve_ref_errors(apis: dict[str, ApiDescription]) -> None:
    api = apis["petstore-v3.0.yaml"]
    with pytest.raises(SpecError):
        api.resolve_ref("#/components/schemas/Nope")
    assert api.resolve({"type": "string"}) == {"type": "string"}
    assert api.resolve("not a node") == "not a node"
    with pytest.raises(KeyError):
        api.operation("nope")
    with pytest.raises(KeyError):
        op(api, "listPets").parameter("nope")
    assert op(api, "listPets").parameter("x_request_id").name == "X-Request-ID"
