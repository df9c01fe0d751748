"""Fuzz: randomly broken real documents load or raise SpecError, never anything else.

The bases are the petstore (Swagger 2.0 and OpenAPI 3.0), the Kinto-style document and a
slice of Mattermost's document (when the shared specs are present).  Each example applies
a few mutations: delete a key or item, replace a value with random JSON of another type,
insert a key, break a ``$ref``, insert a cycle of Python objects or of ``$ref``s.  Then
``load()`` must either return an :class:`ApiDescription` whose schemas all resolve, or
raise :class:`SpecError` - and not the catch-all one that hides a loader bug.
"""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from restwright.errors import SpecError
from restwright.openapi import ApiDescription, load

DOCUMENTS = Path(__file__).resolve().parent / "documents"
SHARED_SPECS = Path(__file__).resolve().parents[2].parent / "shared" / "specs"


def _absolute_common_refs(node: Any) -> Any:
    """Point ``common.yaml`` references at the file itself: dict sources have no location."""
    common = (DOCUMENTS / "common.yaml").as_uri()
    text = json.dumps(node).replace('"common.yaml#', f'"{common}#')
    return json.loads(text)


@functools.cache
def _bases() -> tuple[tuple[str, Any], ...]:
    bases: list[tuple[str, Any]] = [
        ("petstore-v2", yaml.safe_load((DOCUMENTS / "petstore-v2.yaml").read_text())),
        ("petstore-v3.0", yaml.safe_load((DOCUMENTS / "petstore-v3.0.yaml").read_text())),
        ("kinto", json.loads((DOCUMENTS / "kinto-swagger.json").read_text())),
    ]
    bases = [(name, _absolute_common_refs(doc)) for name, doc in bases]
    mattermost = SHARED_SPECS / "mattermost-openapi-v4.yaml"
    if mattermost.is_file():
        doc = yaml.load(
            mattermost.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        )
        paths = dict(list(doc["paths"].items())[:12])
        responses = doc["components"].get("responses", {})
        parameters = doc["components"].get("parameters", {})
        used = json.dumps([paths, responses, parameters])
        schemas = doc["components"]["schemas"]
        # The slice keeps the component schemas the kept paths use, and what those use.
        keep: set[str] = set()
        pending = [n for n in schemas if f'"#/components/schemas/{n}"' in used]
        while pending:
            name = pending.pop()
            if name in keep:
                continue
            keep.add(name)
            text = json.dumps(schemas[name])
            pending.extend(n for n in schemas if f'"#/components/schemas/{n}"' in text)
        sliced = {
            "openapi": doc["openapi"],
            "info": doc["info"],
            "servers": doc["servers"],
            "security": doc["security"],
            "paths": paths,
            "components": {
                "schemas": {n: schemas[n] for n in schemas if n in keep},
                "securitySchemes": doc["components"]["securitySchemes"],
                "responses": responses,
                "parameters": parameters,
            },
        }
        bases.append(("mattermost-slice", sliced))
    # Every base loads cleanly before it is broken.
    for name, doc in bases:
        assert isinstance(load(copy.deepcopy(doc), cache=False), ApiDescription), name
    return tuple(bases)


_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-5, max_value=1000)
    | st.floats(allow_nan=False, allow_infinity=False, width=32)
    | st.text(max_size=6)
    | st.sampled_from(
        [
            "3.0.0",
            "2.0",
            "query",
            "path",
            "header",
            "cookie",
            "body",
            "formData",
            "default",
            "200",
            "4XX",
            "file",
            "array",
            "#/components/schemas/Pet",
            "#/definitions/Pet",
        ]
    )
)
JSON = st.recursive(
    _SCALARS,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(["$ref", "in", "name", "schema", "type", "x-a", "items", "200"])
            | st.text(max_size=5),
            children,
            max_size=3,
        )
    ),
    max_leaves=6,
)
BROKEN_REFS = [
    "#/nope",
    "#/components/schemas/Missing",
    "#/definitions/Missing",
    "#/paths/~1pets/get/parameters/99",
    "#",
    "",
    "#nope",
    "#/components/schemas/Pet/properties/~2",
    "#/%",
    "missing.yaml#/X",
    "not a uri: \\x",
    "mailto:nobody",
    "[::1",
    "http://[::1",
]


