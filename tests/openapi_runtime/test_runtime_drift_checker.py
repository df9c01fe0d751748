"""The drift checker: a JSON-schema subset, checked against the jsonschema library,
with JSON pointers; the drift log and its report; drift through a recorded transport."""

from __future__ import annotations

import copy
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from restwright.errors import NotFound, RestwrightError
from restwright.openapi import load
from restwright.openapi.drift import DriftEntry, DriftError, DriftLog, SchemaCompiler
from restwright.openapi.runtime import from_openapi

from ._support import Recorder, call
from .conftest import PRISM_DOCUMENTS

PET30 = PRISM_DOCUMENTS / "petstore-3.0.yaml"

COMPONENTS: dict[str, Any] = {
    "Node": {
        "type": "object",
        "required": ["name"],
        "properties": {
            "name": {"type": "string"},
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
            "parent": {"$ref": "#/components/schemas/Node", "nullable": True},
        },
    },
    "Cat": {
        "type": "object",
        "required": ["kind", "meows"],
        "properties": {"kind": {"type": "string"}, "meows": {"type": "boolean"}},
    },
    "Dog": {
        "type": "object",
        "required": ["kind", "barks"],
        "properties": {"kind": {"type": "string"}, "barks": {"type": "integer"}},
    },
    "Pet": {
        "oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
        "discriminator": {
            "propertyName": "kind",
            "mapping": {"cat": "#/components/schemas/Cat", "dog": "#/components/schemas/Dog"},
        },
    },
    "Weird/Name~": {"type": "object", "properties": {"a/b": {"type": "integer"}}},
}

API = load(
    {
        "openapi": "3.0.3",
        "info": {"title": "checker", "version": "1"},
        "paths": {},
        "components": {"schemas": COMPONENTS},
    },
    cache=False,
)


def issues(schema: Any, value: Any, mode: str = "response") -> list[tuple[str, str, str]]:
    compiled = SchemaCompiler(API, mode).compile(schema)  # type: ignore[arg-type]
    return (compiled(value) if compiled is not None else None) or []


REF = {"$ref": "#/components/schemas/Node"}


def test_const_and_enum_compare_nested_values_as_json() -> None:
    # 1 == 1.0 inside objects and arrays too, key order does not matter, True is not 1
    assert issues({"const": {"b": 1.0}}, {"b": 1}) == []
    assert issues({"enum": [{"a": 1, "b": [2.0]}]}, {"b": [2], "a": 1}) == []
    assert issues({"const": {"b": 1}}, {"b": True}) != []
    assert issues({"const": [1, 2]}, [2, 1]) != []


def test_types_and_nullable() -> None:
    assert issues({"type": "integer"}, 1) == []
    assert issues({"type": "integer"}, 1.0) == []  # JSON Schema: 1.0 is an integer
    assert issues({"type": "integer"}, True) == [("", "integer", "boolean True")]
    assert issues({"type": "number"}, 1) == []
    assert issues({"type": "string"}, None) == [("", "string", "null None")]
    assert issues({"type": "string", "nullable": True}, None) == []
    assert issues({"type": "string", "x-nullable": True}, None) == []
    assert issues({"type": ["string", "null"]}, None) == []
    assert issues({"type": ["string", "null"]}, 3) == [("", "string or null", "integer 3")]
    assert issues({"enum": ["a", None]}, None) == []
    assert issues({"enum": [1, 2]}, True) == [("", "one of [1, 2]", "boolean True")]
    assert issues({"const": "x"}, "y") == [("", "one of ['x']", "string 'y'")]
    assert issues({}, object()) == []
    assert SchemaCompiler(API).compile({"description": "anything"}) is None


def test_pointers_point_at_the_value() -> None:
    value = {"name": "root", "children": [{"name": "a"}, {"children": [{"name": 5}]}]}
    assert issues(REF, value) == [
        ("/children/1/name", "required property", "missing"),
        ("/children/1/children/0/name", "string", "integer 5"),
    ]
    # RFC 6901 escaping of "/" and "~"
    weird = {"$ref": "#/components/schemas/Weird~1Name~0"}
    assert issues(weird, {"a/b": "x"}) == [("/a~1b", "integer", "string 'x'")]


def test_recursive_schema_and_nullable_ref() -> None:
    deep: dict[str, Any] = {"name": "leaf"}
    for i in range(50):
        deep = {"name": f"n{i}", "children": [deep], "parent": None}
    assert issues(REF, deep) == []


