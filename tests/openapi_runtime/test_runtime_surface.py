"""The runtime client's surface: tag groups, names, signatures, help, dir, call()."""

from __future__ import annotations

import functools
import http.server
import inspect
import pydoc
import threading
from typing import Any, Literal, get_args

import pytest

import restwright
from restwright.errors import ValidationError
from restwright.openapi import load
from restwright.openapi.runtime import (
    AsyncOpenAPIClient,
    OpenAPIClient,
    TagGroup,
    from_openapi,
    from_openapi_async,
)

from ._support import Recorder, call
from .conftest import DOCUMENTS, PRISM_DOCUMENTS

PET30 = PRISM_DOCUMENTS / "petstore-3.0.yaml"
PET20 = PRISM_DOCUMENTS / "petstore-2.0.yaml"

CLASHES: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "clashes", "version": "1"},
    "servers": [{"url": "http://api.example.test/v2"}],
    "paths": {
        "/things/{id}/{class}": {
            "post": {
                "operationId": "saveThing",
                "tags": ["call"],
                "parameters": [
                    {"name": "class", "in": "path", "required": True, "schema": {"type": "string"}},
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}},
                    {"name": "body", "in": "query", "schema": {"type": "string"}},
                    {"name": "headers", "in": "query", "schema": {"type": "string"}},
                    {"name": "If-Match", "in": "header", "schema": {"type": "string"}},
                ],
                "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
                "responses": {"200": {"description": "ok"}},
            }
        }
    },
}


@pytest.fixture
def pet() -> OpenAPIClient:
    return from_openapi(PET30, base_url="http://pets.test", transport=Recorder())


def test_from_openapi_names_and_types() -> None:
    client = from_openapi(PET30, base_url="http://pets.test", transport=Recorder())
    assert isinstance(client, OpenAPIClient)
    aclient = from_openapi_async(PET30, base_url="http://pets.test", transport=Recorder())
    assert isinstance(aclient, AsyncOpenAPIClient)
    assert client.base_url == "http://pets.test"
    assert "Runtime petstore" in repr(client)


def test_tag_groups_and_dir(pet: OpenAPIClient) -> None:
    assert pet.tags == ["pets", "store", "users", "auth"]
    listing = dir(pet)
    for tag in ("pets", "store", "users", "auth", "call", "drift", "api", "engine"):
        assert tag in listing
    assert isinstance(pet.pets, TagGroup)
    assert pet.pets is pet.pets  # cached
    ops = dir(pet.pets)
    assert ops == sorted(
        [
            "list_pets",
            "create_pet",
            "get_pet_by_id",
            "update_pet",
            "delete_pet",
            "upload_pet_photo",
            "download_pet_photo",
        ]
    )
    assert repr(pet.pets) == "<TagGroup 'pets': 7 operations>"
    with pytest.raises(AttributeError, match="no operation 'nope'"):
        _ = pet.pets.nope
    with pytest.raises(AttributeError, match="tags"):
        _ = pet.nothing_like_this


def test_operation_is_a_real_function_with_signature(pet: OpenAPIClient) -> None:
    fn = pet.pets.list_pets
    assert inspect.isfunction(fn)
    assert fn.__name__ == "list_pets"
    assert fn is pet.pets.list_pets
    sig = inspect.signature(fn)
    params = sig.parameters
    # required keyword-only first, then optional ones, then the extras
    assert list(params)[:2] == ["x_request_id", "session"]
    assert params["x_request_id"].kind is inspect.Parameter.KEYWORD_ONLY
    assert params["x_request_id"].default is inspect.Parameter.empty
    assert params["x_request_id"].annotation is str
    assert params["limit"].default is None
    assert get_args(params["limit"].annotation)[0] is int
    status = get_args(params["status"].annotation)[0]  # Optional[list[Literal[...]]]
    assert get_args(status)[0] == Literal["available", "pending", "sold"]
    assert list(params)[-4:] == ["headers", "timeout", "return_response", "download_to"]
    assert sig.return_annotation == list[dict[str, Any]]


def test_path_parameters_are_positional_in_path_order(pet: OpenAPIClient) -> None:
    sig = inspect.signature(pet.pets.update_pet)
    first = next(iter(sig.parameters.values()))
    assert first.name == "pet_id"
    assert first.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    assert first.annotation is int
    assert sig.parameters["body"].kind is inspect.Parameter.KEYWORD_ONLY
    assert sig.parameters["body"].default is inspect.Parameter.empty  # required body


def test_help_shows_summary_parameters_and_responses(pet: OpenAPIClient) -> None:
    text = pydoc.render_doc(pet.pets.list_pets, renderer=pydoc.plaintext)
    assert "list_pets(*, x_request_id: str, session: str" in text
    assert "List pets" in text
    assert "GET /pets (operationId 'listPets', tag 'pets')" in text
    assert "limit (integer; query, optional): How many pets to return at most." in text
    assert "sort (array of string; query, optional, style=spaceDelimited (not exploded))" in text
    assert "200 (application/json): A page of pets." in text
    doc = pet.pets.create_pet.__doc__
    assert doc is not None
    assert "body (application/json, required)" in doc
    assert "name*: string" in doc


