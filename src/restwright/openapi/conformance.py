"""Conformance tests written as Python source: the fast path of a drift check.

The drift checker (:class:`.drift.SchemaCompiler`) compiles a schema into nested closures
that say what is wrong with a value, and where.  Nearly every body a server sends is
right, though, and for a right body the closures cost a Python call or two per object and
a ``map`` per group of properties: on a 1 KB record of seven nested objects, 14 µs, four
times what decoding its JSON takes.

So, as :mod:`.direct` does for calls, this module writes source: per schema, one function
that only answers whether a value conforms - a type test per property
(``type(v.get('id', '')) is str``), one loop per array, a call per nested schema, the
value's own fields read once.  :meth:`SchemaCompiler.compile_tested
<.drift.SchemaCompiler.compile_tested>` puts it in front of the closures: a body it passes
is done with; any other goes to the closures, which are the reference and say what is
wrong.  A test therefore never passes what the closures would reject - a value of an
unusual shape is simply not passed - and the tests compare the two on real documents.

What the closures check through keywords of their own (``oneOf``, discriminators, an
``enum`` of numbers, a ``$ref`` with sibling keywords) the test asks them for, for that
part of the value only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from ..errors import RestwrightError
from .drift import _EXACT_TYPES, _MISSING, _enum_check, type_facts

if TYPE_CHECKING:
    from .drift import SchemaCompiler

__all__ = ["ConformanceCompiler"]

Test = Callable[[Any], bool]

#: Keywords that sit beside a ``$ref`` without changing what it accepts.
_DOC_KEYS = frozenset({"$ref", "description", "summary", "title", "example", "examples"})
#: Keywords that make a schema more than a type test.
_STRUCTURE_KEYS = ("properties", "required", "additionalProperties", "items", "allOf", "anyOf")
#: The source name of each exact type, and a value of it: the default of ``v.get`` for an
#: absent property, which passes its type test (only its type is ever looked at).
_TYPE_NAMES = {
    str: "str",
    int: "int",
    float: "float",
    bool: "bool",
    list: "list",
    dict: "dict",
    type(None): "NoneType",
}
_SAMPLES: dict[type, Any] = {
    str: "",
    int: 0,
    float: 0.0,
    bool: False,
    list: [],
    dict: {},
    type(None): None,
}


def _conforms_always(value: Any) -> bool:
    return True


def _nullable_ref(schema: dict[str, Any]) -> bool:
    """Whether a ``$ref`` is made nullable beside it (3.0's ``nullable``, ``x-nullable``)."""
    return bool(schema.get("nullable") or schema.get("x-nullable"))


class ConformanceCompiler:
    """Writes the conformance tests of one document's schemas (response mode), sharing
    the functions of schemas that several operations use.  Thread-safe."""

    def __init__(self, reference: SchemaCompiler) -> None:
        self._reference = reference
        self._api = reference.api
        self._functions: dict[int, str] = {}  # id(schema) -> its function's name
        self._keep: list[Any] = []  # the schemas whose ids are keys above, kept alive
        self._resolving: set[int] = set()  # $refs being followed (a cycle is delegated)
        self._namespace: dict[str, Any] = {
            "MISSING": _MISSING,
            "Mapping": Mapping,
            "NoneType": type(None),
        }
        self._bound: dict[int, str] = {}
        self._tests: dict[int, Test] = {}
        self._lock = threading.RLock()

    def test(self, schema: Any) -> Test:
        """The conformance test of ``schema``: True when the value conforms (False may
        also mean "ask the reference")."""
        with self._lock:
            found = self._tests.get(id(schema))
            if found is None:
                expression = self._expression(schema, "v")
                name = "" if expression is None else expression.removesuffix("(v)")
                if expression is None:
                    found = _conforms_always
                elif name.isidentifier() and name in self._namespace:
                    found = self._namespace[name]
                else:
                    found = self._define(f"t{len(self._tests)}", [f"return {expression}"])
                self._tests[id(schema)] = found
                self._keep.append(schema)
            return found

    # -- expressions ---------------------------------------------------------------------
    def _expression(self, schema: Any, var: str) -> str | None:
        """Source that is true when ``var`` conforms to ``schema`` (None: anything does)."""
        if schema is False:
            return "False"
        if not isinstance(schema, dict):
            return None
        if isinstance(schema.get("$ref"), str):
            return self._ref(schema, var)
        one_of = schema.get("oneOf")
        if isinstance(one_of, list) and one_of:
            return self._delegated(schema, var)
        types, nullable, enum = type_facts(schema)
        if not any(key in schema for key in _STRUCTURE_KEYS):
            # (an enum of strings tests the type of a string schema already)
            implied = self._strings(enum) and "string" in types and set(types) <= {"string", "null"}
            parts = [self._types(types, var)] if types and not implied else []
            if enum:
                parts.append(self._enum(enum, var))
            if not parts:
                return None
            joined = " and ".join(parts)
            return f"({var} is None or {joined})" if nullable else f"({joined})"
        return f"{self._function(schema)}({var})"

    @contextmanager
    def _following(self, schema: dict[str, Any]) -> Iterator[Any]:
        """The target of ``schema``'s ``$ref``, marked as being followed while the block
        runs; None where the reference decides: keywords beside the ``$ref`` other than
        ``nullable``, a ``$ref`` that cannot be resolved, or one already being followed
        (a cycle of bare references)."""
        siblings = {key for key in schema if key not in _DOC_KEYS}
        if not siblings <= {"nullable", "x-nullable"} or id(schema) in self._resolving:
            yield None
            return
        try:
            target = self._api.resolve_ref(schema["$ref"])
        except RestwrightError:
            yield None
            return
        self._resolving.add(id(schema))
        try:
            yield target
        finally:
            self._resolving.discard(id(schema))

    def _ref(self, schema: dict[str, Any], var: str) -> str | None:
        with self._following(schema) as target:
            if target is None:
                return self._delegated(schema, var)
            inner = self._expression(target, var)
        if inner is not None and _nullable_ref(schema):
            return f"({var} is None or {inner})"
        return inner

    def _delegated(self, schema: Any, var: str) -> str | None:
        """The reference check of ``schema``, asked: no issue is conformance."""
        check = self._reference.compile(schema)
        return None if check is None else f"{self._bind(check)}({var}) is None"

    def _types(self, types: list[str], var: str) -> str:
        exact = {t for name in types for t in _EXACT_TYPES[name]}
        tests = []
        if type(None) in exact:
            exact.discard(type(None))
            tests.append(f"{var} is None")
        if len(exact) == 1:
            tests.append(f"type({var}) is {_TYPE_NAMES[exact.pop()]}")
        elif exact:
            tests.append(f"type({var}) in {self._bind(frozenset(exact))}")
        # (an integral float, ``3.0``, is an integer in JSON: not passed here, the
        # reference accepts it)
        return tests[0] if len(tests) == 1 else f"({' or '.join(tests)})"

    @staticmethod
    def _strings(enum: list[Any] | None) -> bool:
        """Whether ``enum`` is of strings (and ``null``): its test implies the type's."""
        return bool(enum) and all(type(m) is str or m is None for m in enum or ())

    def _enum(self, enum: list[Any], var: str) -> str:
        members = [member for member in enum if member is not None]
        if self._strings(enum):
            return f"(type({var}) is str and {var} in {self._bind(frozenset(members))})"
        return f"{self._bind(_enum_check(enum))}({var}) is None"

    def _exact(self, schema: Any) -> frozenset[type] | None:
        """The exact types ``schema`` accepts when it is a plain type test (no ``enum``,
        no structure), else None."""
        if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
            with self._following(schema) as target:
                found = None if target is None else self._exact(target)
            if found is not None and _nullable_ref(schema):
                found |= {type(None)}
            return found
        if not isinstance(schema, dict) or "oneOf" in schema:
            return None
        if any(key in schema for key in _STRUCTURE_KEYS):
            return None
        types, _, enum = type_facts(schema)
        if not types or enum:
            return None
        return frozenset(t for name in types for t in _EXACT_TYPES[name])

    # -- functions -----------------------------------------------------------------------
    def _function(self, schema: dict[str, Any]) -> str:
        """The name of the function that tests ``schema`` (written on first use; its
        name is known before its body is, so a recursive schema calls itself)."""
        key = id(schema)
        name = self._functions.get(key)
        if name is not None:
            return name
        name = f"s{len(self._functions)}"
        self._functions[key] = name
        self._keep.append(schema)
        self._define(name, self._body(schema))
        return name

    def _body(self, schema: dict[str, Any]) -> list[str]:
        types, nullable, enum = type_facts(schema)
        lines: list[str] = []
        if nullable:
            lines += ["if v is None:", "    return True"]
        if types:
            lines += [f"if not {self._types(types, 'v')}:", "    return False"]
        if enum:
            lines += [f"if not {self._enum(enum, 'v')}:", "    return False"]
        # Past the type test a value of one type is known to be of it - unless null is
        # one of the types and still to be tested (``type: [object, "null"]`` with an
        # enum that may refuse it), since then it can be None as well.
        known = [name for name in types if name != "null"]
        if "null" in types and not nullable:
            known = []
        lines += self._object(schema, known == ["object"])
        items = schema.get("items")
        item = self._expression(items, "x") if isinstance(items, dict) else None
        if item is not None:
            loop = ["for x in v:", f"    if not {item}:", "        return False"]
            if known == ["array"]:
                lines += loop
            else:
                lines += [
                    "if type(v) is list:",
                    *(f"    {line}" for line in loop),
                    "elif isinstance(v, list):",  # a subclass: the reference decides
                    "    return False",
                ]
        all_of = schema.get("allOf")
        if isinstance(all_of, list):
            for sub in all_of:
                part = self._expression(sub, "v")
                if part is not None:
                    lines += [f"if not {part}:", "    return False"]
        any_of = schema.get("anyOf")
        if isinstance(any_of, list) and any_of:
            branches = [self._expression(sub, "v") for sub in any_of]
            if all(branch is not None for branch in branches):
                lines += [f"if not ({' or '.join(map(str, branches))}):", "    return False"]
        lines.append("return True")
        return lines

    def _object(self, schema: dict[str, Any], is_dict: bool) -> list[str]:
        """The lines that test an object's properties (``is_dict``: the value is known to
        be a dict, else they test it first)."""
        properties = schema.get("properties")
        if not isinstance(properties, dict):
            properties = {}
        required = self._reference.required_of(schema)
        extra = schema.get("additionalProperties")
        extra_test = self._expression(extra, "x") if isinstance(extra, dict) else None
        body: list[str] = []
        if required:
            body += [f"if not v.keys() >= {self._bind(frozenset(required))}:", "    return False"]
        tested: list[tuple[str, str]] = []
        for name, sub in properties.items():
            exact = self._exact(sub)
            if exact is not None:
                # ``v.get`` of an absent property gives a value of the right type
                got = f"type(get({name!r}, {self._bind(_SAMPLES[next(iter(exact))])}))"
                if len(exact) == 1:
                    body += [f"if {got} is not {_TYPE_NAMES[next(iter(exact))]}:"]
                else:
                    body += [f"if {got} not in {self._bind(exact)}:"]
                body.append("    return False")
                continue
            test = self._expression(sub, "x")
            if test is not None:
                tested.append((name, test))
        for name, test in tested:
            body += [
                f"x = get({name!r}, MISSING)",
                f"if x is not MISSING and not {test}:",
                "    return False",
            ]
        if any("get(" in line for line in body):
            body.insert(0, "get = v.get")
        if extra_test is not None and properties:
            body += [
                "for k, x in v.items():",
                f"    if k not in {self._bind(frozenset(properties))} and not {extra_test}:",
                "        return False",
            ]
        elif extra_test is not None:
            body += ["for x in v.values():", f"    if not {extra_test}:", "        return False"]
        if not body:
            return []
        if is_dict:
            return body
        return [
            "if type(v) is dict:",
            *(f"    {line}" for line in body),
            "elif isinstance(v, Mapping):",  # not a dict: the reference decides
            "    return False",
        ]

    # -- the namespace -------------------------------------------------------------------
    def _bind(self, value: Any) -> str:
        """A name in the functions' namespace for ``value`` (one per object)."""
        key = id(value)
        name = self._bound.get(key)
        if name is None:
            name = self._bound[key] = f"k{len(self._bound)}"
            self._namespace[name] = value
            self._keep.append(value)
        return name

    def _define(self, name: str, body: list[str]) -> Test:
        source = "\n".join([f"def {name}(v):", *(f"    {line}" for line in body), ""])
        exec(compile(source, f"<restwright conformance test {name}>", "exec"), self._namespace)
        function: Test = self._namespace[name]
        return function
