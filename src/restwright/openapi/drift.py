"""Spec drift: checking what a server answers against what its document says.

API documents drift from the servers they describe: a field documented as an integer comes
back as a string, a required property goes missing, a status nobody documented shows up.
The runtime client checks responses against the operation's documented statuses, media
types and response schema; a :class:`DriftPolicy` says which bodies (by default: the first
responses of each operation and status, then a sample).  In the default *lenient* mode a
mismatch never breaks the call: it is recorded as a :class:`DriftEntry` in the client's
:class:`DriftLog` (``client.drift``) and logged once; ``strict=True`` raises
:class:`DriftError` instead.

The checker is a small JSON-schema subset of our own, compiled once per schema into nested
closures: ``type`` (with ``nullable``, ``x-nullable`` and 3.1 type lists), ``enum``,
``const``, ``required``, ``properties``, ``additionalProperties`` (as a schema),
``items``, ``allOf``, ``anyOf``, ``oneOf`` (with ``discriminator``) and ``$ref`` (recursive
schemas included).  Formats, patterns and bounds are not checked.  A check returns ``None``
when the value conforms - the fast path allocates nothing - and otherwise a list of
``(pointer, expected, got)`` issues whose JSON pointers (RFC 6901) are built only on
failure.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from ..engine.logs import get_logger
from ..errors import RestwrightError

if TYPE_CHECKING:
    from ..engine.models import Request, Response
    from .conformance import ConformanceCompiler
    from .model import ApiDescription

__all__ = [
    "Check",
    "DriftEntry",
    "DriftError",
    "DriftLog",
    "DriftMode",
    "DriftPolicy",
    "Issue",
    "Misfit",
    "SchemaCompiler",
    "json_type",
]

logger = get_logger(__name__)

#: ``(json_pointer, expected, got)``: one way a value breaks a schema.
Issue = tuple[str, str, str]
#: A compiled schema: ``None`` when the value conforms, else the issues found.
Check = Callable[[Any], "list[Issue] | None"]
Mode = Literal["response", "request"]


class _Missing:
    """The type of the sentinel for absent properties (never a decoded JSON value)."""

    __slots__ = ()


_MISSING: Any = _Missing()
#: The body checked with a schema's conformance test first (see ``compile_tested``).
_TEST_FROM = 3
_SENTINEL_TYPE = _Missing
_NONE_TYPE = type(None)

# The Python types json.loads produces for each JSON type (exact ``type()`` matches).
_EXACT_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
    "null": (_NONE_TYPE,),
}


def json_type(value: Any) -> str:
    """The JSON type name of a decoded value (``"integer"``, ``"object"`` ...)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "array"
    if isinstance(value, Mapping):
        return "object"
    return type(value).__name__


def _describe_value(value: Any) -> str:
    """A short description of a value for the ``got`` column."""
    kind = json_type(value)
    if kind in ("array", "object"):
        return kind
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{kind} {text}"


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _prefixed(token: str, issues: list[Issue], out: list[Issue] | None) -> list[Issue]:
    """Prepend ``/token`` to the pointer of each issue, appending them to ``out``."""
    head = "/" + _escape(token)
    result = out if out is not None else []
    result.extend((head + ptr, exp, got) for ptr, exp, got in issues)
    return result


def _enum_key(value: Any) -> Any:
    # ``True == 1`` and ``1 == 1.0`` in Python; JSON Schema tells booleans from numbers.
    if isinstance(value, bool):
        return ("b", value)
    if isinstance(value, (int, float)):
        return ("n", value)
    if isinstance(value, list):
        return ("l", tuple(map(_enum_key, value)))
    if isinstance(value, dict):  # JSON objects are equal whatever their key order
        return ("d", frozenset((k, _enum_key(v)) for k, v in value.items()))
    return ("s", value)


def _is_integral(value: Any) -> bool:
    return isinstance(value, float) and value.is_integer()


