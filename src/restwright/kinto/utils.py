"""Small pure helpers (same names as ``kinto_http.utils``)."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any, TypeVar
from urllib.parse import quote as _urlquote

from .constants import VALID_SLUG_REGEXP

__all__ = [
    "chunks",
    "collection_diff",
    "compute_sha256",
    "json_dumps",
    "json_iso_datetime",
    "quote",
    "records_equal",
    "slugify",
    "sort_records",
    "urljoin",
]

MAX_LENGTH_INT = len(str(sys.maxsize * 2 + 1))
T = TypeVar("T")


def slugify(value: Any) -> str:
    """Return ``value`` as one safe URL path segment.

    Valid Kinto ids (``[a-zA-Z0-9][a-zA-Z0-9_-]*``, UUIDs) are returned unchanged.  Unlike
    kinto-http, other values are *percent-encoded*, not transliterated: kinto-http turns
    ``"Café!"`` into ``"cafe"``, which can make two different ids address one object.
    """
    text = value if isinstance(value, str) else str(value)
    if VALID_SLUG_REGEXP.match(text):
        return text
    if text == ".":
        return "%2E"
    if text == "..":
        return "%2E%2E"
    return _urlquote(text, safe="")


def urljoin(server_url: str, path: str) -> str:
    """Return the concatenation of ``server_url`` and ``path``."""
    return server_url.rstrip("/") + "/" + path.lstrip("/")


def quote(text: Any) -> str:
    """Double-quote a timestamp for ``If-Match``/``If-None-Match`` (idempotent)."""
    if isinstance(text, str):
        text = text.strip('"')
    return f'"{text}"'


def chunks(lst: Sequence[T], n: int) -> Iterator[Sequence[T]]:
    """Yield successive ``n``-sized chunks of ``lst`` (everything at once if ``n <= 0``)."""
    if n > 0:
        for i in range(0, len(lst), n):
            yield lst[i : i + n]
    else:
        yield lst


def json_iso_datetime(obj: Any) -> str:
    """JSON ``default=`` hook: dates and datetimes become ISO 8601 strings."""
    if isinstance(obj, (datetime, date)):
        return obj.isoformat()
    raise TypeError(f"Type {type(obj)} is not serializable")


json_dumps = functools.partial(json.dumps, default=json_iso_datetime)


def sort_records(records: list[dict[str, Any]], sort: str) -> list[dict[str, Any]]:
    """Sort records like the server does for ``_sort=name,-last_modified``."""

    def reversed_(way: int, value: Any) -> str:
        if isinstance(value, (int, float)):
            value = str(way * value).zfill(MAX_LENGTH_INT)
        if isinstance(value, str):
            return "".join(chr(255 - ord(c)) for c in value) if way < 0 else value
        return str(value)

    sort_fields = [
        (-1, f.strip()[1:]) if f.startswith("-") else (1, f.strip()) for f in sort.split(",")
    ]
    return sorted(
        records, key=lambda r: tuple(reversed_(way, r.get(field)) for way, field in sort_fields)
    )


def records_equal(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Compare records, ignoring the fields the server assigns."""
    ignore_fields = ("last_modified", "schema")
    ac = {k: v for k, v in a.items() if k not in ignore_fields}
    bc = {k: v for k, v in b.items() if k not in ignore_fields}
    return ac == bc


def collection_diff(
    src: Iterable[dict[str, Any]], dest: Iterable[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[tuple[dict[str, Any], dict[str, Any]]], list[dict[str, Any]]]:
    """Compare two lists of records: ``(to_create, to_update, to_delete)``."""
    dest_by_id = {r["id"]: r for r in dest}
    to_create: list[dict[str, Any]] = []
    to_update: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for r in src:
        record = dest_by_id.pop(r["id"], None)
        if record is None:
            to_create.append(r)
        elif not records_equal(r, record):
            r.pop("last_modified", None)
            to_update.append((record, r))
    to_delete = list(dest_by_id.values())
    return to_create, to_update, to_delete


def compute_sha256(filepath: str | os.PathLike[str]) -> str:
    """SHA-256 of a file, read in chunks (never the whole file in memory)."""
    h = hashlib.sha256()
    with open(filepath, "rb") as f:
        for block in iter(lambda: f.read(1 << 16), b""):
            h.update(block)
    return h.hexdigest()
