"""Checks before sending: required, enum and type errors name the argument, nothing is sent."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import uuid
from typing import Any

import pytest

from restwright.errors import InvalidRequestError, ValidationError
from restwright.openapi.runtime import from_openapi

from ._support import Forbidden, Recorder, call
from .conftest import PRISM_DOCUMENTS

PET30 = PRISM_DOCUMENTS / "petstore-3.0.yaml"

DOC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "checks", "version": "1"},
    "servers": [{"url": "http://api.test"}],
    "paths": {
        "/items/{item_id}": {
            "post": {
                "operationId": "saveItem",
                "tags": ["items"],
                "parameters": [
                    {
                        "name": "item_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    },
                    {"name": "count", "in": "query", "schema": {"type": "integer"}},
                    {"name": "ratio", "in": "query", "schema": {"type": "number"}},
                    {"name": "flag", "in": "query", "schema": {"type": "boolean"}},
                    {
                        "name": "mode",
                        "in": "query",
                        "schema": {"type": "string", "enum": ["fast", "slow"]},
                    },
                    {
                        "name": "ids",
                        "in": "query",
                        "schema": {"type": "array", "items": {"type": "integer"}},
                    },
                    {
                        "name": "colors",
                        "in": "query",
                        "schema": {
                            "type": "array",
                            "items": {"type": "string", "enum": ["red", "blue"]},
                        },
                    },
                    {
                        "name": "filter",
                        "in": "query",
                        "style": "deepObject",
                        "explode": True,
                        "schema": {"type": "object"},
                    },
                    {
                        "name": "X-Level",
                        "in": "header",
                        "required": True,
                        "schema": {"type": "integer", "enum": [1, 2, 3]},
                    },
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Item"}}
                    },
                },
                "responses": {"200": {"description": "ok"}},
            }
        }
    },
    "components": {
        "schemas": {
            "Item": {
                "type": "object",
                "required": ["name", "id"],
                "properties": {
                    "id": {"type": "integer", "readOnly": True},
                    "name": {"type": "string"},
                    "size": {"type": "string", "enum": ["S", "M", "L"]},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "owner": {
                        "type": "object",
                        "required": ["email"],
                        "properties": {"email": {"type": "string"}},
                    },
                },
            }
        }
    },
}

GOOD: dict[str, Any] = {"x_level": 1, "body": {"name": "n"}}


@pytest.fixture
def client() -> Any:
    return from_openapi(DOC, transport=Forbidden())


@pytest.mark.parametrize(
    ("kwargs", "parameter", "message"),
    [
        ({"count": "3"}, "count", "must be integer, got string '3'"),
        ({"count": True}, "count", "must be integer, got boolean True"),
        ({"count": 1.5}, "count", "must be integer"),
        ({"ratio": "0.5"}, "ratio", "must be number"),
        ({"flag": 1}, "flag", "must be boolean"),
        ({"mode": "medium"}, "mode", "must be one of ['fast', 'slow'], got 'medium'"),
        ({"ids": [1, "2"]}, "ids", "must be integer, got string '2'"),
        ({"ids": 5}, "ids", "must be array"),
        ({"colors": ["red", "green"]}, "colors", "must be one of ['red', 'blue']"),
        ({"filter": [1]}, "filter", "must be object"),
        ({"x_level": 4}, "x_level", "must be one of [1, 2, 3]"),
        ({"x_level": "1"}, "x_level", "must be integer"),
        ({"item_id": {"a": 1}}, "item_id", "must be string, got object"),
    ],
)
def test_parameter_checks(
    client: Any, kwargs: dict[str, Any], parameter: str, message: str
) -> None:
    args = {"item_id": "i1", **GOOD, **kwargs}
    with pytest.raises(ValidationError) as info:
        client.items.save_item(**args)
    assert info.value.parameter == parameter
    assert message in str(info.value)
    assert "save_item(): parameter" in str(info.value)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "body/name: expected required property, got missing"),
        ({"name": 5}, "body/name: expected string, got integer 5"),
        (
            {"name": "n", "size": "XL"},
            "body/size: expected one of ['S', 'M', 'L'], got string 'XL'",
        ),
        ({"name": "n", "tags": ["a", 2]}, "body/tags/1: expected string, got integer 2"),
        ({"name": "n", "owner": {}}, "body/owner/email: expected required property"),
        ([1], "body: expected object, got array"),
    ],
)
def test_json_body_checks(client: Any, body: Any, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        client.items.save_item("i1", x_level=1, body=body)
    assert info.value.parameter == "body"
    assert message in str(info.value)


def test_read_only_properties_are_not_required_in_requests() -> None:
    recorder = Recorder().answer(200, {})
    client = from_openapi(DOC, transport=recorder)
    client.items.save_item("i1", x_level=1, body={"name": "n"})  # 'id' is readOnly
    assert recorder.last_body == b'{"name":"n"}'


def test_values_with_one_obvious_text_are_accepted() -> None:
    class Mode(enum.Enum):
        FAST = "fast"

    recorder = Recorder().answer(200, {})
    client = from_openapi(DOC, transport=recorder)
    client.items.save_item(
        42, x_level=2, mode=Mode.FAST, ids=(1, 2), ratio=1, count=3.0, body={"name": "n"}
    )
    assert recorder.last.target == "/items/42?mode=fast&ids=1&ids=2&ratio=1&count=3.0"
    client.items.save_item(uuid.UUID(int=1), x_level=1, body={"name": "n"})
    assert recorder.last.target == "/items/00000000-0000-0000-0000-000000000001"
    client.items.save_item(dt.date(2024, 5, 6), x_level=1, body={"name": "n"})
    assert recorder.last.target == "/items/2024-05-06"


def test_models_and_dataclasses_are_trusted() -> None:
    @dataclasses.dataclass
    class Item:
        name: str

    recorder = Recorder().answer(200, {})
    client = from_openapi(DOC, transport=recorder)
    client.items.save_item("i", x_level=1, body=Item(name="n"))
    assert recorder.last_body == b'{"name":"n"}'
    model = client.models.Item(name="m")
    client.items.save_item("i", x_level=1, body=model)
    assert recorder.last_body == b'{"name":"m"}'


def test_validate_false_sends_what_it_is_given() -> None:
    recorder = Recorder().answer(200, {})
    client = from_openapi(DOC, transport=recorder, validate=False)
    client.items.save_item("i", x_level="high", count="many", body={"name": 5})
    assert recorder.last.target == "/items/i?count=many"
    assert recorder.last.headers["X-Level"] == "high"
    # required arguments are still required: the request cannot be built without them
    with pytest.raises(ValidationError):
        client.items.save_item("i", body={})


def test_multipart_and_form_checks() -> None:
    client = from_openapi(PET30, base_url="http://pets.test", transport=Forbidden())
    with pytest.raises(ValidationError, match=r"body/file: expected required field"):
        client.pets.upload_pet_photo(1, body={"caption": "no file"})
    with pytest.raises(ValidationError, match=r"body/caption: expected string, got integer"):
        client.pets.upload_pet_photo(1, body={"file": b"x", "caption": 5})
    with pytest.raises(ValidationError, match=r"body/password: expected required field"):
        client.users.login_user(body={"username": "u"})
    with pytest.raises(ValidationError, match="mapping of form fields"):
        client.users.login_user(body=["u", "p"])


def test_header_injection_is_refused_before_sending() -> None:
    client = from_openapi(PET30, base_url="http://pets.test", transport=Forbidden())
    with pytest.raises(InvalidRequestError):
        client.pets.list_pets(x_request_id="a\r\nX-Evil: 1", session="s")


async def test_nothing_is_sent_sync_and_async(client_kind: str, make_client: Any) -> None:
    client = make_client(DOC, transport=Forbidden())
    with pytest.raises(ValidationError) as info:
        await call(client.items.save_item, "i", x_level=9, body={"name": "n"})
    assert info.value.parameter == "x_level"
    with pytest.raises(ValidationError) as info:
        await call(client.items.save_item, "i", x_level=1)
    assert info.value.parameter == "body"
