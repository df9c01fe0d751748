"""Checks made before a request is sent: required arguments, types and enums.

A call that breaks what the document says fails fast with
:class:`restwright.errors.ValidationError` (``exc.parameter`` names the argument) and
nothing is sent.  The checks are compiled once per operation (see :mod:`.runtime`).

Parameters (path, query, header, cookie) are checked for their JSON type and ``enum``,
item by item for arrays.  Values that have one obvious text form are accepted where the
document says ``string``: integers, enums, dates, times and UUIDs (an id documented as a
string and passed as ``42`` goes out as ``42``); booleans are never taken for numbers or
strings.  JSON bodies given as dicts or lists are checked against the request schema with
the same JSON-schema subset as the drift checker (``required`` ignores ``readOnly``
properties); bodies given as models or dataclasses are trusted.  Form and multipart
bodies are checked for their required fields and the types of their non-file fields.
"""

from __future__ import annotations

import datetime as _dt
import warnings
from collections.abc import Callable, Mapping
from enum import Enum
from typing import Any

from .._suggest import did_you_mean
from ..errors import RestwrightError, SpecWarning, ValidationError
from .drift import Issue, SchemaCompiler, json_type
from .model import ApiDescription, Parameter

__all__ = [
    "ValueCheck",
    "compile_body_check",
    "compile_form_check",
    "compile_parameter_check",
    "fast_types",
    "schema_summary",
]

#: Raises :class:`ValidationError` when the value is not acceptable.
ValueCheck = Callable[[Any], None]


def _resolve(api: ApiDescription, schema: Any) -> Any:
    try:
        return api.resolve(schema)
    except RestwrightError:
        return None


def _schema_types(schema: Any) -> list[str]:
    if not isinstance(schema, dict):
        return []
    raw = schema.get("type")
    if isinstance(raw, str):
        return [raw]
    if isinstance(raw, list):
        return [t for t in raw if isinstance(t, str)]
    return []


def schema_summary(api: ApiDescription, schema: Any, depth: int = 0) -> str:
    """A short human description of a schema (``"integer"``, ``"array of string"``)."""
    schema = _resolve(api, schema)
    if not isinstance(schema, dict):
        return "any"
    types = [t for t in _schema_types(schema) if t != "null"]
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        return "one of " + ", ".join(repr(v) for v in enum[:8]) + (", ..." if len(enum) > 8 else "")
    if types == ["array"] and depth < 2:
        return "array of " + schema_summary(api, schema.get("items"), depth + 1)
    if types:
        text = " or ".join(types)
        fmt = schema.get("format")
        return f"{text} ({fmt})" if isinstance(fmt, str) else text
    for key in ("oneOf", "anyOf"):
        if isinstance(schema.get(key), list):
            return key
    if isinstance(schema.get("properties"), dict):
        return "object"
    return "any"


# -- parameters --------------------------------------------------------------------------


