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
* ``oneOf``/``anyOf`` become unions; with a ``discriminator`` (and an ``allOf`` parent that
  holds one, whose references mean "one of the schemas that extend it") they become named
  discriminated unions (:class:`AliasSpec`): validation picks the branch by its tag, a bad
  tag is a clear error.  Tags come from the ``mapping`` (references or bare schema names),
  else from what each branch declares (``enum``/``const``), else from the schema's name;
* ``nullable``/``type: [..., "null"]`` add ``| None``; ``enum``/``const`` become
  ``Literal[...]`` (an ``enum`` of only ``{}`` is the empty object);
  ``additionalProperties`` becomes ``dict[str, T]`` (extra keys of a model are kept too);
* recursion works by name (models refer to each other through postponed annotations);
* anything that cannot be typed falls back to a looser type, with a comment in the code
  and an entry in :attr:`TypeRenderer.fallbacks` - never silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..errors import RestwrightError
from ..openapi.model import ApiDescription
from ..openapi.models import class_name
from ..openapi.naming import NameAllocator, python_identifier

__all__ = ["MODEL_NAME", "AliasSpec", "FieldSpec", "ModelSpec", "TypeRenderer"]

MODEL_NAME = re.compile(r"\x00(\w+)")
"""A model's (or alias's) name in a rendered type: written after a NUL marker."""

_SCALARS = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}
# Field names that would shadow a builtin or typing name used in the module's annotations,
# or pydantic's own attributes (``model_dump``, ``schema``...): they get a trailing "_".
_SHADOWING = frozenset({"str", "int", "float", "bool", "bytes", "list", "dict", "Any", "Literal"})
# What a models module imports by name: no model or alias may take these names.
_IMPORTED = ("Annotated", "Any", "Field", "Literal", "Union")
# The named type of an ``enum: [{}]`` (Docker's ``ExposedPorts`` values): an empty object.
EMPTY_OBJECT = "EmptyObject"


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

    def dependencies(self) -> list[str]:
        """The models (and aliases) its fields name."""
        return [name for f in self.fields for name in MODEL_NAME.findall(f.annotation)]