class SchemaCompiler:
    """Compiles raw schema dicts of one :class:`ApiDescription` into fast checks.

    ``mode="response"`` ignores ``required`` for ``writeOnly`` properties, ``"request"``
    for ``readOnly`` ones, and also accepts what the JSON encoder turns into JSON
    (tuples, enums, dates, UUIDs, ``Mapping`` subclasses, models).  Compiled checks are
    cached by schema identity, so a schema shared by many operations is compiled once.
    """

    def __init__(self, api: ApiDescription, mode: Mode = "response") -> None:
        self.api = api
        self.mode = mode
        self._done: dict[int, Check | None] = {}
        self._active: set[int] = set()
        self._keep: list[Any] = []  # keep compiled schemas alive: their ids are cache keys
        self._lock = threading.RLock()
        self._conformance: ConformanceCompiler | None = None

    def compile(self, schema: Any) -> Check | None:
        """Return the check for ``schema`` (``None`` when it accepts anything)."""
        key = id(schema)
        done = self._done
        if key in done:
            return done[key]
        with self._lock:
            return self._compile(schema)

    def compile_tested(self, schema: Any) -> Check | None:
        """:meth:`compile`'s check behind the schema's conformance test, written as
        source (:mod:`.conformance`; response mode): a value the test passes - nearly
        every body a server sends - costs the test alone, a third of the check's walk;
        any other goes to the check, which says what is wrong."""
        check = self.compile(schema)
        if check is None or self.mode != "response":
            return check
        # The test is written at the third body checked, not the first: writing it costs
        # several times what compiling the closures does (17 ms for GitHub's repository
        # schema), which a one-shot call - the command line's - would pay for nothing.
        before = _TEST_FROM - 1  # bodies checked by the closures alone
        test: Callable[[Any], bool] | None = None

        def tested(value: Any) -> list[Issue] | None:
            nonlocal before, test
            if test is None:
                if before:
                    before -= 1
                    return check(value)
                test = self._conformance_test(schema)
            return None if test(value) else check(value)

        return tested

    def _conformance_test(self, schema: Any) -> Callable[[Any], bool]:
        with self._lock:
            if self._conformance is None:
                from .conformance import ConformanceCompiler

                self._conformance = ConformanceCompiler(self)
            return self._conformance.test(schema)

    # -- compilation ---------------------------------------------------------------------
    def _compile(self, schema: Any) -> Check | None:
        key = id(schema)
        if key in self._done:
            return self._done[key]
        if key in self._active:
            return self._forward(key)
        self._active.add(key)
        try:
            check = self._build(schema)
        finally:
            self._active.discard(key)
        self._done[key] = check
        self._keep.append(schema)
        return check

    def _forward(self, key: int) -> Check:
        """A check for a schema still being compiled (a recursive reference)."""
        done = self._done

        def forward(value: Any) -> list[Issue] | None:
            target = done.get(key)
            return target(value) if target is not None else None

        return forward

    def _resolve(self, schema: Any) -> Any:
        return self.api.resolve_ref(schema["$ref"])

    def _build(self, schema: Any) -> Check | None:
        if schema is True or schema is None:
            return None
        if schema is False:
            return _reject_all
        if not isinstance(schema, dict):
            return None
        ref = schema.get("$ref")
        if isinstance(ref, str):
            target = self._compile(self.api.resolve_ref(ref))
            siblings = {
                k: v
                for k, v in schema.items()
                if k not in ("$ref", "description", "summary", "title", "example", "examples")
            }
            nullable = bool(siblings.pop("nullable", False) or siblings.pop("x-nullable", False))
            combined = target
            if siblings:
                rest = self._build(siblings)
                combined = _all_of([c for c in (target, rest) if c is not None])
            if nullable and combined is not None:
                # ``{"$ref": ..., "nullable": true}``: ignored siblings in 3.0 strictly, but
                # what the author meant (and what servers do) is "this or null".
                return _or_null(combined)
            return combined
        return self._build_plain(schema)

    def _build_plain(self, schema: dict[str, Any]) -> Check | None:
        mode = self.mode
        types, nullable, enum = type_facts(schema)
        type_check = _type_check(types, mode) if types else None
        enum_check = _enum_check(enum) if enum else None

        # -- object keywords
        prop_checks: dict[str, Check] = {}
        properties = schema.get("properties")
        declared = frozenset(properties) if isinstance(properties, dict) else frozenset()
        if isinstance(properties, dict):
            for name, sub in properties.items():
                sub_check = self._compile(sub)
                if sub_check is not None:
                    prop_checks[name] = sub_check
        required = self.required_of(schema)
        extra = schema.get("additionalProperties")
        extra_check = self._compile(extra) if isinstance(extra, dict) else None
        object_check = (
            _object_check(prop_checks, required, extra_check, mode, declared)
            if prop_checks or required or extra_check is not None
            else None
        )

        # -- array keywords
        items = schema.get("items")
        item_check = self._compile(items) if isinstance(items, dict) else None
        array_check = _array_check(item_check, mode) if item_check is not None else None

        # -- combinators
        combos: list[Check] = []
        all_of = schema.get("allOf")
        if isinstance(all_of, list):
            for sub in all_of:
                sub_check = self._compile(sub)
                if sub_check is not None:
                    combos.append(sub_check)
        any_of = schema.get("anyOf")
        if isinstance(any_of, list) and any_of:
            branches = [self._compile(sub) for sub in any_of]
            if all(b is not None for b in branches):
                combos.append(_any_of([b for b in branches if b is not None], nullable))
        one_of = schema.get("oneOf")
        if isinstance(one_of, list) and one_of:
            branches = [self._compile(sub) for sub in one_of]
            mapping = self._discriminator(schema, one_of, branches)
            combos.append(_one_of(branches, nullable, mapping))

        parts = [c for c in (enum_check, object_check, array_check) if c is not None]
        parts.extend(combos)
        if type_check is None and not parts:
            return None
        return _combine(type_check, parts, nullable)

    def required_of(self, schema: dict[str, Any]) -> tuple[str, ...]:
        """The property names ``schema`` requires in this mode: a ``writeOnly`` property
        is not required in a response, nor a ``readOnly`` one in a request."""
        required_raw = schema.get("required")
        if not isinstance(required_raw, list):
            return ()
        properties = schema.get("properties")
        ignored = "writeOnly" if self.mode == "response" else "readOnly"
        skipped: set[str] = set()
        if isinstance(properties, dict):
            for name, sub in properties.items():
                resolved = sub
                if isinstance(sub, dict) and "$ref" in sub:
                    try:
                        resolved = self._resolve(sub)
                    except RestwrightError:
                        resolved = sub
                if isinstance(resolved, dict) and resolved.get(ignored):
                    skipped.add(name)
        return tuple(r for r in required_raw if isinstance(r, str) and r not in skipped)

    def _discriminator(
        self, schema: dict[str, Any], branches_raw: list[Any], branches: list[Check | None]
    ) -> tuple[str, dict[str, Check | None]] | None:
        disc = schema.get("discriminator")
        if not isinstance(disc, dict) or not isinstance(disc.get("propertyName"), str):
            return None
        by_ref: dict[str, Check | None] = {}
        for raw, check in zip(branches_raw, branches, strict=True):
            if isinstance(raw, dict) and isinstance(raw.get("$ref"), str):
                ref = raw["$ref"]
                by_ref[ref] = check
                by_ref[ref.rsplit("/", 1)[-1]] = check
        table: dict[str, Check | None] = {}
        mapping = disc.get("mapping")
        if isinstance(mapping, dict):
            for value, ref in mapping.items():
                if isinstance(ref, str):
                    if ref in by_ref:
                        table[str(value)] = by_ref[ref]
                    else:
                        try:
                            table[str(value)] = self._compile(self.api.resolve_ref(ref))
                        except RestwrightError:
                            continue
        for name, check in by_ref.items():
            if "/" not in name:
                table.setdefault(name, check)
        return disc["propertyName"], table