def _enum_value(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _scalar_ok(value: Any, kind: str) -> bool:
    value = _enum_value(value)
    if isinstance(value, bool):
        return kind == "boolean"
    if kind == "string":
        return isinstance(value, (str, int, _dt.date, _dt.time)) or type(value).__name__ == "UUID"
    if kind == "integer":
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if kind == "number":
        return isinstance(value, (int, float)) or type(value).__name__ == "Decimal"
    if kind == "boolean":
        return False
    if kind == "array":
        return isinstance(value, (list, tuple, set, frozenset))
    if kind == "object":
        return (
            isinstance(value, Mapping)
            or hasattr(value, "model_dump")
            or hasattr(value, "__dataclass_fields__")
        )
    return True


def _enum_ok(value: Any, allowed: list[Any]) -> bool:
    value = _enum_value(value)
    for option in allowed:
        if option == value and isinstance(option, bool) == isinstance(value, bool):
            return True
    return False


def _value_check(
    api: ApiDescription, schema: Any, describe: Callable[[], str], parameter: str, depth: int = 0
) -> ValueCheck | None:
    schema = _resolve(api, schema)
    if not isinstance(schema, dict) or depth > 3:
        return None
    types = [t for t in _schema_types(schema) if t != "null"]
    enum = schema.get("enum")
    allowed = [v for v in enum if v is not None] if isinstance(enum, list) and enum else None
    item_check = None
    if "array" in types and len(types) == 1:
        item_check = _value_check(api, schema.get("items"), describe, parameter, depth + 1)
    if not types and allowed is None:
        return None
    expected = " or ".join(types)

    def check(value: Any) -> None:
        if types and not any(_scalar_ok(value, t) for t in types):
            raise ValidationError(
                f"{describe()} must be {expected}, got {json_type(value)} {_short(value)}",
                parameter=parameter,
            )
        if (
            allowed is not None
            and not isinstance(value, (list, tuple, set, frozenset))
            and not _enum_ok(value, allowed)
        ):
            raise ValidationError(
                f"{describe()} must be one of {allowed!r}, got {_short(value)}",
                parameter=parameter,
            )
        if item_check is not None and isinstance(value, (list, tuple, set, frozenset)):
            for item in value:
                if item is not None:
                    item_check(item)

    return check


def _short(value: Any) -> str:
    text = repr(_enum_value(value))
    return text if len(text) <= 60 else text[:57] + "..."


_FAST_TYPES: dict[str, frozenset[type]] = {
    "string": frozenset({str, int}),
    "integer": frozenset({int}),
    "number": frozenset({int, float}),
    "boolean": frozenset({bool}),
}


def fast_types(api: ApiDescription, schema: Any) -> frozenset[type]:
    """Exact types that pass a parameter's check without running it (no enum, scalar)."""
    schema = _resolve(api, schema)
    if not isinstance(schema, dict) or schema.get("enum"):
        return frozenset()
    types = [t for t in _schema_types(schema) if t != "null"]
    out: set[type] = set()
    for t in types:
        if t not in _FAST_TYPES:
            return frozenset()
        out |= _FAST_TYPES[t]
    return frozenset(out)


def compile_parameter_check(
    api: ApiDescription, param: Parameter, operation: str
) -> ValueCheck | None:
    """The type/enum check of one parameter (``None`` when anything goes)."""
    if param.content_type:
        return None

    def describe() -> str:
        return f"{operation}(): parameter {param.python_name!r} ({param.location} {param.name!r})"

    return _value_check(api, param.schema, describe, param.python_name)


# -- bodies ------------------------------------------------------------------------------


def _raise_issues(operation: str, body_name: str, issues: list[Issue]) -> None:
    shown = issues[:5]
    details = "; ".join(
        f"{body_name}{pointer or ''}: expected {expected}, got {got}"
        for pointer, expected, got in shown
    )
    more = f" (and {len(issues) - 5} more)" if len(issues) > 5 else ""
    error = ValidationError(
        f"{operation}(): invalid {body_name}: {details}{more}", parameter=body_name
    )
    error.issues = issues  # type: ignore[attr-defined]
    raise error


def _documented_keys(api: ApiDescription, schema: Any) -> tuple[frozenset[str], bool] | None:
    """The property names an object body may have, and whether others are refused
    (``additionalProperties: false``); ``None`` when the schema does not say (no
    ``properties``, or ``oneOf``/``anyOf`` alternatives)."""
    resolved = _resolve(api, schema)
    if not isinstance(resolved, dict) or "oneOf" in resolved or "anyOf" in resolved:
        return None
    names: set[str] = set()
    closed = resolved.get("additionalProperties") is False
    for part in [resolved, *(resolved.get("allOf") or ())]:
        part = _resolve(api, part)
        if not isinstance(part, dict):
            return None
        props = part.get("properties")
        if isinstance(props, dict):
            names.update(props)
        elif part is not resolved:
            return None
    return (frozenset(names), closed) if names else None


def _check_keys(
    operation: str, body_name: str, value: Any, known: frozenset[str], closed: bool
) -> None:
    """A key the document does not know, close to one it does, is a typo: refused when
    the schema is closed, else warned about (the body is sent as given)."""
    for key in value:
        if key in known:
            continue
        hint = did_you_mean(str(key), known)
        if closed:
            raise ValidationError(
                f"{operation}(): {body_name} has no property {key!r}{hint}", parameter=body_name
            )
        if hint:
            warnings.warn(
                f"{operation}(): {body_name} has no documented property {key!r}{hint} "
                "(sent as given)",
                SpecWarning,
                stacklevel=5,
            )


def compile_body_check(
    compiler: SchemaCompiler, schema: Any, operation: str, body_name: str
) -> ValueCheck | None:
    """Check a JSON body given as plain dicts/lists against its request schema, and its
    keys against the documented properties (a misspelled key names the closest one)."""
    try:
        check = compiler.compile(schema)
    except RestwrightError:
        return None
    keys = _documented_keys(compiler.api, schema)
    if check is None and keys is None:
        return None

    def body_check(value: Any) -> None:
        if not isinstance(value, (dict, list, tuple, str, int, float, bool)) and value is not None:
            return  # a model, a dataclass...: trusted
        if check is not None:
            issues = check(value)
            if issues:
                _raise_issues(operation, body_name, issues)
        if keys is not None and type(value) is dict:
            _check_keys(operation, body_name, value, *keys)

    return body_check


def compile_form_check(
    compiler: SchemaCompiler,
    schema: Any,
    operation: str,
    body_name: str,
    is_file_field: Callable[[str], bool],
) -> ValueCheck | None:
    """Check a form or multipart body: required fields and non-file field types."""
    api = compiler.api
    resolved = _resolve(api, schema)
    if not isinstance(resolved, dict):
        return None
    props = resolved.get("properties")
    props = props if isinstance(props, dict) else {}
    required = [r for r in resolved.get("required") or () if isinstance(r, str)]
    field_checks: dict[str, Any] = {}
    for name, sub in props.items():
        if is_file_field(name):
            continue
        try:
            check = compiler.compile(sub)
        except RestwrightError:
            check = None
        if check is not None:
            field_checks[name] = check
    if not required and not field_checks:
        return None

    def form_check(value: Any) -> None:
        if not isinstance(value, Mapping):
            raise ValidationError(
                f"{operation}(): {body_name} must be a mapping of form fields, "
                f"got {type(value).__name__}",
                parameter=body_name,
            )
        issues: list[Issue] = []
        for name in required:
            if value.get(name) is None:
                issues.append(("/" + name, "required field", "missing"))
        for name, check in field_checks.items():
            item = value.get(name)
            if item is None or _is_file_value(item):
                continue
            found = check(item)
            if found:
                issues.extend(("/" + name + p, e, g) for p, e, g in found)
        if issues:
            _raise_issues(operation, body_name, issues)

    return form_check


def _is_file_value(value: Any) -> bool:
    import os

    return isinstance(value, (bytes, bytearray, memoryview, os.PathLike, tuple)) or hasattr(
        value, "read"
    )