def _slots(doc: Any) -> list[tuple[Any, Any]]:
    """Every (container, key or index) in ``doc``, in a stable order; cycle-safe."""
    slots: list[tuple[Any, Any]] = []
    seen: set[int] = set()
    stack = [doc]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, dict):
            for key, value in node.items():
                slots.append((node, key))
                if isinstance(value, dict | list):
                    stack.append(value)
        elif isinstance(node, list):
            for index, value in enumerate(node):
                slots.append((node, index))
                if isinstance(value, dict | list):
                    stack.append(value)
    return slots


def _mutate(data: st.DataObject, doc: dict[str, Any]) -> None:
    slots = _slots(doc)
    action = data.draw(
        st.sampled_from(["delete", "replace", "insert", "break_ref", "cycle", "ref_cycle", "swap"]),
        label="action",
    )
    if action == "break_ref":
        refs = [(c, k) for c, k in slots if k == "$ref" and isinstance(c, dict)]
        if refs:
            container, key = refs[data.draw(st.integers(0, len(refs) - 1), label="ref")]
            container[key] = data.draw(st.sampled_from(BROKEN_REFS) | JSON, label="new ref")
            return
        action = "replace"
    if action == "ref_cycle":
        components = doc.get("components")
        if isinstance(components, dict):
            schemas, prefix = components.get("schemas"), "#/components/schemas/"
        else:
            schemas, prefix = doc.get("definitions"), "#/definitions/"
        if isinstance(schemas, dict) and len(schemas) >= 2:
            names = sorted(k for k in schemas if isinstance(k, str))
            a = data.draw(st.sampled_from(names), label="a")
            b = data.draw(st.sampled_from(names), label="b")
            schemas[a] = {"$ref": prefix + b}
            schemas[b] = {"$ref": prefix + a}
            return
        action = "cycle"
    if not slots:
        return
    container, key = slots[data.draw(st.integers(0, len(slots) - 1), label="slot")]
    if action == "delete":
        del container[key]
    elif action == "replace":
        container[key] = data.draw(JSON, label="value")
    elif action == "insert":
        target = container if isinstance(container, dict) else container[key]
        if isinstance(target, dict):
            new_key = data.draw(
                st.sampled_from(["$ref", "parameters", "schema", "in", "x-y", "content", 200]),
                label="key",
            )
            target[new_key] = data.draw(JSON, label="value")
        elif isinstance(target, list):
            target.append(data.draw(JSON, label="value"))
    elif action == "cycle":
        # Point the slot at a container that (directly or not) holds it.
        ancestors = [doc, container]
        container[key] = data.draw(st.sampled_from(ancestors), label="ancestor")
    elif action == "swap":
        other_container, other_key = slots[data.draw(st.integers(0, len(slots) - 1))]
        container[key] = copy.deepcopy(other_container[other_key])


def _exercise(api: ApiDescription) -> None:
    """What a client does with a model: every schema root it holds must resolve."""
    api.by_tag()
    for op in api.operations:
        assert api.operation(op.name) is op
        for param in op.parameters:
            assert param.python_name.isidentifier()
            api.resolve(param.schema)
        if op.request_body is not None:
            for media in op.request_body.content.values():
                api.resolve(media.schema)
        for response in op.responses.values():
            for schema in response.content.values():
                api.resolve(schema)
            for schema in response.headers.values():
                api.resolve(schema)
    for schema in api.schemas.values():
        api.resolve(schema)
    for target in api.ref_targets.values():
        api.resolve(target)


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(data=st.data())
@pytest.mark.filterwarnings("ignore::restwright.errors.SpecWarning")  # mutated keys: expected
def test_mutated_documents_load_or_raise_spec_error(data: st.DataObject) -> None:
    bases = _bases()
    name = data.draw(st.sampled_from([b[0] for b in bases]), label="base")
    doc = copy.deepcopy(dict(bases)[name])
    for _ in range(data.draw(st.integers(1, 4), label="mutations")):
        _mutate(data, doc)
    try:
        api = load(doc, cache=False, timeout=2)
    except SpecError as error:
        assert "unexpected error" not in str(error), error
        return
    assert isinstance(api, ApiDescription)
    _exercise(api)


def test_bases_are_present() -> None:
    names = [name for name, _ in _bases()]
    assert names[:3] == ["petstore-v2", "petstore-v3.0", "kinto"]
    if not (SHARED_SPECS / "mattermost-openapi-v4.yaml").is_file():
        pytest.skip("the Mattermost document is absent: fuzzed without it")
    assert "mattermost-slice" in names