# -- building blocks ---------------------------------------------------------------------


def type_facts(schema: dict[str, Any]) -> tuple[list[str], bool, list[Any] | None]:
    """A schema's JSON types (``"null"`` added when it is nullable), whether it is
    nullable (``nullable``, ``x-nullable``, a ``null`` in its ``enum`` or ``const``), and
    its non-empty ``enum`` (``const`` as a one-value enum), if any."""
    raw_type = schema.get("type")
    types: list[str] = []
    if isinstance(raw_type, str):
        types = [raw_type]
    elif isinstance(raw_type, list):
        types = [t for t in raw_type if isinstance(t, str)]
    types = [t for t in types if t in _EXACT_TYPES]
    nullable = bool(schema.get("nullable") or schema.get("x-nullable"))
    enum = schema.get("enum")
    if isinstance(enum, list) and None in enum:
        nullable = True
    if "const" in schema:
        enum = [schema["const"]]
        if schema["const"] is None:
            nullable = True
    if types and nullable and "null" not in types:
        types.append("null")
    return types, nullable, (enum if isinstance(enum, list) and enum else None)


def _reject_all(value: Any) -> list[Issue] | None:
    return [("", "nothing (schema is false)", _describe_value(value))]


def _type_check(types: list[str], mode: Mode) -> Check:
    exact: set[type] = set()
    for t in types:
        exact.update(_EXACT_TYPES[t])
    exact_types = frozenset(exact)
    integer_only = "integer" in types and "number" not in types
    expected = " or ".join(types)

    if mode == "response":

        def check(value: Any) -> list[Issue] | None:
            if type(value) in exact_types:
                return None
            if integer_only and _is_integral(value):
                return None
            return [("", expected, _describe_value(value))]

        check.exact_types = exact_types  # type: ignore[attr-defined]
        return check

    def check_request(value: Any) -> list[Issue] | None:
        if type(value) in exact_types:
            return None
        if _request_type_ok(value, types):
            return None
        return [("", expected, _describe_value(value))]

    return check_request


def _request_type_ok(value: Any, types: list[str]) -> bool:
    """Looser matching for values a caller passes (the JSON encoder converts them)."""
    import datetime as _dt
    from enum import Enum

    if isinstance(value, Enum):
        value = value.value
    for t in types:
        if t == "null" and value is None:
            return True
        if t == "boolean" and isinstance(value, bool):
            return True
        if isinstance(value, bool):
            continue
        if t == "integer" and (isinstance(value, int) or _is_integral(value)):
            return True
        if t == "number" and isinstance(value, (int, float)):
            return True
        if t == "number" and type(value).__name__ == "Decimal":
            return True
        if t == "string" and isinstance(value, (str, _dt.date, _dt.time)):
            return True
        if t == "string" and type(value).__name__ == "UUID":
            return True
        if t == "array" and isinstance(value, (list, tuple, set, frozenset)):
            return True
        if t == "object" and (
            isinstance(value, Mapping)
            or hasattr(value, "model_dump")
            or hasattr(value, "__dataclass_fields__")
        ):
            return True
    return False


