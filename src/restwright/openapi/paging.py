"""How an operation of an API document pages: read from the document, walked by the engine.

``client.paginate(client.repos.list_for_org, org="x")`` needs a :class:`PageSpec` for the
engine's page walker (:func:`restwright.engine.pagination.walk`).  What the document says
decides it, once per operation:

* a documented ``Link`` response header (GitHub) -> follow ``rel="next"`` links (and a
  ``Next-Page`` header, Kinto's);
* a ``page`` query parameter -> page numbers (``first_page`` is the parameter's documented
  default: Mattermost counts from 0), with ``per_page``/``page_size``/``limit``/``size``
  as the page size;
* ``cursor``/``page_token``/``after``... -> cursors, taken from the response property that
  names the next one (``next_cursor``, ``next_page_token``, ``nextPageToken``...);
* ``offset`` -> offsets;
* anything else -> ``Link``/``Next-Page`` headers when the server sends them.

The items of a page are the one array property the 2xx answer documents (DigitalOcean's
``{"ssh_keys": [...], "links": ...}``), else the engine's guess (``data``, ``items``,
``results``, or the body itself when it is a list).

``style=`` and the :class:`PageSpec` options (``items_key``, ``cursor_field``...) override
what was found; parameter names are the operation's Python argument names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..engine.pagination import PageSpec
from .model import Operation

__all__ = ["page_spec_for"]

_PAGE = ("page", "page_number", "pagenumber")
_SIZE = ("per_page", "page_size", "pagesize", "limit", "size", "count", "max_results")
_CURSOR = ("cursor", "page_token", "pagetoken", "after", "starting_after", "continuation")
_NEXT_CURSOR = (
    "next_cursor",
    "nextCursor",
    "next_page_token",
    "nextPageToken",
    "cursor",
    "next",
    "continuation",
)
_OFFSET = ("offset", "skip", "start")


def _query_names(op: Operation) -> dict[str, str]:
    """Lower-cased wire name -> Python name of the query parameters."""
    return {p.name.lower(): p.python_name for p in op.parameters if p.location == "query"}


def _first(names: Mapping[str, str], candidates: tuple[str, ...]) -> str | None:
    return next((names[c] for c in candidates if c in names), None)


def _documents_link_header(op: Operation) -> bool:
    return any(
        r.status.startswith("2") and any(h.lower() == "link" for h in r.headers)
        for r in op.responses.values()
    )


def _response_properties(op: Operation, resolve: Any) -> dict[str, Any]:
    """The properties of the operation's 2xx JSON answers: name -> resolved schema."""
    found: dict[str, Any] = {}
    for response in op.responses.values():
        if not response.status.startswith("2"):
            continue
        for schema in response.content.values():
            parts = [resolve(schema)]
            if isinstance(parts[0], Mapping):
                parts += [resolve(p) for p in parts[0].get("allOf") or ()]
            for part in parts:
                if isinstance(part, Mapping) and isinstance(part.get("properties"), Mapping):
                    for name, sub in part["properties"].items():
                        found[name] = resolve(sub)
    return found


def _items_key(properties: Mapping[str, Any]) -> str | None:
    """The one array property of a page (``ssh_keys`` in ``{"ssh_keys": [...], "links":
    ...}``), when the document shows exactly one."""
    arrays = [
        name
        for name, schema in properties.items()
        if isinstance(schema, Mapping) and (schema.get("type") == "array" or "items" in schema)
    ]
    return arrays[0] if len(arrays) == 1 else None


def _default_int(op: Operation, python_name: str, fallback: int) -> int:
    for p in op.parameters:
        if p.python_name == python_name and isinstance(p.schema, Mapping):
            value = p.schema.get("default")
            if isinstance(value, int) and not isinstance(value, bool):
                return value
    return fallback


def page_spec_for(
    op: Operation,
    resolve: Any,
    arguments: Mapping[str, Any],
    style: str | None = None,
    options: Mapping[str, Any] | None = None,
) -> PageSpec:
    """The :class:`PageSpec` to walk ``op`` with (see the module docstring).

    ``resolve`` turns a ``$ref`` schema into its target; ``arguments`` are the call's
    arguments (a page size given there bounds the pages: a shorter page is the last).
    """
    names = _query_names(op)
    properties = _response_properties(op, resolve)
    found: dict[str, Any] = {}
    items_key = _items_key(properties)
    if items_key is not None:
        found["items_key"] = items_key
    size = _first(names, _SIZE)
    if style is None and not _documents_link_header(op):
        if _first(names, _PAGE):
            style = "page"
        elif _first(names, _CURSOR):
            style = "cursor"
        elif _first(names, _OFFSET):
            style = "offset"
    if style == "page":
        page = _first(names, _PAGE) or "page"
        found.update(page_param=page, first_page=_default_int(op, page, 1))
    elif style == "cursor":
        found["cursor_param"] = _first(names, _CURSOR) or "cursor"
        field = next((f for f in _NEXT_CURSOR if f in properties), None)
        if field is not None:
            found["cursor_field"] = field
    elif style == "offset":
        found["offset_param"] = _first(names, _OFFSET) or "offset"
    if size is not None:
        found["limit_param"] = size
        given = arguments.get(size)
        if isinstance(given, int) and not isinstance(given, bool):
            found["page_size"] = given
    found.update(options or {})
    try:
        spec = PageSpec(style=style, **found)  # type: ignore[arg-type]
    except TypeError as exc:
        raise TypeError(f"paginate(): {exc}") from None
    return spec.checked()
