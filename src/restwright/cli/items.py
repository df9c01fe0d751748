"""httpie-style request items: ``a=b`` (JSON string field), ``n:=1`` (raw JSON field),
``h:v`` (header), ``q==v`` (query parameter), ``f@path`` (file field: multipart).

Why hand-written: these few rules are what people already type after ``http``; no
maintained library parses them outside httpie itself, whose parser is tied to its own
argument handling.  The separator that comes first in an item wins; at one position the
longer one does (``n:=1`` is raw JSON, not the header ``n`` with value ``=1``).  A
backslash escapes a separator character (``a\\:b=c`` is the field ``a:b``).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import click

__all__ = ["BodyFile", "RequestItems", "parse_items", "read_body"]

HEADER, QUERY, STRING, RAW_JSON, FILE = ":", "==", "=", ":=", "@"
# longest first: at one position the longer separator wins
_SEPARATORS = (QUERY, RAW_JSON, HEADER, STRING, FILE)


@dataclass
class RequestItems:
    """The parts of a request the items describe."""

    headers: dict[str, str | None] = field(default_factory=dict)
    params: list[tuple[str, str]] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)


def split_item(item: str) -> tuple[str, str, str]:
    """``(key, separator, value)`` of one item; ``click.BadParameter`` when it has none."""
    key: list[str] = []
    i = 0
    while i < len(item):
        char = item[i]
        if char == "\\" and i + 1 < len(item):
            key.append(item[i + 1])
            i += 2
            continue
        for sep in _SEPARATORS:
            if item.startswith(sep, i):
                return "".join(key), sep, item[i + len(sep) :]
        key.append(char)
        i += 1
    raise click.BadParameter(
        f"{item!r} is not an item: use a=b, n:=1, Header:value, q==v or field@path",
        param_hint="ITEMS",
    )


def raw_json(key: str, text: str) -> Any:
    """The value of a ``key:=text`` item."""
    try:
        return json.loads(text)
    except ValueError as exc:
        raise click.BadParameter(f"{key}:={text}: not JSON ({exc})", param_hint="ITEMS") from None


def parse_items(items: Iterable[str]) -> RequestItems:
    """Sort the items into headers, query parameters, body fields and files."""
    parts = RequestItems()
    for item in items:
        key, sep, value = split_item(item)
        if sep == HEADER:
            # "Name:" with no value removes a default header (as httpie does)
            parts.headers[key] = value or None
        elif sep == QUERY:
            parts.params.append((key, value))
        elif sep == STRING:
            parts.fields[key] = value
        elif sep == RAW_JSON:
            parts.fields[key] = raw_json(key, value)
        else:
            path = os.path.expanduser(value)
            if not os.path.isfile(path):
                raise click.BadParameter(f"{item}: no such file {value!r}", param_hint="ITEMS")
            parts.files[key] = path
    return parts


@dataclass(frozen=True)
class BodyFile:
    """``--body @FILE``: a file sent as the body, streamed from disk."""

    path: str


def read_body(spec: str) -> bytes | BodyFile:
    """The body ``--body`` names: JSON text (checked), ``@-`` (standard input, read whole)
    or ``@FILE`` (a :class:`BodyFile`, so it can be streamed)."""
    if spec == "@-":
        return sys.stdin.buffer.read()
    if spec.startswith("@"):
        path = os.path.expanduser(spec[1:])
        if not os.path.isfile(path):
            raise click.BadParameter(f"no such file {spec[1:]!r}", param_hint="--body")
        return BodyFile(path)
    try:
        json.loads(spec)
    except ValueError as exc:
        raise click.BadParameter(
            f"not JSON ({exc}); use @FILE for a file", param_hint="--body"
        ) from None
    return spec.encode("utf-8")