def _enum_check(enum: list[Any]) -> Check:
    keys: set[Any] = set()
    for v in enum:
        try:
            keys.add(_enum_key(v))
        except TypeError:
            continue
    shown = repr(enum if len(enum) <= 10 else [*enum[:10], "..."])
    expected = f"one of {shown}"
    strings = frozenset(v for v in enum if type(v) is str)

    def check(value: Any) -> list[Issue] | None:
        if type(value) is str:  # most enums are strings: one set lookup
            return None if value in strings else [("", expected, _describe_value(value))]
        candidate = value
        if hasattr(candidate, "value") and not isinstance(candidate, (int, float, str)):
            candidate = candidate.value  # Enum members passed by callers
        try:
            if _enum_key(candidate) in keys:
                return None
        except TypeError:
            pass
        return [("", expected, _describe_value(value))]

    return check


def _exact_types(check: Check | None) -> frozenset[type] | None:
    """The exact types a pure type check accepts (``None`` for other checks)."""
    return getattr(check, "exact_types", None)


def _object_check(
    props: dict[str, Check],
    required: tuple[str, ...],
    extra: Check | None,
    mode: Mode,
    declared: frozenset[str],
) -> Check:
    # ``props``: the declared properties that have a check (``declared``: all of them;
    # ``additionalProperties`` is for the others only).
    # Fast path: properties whose schema is a bare type check are grouped by the types
    # they accept and tested with one C-level pass per group (``set.issuperset`` over
    # ``map(type, map(value.get, names, sentinels))``), and the required names with one
    # ``keys() >= required`` - most properties of real schemas are like that.  Only when
    # something fails does the slow path below run, to say exactly what.
    grouped: dict[frozenset[type], list[str]] = {}
    slow_items: list[tuple[str, Check]] = []
    for name, sub in props.items():
        types = _exact_types(sub)
        if types is not None:
            grouped.setdefault(types | {_SENTINEL_TYPE}, []).append(name)
        else:
            slow_items.append((name, sub))
    groups = tuple(
        (allowed, tuple(names), (_MISSING,) * len(names)) for allowed, names in grouped.items()
    )
    slow_t = tuple(slow_items)
    required_set = frozenset(required)

    group_of = {name: index for index, (_, names, _) in enumerate(groups) for name in names}

    def full(value: Any) -> list[Issue] | None:
        issues: list[Issue] | None = None
        for name in required:
            if name not in value:
                if issues is None:
                    issues = []
                issues.append(("/" + _escape(name), "required property", "missing"))
        # Only the properties of the groups that failed their one-pass test can be wrong:
        # the others are skipped (a drifting response usually has one bad field in many).
        get = value.get
        failed = {
            index
            for index, (allowed, names, sentinels) in enumerate(groups)
            if not allowed.issuperset(map(type, map(get, names, sentinels)))
        }
        for name, item in value.items():
            index = group_of.get(name)
            if index is not None and index not in failed:
                continue
            sub = props.get(name)
            if sub is None:
                if name in declared:
                    continue
                sub = extra
            if sub is None:
                continue
            found = sub(item)
            if found:
                issues = _prefixed(str(name), found, issues)
        return issues

    def check(value: Any) -> list[Issue] | None:
        if type(value) is not dict and not isinstance(value, Mapping):
            return None  # not an object: the type keyword (if any) reports it
        if required_set and not value.keys() >= required_set:
            return full(value)
        get = value.get
        for allowed, names, sentinels in groups:
            if not allowed.issuperset(map(type, map(get, names, sentinels))):
                return full(value)
        issues: list[Issue] | None = None
        for name, sub in slow_t:
            item = get(name, _MISSING)
            if item is not _MISSING:
                found = sub(item)
                if found:
                    issues = _prefixed(name, found, issues)
        if extra is not None:
            for name, item in value.items():
                if name not in declared:
                    found = extra(item)
                    if found:
                        issues = _prefixed(str(name), found, issues)
        return issues

    return check


def _array_check(item_check: Check, mode: Mode) -> Check:
    sequence_types: tuple[type, ...] = (list,) if mode == "response" else (list, tuple)
    types = _exact_types(item_check)

    def check(value: Any) -> list[Issue] | None:
        if not isinstance(value, sequence_types):
            return None
        items: Any = value
        if types is not None:
            for item in items:
                if type(item) not in types:
                    break
            else:
                return None
        issues: list[Issue] | None = None
        for index, item in enumerate(items):
            found = item_check(item)
            if found:
                issues = _prefixed(str(index), found, issues)
        return issues

    return check


