"""Conformance tests (:mod:`restwright.openapi.conformance`): the source-written fast path
of a drift check must never pass a value the reference check rejects, and must pass the
values it accepts (an integral float for an integer aside: those it leaves to the
reference) - on random schemas, and on every response schema of real documents, with
values made from the schemas and broken one place at a time."""

from __future__ import annotations

import copy
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from restwright.openapi import load
from restwright.openapi.conformance import ConformanceCompiler
from restwright.openapi.drift import SchemaCompiler

from .test_runtime_drift_checker import API, JSON_VALUES, REF, SCALAR_TYPES, _schemas

_DOCUMENTS = Path(__file__).resolve().parents[1]
REAL_DOCUMENTS = {
    "mattermost": files("restwright.mattermost.generated") / "_spec" / "mattermost-openapi-v4.yaml",
    "docker": _DOCUMENTS / "openapi" / "documents" / "docker-engine-swagger.yaml",
    "blockfrost": _DOCUMENTS / "generator" / "documents" / "blockfrost-openapi.yaml",
    "digitalocean": _DOCUMENTS
    / "openapi"
    / "documents"
    / "digitalocean"
    / "DigitalOcean-public.v2.yaml",
    "kinto": _DOCUMENTS / "openapi" / "documents" / "kinto-swagger.json",
}


def _has_integral_float(value: Any) -> bool:
    if isinstance(value, float):
        return value.is_integer()
    if isinstance(value, list):
        return any(map(_has_integral_float, value))
    if isinstance(value, dict):
        return any(map(_has_integral_float, value.values()))
    return False


def _agree(reference: SchemaCompiler, schema: Any, value: Any) -> bool:
    """Assert the test and the reference agree on ``value``; return the test's answer."""
    check = reference.compile(schema)
    conforms = check is None or not check(value)
    passed = ConformanceCompiler(reference).test(schema)(value)
    if _has_integral_float(value):
        assert not passed or conforms, (schema, value)
    else:
        assert passed == conforms, (schema, value)
    tested = reference.compile_tested(schema)
    assert (tested(value) if tested else None) == (check(value) if check else None)
    return bool(passed)


@settings(max_examples=800, deadline=None)
@given(schema=_schemas(), value=JSON_VALUES)
def test_agrees_with_the_reference_on_random_schemas(schema: dict[str, Any], value: Any) -> None:
    _agree(SchemaCompiler(API, "response"), copy.deepcopy(schema), value)


def _typed(schema: dict[str, Any], kind: str, null: bool, nullable: bool) -> dict[str, Any]:
    return {**schema, "type": [kind, "null"] if null else kind, "nullable": nullable}


@settings(max_examples=1000, deadline=None)
@given(
    schema=st.builds(
        _typed,
        _schemas(),
        st.sampled_from(["object", "array", *SCALAR_TYPES]),  # the shapes' own, oftener
        st.booleans(),
        st.booleans(),
    ),
    value=st.none() | JSON_VALUES,
)
def test_agrees_with_the_reference_on_typed_random_schemas(
    schema: dict[str, Any], value: Any
) -> None:
    """The same, with a type (a list of them, ``null`` among them or not) and
    ``nullable`` beside every shape: what 3.0 and 3.1 documents write."""
    _agree(SchemaCompiler(API, "response"), copy.deepcopy(schema), value)


def test_the_shapes_it_writes_and_the_ones_it_leaves_to_the_reference() -> None:
    reference = SchemaCompiler(API, "response")
    node = {"name": "a", "children": [{"name": "b", "parent": None}], "parent": None}
    cases: list[tuple[Any, Any, bool]] = [
        (REF, node, True),  # recursive, with a nullable $ref
        (REF, {"name": "a", "children": [{"parent": None}]}, False),  # a nested required
        (REF, {"name": 1}, False),
        ({"type": "integer"}, 3.0, False),  # conforms, but left to the reference
        ({"type": "integer"}, True, False),  # a bool is no integer
        ({"type": "number"}, 3, True),
        ({"type": "string", "nullable": True, "enum": ["a", "b"]}, None, True),
        ({"type": "string", "nullable": True, "enum": ["a", "b"]}, "c", False),
        ({"enum": [1, "a"]}, 1, True),  # an enum of numbers: asked of the reference
        ({"enum": [1, "a"]}, True, False),
        ({"$ref": "#/components/schemas/Pet"}, {"kind": "cat", "meows": True}, True),
        ({"$ref": "#/components/schemas/Pet"}, {"kind": "cat", "barks": 1}, False),
        ({"type": "array", "items": {"type": "integer"}}, [1, 2, "3"], False),
        ({"additionalProperties": {"type": "integer"}}, {"a": 1, "b": 2}, True),
        ({"additionalProperties": {"type": "integer"}}, {"a": 1, "b": "2"}, False),
        (False, 1, False),
        # 3.1's null among the types, beside the keywords of an object or an array
        ({"type": ["object", "null"], "properties": {"a": {"type": "integer"}}}, None, True),
        ({"type": ["object", "null"], "properties": {"a": {"type": "integer"}}}, {"a": 1}, True),
        ({"type": ["object", "null"], "properties": {"a": {"type": "integer"}}}, {"a": ""}, False),
        ({"type": ["array", "null"], "items": {"type": "string"}}, None, True),
        ({"type": ["array", "null"], "items": {"type": "string"}}, ["a", 1], False),
        ({"type": ["string", "null"], "enum": ["a"]}, None, False),  # null not in the enum
        ({"type": "null", "enum": ["a"]}, "a", False),  # a string is no null
        ({"type": ["object", "null"], "required": ["a"], "enum": [{"a": 1}]}, None, False),
    ]
    for schema, value, passed in cases:
        assert _agree(reference, schema, value) is passed, (schema, value)