def test_one_of_with_discriminator_and_without() -> None:
    pet = {"$ref": "#/components/schemas/Pet"}
    assert issues(pet, {"kind": "cat", "meows": True}) == []
    assert issues(pet, {"kind": "dog", "barks": "loud"}) == [("/barks", "integer", "string 'loud'")]
    plain = {"oneOf": [{"type": "string"}, {"type": "integer"}]}
    assert issues(plain, 1) == []
    assert issues(plain, []) == [("", "a value matching one of 2 oneOf schemas", "array")]
    overlapping = {"oneOf": [{"type": "number"}, {"type": "integer"}]}
    assert issues(overlapping, 1) == [("", "exactly one of 2 oneOf schemas", "several match")]
    any_of = {"anyOf": [{"type": "number"}, {"type": "integer"}]}
    assert issues(any_of, 1) == []
    all_of = {"allOf": [REF, {"required": ["children"]}]}
    assert issues(all_of, {"name": "x"}) == [("/children", "required property", "missing")]


def test_read_only_and_write_only() -> None:
    schema = {
        "type": "object",
        "required": ["id", "password"],
        "properties": {
            "id": {"type": "integer", "readOnly": True},
            "password": {"type": "string", "writeOnly": True},
        },
    }
    assert issues(schema, {"id": 1}) == []  # responses omit writeOnly
    assert issues(schema, {"password": "x"}, mode="request") == []  # requests omit readOnly


def test_additional_properties_schema() -> None:
    schema = {"type": "object", "additionalProperties": {"type": "integer"}}
    assert issues(schema, {"a": 1, "b": "x"}) == [("/b", "integer", "string 'x'")]


# -- the jsonschema library as an oracle -------------------------------------------------

SCALAR_TYPES = ["string", "integer", "number", "boolean", "null", "array", "object"]
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 5)
    | st.sampled_from([0.5, 1.0, -2.0])
    | st.sampled_from(["a", "b", ""]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["a", "b", "c"]), inner, max_size=3)
    ),
    max_leaves=8,
)


