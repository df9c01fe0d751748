"""Schemas turned into Python type expressions and pydantic model definitions.

The generator needs, for every schema an operation touches, a type a reader (and mypy)
understands: ``str``, ``list[Channel]``, ``Literal["O", "P"] | None``, or the name of a
model class.  :class:`TypeRenderer` walks the raw schemas of the normalized model
(:class:`~restwright.openapi.model.ApiDescription`) and returns such expressions as source
text, collecting the model classes it needs on the way (:class:`ModelSpec`).

Rules, chosen so that a generated model never rejects what the server may legally send:

* a component object schema is a model named after it (:func:`restwright.openapi.models.class_name`,
  the name the runtime client's ``client.models`` uses); an inline object schema is a model
  named after where it appears (``CreateTeamJsonBody``, ``UserNotifyProps``);
* ``allOf`` becomes one model with the properties of every part (parts that are
  references, and references whose targets use ``allOf`` themselves, are followed);
* ``oneOf``/``anyOf`` become unions (a discriminator is not enforced: the union tries each
  member, which accepts the same data; the summary says so);
* ``nullable``/``type: [..., "null"]`` add ``| None``; ``enum`` becomes ``Literal[...]``;
  ``additionalProperties`` becomes ``dict[str, T]`` (extra keys of a model are kept too);
* recursion works by name (models refer to each other through postponed annotations);
* anything that cannot be typed falls back to a looser type, with a comment in the code
  and an entry in :attr:`TypeRenderer.fallbacks` - never silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import RestwrightError
from ..openapi.model import ApiDescription
from ..openapi.models import class_name
from ..openapi.naming import NameAllocator, python_identifier

__all__ = ["FieldSpec", "ModelSpec", "TypeRenderer"]

_SCALARS = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}
# Field names that would shadow a builtin or typing name used in the module's annotations,
# or pydantic's own attributes (``model_dump``, ``schema``...): they get a trailing "_".
_SHADOWING = frozenset({"str", "int", "float", "bool", "bytes", "list", "dict", "Any", "Literal"})


@dataclass
class FieldSpec:
    """One property of a model."""

    name: str
    wire: str
    annotation: str
    required: bool
    note: str = ""


@dataclass
class ModelSpec:
    """One pydantic model to write: its class name, docstring and fields."""

    name: str
    doc: str
    fields: list[FieldSpec] = field(default_factory=list)


# pydantic.BaseModel's public attributes (pydantic 2.x, including the v1 names it keeps):
# a field may not shadow them.  Written out rather than read from pydantic so that the
# output does not depend on the installed pydantic and generating does not import it.
_PYDANTIC_ATTRIBUTES = frozenset(
    {
        "construct",
        "copy",
        "dict",
        "from_orm",
        "json",
        "model_computed_fields",
        "model_config",
        "model_construct",
        "model_copy",
        "model_dump",
        "model_dump_json",
        "model_extra",
        "model_fields",
        "model_fields_set",
        "model_json_schema",
        "model_parametrized_name",
        "model_post_init",
        "model_rebuild",
        "model_validate",
        "model_validate_json",
        "model_validate_strings",
        "parse_file",
        "parse_obj",
        "parse_raw",
        "schema",
        "schema_json",
        "update_forward_refs",
        "validate",
    }
)


class TypeRenderer:
    """Renders schemas of one description as type expressions; collects the models.

    ``prefix`` is put in front of model class names in the expressions it returns
    (``"models."`` for operation modules, ``""`` inside the models module itself).
    """

    def __init__(self, api: ApiDescription) -> None:
        self.api = api
        self.models: dict[str, ModelSpec] = {}
        self.fallbacks: list[str] = []
        self._names = NameAllocator()
        self._ref_names: dict[str, str] = {}
        self._inline: dict[int, str] = {}
        self._keep: list[Any] = []
        self._expanding: set[str] = set()
        self._reserved = _PYDANTIC_ATTRIBUTES | _SHADOWING
        prefix = api.schema_ref_prefix
        for name in api.schemas:
            if self._is_model(api.schemas[name]):
                self._ref_names[prefix + name] = self._names.claim(class_name(name))
        for name in api.schemas:
            ref = prefix + name
            if ref in self._ref_names:
                self._build_model(self._ref_names[ref], api.schemas[name], f"schema {name}")

    # -- public --------------------------------------------------------------------------
    def annotation(self, schema: Any, hint: str, where: str, prefix: str = "") -> str:
        """The type expression of ``schema``; ``hint`` names an inline model if one is needed."""
        text = self._render(schema, hint, where)
        return text.replace("\x00", prefix)

    def fallback(self, where: str, reason: str) -> str:
        """Record a construct that could not be typed exactly; return the comment to write."""
        entry = f"{where}: {reason}"
        if entry not in self.fallbacks:
            self.fallbacks.append(entry)
        return reason

    # -- classification ------------------------------------------------------------------
    def _resolve(self, schema: Any) -> Any:
        try:
            return self.api.resolve(schema)
        except RestwrightError:
            return None

    def _is_model(self, schema: Any) -> bool:
        schema = self._resolve(schema)
        if not isinstance(schema, dict):
            return False
        if isinstance(schema.get("properties"), dict) and schema["properties"]:
            return True
        parts = schema.get("allOf")
        return isinstance(parts, list) and len(parts) > 1

    # -- rendering (a model name is written after a NUL marker, replaced by the prefix) --
    def _render(self, schema: Any, hint: str, where: str) -> str:
        if schema is True or schema == {}:
            return "Any"
        if not isinstance(schema, dict):
            self.fallback(where, f"schema {schema!r} is not an object; typed as Any")
            return "Any"
        ref = schema.get("$ref")
        if isinstance(ref, str):
            name = self._ref_names.get(ref)
            if name is not None:
                return "\x00" + name
            if ref in self._expanding:
                self.fallback(where, f"recursive non-object schema {ref}; typed as Any")
                return "Any"
            self._expanding.add(ref)
            try:
                return self._render(self._resolve(schema), hint, where)
            finally:
                self._expanding.discard(ref)
        text = self._render_plain(schema, hint, where)
        nullable = schema.get("nullable") is True or (
            isinstance(schema.get("type"), list) and "null" in schema["type"]
        )
        if nullable and text != "Any" and not text.endswith("| None"):
            text += " | None"
        return text

    def _render_plain(self, schema: dict[str, Any], hint: str, where: str) -> str:
        enum = schema.get("enum")
        if isinstance(enum, list) and enum:
            return self._literal(schema, enum, hint, where)
        for key in ("oneOf", "anyOf"):
            members = schema.get(key)
            if isinstance(members, list) and members:
                if isinstance(schema.get("discriminator"), dict):
                    self.fallback(
                        where, f"{key} with a discriminator: a plain union, tried in order"
                    )
                return self._union(
                    [
                        self._render(m, f"{hint}{key[:-2].title()}{i}", where)
                        for i, m in enumerate(members)
                    ]
                )
        parts = schema.get("allOf")
        if isinstance(parts, list) and parts:
            if len(parts) == 1:
                return self._render(parts[0], hint, where)
            return "\x00" + self._inline_model(schema, hint, where)
        raw = schema.get("type")
        if raw == "null":  # JSON Schema's null type (OpenAPI 3.1; some 3.0 documents use it)
            return "None"
        types = [raw] if isinstance(raw, str) else [t for t in raw or [] if t != "null"]
        if not types:
            if isinstance(schema.get("properties"), dict) and schema["properties"]:
                return "\x00" + self._inline_model(schema, hint, where)
            return "Any"
        if len(types) > 1:
            return self._union(
                [self._render_plain({**schema, "type": t}, hint, where) for t in types]
            )
        kind = types[0]
        if kind in _SCALARS:
            if kind == "string" and schema.get("format") == "binary":
                return "bytes"
            return _SCALARS[kind]
        if kind == "file":
            return "bytes"
        if kind == "array":
            items = schema.get("items")
            if items is None:
                return "list[Any]"
            return f"list[{self._render(items, hint + 'Item', where)}]"
        if kind == "object":
            props = schema.get("properties")
            if isinstance(props, dict) and props:
                return "\x00" + self._inline_model(schema, hint, where)
            extra = schema.get("additionalProperties")
            if isinstance(extra, dict) and extra:
                return f"dict[str, {self._render(extra, hint + 'Value', where)}]"
            return "dict[str, Any]"
        self.fallback(where, f"unknown type {kind!r}; typed as Any")
        return "Any"

    def _literal(self, schema: dict[str, Any], enum: list[Any], hint: str, where: str) -> str:
        values = [v for v in enum if v is not None]
        if all(isinstance(v, (str, int, bool)) for v in values) and values:
            literal = f"Literal[{', '.join(ascii(v) for v in values)}]"
            return literal + (" | None" if len(values) < len(enum) else "")
        self.fallback(where, "enum of values Literal cannot hold; typed by its base type")
        return self._render_plain({k: v for k, v in schema.items() if k != "enum"}, hint, where)

    @staticmethod
    def _union(texts: list[str]) -> str:
        seen: list[str] = []
        for text in texts:
            for part in text.split(" | "):
                if part not in seen:
                    seen.append(part)
        if "Any" in seen:
            return "Any"
        if "None" in seen:  # keep None last, as people write it
            seen.remove("None")
            seen.append("None")
        return " | ".join(seen)

    # -- models --------------------------------------------------------------------------
    def _inline_model(self, schema: dict[str, Any], hint: str, where: str) -> str:
        key = id(schema)
        name = self._inline.get(key)
        if name is None:
            name = self._names.claim(class_name(hint))
            self._inline[key] = name
            self._keep.append(schema)
            self._build_model(name, schema, where)
        return name

    def _merged(self, schema: Any, seen: set[int]) -> tuple[dict[str, Any], set[str], str]:
        """Properties, required names and description of ``schema`` with allOf flattened."""
        schema = self._resolve(schema)
        if not isinstance(schema, dict) or id(schema) in seen:
            return {}, set(), ""
        seen.add(id(schema))
        props: dict[str, Any] = {}
        required: set[str] = set()
        for part in schema.get("allOf") or ():
            p, r, _ = self._merged(part, seen)
            props.update(p)
            required |= r
        props.update(schema.get("properties") or {})
        required |= set(schema.get("required") or ())
        return props, required, str(schema.get("description") or "")

    def _build_model(self, name: str, schema: Any, where: str) -> None:
        props, required, description = self._merged(schema, set())
        spec = ModelSpec(name, description)
        self.models[name] = spec
        names = NameAllocator("underscore")
        for reserved in self._reserved:
            names.claim(reserved)
        for wire, sub in props.items():
            py = python_identifier(wire, fallback="field")
            if py.startswith("_"):  # "+1" -> "_1": pydantic refuses leading underscores
                py = "field" + py
            py = names.claim(py)
            hint = name + class_name(wire, fallback="Field")
            before = len(self.fallbacks)
            annotation = self._render(sub, hint, f"{where}.{wire}")
            note = self.fallbacks[-1].split(": ", 1)[1] if len(self.fallbacks) > before else ""
            spec.fields.append(FieldSpec(py, wire, annotation, wire in required, note))