def test_additional_properties_are_the_undeclared_ones() -> None:
    """A declared property whose schema accepts anything is not checked against
    ``additionalProperties`` (the reference used to, when its schema had no check)."""
    schema = {
        "type": "object",
        "properties": {"free": {}, "n": {"type": "integer"}},
        "additionalProperties": {"type": "integer"},
    }
    reference = SchemaCompiler(API, "response")
    check = reference.compile(schema)
    assert check is not None
    assert check({"free": "text", "n": 1, "extra": 2}) is None
    assert check({"free": "text", "n": 1, "extra": "x"}) == [("/extra", "integer", "string 'x'")]
    assert _agree(reference, schema, {"free": "text", "n": 1, "extra": 2})
    assert not _agree(reference, schema, {"free": "text", "n": "1"})


# -- real documents ----------------------------------------------------------------------


def _sample(api: Any, schema: Any, depth: int = 0) -> Any:
    """A value made from ``schema``: every property filled, arrays of two items, the first
    branch of a choice (it may not conform: the reference says)."""
    if not isinstance(schema, dict) or depth > 8:
        return "text"
    if isinstance(schema.get("$ref"), str):
        return _sample(api, api.resolve_ref(schema["$ref"]), depth + 1)
    if schema.get("enum"):
        return schema["enum"][0]
    for keyword in ("oneOf", "anyOf"):
        if schema.get(keyword):
            return _sample(api, schema[keyword][0], depth + 1)
    if schema.get("allOf"):
        merged: dict[str, Any] = {}
        for sub in schema["allOf"]:
            part = _sample(api, sub, depth + 1)
            if isinstance(part, dict):
                merged.update(part)
        return merged
    kind = schema.get("type")
    kind = kind[0] if isinstance(kind, list) and kind else kind
    if kind == "array" or (kind is None and "items" in schema):
        return [_sample(api, schema.get("items"), depth + 1) for _ in range(2)]
    if kind == "object" or "properties" in schema or "additionalProperties" in schema:
        value = {
            name: _sample(api, sub, depth + 1)
            for name, sub in (schema.get("properties") or {}).items()
        }
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            value["extra-key"] = _sample(api, extra, depth + 1)
        return value
    return {"integer": 7, "number": 2.5, "boolean": True, "null": None}.get(kind, "text")


_WRONG = (None, 3.0, 7, "x", True, [], {})


def _broken(value: Any, limit: int = 60) -> list[Any]:
    """Copies of ``value``, each with one place replaced by a value of another type or,
    for an object, one property removed."""
    out: list[Any] = []

    def walk(node: Any, rebuild: Any) -> None:
        if len(out) >= limit:
            return
        for wrong in _WRONG:
            if type(wrong) is not type(node):
                out.append(rebuild(wrong))
                break
        if isinstance(node, dict):
            for key in list(node)[:12]:
                out.append(rebuild({k: v for k, v in node.items() if k != key}))
                walk(node[key], lambda x, key=key: rebuild({**node, key: x}))
        elif isinstance(node, list) and node:
            walk(node[0], lambda x: rebuild([x, *node[1:]]))

    walk(value, lambda x: x)
    return out


@pytest.mark.parametrize("name", sorted(REAL_DOCUMENTS))
def test_agrees_with_the_reference_on_real_documents(name: str) -> None:
    api = load(str(REAL_DOCUMENTS[name]), cache=False)
    reference = SchemaCompiler(api, "response")
    schemas = {
        id(schema): schema
        for op in api.operations
        for spec in op.responses.values()
        for schema in (spec.content or {}).values()
        if schema is not None
    }
    passed = conforming = values = 0
    for schema in schemas.values():
        sample = _sample(api, schema)
        check = reference.compile(schema)
        if check is None or check(sample):
            _agree(reference, schema, sample)
        else:
            conforming += 1
            passed += _agree(reference, schema, sample)
        for broken in _broken(sample):
            _agree(reference, schema, broken)
            values += 1
    assert passed == conforming > 0, (passed, conforming)  # the fast path is the path
    assert values > 10 * len(schemas) // 2


def test_the_test_is_written_at_the_third_body() -> None:
    """A one-shot call (the command line's) does not pay for writing the test."""
    reference = SchemaCompiler(API, "response")
    tested = reference.compile_tested(REF)
    assert tested is not None
    node = {"name": "a", "children": []}
    assert tested(node) is None
    assert tested({"name": 1}) == [("/name", "string", "integer 1")]
    assert reference._conformance is None
    assert tested(node) is None
    assert reference._conformance is not None
    assert tested({"name": 1}) == [("/name", "string", "integer 1")]
