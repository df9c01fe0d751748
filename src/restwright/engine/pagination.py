"""Walking paginated collections: the strategies, free of I/O.

:func:`walk` is a generator that yields the next page to fetch (a path or URL plus query
parameters) and receives the page's response; the sync and async pagers in the clients
only drive it.  Styles: ``link`` (RFC 8288), ``header`` (a next-URL header such as
Kinto's ``Next-Page``), ``next_url`` (a JSON field), ``cursor``, ``offset``, ``page``; the
default follows a ``Link: rel=next`` or ``Next-Page`` header when there is one.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Mapping
from typing import Any, Literal, NamedTuple

from ..errors import InvalidRequestError
from .models import Response
from .urls import join_url

Style = Literal["link", "header", "next_url", "cursor", "offset", "page"]
STYLES = ("link", "header", "next_url", "cursor", "offset", "page")

_LINK = re.compile(r"<([^>]*)>((?:\s*;\s*[^;,]+)*)")
_REL = re.compile(r"""rel\s*=\s*(?:"([^"]*)"|([^\s;,"]+))""", re.IGNORECASE)


class PageSpec(NamedTuple):
    """How to find the next page and the items of a page."""

    style: Style | None = None
    items_key: str | None = None
    next_header: str = "Next-Page"
    next_field: str = "next"
    cursor_field: str = "next_cursor"
    cursor_param: str = "cursor"
    offset_param: str = "offset"
    limit_param: str = "limit"
    page_param: str = "page"
    first_page: int = 1
    page_size: int | None = None
    max_pages: int | None = None
    total_field: str | None = None

    def checked(self) -> PageSpec:
        """Self, after checking the style name."""
        if self.style is not None and self.style not in STYLES:
            raise InvalidRequestError(f"unknown pagination style {self.style!r}; use {STYLES}")
        return self


class PageRequest:
    """What to fetch next: a path or absolute URL, with query parameters."""

    __slots__ = ("params", "path")

    def __init__(self, path: str, params: dict[str, Any] | None) -> None:
        self.path = path
        self.params = params


def next_link(link_header: str, base_url: str) -> str | None:
    """The ``rel="next"`` target of an RFC 8288 ``Link`` header, resolved against base."""
    for match in _LINK.finditer(link_header):
        for rel in _REL.finditer(match.group(2)):
            values = (rel.group(1) or rel.group(2) or "").lower().split()
            if "next" in values:
                return join_url(base_url, str(match.group(1)).strip())
    return None


def dig(body: Any, dotted: str) -> Any:
    """``dig({"a": {"b": 1}}, "a.b") == 1``; None when a step is missing."""
    for key in dotted.split("."):
        if not isinstance(body, Mapping):
            return None
        body = body.get(key)
    return body


def page_items(body: Any, items_key: str | None) -> list[Any]:
    """The items of a decoded page: ``items_key`` (dotted), else ``data``/``items``/
    ``results``, else the body itself when it is a list."""
    if items_key:
        found = dig(body, items_key)
    elif isinstance(body, list):
        found = body
    elif isinstance(body, Mapping):
        found = next(
            (body[k] for k in ("data", "items", "results") if isinstance(body.get(k), list)), None
        )
    else:
        found = None
    if found is None:
        return []
    if not isinstance(found, list):
        raise InvalidRequestError(f"page items at {items_key!r} are not a list")
    return found


def walk(
    spec: PageSpec, path: str, params: Mapping[str, Any] | None
) -> Generator[PageRequest, Response, None]:
    """Yield the page requests; receive each page's response (see module docstring)."""
    base = dict(params or {})
    style = spec.style
    if style == "offset":
        base.setdefault(spec.offset_param, 0)
        if spec.page_size:
            base.setdefault(spec.limit_param, spec.page_size)
    elif style == "page":
        base.setdefault(spec.page_param, spec.first_page)
        if spec.page_size:
            base.setdefault(spec.limit_param, spec.page_size)
    current = PageRequest(path, base)
    pages = seen = 0
    while True:
        response = yield current
        pages += 1
        if spec.max_pages is not None and pages >= spec.max_pages:
            return
        if spec.total_field:
            # The body says how many items there are: stop once they are all here,
            # without asking for the empty page after the last one.
            body = response.json()
            seen += len(page_items(body, spec.items_key))
            total = dig(body, spec.total_field)
            if isinstance(total, int) and seen >= total:
                return
        nxt = _next(spec, current, response)
        if nxt is None:
            return
        current = nxt


def _next(spec: PageSpec, current: PageRequest, response: Response) -> PageRequest | None:
    style = spec.style
    headers = response.headers
    url = response.request.url
    if style in (None, "link"):
        link = headers.get("link")
        target = next_link(link, url) if link else None
        if target or style == "link":
            return PageRequest(target, None) if target else None
    if style in (None, "header"):
        value = headers.get(spec.next_header)
        if value or style == "header":
            return PageRequest(join_url(url, value), None) if value else None
    if style is None:
        return None
    body = response.json()
    if style == "next_url":
        value = dig(body, spec.next_field)
        return PageRequest(join_url(url, str(value)), None) if value else None
    if style == "cursor":
        value = dig(body, spec.cursor_field)
        if value in (None, ""):
            return None
        return PageRequest(current.path, {**(current.params or {}), spec.cursor_param: value})
    items = page_items(body, spec.items_key)
    size = spec.page_size
    if not items or (size is not None and len(items) < size):
        return None
    params = dict(current.params or {})
    if style == "offset":
        params[spec.offset_param] = int(params.get(spec.offset_param, 0)) + len(items)
    else:
        params[spec.page_param] = int(params.get(spec.page_param, spec.first_page)) + 1
    return PageRequest(current.path, params)