def _or_null(inner: Check) -> Check:
    def check(value: Any) -> list[Issue] | None:
        return None if value is None else inner(value)

    return check


def _all_of(checks: list[Check]) -> Check | None:
    if not checks:
        return None
    if len(checks) == 1:
        return checks[0]

    def check(value: Any) -> list[Issue] | None:
        issues: list[Issue] | None = None
        for sub in checks:
            found = sub(value)
            if found:
                issues = (issues or []) + found
        return issues

    return check


def _any_of(branches: list[Check], nullable: bool) -> Check:
    count = len(branches)

    def check(value: Any) -> list[Issue] | None:
        if value is None and nullable:
            return None
        best: list[Issue] | None = None
        for sub in branches:
            found = sub(value)
            if not found:
                return None
            if best is None or len(found) < len(best):
                best = found
        return _no_branch(value, count, "anyOf", best)

    return check


def _one_of(
    branches: list[Check | None],
    nullable: bool,
    discriminator: tuple[str, dict[str, Check | None]] | None,
) -> Check:
    count = len(branches)

    def check(value: Any) -> list[Issue] | None:
        if value is None and nullable:
            return None
        if discriminator is not None and isinstance(value, Mapping):
            prop, table = discriminator
            tag = value.get(prop)
            if isinstance(tag, str) and tag in table:
                chosen = table[tag]
                return chosen(value) if chosen is not None else None
        matched = 0
        best: list[Issue] | None = None
        for sub in branches:
            found = sub(value) if sub is not None else None
            if not found:
                matched += 1
                if matched > 1:
                    return [("", f"exactly one of {count} oneOf schemas", "several match")]
            elif best is None or len(found) < len(best):
                best = found
        if matched == 1:
            return None
        return _no_branch(value, count, "oneOf", best)

    return check


def _no_branch(value: Any, count: int, keyword: str, best: list[Issue] | None) -> list[Issue]:
    if best and len(best) == 1 and best[0][0]:
        # one branch failed on a single nested point: that is the most useful report
        return best
    return [("", f"a value matching one of {count} {keyword} schemas", _describe_value(value))]


def _combine(type_check: Check | None, parts: list[Check], nullable: bool) -> Check:
    if type_check is not None and not parts:
        return type_check
    if type_check is None and len(parts) == 1 and not nullable:
        return parts[0]
    parts_t = tuple(parts)
    types = _exact_types(type_check)
    if types is not None and len(parts_t) == 1:
        # The common "typed object with properties" / "typed array with items" shape.
        part = parts_t[0]
        assert type_check is not None

        def typed(value: Any) -> list[Issue] | None:
            if type(value) not in types:
                found = type_check(value)
                if found:
                    return found
            elif value is None and nullable:
                return None  # a nullable enum without null in it: null is still fine
            return part(value)

        return typed

    def check(value: Any) -> list[Issue] | None:
        if value is None and nullable:
            return None
        if type_check is not None:
            found = type_check(value)
            if found:
                return found
        issues: list[Issue] | None = None
        for sub in parts_t:
            found = sub(value)
            if found:
                issues = found if issues is None else issues + found
        return issues

    return check


# -- the drift log -----------------------------------------------------------------------


DriftKind = Literal["status", "content-type", "body"]


class DriftEntry(NamedTuple):
    """One way a response differs from the document.

    ``operation`` is the operationId (or the client's name for the operation), ``status``
    the response status, ``pointer`` the JSON pointer (RFC 6901) of the offending value in
    the body (``""`` for the whole body, the status or the content type), ``expected``
    what the document says and ``got`` what the server sent.  ``kind`` is ``"status"``
    (an undocumented status), ``"content-type"`` (an undocumented media type) or
    ``"body"`` (the body breaks the response schema).
    """

    operation: str
    status: int
    pointer: str
    expected: str
    got: str
    kind: DriftKind = "body"
    method: str = ""
    path: str = ""

    def __str__(self) -> str:
        where = (self.pointer or "(body)") if self.kind == "body" else self.kind
        return f"{self.operation} [{self.status}] {where}: expected {self.expected}, got {self.got}"


class DriftError(RestwrightError):
    """A response broke the API document while the client was in strict mode.

    ``entries`` lists the mismatches; ``request`` and ``response`` are redacted copies of
    the exchange.
    """

    def __init__(
        self,
        message: str,
        *,
        entries: list[DriftEntry],
        request: Request | None = None,
        response: Response | None = None,
    ) -> None:
        super().__init__(message, request=request, response=response)
        self.entries = entries


