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


def _response_properties(op: Operation, resolve: Any) -> set[str]:
    names: set[str] = set()
    for response in op.responses.values():
        if not response.status.startswith("2"):
            continue
        for schema in response.content.values():
            schema = resolve(schema)
            if isinstance(schema, Mapping) and isinstance(schema.get("properties"), Mapping):
                names.update(schema["properties"])
    return names


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
    found: dict[str, Any] = {}
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
        properties = _response_properties(op, resolve)
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