@dataclass
class AliasSpec:
    """A named type that is not a class: a discriminated union, or a fixed expression.

    A union has ``branches`` (model class, its tags: the first is the one pydantic's ``Tag``
    carries, the others are synonyms) picked by the wire property ``discriminator``;
    ``literal`` says every branch declares exactly its tags as a required ``Literal`` field,
    so pydantic's own ``Field(discriminator=...)`` can pick it.  ``untagged``: the document
    lets a value lack the property (it is not required in every branch), so such a value
    is tried against each branch in order; a value with an unknown tag is always refused.
    The rendering is left to :mod:`.model_package`, when every model (and so every field's
    Python name) is known.
    """

    name: str
    doc: str
    expression: str = ""  # a fixed expression (model names after a NUL marker)
    discriminator: str = ""
    branches: list[tuple[str, list[str]]] = field(default_factory=list)
    literal: bool = False
    untagged: bool = False  # some branch does not require the property: a value may lack it

    def dependencies(self) -> list[str]:
        """The models (and aliases) the alias names."""
        if self.branches:
            return [name for name, _ in self.branches]
        return MODEL_NAME.findall(self.expression)


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
        self.aliases: dict[str, AliasSpec] = {}
        self.public: set[str] = set()
        """What users name: component schemas' models and unions, and operations' types."""
        self.fallbacks: list[str] = []
        self._names = NameAllocator()
        for imported in _IMPORTED:
            self._names.claim(imported)
        self._ref_names: dict[str, str] = {}
        self._inline: dict[int, str] = {}
        self._unions: dict[object, str | None] = {}  # ref or id(schema) -> alias (None: untyped)
        self._empty: str | None = None  # the EmptyObject alias, once a schema needs it
        self._keep: list[Any] = []
        self._expanding: set[str] = set()
        self._reserved = _PYDANTIC_ATTRIBUTES | _SHADOWING
        prefix = api.schema_ref_prefix
        for name in api.schemas:
            if self._is_model(api.schemas[name]):
                self._ref_names[prefix + name] = self._names.claim(class_name(name))
        self.public.update(self._ref_names.values())
        self._children = self._inheritance(prefix)
        for name in api.schemas:
            ref = prefix + name
            if ref in self._ref_names:
                self._build_model(self._ref_names[ref], api.schemas[name], f"schema {name}")
            elif self._discriminated_members(self._resolve(api.schemas[name])) is not None:
                self._render({"$ref": ref}, class_name(name), f"schema {name}")  # its alias

    # -- public --------------------------------------------------------------------------
    def annotation(self, schema: Any, hint: str, where: str, prefix: str = "") -> str:
        """The type expression of ``schema``; ``hint`` names an inline model if one is needed."""
        text = self._render(schema, hint, where)
        self.public.update(MODEL_NAME.findall(text))
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
                if ref in self._children:  # an allOf parent holding a discriminator
                    union = self._parent_union(ref, name, where) or name
                    self.public.add(union)
                    return "\x00" + union
                return "\x00" + name
            target = self._resolve(schema)
            if self._discriminated_members(target) is not None:
                component = ref.rpartition("/")[2]
                alias = self._union_alias(ref, target, class_name(component), where)
                if alias is not None:
                    self.public.add(alias)
                    return "\x00" + alias + self._nullable(target, alias)
            if ref in self._expanding:
                self.fallback(where, f"recursive non-object schema {ref}; typed as Any")
                return "Any"
            self._expanding.add(ref)
            try:
                return self._render(target, hint, where)
            finally:
                self._expanding.discard(ref)
        text = self._render_plain(schema, hint, where)
        return text + self._nullable(schema, text)

    @staticmethod
    def _nullable(schema: dict[str, Any], text: str) -> str:
        """`` | None`` when ``schema`` admits null and ``text`` does not say so yet."""
        nullable = schema.get("nullable") is True or (
            isinstance(schema.get("type"), list) and "null" in schema["type"]
        )
        return " | None" if nullable and text != "Any" and not text.endswith("| None") else ""

    def _render_plain(self, schema: dict[str, Any], hint: str, where: str) -> str:
        enum = schema.get("enum")
        if "const" in schema and not (isinstance(enum, list) and enum):
            enum = [schema["const"]]
        if isinstance(enum, list) and enum:
            return self._literal(schema, enum, hint, where)
        if self._discriminated_members(schema) is not None:
            alias = self._union_alias(id(schema), schema, class_name(hint), where)
            if alias is not None:
                return "\x00" + alias
        for key in ("oneOf", "anyOf"):
            members = schema.get(key)
            if isinstance(members, list) and members:
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
        if values and all(v == {} for v in values):  # the only value is the empty object
            if self._empty is None:
                self._empty = self._names.claim(EMPTY_OBJECT)
                self.aliases[self._empty] = AliasSpec(
                    self._empty,
                    "An object that must be empty (a schema's only allowed value is {}).",
                    expression="Annotated[dict[str, Any], Field(max_length=0)]",
                )
            return "\x00" + self._empty + (" | None" if len(values) < len(enum) else "")
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

    # -- discriminated unions ------------------------------------------------------------
    @staticmethod
    def _discriminator(schema: Any) -> str | None:
        """The discriminating property of ``schema`` (OpenAPI's object, Swagger 2.0's name)."""
        if not isinstance(schema, dict):
            return None
        found = schema.get("discriminator")
        if isinstance(found, dict):
            found = found.get("propertyName")
        return found if isinstance(found, str) and found else None

    def _discriminated_members(self, schema: Any) -> tuple[str, list[Any]] | None:
        """(``oneOf`` or ``anyOf``, its members) of a union with a discriminator, else None."""
        if self._discriminator(schema) is None:
            return None
        for key in ("oneOf", "anyOf"):
            members = schema.get(key)
            if isinstance(members, list) and members:
                return key, members
        return None

    def _inheritance(self, prefix: str) -> dict[str, list[str]]:
        """allOf parents holding a discriminator (by reference) -> the component schemas
        whose ``allOf`` names them, in document order.  A reference to such a parent means
        one of them (or the parent itself), picked by the discriminator."""
        parents: dict[str, list[str]] = {}
        for name, raw in self.api.schemas.items():
            schema = self._resolve(raw)
            if (
                prefix + name in self._ref_names
                and self._discriminator(schema) is not None
                and self._discriminated_members(schema) is None
            ):
                parents[prefix + name] = []
        if not parents:
            return {}
        for name, raw in self.api.schemas.items():
            schema = self._resolve(raw)
            if not isinstance(schema, dict) or prefix + name not in self._ref_names:
                continue
            for part in schema.get("allOf") or ():
                ref = part.get("$ref") if isinstance(part, dict) else None
                if ref in parents and ref != prefix + name:
                    parents[ref].append(prefix + name)
        return {
            ref: children
            for ref, children in parents.items()
            if children or self._mapping(self._resolve({"$ref": ref}))
        }

    @staticmethod
    def _mapping(schema: Any) -> dict[str, Any]:
        found = schema.get("discriminator") if isinstance(schema, dict) else None
        mapping = found.get("mapping") if isinstance(found, dict) else None
        return mapping if isinstance(mapping, dict) else {}

    def _parent_union(self, ref: str, name: str, where: str) -> str | None:
        """The discriminated union a reference to an allOf parent stands for."""
        members = [{"$ref": ref}, *({"$ref": child} for child in self._children[ref])]
        return self._union_alias(ref, self._resolve({"$ref": ref}), name + "Union", where, members)

    def _union_alias(
        self,
        key: object,
        schema: dict[str, Any],
        name: str,
        where: str,
        members: list[Any] | None = None,
    ) -> str | None:
        """The name of the discriminated union ``schema`` describes (made on first use), or
        None - the reason recorded as a fallback - when the document's discriminator cannot
        be expressed (the caller writes a plain union).  ``members`` are an allOf parent's
        branches (mapping targets outside them join); a oneOf/anyOf has its own."""
        if key in self._unions:
            return self._unions[key]
        prop = self._discriminator(schema)
        assert prop is not None
        parent = members is not None
        if members is None:
            found = self._discriminated_members(schema)
            assert found is not None
            members = found[1]
        problem, branches, inline, required = self._branches(schema, prop, members, parent)
        if problem:
            kind, instead = (
                ("allOf parent", "the parent's own model")
                if parent
                else ("union", "a plain union, tried in order")
            )
            self.fallback(where, f"{kind} with discriminator {prop!r}: {problem}; {instead}")
            self._unions[key] = None
            return None
        alias = self._names.claim(name)
        self._unions[key] = alias
        self._keep.append(schema)
        doc = str(schema.get("description") or "").strip() if not parent else ""
        spec = AliasSpec(
            alias,
            doc or f"One of {len(branches)} schemas, picked by the property {prop!r}.",
            discriminator=prop,
            literal=required == "literal",
            untagged=required == "no",
        )
        self.aliases[alias] = spec
        word = "Any" if "anyOf" in schema and "oneOf" not in schema else "One"
        for index, member in inline.items():  # inline branches: models named after the union
            text = self._render(member, f"{alias}{word}{index}", where)
            branches[index] = (text[1:].split(" ", 1)[0], branches[index][1])
        spec.branches = branches
        return alias

    def _branches(
        self, schema: dict[str, Any], prop: str, members: list[Any], parent: bool
    ) -> tuple[str, list[tuple[str, list[str]]], dict[int, Any], str]:
        """(problem, branches as (class, tags), inline branches by index, whether the
        property is required: "literal" (in every branch, as exactly its tags), "yes", "no").

        A branch's tags are its ``mapping`` keys, else the values its own schema declares for
        the property (``enum``/``const``), else its schema's name (OpenAPI's implicit
        mapping).  ``problem`` says why the discriminator cannot be expressed ("" if it can).
        """
        prefix = self.api.schema_ref_prefix
        classes: list[str] = []  # "" for an inline branch, named once the alias exists
        schemas: list[Any] = []
        implicit: list[str] = []
        inline: dict[int, Any] = {}

        def add(cls: str, schema: Any, ref: str) -> None:
            classes.append(cls)
            schemas.append(schema)
            implicit.append(ref[len(prefix) :] if ref.startswith(prefix) else "")

        for index, member in enumerate(members):
            ref = member.get("$ref") if isinstance(member, dict) else None
            if isinstance(ref, str):
                cls = self._ref_names.get(ref)
                if cls is None:
                    kind = (self._resolve(member) or {}).get("type")
                    what = f" (type {kind})" if isinstance(kind, str) else ""
                    return f"branch {ref} is not an object schema{what}", [], {}, ""
                if cls not in classes:
                    add(cls, self._resolve(member), ref)
            elif self._is_model(member):
                inline[len(classes)] = member
                add("", member, "")
            else:
                return f"branch {index + 1} is not an object schema", [], {}, ""
        owner: dict[str, int] = {}
        for tag, target in self._mapping(schema).items():
            ref = target if isinstance(target, str) and "/" in target else f"{prefix}{target}"
            cls = self._ref_names.get(ref)
            if cls is None or (cls not in classes and not parent):
                what = "an object schema" if cls is None else "one of the branches"
                return f"the mapping sends {tag!r} to {target!r}, not {what}", [], {}, ""
            if cls not in classes:
                add(cls, self._resolve({"$ref": ref}), ref)
            owner[str(tag)] = classes.index(cls)
        branches: list[tuple[str, list[str]]] = []
        literal = everywhere = True
        seen: dict[str, int] = {}
        for index, cls in enumerate(classes):
            declared, required = self._declared(schemas[index], prop)
            tags = [tag for tag, i in owner.items() if i == index]
            if not tags:
                tags = declared or ([implicit[index]] if implicit[index] else [])
            if not tags:
                problem = f"branch {index + 1} has no tag (no mapping entry, enum, const or name)"
                return problem, [], {}, ""
            for tag in tags:
                if seen.setdefault(tag, index) != index:
                    return f"the tag {tag!r} names two branches", [], {}, ""
            literal = literal and required and sorted(set(declared)) == sorted(set(tags))
            everywhere = everywhere and required
            branches.append((cls, tags))
        return "", branches, inline, "literal" if literal else "yes" if everywhere else "no"

    def _declared(self, schema: Any, prop: str) -> tuple[list[str], bool]:
        """The string values ``schema`` allows for ``prop`` (``enum``/``const``; [] when it
        does not restrict them) and whether ``prop`` is required there."""
        props, required, _ = self._merged(schema, set())
        sub = self._resolve(props.get(prop))
        values: Any = None
        if isinstance(sub, dict):
            values = sub.get("enum") if isinstance(sub.get("enum"), list) else None
            if values is None and "const" in sub:
                values = [sub["const"]]
        if not values or not all(isinstance(v, str) for v in values):
            return [], prop in required
        return list(dict.fromkeys(values)), prop in required

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