class Misfit(Exception):
    """A JSON body that does not fit the pydantic type it is validated into (``error`` is
    pydantic's ``ValidationError``): drift evidence (see
    :class:`restwright.openapi.models.BodyModel`)."""

    def __init__(self, error: Any) -> None:
        super().__init__(str(error))
        self.error = error

    def where(self) -> tuple[str, str, str]:
        """``(JSON pointer, what the type expects, what came)`` of the first problem."""
        first = self.error.errors()[0]
        pointer = "".join("/" + _escape(str(p)) for p in first.get("loc", ()))
        expected = str(first.get("msg", "a value of the documented type"))
        return pointer, expected, _describe_value(first.get("input"))

    def summary(self) -> str:
        """``"2 errors, first at /owner/login: Input should be a valid string"``."""
        pointer, expected, _ = self.where()
        count = self.error.error_count()
        errors = f"{count} error{'s' if count != 1 else ''}"
        return f"{errors}, first at {pointer or '(body)'}: {expected}"


_INDEX = re.compile(r"/[0-9]+(?=/|$)")


def _shape(pointer: str) -> str:
    """``/data/12/id`` -> ``/data/*/id``."""
    return _INDEX.sub("/*", pointer) if pointer else pointer


def _shape_got(got: str) -> str:
    # values differ from item to item: keep only their type in the grouping key
    return got.split(" ", 1)[0] if " " in got else got