def test_call_by_operation_id_and_name(pet: OpenAPIClient) -> None:
    recorder = pet.engine._transport
    recorder.answer(200, {"id": 1, "name": "Rex"})
    assert pet.call("getPetById", 1) == {"id": 1, "name": "Rex"}
    assert pet.call("get_pet_by_id", pet_id=1) == {"id": 1, "name": "Rex"}
    assert recorder.last.target == "/pets/1"
    assert pet.operation("getPetById") is pet.pets.get_pet_by_id
    with pytest.raises(AttributeError, match="no operation"):
        pet.call("NoSuchOperation")


async def test_async_operations_are_coroutine_functions() -> None:
    recorder = Recorder().answer(200, {"id": 1, "name": "Rex"})
    client = from_openapi_async(PET30, base_url="http://pets.test", transport=recorder)
    fn = client.pets.get_pet_by_id
    assert inspect.iscoroutinefunction(fn)
    assert inspect.signature(fn) == inspect.signature(
        from_openapi(PET30, base_url="http://pets.test").pets.get_pet_by_id
    )
    assert await fn(1) == {"id": 1, "name": "Rex"}
    assert await client.call("getPetById", 2) == {"id": 1, "name": "Rex"}
    assert recorder.last.target == "/pets/2"
    await client.aclose()


def test_argument_errors_are_type_errors(pet: OpenAPIClient) -> None:
    with pytest.raises(TypeError, match="unexpected keyword argument 'nope'"):
        pet.pets.get_pet_by_id(1, nope=2)
    with pytest.raises(TypeError, match="takes 1 positional argument but 2 were given"):
        pet.pets.get_pet_by_id(1, 2)
    with pytest.raises(TypeError, match="multiple values for argument 'pet_id'"):
        pet.pets.get_pet_by_id(1, pet_id=2)


def test_missing_required_names_the_parameter(pet: OpenAPIClient) -> None:
    with pytest.raises(ValidationError) as info:
        pet.pets.get_pet_by_id()
    assert info.value.parameter == "pet_id"
    assert "path 'petId'" in str(info.value)
    with pytest.raises(ValidationError) as info:
        pet.pets.list_pets(session="s")
    assert info.value.parameter == "x_request_id"
    assert "header 'X-Request-ID'" in str(info.value)
    with pytest.raises(ValidationError) as info:
        pet.pets.create_pet()
    assert info.value.parameter == "body"
    assert pet.engine._transport.requests == []


def test_clashing_names_get_a_trailing_underscore() -> None:
    recorder = Recorder().answer(200, {})
    client = from_openapi(CLASHES, transport=recorder)
    assert client.base_url == "http://api.example.test/v2"  # the document's server
    # a tag named like a client method is reachable with a trailing underscore
    assert "call_" in dir(client)
    group = client.call_
    assert isinstance(group, TagGroup)
    assert client.tag("call") is group
    sig = inspect.signature(group.save_thing)
    names = list(sig.parameters)
    assert names[:2] == ["id", "class_"]  # path order: /things/{id}/{class}
    assert "body" in names and "body_" in names  # the query 'body' keeps its name
    assert "headers" in names and "headers_" in names
    group.save_thing(
        1, "big", body="q", headers="h", body_={"x": 1}, headers_={"X-Extra": "1"}, if_match="e"
    )
    request = recorder.last
    assert request.target == "/v2/things/1/big?body=q&headers=h"
    assert recorder.last_body == b'{"x":1}'
    assert request.headers["X-Extra"] == "1"
    assert request.headers["If-Match"] == '"e"'


def test_body_aliases_json_body_and_multipart_data(pet: OpenAPIClient) -> None:
    recorder = pet.engine._transport
    recorder.answer(201, {"id": 3, "name": "Kitty"})
    assert pet.pets.create_pet(json_body={"name": "Kitty"}) == {"id": 3, "name": "Kitty"}
    assert recorder.last_body == b'{"name":"Kitty"}'
    with pytest.raises(TypeError, match="body twice"):
        pet.pets.create_pet(body={"name": "a"}, json_body={"name": "b"})
    recorder.answer(200, {"size": 3})
    pet.pets.upload_pet_photo(1, multipart_data={"file": b"abc"})
    assert b'name="file"' in recorder.last_body


def test_none_means_not_given(pet: OpenAPIClient) -> None:
    recorder = pet.engine._transport
    recorder.answer(200, [])
    pet.pets.list_pets(x_request_id="r", session="s", limit=None, tags=None)
    assert recorder.last.target == "/pets"


