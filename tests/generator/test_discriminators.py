"""Discriminated unions in generated packages, one small document per style.

Every style of OpenAPI discriminator becomes a pydantic discriminated union: the tag picks
the branch (no trying in order), a bad tag is a clear error; what cannot be expressed
falls back to a plain union and says so (summary and comment).  Each package passes ruff
and ``mypy --strict``; one is called through Prism.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pydantic
import pytest

REF = "#/components/schemas/"


def _object(required: list[str], **properties: Any) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": properties}


def _get(operation_id: str, schema: dict[str, Any], example: Any = None) -> dict[str, Any]:
    media: dict[str, Any] = {"schema": schema}
    if example is not None:
        media["example"] = example
    return {
        "get": {
            "operationId": operation_id,
            "tags": ["zoo"],
            "responses": {"200": {"description": "ok", "content": {"application/json": media}}},
        }
    }


SCHEMAS: dict[str, Any] = {
    # Literal style: each branch declares its tags as a required enum / const.
    "Cat": _object(["kind", "name"], kind={"type": "string", "enum": ["cat"]}, name={}),
    "Dog": _object(["kind"], kind={"enum": ["dog", "hound"]}, bark={"type": "boolean"}),
    "Pet": {
        "oneOf": [{"$ref": REF + "Cat"}, {"$ref": REF + "Dog"}],
        "discriminator": {"propertyName": "kind"},
    },
    # Mapping with references and bare names, two tags for one branch; plain string tags.
    "Car": _object(["type", "wheels"], type={"type": "string"}, wheels={"type": "integer"}),
    "Bike": _object(["type"], type={"type": "string"}, gears={"type": "integer"}),
    "Vehicle": {
        "oneOf": [{"$ref": REF + "Car"}, {"$ref": REF + "Bike"}],
        "discriminator": {
            "propertyName": "type",
            "mapping": {"car": REF + "Car", "bike": "Bike", "bicycle": REF + "Bike"},
        },
    },
    # Implicit mapping: the tags are the schemas' names (an anyOf).
    "Machine": {
        "anyOf": [{"$ref": REF + "Car"}, {"$ref": REF + "Bike"}],
        "discriminator": {"propertyName": "type"},
    },
    # allOf inheritance: the parent holds the discriminator, a reference to it means any
    # schema that extends it (or itself), by schema name.
    "Shape": {
        **_object(["shapeType"], shapeType={"type": "string"}, color={"type": "string"}),
        "discriminator": {"propertyName": "shapeType"},
    },
    "Circle": {"allOf": [{"$ref": REF + "Shape"}, _object([], radius={"type": "number"})]},
    "Square": {"allOf": [{"$ref": REF + "Shape"}, _object([], side={"type": "number"})]},
    # const tags (OpenAPI 3.1), an optional property: a value without it is tried in order.
    "Ok": _object(["value"], status={"const": "ok"}, value={"type": "integer"}),
    "Failed": _object(["reason"], status={"const": "failed"}, reason={"type": "string"}),
    "Outcome": {
        "oneOf": [{"$ref": REF + "Ok"}, {"$ref": REF + "Failed"}],
        "discriminator": {"propertyName": "status"},
    },
    # A recursive union: a branch holds more of the union.
    "Leaf": _object(["node"], node={"type": "string"}, value={"type": "integer"}),
    "Branch": _object(
        ["node"],
        node={"type": "string"},
        children={"type": "array", "items": {"$ref": REF + "Node"}},
    ),
    "Node": {
        "oneOf": [{"$ref": REF + "Leaf"}, {"$ref": REF + "Branch"}],
        "discriminator": {
            "propertyName": "node",
            "mapping": {"leaf": REF + "Leaf", "branch": REF + "Branch"},
        },
    },
    "Drawing": _object(
        [],
        shapes={"type": "array", "items": {"$ref": REF + "Shape"}},
        pet={"$ref": REF + "Pet"},
        vehicle={"oneOf": [{"$ref": REF + "Vehicle"}, {"type": "null"}]},
        tree={"$ref": REF + "Node"},
    ),
}

STYLES: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Discriminators", "version": "1"},
    "servers": [{"url": "http://127.0.0.1:9"}],
    "paths": {
        "/drawing": _get("getDrawing", {"$ref": REF + "Drawing"}),
        "/vehicle": _get("getVehicle", {"$ref": REF + "Vehicle"}, {"type": "bicycle", "gears": 21}),
        "/outcome": _get("getOutcome", {"$ref": REF + "Outcome"}, {"status": "ok", "value": 7}),
        # Inline branches, named after the union.
        "/event": _get(
            "getEvent",
            {
                "oneOf": [
                    _object(["on"], on={"const": "start"}, at={"type": "integer"}),
                    _object(["on"], on={"const": "stop"}, why={"type": "string"}),
                ],
                "discriminator": {"propertyName": "on"},
            },
            {"on": "stop", "why": "done"},
        ),
    },
    "components": {"schemas": SCHEMAS},
}


def _write(tmp_path: Path, name: str, document: dict[str, Any]) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document, indent=1))
    return path


def _out(tmp_path: Path, package: str) -> Path:
    return tmp_path / "out" / package


def test_every_style_is_a_discriminated_union(
    tmp_path: Path, generated: Callable[..., Any], check_code: Callable[[Path], None]
) -> None:
    package, summary = generated(_write(tmp_path, "styles.json", STYLES), "styles")
    assert summary.fallbacks == [], summary.fallbacks
    assert summary.unions == 7 and "7 discriminated unions" in summary.report()
    models = __import__("styles.models", fromlist=["*"])
    source = _out(tmp_path, "styles") / "models"

    # Literal tags: pydantic's own Field(discriminator=...).
    pets = pydantic.TypeAdapter(models.Pet)
    assert "Field(discriminator=" in (source / "pet.py").read_text()
    assert type(pets.validate_python({"kind": "hound"})) is models.Dog
    assert type(pets.validate_python({"kind": "cat", "name": "Tom"})) is models.Cat
    with pytest.raises(pydantic.ValidationError, match=r"'cow'.*expected tags: 'cat', 'dog'"):
        pets.validate_python({"kind": "cow", "name": "Tom"})
    with pytest.raises(pydantic.ValidationError, match="Unable to extract tag"):
        pets.validate_python({"name": "Tom"})  # required in every branch

    # Mapping (references and bare names, synonyms) over plain string properties.
    vehicles = pydantic.TypeAdapter(models.Vehicle)
    assert "pydantic.Tag(" in (source / "vehicle.py").read_text()
    for tag, cls in (("car", models.Car), ("bike", models.Bike), ("bicycle", models.Bike)):
        assert type(vehicles.validate_python({"type": tag, "wheels": 4})) is cls
    with pytest.raises(pydantic.ValidationError, match="'type' property must be one of 'car'"):
        vehicles.validate_python({"type": "boat"})
    with pytest.raises(pydantic.ValidationError, match="'type' property must be one of"):
        vehicles.validate_python({"gears": 3})  # required in every branch: no guessing
    # A model instance is picked by its attribute.
    assert type(vehicles.validate_python(models.Bike(type="bike"))) is models.Bike

    # Implicit mapping by schema name (anyOf).
    machines = pydantic.TypeAdapter(models.Machine)
    assert type(machines.validate_python({"type": "Bike"})) is models.Bike
    with pytest.raises(pydantic.ValidationError, match="must be one of 'Car', 'Bike'"):
        machines.validate_python({"type": "bike"})

    # allOf inheritance: a reference to Shape is a Circle, a Square, or a Shape.
    drawing = models.Drawing.model_validate(
        {
            "shapes": [
                {"shapeType": "Circle", "radius": 1.5},
                {"shapeType": "Square", "side": 2},
                {"shapeType": "Shape", "color": "red"},
            ],
            "pet": {"kind": "dog"},
            "vehicle": None,
            "tree": {
                "node": "branch",
                "children": [{"node": "leaf", "value": 1}, {"node": "branch", "children": []}],
            },
        }
    )
    assert [type(s).__name__ for s in drawing.shapes] == ["Circle", "Square", "Shape"]
    assert drawing.shapes[0].radius == 1.5 and type(drawing.pet) is models.Dog
    assert [type(c) for c in drawing.tree.children] == [models.Leaf, models.Branch]
    with pytest.raises(pydantic.ValidationError, match="'shapeType' property must be one of"):
        models.Drawing.model_validate({"shapes": [{"shapeType": "Triangle"}]})
    drawing = models.Drawing.model_validate({"vehicle": {"type": "car", "wheels": 3}})
    assert type(drawing.vehicle) is models.Car

    # const tags, optional property: an unknown tag is refused, a missing one tried in order.
    outcomes = pydantic.TypeAdapter(models.Outcome)
    assert type(outcomes.validate_python({"status": "failed", "reason": "x"})) is models.Failed
    assert type(outcomes.validate_python({"value": 3})) is models.Ok
    with pytest.raises(pydantic.ValidationError, match="'status' property must be one of"):
        outcomes.validate_python({"status": "maybe", "value": 3})

    # The recursive union and its branches share one module; Leaf has its own.
    assert (source / "branch.py").is_file() and "Node = Annotated[" in (
        source / "branch.py"
    ).read_text()
    assert "class Leaf(" in (source / "leaf.py").read_text()

    # Inline branches are models named after where the union appears.
    client = package.Client(dry_run=True)
    events = pydantic.TypeAdapter(models.GetEventResponse)
    assert type(events.validate_python({"on": "stop"})).__name__ == "GetEventResponseOne1"
    assert client.zoo.get_event() == {}  # dry run: nothing received, nothing parsed
    check_code(_out(tmp_path, "styles"))


FALLBACKS: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Fallbacks", "version": "1"},
    "paths": {},  # no operations: a package of models (and clients without tags)
    "components": {
        "schemas": {
            "Cat": SCHEMAS["Cat"],
            "Lion": _object(["kind"], kind={"enum": ["cat"]}, mane={"type": "boolean"}),
            "Car": SCHEMAS["Car"],
            "Bike": SCHEMAS["Bike"],
            "Name": {"type": "string"},
            # An allOf parent whose mapping sends a tag to a string.
            "Animal": {
                **_object(["class"], **{"class": {"type": "string"}}),
                "discriminator": {"propertyName": "class", "mapping": {"x": REF + "Name"}},
            },
            "Beast": {"allOf": [{"$ref": REF + "Animal"}, _object([], claws={"type": "integer"})]},
            "Holder": _object(
                [],
                animal={"$ref": REF + "Animal"},
                # Two branches declare the same tag.
                shared={
                    "oneOf": [{"$ref": REF + "Cat"}, {"$ref": REF + "Lion"}],
                    "discriminator": {"propertyName": "kind"},
                },
                # The mapping sends a tag to a schema that is not an object.
                to_string={
                    "oneOf": [{"$ref": REF + "Car"}, {"$ref": REF + "Bike"}],
                    "discriminator": {
                        "propertyName": "type",
                        "mapping": {"car": REF + "Car", "name": REF + "Name"},
                    },
                },
                # A branch is not an object.
                scalar={
                    "oneOf": [{"$ref": REF + "Car"}, {"type": "integer"}],
                    "discriminator": {"propertyName": "type"},
                },
            ),
        }
    },
}


def test_what_cannot_be_expressed_is_a_plain_union_and_said(
    tmp_path: Path, generated: Callable[..., Any], check_code: Callable[[Path], None]
) -> None:
    _, summary = generated(_write(tmp_path, "fallbacks.json", FALLBACKS), "fallbacks")
    reasons = "\n".join(summary.fallbacks)
    assert len(summary.fallbacks) == 4, reasons
    assert (
        "schema Holder.animal: allOf parent with discriminator 'class': the mapping sends 'x' to "
        "'#/components/schemas/Name', not an object schema; the parent's own model"
    ) in reasons
    assert (
        "schema Holder.shared: union with discriminator 'kind': the tag 'cat' names two" in reasons
    )
    assert "sends 'name' to '#/components/schemas/Name', not an object schema" in reasons
    assert "Holder.scalar: union with discriminator 'type': branch 2 is not an object" in reasons
    assert sum(f.endswith("a plain union, tried in order") for f in summary.fallbacks) == 3
    assert "a plain union, tried in order" in summary.report()
    text = (_out(tmp_path, "fallbacks") / "models" / "holder.py").read_text()
    assert text.count("# restwright: union with discriminator") == 3
    assert "    animal: Animal | None = None" in text
    models = __import__("fallbacks.models", fromlist=["*"])
    holder = models.Holder.model_validate({"shared": {"kind": "cat", "mane": True}, "scalar": 3})
    assert type(holder.shared).__name__ in ("Cat", "Lion") and holder.scalar == 3
    check_code(_out(tmp_path, "fallbacks"))


@pytest.mark.prism
def test_a_discriminated_response_through_prism(
    tmp_path: Path,
    generated: Callable[..., Any],
    prism_served: Callable[[Path], tuple[str, dict[str, Any]]],
) -> None:
    document = _write(tmp_path, "styles.json", STYLES)
    package, _ = generated(document, "styles_served")
    url, hooks = prism_served(document)
    with package.Client(url, hooks=hooks) as client:
        vehicle = client.zoo.get_vehicle()
        assert type(vehicle).__name__ == "Bike" and vehicle.gears == 21  # "bicycle" -> Bike
        outcome = client.zoo.get_outcome()
        assert type(outcome).__name__ == "Ok" and outcome.value == 7
        event = client.zoo.get_event()
        assert type(event).__name__ == "GetEventResponseOne1" and event.why == "done"


def test_the_same_document_gives_the_same_bytes() -> None:
    from restwright.generator import render_package
    from restwright.openapi import load

    document = json.dumps(STYLES).encode()
    first, _ = render_package(load(document, cache=False), "styles.json", document, "styles")
    again, _ = render_package(load(document, cache=False), "styles.json", document, "styles")
    assert first == again and "models/branch.py" in first
