"""Serializing parameters as an OpenAPI document describes them (``style``/``explode``).

Each parameter of an operation is compiled once into a small function for its location:

* **path** - ``simple`` (``a,b``), ``label`` (``.a.b``), ``matrix`` (``;id=a,b``): the
  function returns the *encoded* text that replaces ``{name}`` in the path template.  Every
  value is percent-encoded so that it stays inside its path segment (``/``, ``?``, ``#``,
  ``%``, ``{``, ``}`` included) and ``.``/``..`` are encoded as ``%2E``/``%2E%2E``; only
  the style's own delimiters are left as they are.
* **query** - ``form`` (``k=a&k=b`` exploded, ``k=a,b`` not), ``spaceDelimited``
  (``k=a%20b``), ``pipeDelimited`` (``k=a|b``), ``tabDelimited`` (Swagger 2.0 ``tsv``) and
  ``deepObject`` (``k[x]=1&k[y]=2``): the function appends to the call's query, either as
  plain ``(name, text)`` pairs that the engine encodes (the common, exploded case) or as
  already-encoded fragments when the style needs literal delimiters.
* **header** - ``simple``: the function returns the header value.
* **cookie** - ``form``: the function returns ``name=value`` (several pairs joined with
  ``"; "`` for exploded objects and arrays).

Parameters described with ``content`` (``content_type`` in the model) are serialized as
that media type: JSON text for JSON types, the plain text otherwise.

Scalars become text the way they do everywhere in restwright: ``True``/``False`` as
``true``/``false``, enums as their value, dates and times in ISO 8601, other values with
``str()``.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Mapping
from enum import Enum
from typing import Any
from urllib.parse import quote, unquote

from ..engine.urls import encode_segment
from ..errors import ValidationError
from .model import Parameter

__all__ = [
    "CookieSerializer",
    "FormFieldSerializer",
    "HeaderSerializer",
    "PathSerializer",
    "QuerySerializer",
    "compile_cookie",
    "compile_form_field",
    "compile_header",
    "compile_path",
    "compile_query",
    "scalar_text",
]

#: ``fn(value) -> encoded text`` for ``{name}`` in the path template.
PathSerializer = Callable[[Any], str]
#: ``fn(value, pairs, raw)``: appends ``(name, text)`` pairs for the engine to encode, or
#: already-encoded ``name=value`` fragments to ``raw``.
QuerySerializer = Callable[[Any, list[tuple[str, str]], list[str]], None]
#: ``fn(value) -> [(name, text), ...]``: the decoded pairs of one form body field.
FormFieldSerializer = Callable[[Any], list[tuple[str, str]]]
#: ``fn(value) -> header value``.
HeaderSerializer = Callable[[Any], str]
#: ``fn(value) -> "name=value"`` (possibly several pairs joined with ``"; "``).
CookieSerializer = Callable[[Any], str]

_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]*")
_RESERVED = ":/?#[]@!$&'()*+,;="
# RFC 6265 cookie-octet, less "%" (kept encodable so values round-trip).
_COOKIE_SAFE = "!#$&'()*+-./:<=>?@[]^_`{|}~"


def scalar_text(value: Any) -> str:
    """The text of one scalar value in a URL, header or cookie."""
    if isinstance(value, str):
        return value
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, Enum):
        return scalar_text(value.value)
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return value.isoformat()
    return str(value)


def _quote(text: str, safe: str = "") -> str:
    if _UNRESERVED.fullmatch(text):
        return text
    return quote(text, safe=safe)


def _items(value: Any) -> list[Any] | None:
    """The items of an array value (``None`` when ``value`` is not an array)."""
    if isinstance(value, (list, tuple)):
        return [v for v in value if v is not None]
    if isinstance(value, (set, frozenset)):
        return sorted((v for v in value if v is not None), key=scalar_text)
    return None


def _pairs(value: Any) -> list[tuple[str, Any]] | None:
    """The properties of an object value (``None`` when ``value`` is not an object)."""
    if isinstance(value, Mapping):
        return [(str(k), v) for k, v in value.items() if v is not None]
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        dumped = dump(mode="json", by_alias=True, exclude_none=True)
        if isinstance(dumped, dict):
            return [(str(k), v) for k, v in dumped.items()]
    fields = getattr(value, "__dataclass_fields__", None)
    if fields is not None and not isinstance(value, type):
        return [(name, getattr(value, name)) for name in fields if getattr(value, name) is not None]
    return None


def _content_text(param: Parameter, value: Any) -> str:
    ctype = (param.content_type or "").split(";", 1)[0].strip().lower()
    if ctype == "application/json" or ctype.endswith("+json"):
        from ..engine.encoding import encode_json

        return encode_json(value).decode("utf-8")
    return scalar_text(value)


def _nested_error(param: Parameter) -> ValidationError:
    return ValidationError(
        f"parameter {param.python_name!r} ({param.location} {param.name!r}): nested arrays "
        f"and objects cannot be serialized with style {param.style!r}",
        parameter=param.python_name,
    )


def _flat(param: Parameter, value: Any) -> str:
    """Text of an array item or object property value (must be a scalar)."""
    if isinstance(value, (list, tuple, set, frozenset, Mapping)):
        raise _nested_error(param)
    return scalar_text(value)


# -- path --------------------------------------------------------------------------------


def compile_path(param: Parameter) -> PathSerializer:
    """Compile a path parameter (``simple``, ``label`` or ``matrix``)."""
    name = param.name
    style = param.style or "simple"
    explode = param.explode
    ename = _quote(name)
    if param.content_type:

        def by_content(value: Any) -> str:
            return encode_segment(name, _content_text(param, value))

        return by_content

    def enc(value: Any) -> str:
        text = _quote(_flat(param, value))
        # "." is label's prefix and (exploded) delimiter: inside a value it is encoded
        return text.replace(".", "%2E") if style == "label" else text

    if style == "label":
        prefix, sep = ".", "." if explode else ","
    elif style == "matrix":
        prefix, sep = ";", ";" if explode else ","
    else:
        prefix, sep = "", ","

    def _segment(text: str) -> str:
        if text in ("", ".", ".."):
            if not text:
                raise ValidationError(
                    f"path parameter {param.python_name!r} is empty", parameter=param.python_name
                )
            return text.replace(".", "%2E")
        return text

    def serialize(value: Any) -> str:
        items = _items(value)
        if items is not None:
            if style == "matrix":
                if explode:
                    return "".join(f";{ename}={enc(v)}" for v in items)
                return f";{ename}=" + ",".join(enc(v) for v in items)
            return _segment(prefix + sep.join(enc(v) for v in items))
        pairs = _pairs(value)
        if pairs is not None:
            if explode:
                body = sep.join(f"{_quote(k)}={enc(v)}" for k, v in pairs)
                return prefix + body if style != "matrix" else ";" + body
            body = ",".join(f"{_quote(k)},{enc(v)}" for k, v in pairs)
            return f";{ename}={body}" if style == "matrix" else prefix + body
        if style == "matrix":
            text = enc(value)
            return f";{ename}={text}" if text else f";{ename}"
        if style == "label":
            return "." + enc(value)
        # simple scalar: exactly what the engine does with path_params
        return encode_segment(name, _flat(param, value))

    return serialize


# -- query -------------------------------------------------------------------------------

_QUERY_DELIMITERS = {
    "form": ",",
    "spaceDelimited": "%20",
    "pipeDelimited": "%7C",
    "tabDelimited": "%09",
}


def compile_query(param: Parameter, *, indexed: bool = False) -> QuerySerializer:
    """Compile a query parameter (``form``, ``spaceDelimited``, ``pipeDelimited``,
    ``tabDelimited`` or ``deepObject``).

    ``indexed``: the parameter is ``deepObject`` but its schema is an array (undefined by
    OpenAPI 3.0, used by large real APIs); a list is then sent as ``name[0]=a&name[1]=b``.
    The caller decides it once, from the schema, when the operation is compiled.
    """
    name = param.name
    style = param.style or "form"
    explode = param.explode
    safe = _RESERVED if param.allow_reserved else ""
    ename = _quote(name)

    def enc(text: str) -> str:
        return _quote(text, safe)

    if param.content_type:

        def by_content(value: Any, pairs: list[tuple[str, str]], raw: list[str]) -> None:
            raw.append(f"{ename}={enc(_content_text(param, value))}")

        return by_content

    if style == "deepObject":

        def deep(value: Any, pairs: list[tuple[str, str]], raw: list[str]) -> None:
            if indexed:
                items = _items(value)
                if items is not None:
                    raw.extend(
                        f"{ename}%5B{i}%5D={enc(_flat(param, v))}" for i, v in enumerate(items)
                    )
                    return
            props = _pairs(value)
            if props is None:
                raise ValidationError(
                    f"parameter {param.python_name!r}: style deepObject takes an object, "
                    f"got {type(value).__name__}",
                    parameter=param.python_name,
                )
            for key, item in props:
                items = _items(item)
                for v in items if items is not None else [item]:
                    raw.append(f"{ename}%5B{_quote(key)}%5D={enc(_flat(param, v))}")

        return deep

    delimiter = _QUERY_DELIMITERS.get(style, ",")
    # A space, pipe or tab inside a value would be percent-encoded exactly like the
    # delimiter, so such a value cannot be told apart on the wire: refuse it.
    forbidden = {"spaceDelimited": " ", "pipeDelimited": "|", "tabDelimited": "\t"}.get(style)

    def item_text(value: Any) -> str:
        text = _flat(param, value)
        if forbidden is not None and forbidden in text:
            raise ValidationError(
                f"parameter {param.python_name!r} ({style}): the value {text!r} contains the "
                "delimiter, which this style cannot represent unambiguously",
                parameter=param.python_name,
            )
        return enc(text)

    def serialize(value: Any, pairs: list[tuple[str, str]], raw: list[str]) -> None:
        items = _items(value)
        if items is not None:
            if explode:
                if param.allow_reserved:
                    raw.extend(f"{ename}={enc(_flat(param, v))}" for v in items)
                else:
                    pairs.extend((name, _flat(param, v)) for v in items)
            else:
                raw.append(f"{ename}=" + delimiter.join(item_text(v) for v in items))
            return
        props = _pairs(value)
        if props is not None:
            if explode:
                raw.extend(f"{_quote(k)}={enc(_flat(param, v))}" for k, v in props)
            else:
                flat = delimiter.join(f"{item_text(k)}{delimiter}{item_text(v)}" for k, v in props)
                raw.append(f"{ename}={flat}")
            return
        if param.allow_reserved:
            raw.append(f"{ename}={enc(scalar_text(value))}")
        else:
            pairs.append((name, scalar_text(value)))

    return serialize


def compile_form_field(
    name: str, schema: Any, encoding: Mapping[str, Any], *, indexed: bool = False
) -> FormFieldSerializer:
    """Compile one field of an ``application/x-www-form-urlencoded`` body that its media
    type's ``encoding`` describes: ``style``/``explode``/``allowReserved`` as for a query
    parameter (``metadata`` with ``deepObject`` -> ``metadata[plan]=gold``), or a
    ``contentType`` (JSON text for a JSON type).  The pairs come back decoded; the engine
    form-encodes them.  ``indexed`` as for :func:`compile_query`.
    """
    style = str(encoding.get("style") or "form")
    explode = encoding.get("explode")
    content_type = encoding.get("contentType") if "style" not in encoding else None
    param = Parameter(
        name,
        name,
        "query",
        False,
        schema,
        style,
        style == "form" if not isinstance(explode, bool) else explode,
        allow_reserved=bool(encoding.get("allowReserved", False)),
        content_type=content_type if isinstance(content_type, str) else None,
    )
    serialize = compile_query(param, indexed=indexed)

    def field(value: Any) -> list[tuple[str, str]]:
        pairs: list[tuple[str, str]] = []
        raw: list[str] = []
        serialize(value, pairs, raw)
        for fragment in raw:
            key, _, text = fragment.partition("=")
            pairs.append((unquote(key), unquote(text)))
        return pairs

    return field


# -- header and cookie -------------------------------------------------------------------


def compile_header(param: Parameter) -> HeaderSerializer:
    """Compile a header parameter (``simple``)."""
    explode = param.explode
    if param.content_type:
        return lambda value: _content_text(param, value)

    def serialize(value: Any) -> str:
        items = _items(value)
        if items is not None:
            return ",".join(_flat(param, v) for v in items)
        props = _pairs(value)
        if props is not None:
            if explode:
                return ",".join(f"{k}={_flat(param, v)}" for k, v in props)
            return ",".join(f"{k},{_flat(param, v)}" for k, v in props)
        return scalar_text(value)

    return serialize


def compile_cookie(param: Parameter) -> CookieSerializer:
    """Compile a cookie parameter (``form``)."""
    name = param.name
    explode = param.explode

    def enc(text: str) -> str:
        return _quote(text, _COOKIE_SAFE)

    if param.content_type:
        return lambda value: f"{name}={enc(_content_text(param, value))}"

    def serialize(value: Any) -> str:
        items = _items(value)
        if items is not None:
            if explode:
                return "; ".join(f"{name}={enc(_flat(param, v))}" for v in items)
            return f"{name}=" + ",".join(enc(_flat(param, v)) for v in items)
        props = _pairs(value)
        if props is not None:
            if explode:
                return "; ".join(f"{k}={enc(_flat(param, v))}" for k, v in props)
            return f"{name}=" + ",".join(f"{enc(k)},{enc(_flat(param, v))}" for k, v in props)
        return f"{name}={enc(scalar_text(value))}"

    return serialize