class DriftLog:
    """The mismatches a client has seen between responses and the document.

    Iterate it, index it, ``len()`` it; :meth:`report` gives a readable summary and
    :meth:`clear` forgets everything.  At most ``max_entries`` entries are kept (later
    ones are counted in :attr:`dropped`); each (operation, status, pointer) is logged once
    per client at WARNING on the ``restwright.openapi.drift`` logger, however many
    responses repeat it or how its value varies (silence it with
    ``logging.getLogger("restwright.openapi.drift").setLevel(logging.ERROR)``).
    """

    def __init__(self, max_entries: int = 1000, max_distinct: int = 10000) -> None:
        self.max_entries = max_entries
        self.max_distinct = max_distinct
        self._entries: list[DriftEntry] = []
        self._seen: dict[tuple[str, int, str, str, str], int] = {}
        self._first: dict[tuple[str, int, str, str, str], DriftEntry] = {}
        self._where: dict[str, str] = {}
        self._logged: set[tuple[str, int, str]] = set()
        self.dropped = 0
        self._lock = threading.Lock()

    def record(self, entries: list[DriftEntry]) -> None:
        """Add ``entries`` (called by the client for each drifting response).

        Mismatches are counted per *shape*: the pointer with array indexes replaced by
        ``*``, so a list of a thousand items with the same wrong field is one line of
        the report and one warning in the log.
        """
        with self._lock:
            for entry in entries:
                key = (
                    entry.operation,
                    entry.status,
                    _shape(entry.pointer),
                    entry.expected,
                    _shape_got(entry.got),
                )
                count = self._seen.get(key, 0)
                if count == 0:
                    if len(self._seen) >= self.max_distinct:
                        self.dropped += 1
                        continue
                    self._first[key] = entry
                    if entry.method:
                        self._where.setdefault(entry.operation, f"{entry.method} {entry.path}")
                    where = key[:3]
                    if where not in self._logged:
                        self._logged.add(where)
                        logger.warning("spec drift: %s", entry)
                self._seen[key] = count + 1
                if len(self._entries) < self.max_entries:
                    self._entries.append(entry)
                else:
                    self.dropped += 1

    @property
    def entries(self) -> list[DriftEntry]:
        """A copy of the recorded entries, oldest first."""
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._seen.clear()
            self._first.clear()
            self._where.clear()
            self._logged.clear()
            self.dropped = 0

    def __iter__(self) -> Iterator[DriftEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __bool__(self) -> bool:
        return bool(self._entries)

    def __getitem__(self, index: int) -> DriftEntry:
        return self._entries[index]

    def for_operation(self, operation: str) -> list[DriftEntry]:
        """The entries of one operation (by operationId or client name)."""
        return [e for e in self.entries if e.operation == operation]

    def report(self) -> str:
        """A readable summary: one line per distinct mismatch, grouped by operation."""
        with self._lock:
            seen = dict(self._seen)
            first = dict(self._first)
            where = dict(self._where)
        if not seen:
            return "No spec drift observed."
        by_op: dict[str, list[tuple[tuple[str, int, str, str, str], int]]] = {}
        for key, count in seen.items():
            by_op.setdefault(key[0], []).append((key, count))
        total = sum(seen.values())
        lines = [
            f"Spec drift: {total} mismatch{'es' if total != 1 else ''} "
            f"({len(seen)} distinct) in {len(by_op)} operation{'s' if len(by_op) != 1 else ''}"
        ]
        for op, items in by_op.items():
            suffix = f" ({where[op]})" if op in where else ""
            lines.append(f"{op}{suffix}:")
            for key, count in items:
                _, status, pointer, expected, _ = key
                sample = first[key]
                got = sample.got
                kind = sample.kind
                label = (pointer or "(body)") if kind == "body" else kind
                times = f" [x{count}]" if count > 1 else ""
                lines.append(f"  {status} {label}: expected {expected}, got {got}{times}")
        if self.dropped:
            lines.append(f"({self.dropped} further entries were not kept)")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<DriftLog {len(self._entries)} entries>"


# -- when to check ----------------------------------------------------------------------

DriftMode = Literal["all", "sample", "off"]
_MODES = ("all", "sample", "off")


class DriftPolicy:
    """Which responses the runtime client checks against the document.

    Checking a body costs about what decoding it does (a page of 30 GitHub repositories:
    ~1 ms either way), so checking every response would double the price of a call.
    Drift is a property of the server, not of one response: the same wrong field comes
    back on every call.  So by default the client looks closely at the first responses and
    then keeps an eye open:

    * ``"sample"`` (the default): the status and media type of *every* response are
      checked (a dict lookup); the body of the first ``first`` responses of each
      (operation, status) is checked whole, then about one in ``every`` at random
      (the gap between two checks is drawn from 1 to ``2 * every - 1``, so no two
      checks are ever more than ``2 * every - 1`` responses apart and a server that
      starts drifting after the warm-up is still caught).
    * ``"all"``: every body is checked (what ``strict=True`` uses unless told otherwise).
    * ``"off"``: nothing is checked, not even statuses; ``client.drift`` stays empty.
    """

    __slots__ = ("every", "first", "mode")

    def __init__(self, mode: DriftMode = "sample", *, first: int = 20, every: int = 50) -> None:
        if mode not in _MODES:
            raise ValueError(f"drift must be one of {', '.join(map(repr, _MODES))}, not {mode!r}")
        if first < 0 or every < 1:
            raise ValueError("DriftPolicy needs first >= 0 and every >= 1")
        self.mode = mode
        self.first = first
        self.every = every

    @classmethod
    def of(cls, value: DriftMode | DriftPolicy | None, strict: bool = False) -> DriftPolicy:
        """The policy for a ``drift=`` argument (``None``: ``"all"`` if strict, else sampled)."""
        if isinstance(value, DriftPolicy):
            return value
        if value is None:
            return cls("all" if strict else "sample")
        return cls(value)

    def gap(self) -> int:
        """Responses until the next sampled body check (1 to ``2 * every - 1``)."""
        import random  # only once the warm-up is over: ``import restwright`` stays lean

        return random.randint(1, 2 * self.every - 1)

    def __repr__(self) -> str:
        if self.mode != "sample":
            return f"DriftPolicy({self.mode!r})"
        return f"DriftPolicy('sample', first={self.first}, every={self.every})"


# -- response checking -------------------------------------------------------------------


def media_type_of(content_type: str | None) -> str:
    """``"application/json; charset=utf-8"`` -> ``"application/json"``."""
    if not content_type:
        return ""
    return content_type.split(";", 1)[0].strip().lower()


def is_json_media(media: str) -> bool:
    return media == "application/json" or media.endswith("+json") or media.endswith("/json")


def match_media(media: str, documented: Mapping[str, Any]) -> str | None:
    """The documented media-type key that covers ``media`` (exact, ``type/*``, ``*/*``)."""
    if media in documented:
        return media
    normalized = {media_type_of(k): k for k in documented}
    if media in normalized:
        return normalized[media]
    major = media.split("/", 1)[0]
    for candidate in (f"{major}/*", "*/*"):
        if candidate in normalized:
            return normalized[candidate]
    return None


_TEXT_SCHEMA_TYPES = frozenset({"string"})


class ResponseChecker:
    """Checks the responses of one operation against its documented responses.

    Per status and ``Content-Type`` the documented response, media type and compiled
    schema check are looked up once and cached, so checking a response costs a dict lookup
    plus the schema check itself (skipped when the document gives no schema).
    """

    __slots__ = (
        "_compiler",
        "_label",
        "_method",
        "_op",
        "_path",
        "_policy",
        "_seen",
        "enabled",
        "plans",
        "skips",
    )

    def __init__(
        self, op: Any, compiler: SchemaCompiler, policy: DriftPolicy | None = None
    ) -> None:
        self._op = op
        self._compiler = compiler
        self._label: str = op.operation_id or op.name
        self._method: str = op.method
        self._path: str = op.path
        #: (status, Content-Type) -> (status and media-type drift, body check, whether the
        #: body is checked): what :meth:`fixed` and :meth:`check` look up.
        self.plans: dict[tuple[int, str | None], tuple[list[DriftEntry], Check | None, bool]] = {}
        self._policy = policy or DriftPolicy("all")
        #: False under ``drift="off"``: the client skips checking altogether.
        self.enabled = self._policy.mode != "off"
        self._seen: dict[int, int] = {}  # status -> warm-up responses seen (sampled mode)
        #: status -> responses left to skip before the next check (sampled mode).  A
        #: caller may count a response itself while its count is above zero (decrement
        #: it), as :meth:`wants_body` does first; at zero or unset it asks that method.
        self.skips: dict[int, int] = {}

    def wants_body(self, status: int) -> bool:
        """Whether the body of this response (of ``status``) is to be checked.

        Counts the response under the policy, so call it once per response.  After the
        warm-up a response that is not checked costs one dict lookup and one store: the
        counter holds how many responses are left before the next check.  Counters are not
        locked: a race between threads at worst checks one more body than planned.
        """
        skip = self.skips.get(status)
        if skip:
            self.skips[status] = skip - 1
            return False
        policy = self._policy
        if policy.mode != "sample":
            return policy.mode == "all"
        if skip is None:  # warming up (the first responses of this status)
            seen = self._seen.get(status, 0) + 1
            self._seen[status] = seen
            if seen < policy.first:
                return True
            if seen > policy.first:  # no warm-up: the first check falls in the first gap
                gap = policy.gap()
                if gap > 1:
                    self.skips[status] = gap - 2
                    return False
        self.skips[status] = policy.gap() - 1
        return True

    def _plan(
        self, status: int, content_type: str | None
    ) -> tuple[list[DriftEntry], Check | None, bool]:
        key = (status, content_type)
        plan = self.plans.get(key)
        if plan is None:
            plan = self._build(status, content_type)
            if len(self.plans) < 64:
                self.plans[key] = plan
        return plan

    def _entry(
        self, status: int, pointer: str, expected: str, got: str, kind: DriftKind
    ) -> DriftEntry:
        return DriftEntry(
            self._label, status, pointer, expected, got, kind, self._method, self._path
        )

    def _build(
        self, status: int, content_type: str | None
    ) -> tuple[list[DriftEntry], Check | None, bool]:
        op = self._op
        fixed: list[DriftEntry] = []
        if not op.responses:
            return fixed, None, False
        spec = op.response_for(status)
        if spec is None:
            documented = ", ".join(sorted(op.responses))
            fixed.append(
                self._entry(
                    status, "", f"a documented status ({documented})", str(status), "status"
                )
            )
            return fixed, None, False
        if not spec.content:
            return fixed, None, False
        media = media_type_of(content_type)
        if not media:
            if len(spec.content) != 1:
                return fixed, None, False
            key: str | None = next(iter(spec.content))
        else:
            key = match_media(media, spec.content)
        if key is None:
            fixed.append(
                self._entry(
                    status,
                    "",
                    " or ".join(sorted(spec.content)),
                    media or "no Content-Type",
                    "content-type",
                )
            )
            return fixed, None, False
        schema = spec.content[key]
        if schema is None:
            return fixed, None, False
        actual = media or media_type_of(key)
        if not is_json_media(actual):
            if not actual.startswith("text/"):
                return fixed, None, False  # binary: nothing to check
            resolved = schema
            try:
                resolved = self._compiler.api.resolve(schema)
            except RestwrightError:
                return fixed, None, False
            if not (isinstance(resolved, dict) and resolved.get("type") in _TEXT_SCHEMA_TYPES):
                return fixed, None, False
        try:
            check = self._compiler.compile_tested(schema)
        except RestwrightError as exc:  # pragma: no cover - the loader checked every $ref
            logger.debug("cannot compile the response schema of %s: %s", self._label, exc)
            check = None
        return fixed, check, True

    def check(
        self, status: int, content_type: str | None, data: Any, has_body: bool
    ) -> list[DriftEntry] | None:
        """The drift of one response (``data``: the decoded body), or ``None``."""
        plan = self.plans.get((status, content_type))
        if plan is None:
            plan = self._plan(status, content_type)
        fixed, check, with_body = plan
        if check is None or not with_body or not has_body:
            return list(fixed) if fixed else None
        issues = check(data)
        if not issues:
            return list(fixed) if fixed else None
        entries = list(fixed)
        entries.extend(self._entry(status, p, e, g, "body") for p, e, g in issues)
        return entries

    def fixed(self, status: int, content_type: str | None) -> list[DriftEntry]:
        """The status and media-type drift of a response of ``status`` and ``content_type``
        (shared and cached: copy it before keeping it)."""
        plan = self.plans.get((status, content_type))
        if plan is None:
            plan = self._plan(status, content_type)
        return plan[0]

    def check_status(self, status: int, content_type: str | None) -> list[DriftEntry] | None:
        """Status and media type only (for downloads, whose body is not decoded)."""
        fixed, _, _ = self._plan(status, content_type)
        return list(fixed) if fixed else None

    def body_entry(self, status: int, pointer: str, expected: str, got: str) -> DriftEntry:
        """The entry for a body problem found by other means (a model it does not fit)."""
        return self._entry(status, pointer, expected, got, "body")

    def invalid_body(self, status: int, content_type: str | None, reason: str) -> DriftEntry:
        """The entry for a body that does not decode as its media type says."""
        media = media_type_of(content_type) or "decodable"
        return self._entry(status, "", f"a valid {media} body", reason, "body")
