"""models=True: responses parsed into pydantic models built lazily from the schemas."""

from __future__ import annotations

from typing import Any

import pydantic
import pytest

from restwright.openapi.runtime import from_openapi

from ._support import Recorder, call
from .conftest import DOCUMENTS, PRISM_DOCUMENTS

PET30 = PRISM_DOCUMENTS / "petstore-3.0.yaml"
PET31 = PRISM_DOCUMENTS / "petstore-3.1.yaml"

SHAPES: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "shapes", "version": "1"},
    "servers": [{"url": "http://api.test"}],
    "paths": {
        "/shape": {
            "get": {
                "operationId": "getShape",
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Drawing"}}
                        },
                    }
                },
            }
        }
    },
    "components": {
        "schemas": {
            "Drawing": {
                "type": "object",
                "properties": {
                    "shapes": {
                        "type": "array",
                        "items": {
                            "oneOf": [
                                {"$ref": "#/components/schemas/Circle"},
                                {"$ref": "#/components/schemas/Square"},
                            ]
                        },
                    },
                    "meta": {
                        "allOf": [
                            {"$ref": "#/components/schemas/Named"},
                            {"type": "object", "properties": {"version": {"type": "integer"}}},
                        ]
                    },
                    "schema": {"type": "string"},
                    "2fa": {"type": "boolean"},
                    "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
                    "anything": {"not": {"type": "string"}},
                },
            },
            "Circle": {
                "type": "object",
                "required": ["radius"],
                "properties": {"radius": {"type": "number"}},
            },
            "Square": {
                "type": "object",
                "required": ["side"],
                "properties": {"side": {"type": "integer"}},
            },
            "Named": {"type": "object", "properties": {"name": {"type": "string"}}},
        }
    },
}


def models_client(doc: Any, body: Any, **kw: Any) -> Any:
    recorder = Recorder().answer(200, body)
    return from_openapi(doc, transport=recorder, models=True, **kw)


def test_responses_become_models() -> None:
    client = models_client(
        PET30,
        [{"id": 1, "name": "Rex", "tag": {"id": 7, "name": "dog", "parent": {"name": "animal"}}}],
        base_url="http://pets.test",
    )
    pets = client.pets.list_pets(x_request_id="r", session="s")
    assert isinstance(pets, list)
    rex = pets[0]
    assert isinstance(rex, pydantic.BaseModel)
    assert type(rex).__name__ == "Pet"
    assert (rex.id, rex.name) == (1, "Rex")
    assert type(rex.tag).__name__ == "Tag"
    assert rex.tag.parent.name == "animal"  # a recursive schema
    assert rex.tag.parent.parent is None
    assert rex.model_dump(by_alias=True, exclude_none=True)["tag"]["name"] == "dog"


def test_models_are_built_lazily() -> None:
    client = models_client(PET30, {"id": 1, "name": "Rex"}, base_url="http://pets.test")
    factory = client._model_factory
    assert factory is not None and not factory._namespace
    client.pets.get_pet_by_id(1)
    assert set(factory._namespace) == {"Pet", "Tag"}  # not Order, User, Error...


def test_recursive_category_tree() -> None:
    tree = [{"id": 1, "name": "a", "children": [{"id": 2, "children": [{"id": 3}]}]}]
    recorder = Recorder().answer(200, tree)
    client = from_openapi(
        DOCUMENTS / "petstore-v3.0.yaml", base_url="http://x.test", transport=recorder, models=True
    )
    (root,) = client.store.list_categories()
    assert root.children[0].children[0].id == 3
    assert type(root.children[0]).__name__ == "Category"


def test_unions_merged_all_of_aliases_and_fallbacks() -> None:
    client = models_client(
        SHAPES,
        {
            "shapes": [{"radius": 1.5}, {"side": 2}],
            "meta": {"name": "n", "version": 2},
            "schema": "s",
            "2fa": True,
            "counts": {"a": 1},
            "anything": 5,
            "unknown": "kept",
        },
    )
    drawing = client.default.get_shape()
    assert type(drawing).__name__ == "Drawing"
    assert [type(s).__name__ for s in drawing.shapes] == ["Circle", "Square"]
    assert (drawing.meta.name, drawing.meta.version) == ("n", 2)
    assert drawing.schema_ == "s"  # clashes with a pydantic attribute: trailing underscore
    assert drawing.field_2fa is True  # not a valid field name as it is
    assert drawing.counts == {"a": 1}
    assert drawing.anything == 5  # what pydantic cannot express stays plain JSON
    assert drawing.model_extra == {"unknown": "kept"}
    dumped = drawing.model_dump(by_alias=True, exclude_none=True)
    assert dumped["2fa"] is True and dumped["schema"] == "s"


def test_a_response_that_does_not_fit_is_returned_as_json() -> None:
    client = models_client(PET30, {"id": "not-a-number", "name": "Rex"}, base_url="http://p.test")
    pet = client.pets.get_pet_by_id(1)
    assert pet == {"id": "not-a-number", "name": "Rex"}
    assert client.drift[0].pointer == "/id"


def test_null_in_31_type_lists() -> None:
    client = models_client(
        PET31, [{"id": 1, "name": "Tom", "status": None, "tag": None}], base_url="http://p.test"
    )
    (tom,) = client.pets.list_pets(x_request_id="r", session="s")
    assert type(tom).__name__ == "Pet" and tom.status is None and tom.tag is None
    assert not client.drift


def test_model_bodies_are_sent_by_alias() -> None:
    recorder = Recorder().answer(201, {"id": 3, "name": "Kitty"})
    client = from_openapi(PET30, base_url="http://p.test", transport=recorder, models=True)
    NewPet = client.models.NewPet
    created = client.pets.create_pet(body=NewPet(name="Kitty", status="available"))
    assert recorder.last_body == b'{"name":"Kitty","status":"available"}'
    assert created.name == "Kitty"


async def test_models_sync_and_async(client_kind: str, make_client: Any) -> None:
    recorder = Recorder().answer(200, {"id": 1, "name": "Rex"})
    client = make_client(PET30, base_url="http://p.test", transport=recorder, models=True)
    pet = await call(client.pets.get_pet_by_id, 1)
    assert type(pet).__name__ == "Pet"


def test_mattermost_user_model(mattermost_doc: Any) -> None:
    recorder = Recorder().answer(
        200, {"id": "u1", "username": "han", "create_at": 1, "notify_props": {"email": "true"}}
    )
    client = from_openapi(
        mattermost_doc, base_url="http://mm.test", transport=recorder, models=True
    )
    user = client.users.get_user("me")
    assert type(user).__name__ == "User"
    assert (user.id, user.username, user.create_at) == ("u1", "han", 1)
    assert user.notify_props.email == "true"
    assert len(client._model_factory._namespace) < 10  # only what get_user touches


def test_models_need_pydantic_only_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    client = from_openapi(PET30, base_url="http://p.test", transport=Recorder())
    assert client._model_factory is None


@pytest.mark.parametrize("name", ["user", "user-notify_props", "2fa", "", "Pet", "a.b/c~d"])
def test_runtime_and_models_name_classes_alike(name: str) -> None:
    from restwright.openapi.models import class_name
    from restwright.openapi.runtime import _class_name

    assert _class_name(name) == class_name(name)