def _schemas() -> st.SearchStrategy[dict[str, Any]]:
    leaf = st.one_of(
        st.just({}),
        st.builds(lambda t: {"type": t}, st.sampled_from(SCALAR_TYPES)),
        st.builds(
            lambda ts: {"type": sorted(set(ts))},
            st.lists(st.sampled_from(SCALAR_TYPES), min_size=1, max_size=3),
        ),
        st.builds(lambda vs: {"enum": vs}, st.lists(JSON_VALUES, min_size=1, max_size=3)),
        st.builds(lambda v: {"const": v}, JSON_VALUES),
    )

    def extend(inner: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
        props = st.dictionaries(st.sampled_from(["a", "b", "c"]), inner, max_size=3)
        return st.one_of(
            st.builds(
                lambda p, req, typed: {
                    **({"type": "object"} if typed else {}),
                    "properties": p,
                    "required": sorted(req),
                },
                props,
                st.sets(st.sampled_from(["a", "b", "c"]), max_size=2),
                st.booleans(),
            ),
            st.builds(lambda i: {"type": "array", "items": i}, inner),
            st.builds(lambda i: {"items": i}, inner),
            st.builds(lambda i: {"additionalProperties": i}, inner),
            st.builds(lambda xs: {"allOf": xs}, st.lists(inner, min_size=1, max_size=3)),
            st.builds(lambda xs: {"anyOf": xs}, st.lists(inner, min_size=1, max_size=3)),
            st.builds(lambda xs: {"oneOf": xs}, st.lists(inner, min_size=1, max_size=3)),
        )

    return st.recursive(leaf, extend, max_leaves=6)


@settings(max_examples=600, deadline=None)
@given(schema=_schemas(), value=JSON_VALUES)
def test_agrees_with_jsonschema(schema: dict[str, Any], value: Any) -> None:
    expected = jsonschema.Draft202012Validator(schema).is_valid(value)
    got = issues(copy.deepcopy(schema), value)
    assert (not got) == expected, (schema, value, got)


# -- the drift log -------------------------------------------------------------------------


def test_log_report_and_limits() -> None:
    log = DriftLog(max_entries=3)
    assert log.report() == "No spec drift observed."
    entry = DriftEntry("getPet", 200, "/id", "integer", "string 'x'", "body", "GET", "/pets/{id}")
    log.record([entry, entry])
    log.record([DriftEntry("getPet", 500, "", "a documented status (200)", "500", "status")])
    log.record([DriftEntry("listPets", 200, "", "application/json", "text/html", "content-type")])
    assert len(log) == 3 and log.dropped == 1
    assert log.for_operation("listPets") == []  # not kept, but counted in the report
    report = log.report()
    assert report.splitlines() == [
        "Spec drift: 4 mismatches (3 distinct) in 2 operations",
        "getPet (GET /pets/{id}):",
        "  200 /id: expected integer, got string 'x' [x2]",
        "  500 status: expected a documented status (200), got 500",
        "listPets:",
        "  200 content-type: expected application/json, got text/html",
        "(1 further entries were not kept)",
    ]
    assert str(entry) == "getPet [200] /id: expected integer, got string 'x'"
    log.clear()
    assert not log and log.report() == "No spec drift observed."


async def test_drift_through_the_client(client_kind: str, make_client: Any) -> None:
    recorder = Recorder()
    client = make_client(PET30, base_url="http://pets.test", transport=recorder)
    recorder.answer(200, {"id": "1", "name": "Rex", "status": "lost", "tag": {"parent": 3}})
    pet = await call(client.pets.get_pet_by_id, 1)
    assert pet["id"] == "1"  # the data is returned as the server sent it
    assert [(e.pointer, e.expected, e.got) for e in client.drift] == [
        ("/id", "integer", "string '1'"),
        ("/status", "one of ['available', 'pending', 'sold']", "string 'lost'"),
        ("/tag/parent", "object", "integer 3"),
    ]
    entry = client.drift[0]
    assert (entry.operation, entry.status, entry.kind) == ("getPetById", 200, "body")
    assert (entry.method, entry.path) == ("GET", "/pets/{petId}")
    client.drift.clear()

    recorder.answer(202, {"id": 1, "name": "Rex"})  # undocumented status
    await call(client.pets.get_pet_by_id, 1)
    recorder.answer(200, b"<html/>", "text/html")  # undocumented media type
    assert await call(client.pets.get_pet_by_id, 1) == "<html/>"
    recorder.answer(200, b"{not json", "application/json")  # body that is not JSON
    assert await call(client.pets.get_pet_by_id, 1) == "{not json"
    recorder.answer(404, {"code": "x"})  # documented error status, body drifts
    with pytest.raises(NotFound):
        await call(client.pets.get_pet_by_id, 1)
    recorder.answer(418, {"code": 418, "message": "teapot"})  # undocumented error status
    with pytest.raises(RestwrightError):
        await call(client.pets.get_pet_by_id, 1)
    assert [(e.status, e.kind, e.pointer, e.got) for e in client.drift] == [
        (202, "status", "", "202"),
        (200, "content-type", "", "text/html"),
        (200, "body", "", "invalid JSON"),
        (404, "body", "/message", "missing"),
        (404, "body", "/code", "string 'x'"),
        (418, "status", "", "418"),
    ]
    assert "getPetById (GET /pets/{petId}):" in client.drift.report()


async def test_strict_mode_raises_drift_error(client_kind: str, make_client: Any) -> None:
    recorder = Recorder()
    client = make_client(PET30, base_url="http://pets.test", transport=recorder, strict=True)
    recorder.answer(200, {"id": 1, "name": "Rex"})
    assert await call(client.pets.get_pet_by_id, 1) == {"id": 1, "name": "Rex"}
    recorder.answer(200, {"id": 1})
    with pytest.raises(DriftError) as info:
        await call(client.pets.get_pet_by_id, 1)
    error = info.value
    assert isinstance(error, RestwrightError)
    assert [(e.pointer, e.expected) for e in error.entries] == [("/name", "required property")]
    assert error.response is not None and error.response.status_code == 200
    assert error.request is not None and error.request.url == "http://pets.test/pets/1"
    assert "response breaks the API document: getPetById [200] /name" in str(error)
    # an error status still raises its ApiError; the drift is recorded
    recorder.answer(404, {"code": "x", "message": "m"})
    with pytest.raises(NotFound):
        await call(client.pets.get_pet_by_id, 1)
    assert client.drift[-1].pointer == "/code"


def test_responses_without_schema_are_not_checked() -> None:
    recorder = Recorder().answer(200, {"anything": "goes"})
    client = from_openapi(PET30, base_url="http://pets.test", transport=recorder)
    recorder.answer(204, b"unexpected", "application/octet-stream")
    client.pets.delete_pet(1)
    assert not client.drift


def test_compiled_checks_are_shared_between_operations() -> None:
    client = from_openapi(PET30, base_url="http://pets.test", transport=Recorder())
    pet_schema = client.api.schemas["Pet"]
    first = client._compiler.compile(pet_schema)
    assert client._compiler.compile(pet_schema) is first