def test_base_url_from_the_document_and_errors() -> None:
    client = from_openapi(PET20, transport=Recorder())
    assert client.base_url == "http://localhost:4010"
    api = load(DOCUMENTS / "petstore-v3.0.yaml")
    assert from_openapi(api, transport=Recorder()).base_url == "http://localhost:4010/v1"
    bare = {"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": {}}
    with pytest.raises(ValueError, match="base_url"):
        from_openapi(bare)


def test_relative_server_resolved_against_the_document_url(doc_server_url: str) -> None:
    client = from_openapi(doc_server_url + "relative.yaml", transport=Recorder())
    assert client.base_url == doc_server_url + "api/v3"


@pytest.fixture
def doc_server_url(tmp_path: Any) -> Any:
    (tmp_path / "relative.yaml").write_text(
        "openapi: 3.0.0\ninfo: {title: rel, version: '1'}\nservers: [{url: /api/v3}]\npaths: {}\n"
    )
    handler = functools.partial(_Quiet, directory=str(tmp_path))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def test_return_response_and_extra_headers(pet: OpenAPIClient) -> None:
    recorder = pet.engine._transport
    recorder.answer(200, {"id": 1, "name": "Rex"})
    response = pet.pets.get_pet_by_id(1, return_response=True, headers={"X-Trace": "t"})
    assert isinstance(response, restwright.Response)
    assert response.json() == {"id": 1, "name": "Rex"}
    assert recorder.last.headers["X-Trace"] == "t"


def test_timeout_per_call(pet: OpenAPIClient) -> None:
    recorder = pet.engine._transport
    recorder.answer(200, {"id": 1, "name": "Rex"})
    pet.pets.get_pet_by_id(1, timeout=3.5)
    assert recorder.last.timeout.read == 3.5
    pet.pets.get_pet_by_id(1)
    assert recorder.last.timeout == pet.engine.timeout


def test_models_namespace(pet: OpenAPIClient) -> None:
    Pet = pet.models.Pet
    assert "Pet" in dir(pet.models)
    rex = Pet(id=1, name="Rex")
    assert rex.name == "Rex"
    with pytest.raises(AttributeError):
        _ = pet.models.NoSuchSchema


async def test_results_by_media_type(client_kind: str, make_client: Any) -> None:
    recorder = Recorder()
    client = make_client(PET30, base_url="http://pets.test", transport=recorder)
    recorder.answer(200, b"\x89PNG...", "image/png")
    assert await call(client.pets.download_pet_photo, 1) == b"\x89PNG..."
    # a binary operation asks for its own media type
    assert recorder.last.headers["Accept"] == "image/png"
    recorder.answer(200, b"hello", "text/plain; charset=utf-8")
    assert await call(client.pets.get_pet_by_id, 1) == "hello"
    recorder.answer(204, None, None)
    assert await call(client.pets.delete_pet, 1) is None
    assert recorder.last.headers["Accept"] == "application/json"


SERVERS: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "servers", "version": "1"},
    "servers": [{"url": "https://api.example.test/v1"}],
    "security": [{"token": []}],
    "components": {"securitySchemes": {"token": {"type": "http", "scheme": "bearer"}}},
    "paths": {
        "/me": {"get": {"operationId": "me", "responses": {"200": {"description": "ok"}}}},
        "/files": {
            "post": {
                "operationId": "upload",
                "servers": [{"url": "https://uploads.example.test"}],
                "responses": {"200": {"description": "ok"}},
            }
        },
        "/blobs": {
            "get": {
                "operationId": "blobs",
                "servers": [{"url": "/storage"}],
                "responses": {"200": {"description": "ok"}},
            }
        },
    },
}


def test_operation_servers() -> None:
    recorder = Recorder().answer(200, {})
    client = from_openapi(SERVERS, auth="tok", transport=recorder)
    client.default.me()
    assert recorder.last.url == "https://api.example.test/v1/me"
    # an operation's own server is used, with the credentials (the document says so)
    client.default.upload()
    assert recorder.last.url == "https://uploads.example.test/files"
    assert recorder.last.headers["Authorization"] == "Bearer tok"
    # a relative one is resolved against the client's base URL
    client.default.blobs()
    assert recorder.last.url == "https://api.example.test/storage/blobs"
    # with an explicit base_url (a mock, a staging server) absolute ones are not used
    mock = from_openapi(SERVERS, base_url="http://127.0.0.1:9", auth="tok", transport=recorder)
    mock.default.upload()
    assert recorder.last.url == "http://127.0.0.1:9/files"
    mock.default.blobs()
    assert recorder.last.url == "http://127.0.0.1:9/storage/blobs"


def test_deprecated_operations_warn_once() -> None:
    recorder = Recorder().answer(204, None, None)
    client = from_openapi(DOCUMENTS / "petstore-v3.0.yaml", base_url="http://x", transport=recorder)
    delete = client.pets.delete_pets_pet_id
    with pytest.warns(DeprecationWarning, match=r"delete_pets_pet_id\(\) .* is deprecated") as w:
        delete(1)
    assert w[0].filename == __file__
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        delete(2)  # only the first call warns
