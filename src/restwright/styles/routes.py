"""Route maps: the URL templates an API serves, with names, methods and default bodies.

A :class:`RouteMap` turns a list of templates (``/people/{username}/activities``) into a tree
that :class:`restwright.Resource` walks one step at a time: literal segments are
collections, ``{placeholders}`` are items.  With a map, navigation is checked (a typo names
the closest known routes); per-route, per-method default bodies live here too.  A map can be
written by hand or come from an OpenAPI description loaded with
:func:`restwright.openapi.load`, so one description serves the navigation style and the
generated client alike.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from ..errors import UnknownRouteError

if TYPE_CHECKING:
    from ..openapi.model import ApiDescription

__all__ = ["Route", "RouteMap", "RouteNode", "RouteTypes"]

_PLACEHOLDER = re.compile(r"^\{([^{}/]+)\}$")


class Route(NamedTuple):
    """One URL template of an API.

    ``defaults`` maps a lower-case method (``"post"``) to the body that calls of that method
    start from (the caller's fields are deep-merged over it).  ``methods`` (upper-case), when
    known, are the only methods the route accepts.
    """

    template: str
    name: str | None = None
    defaults: Mapping[str, Any] = {}
    methods: frozenset[str] | None = None


class RouteNode:
    """One level of the route tree: literal children, at most one item child, and the
    route that ends here (if any)."""

    __slots__ = ("children", "item", "item_name", "route")

    def __init__(self) -> None:
        self.children: dict[str, RouteNode] = {}
        self.item: RouteNode | None = None
        self.item_name: str | None = None
        self.route: Route | None = None


def _segments(template: str) -> list[str]:
    return [s for s in template.strip("/").split("/") if s]


class RouteMap:
    """The routes of an API as a tree (see the module docstring).

    ``routes`` holds templates (``str``) or :class:`Route` tuples.  Two templates may name the
    item of one level differently (``/pets/{id}`` and ``/pets/{petId}/photos``): the level
    keeps the first name for item adapters and display.
    """

    def __init__(self, routes: Iterable[str | Route]) -> None:
        self.root = RouteNode()
        self._routes: list[Route] = []
        self._by_name: dict[str, Route] = {}
        for entry in routes:
            self.add(Route(entry) if isinstance(entry, str) else entry)

    def add(self, route: Route) -> None:
        """Add ``route`` (a later route with the same shape replaces the earlier one)."""
        node = self.root
        for segment in _segments(route.template):
            match = _PLACEHOLDER.match(segment)
            if match:
                if node.item is None:
                    node.item, node.item_name = RouteNode(), match.group(1)
                node = node.item
            else:
                node = node.children.setdefault(segment, RouteNode())
        if node.route is not None and node.route in self._routes:
            self._routes.remove(node.route)
        node.route = route
        self._routes.append(route)
        if route.name:
            self._by_name[route.name] = route

    @classmethod
    def from_openapi(
        cls, api: ApiDescription, defaults: Mapping[str, Mapping[str, Any]] | None = None
    ) -> RouteMap:
        """The paths of a loaded OpenAPI description as routes, with the methods each path
        accepts; ``defaults`` maps a template to its per-method default bodies."""
        methods: dict[str, set[str]] = {}
        for operation in api.operations:
            methods.setdefault(operation.path, set()).add(operation.method.upper())
        extra = defaults or {}
        return cls(
            Route(path, None, extra.get(path, {}), frozenset(found))
            for path, found in methods.items()
        )

    @classmethod
    def of(cls, value: RouteTypes) -> RouteMap | None:
        """``value`` as a map: a map, an OpenAPI description, templates, or None."""
        if value is None or isinstance(value, RouteMap):
            return value
        if hasattr(value, "operations"):
            return cls.from_openapi(cast("ApiDescription", value))
        return cls(cast("Iterable[str | Route]", value))

    def named(self, name: str) -> Route:
        """The route called ``name``."""
        try:
            return self._by_name[name]
        except KeyError:
            known = difflib.get_close_matches(name, list(self._by_name), n=3, cutoff=0.5)
            raise UnknownRouteError(name, known, "no route named") from None

    def closest(self, attempted: str, n: int = 3) -> list[str]:
        """The templates that look most like ``attempted`` (best first)."""
        shape = _shape(attempted)
        by_shape = {_shape(r.template): r.template for r in self._routes}
        found = difflib.get_close_matches(shape, list(by_shape), n=n, cutoff=0.4)
        return [by_shape[s] for s in found]

    def __iter__(self) -> Iterator[Route]:
        return iter(self._routes)

    def __len__(self) -> int:
        return len(self._routes)

    def __repr__(self) -> str:
        return f"<RouteMap {len(self._routes)} routes>"


def _shape(template: str) -> str:
    """``/people/{username}/x`` -> ``/people/{}/x``: item names do not count in matching."""
    return "/" + "/".join("{}" if _PLACEHOLDER.match(s) else s for s in _segments(template))


RouteTypes = RouteMap | Iterable[str | Route] | Any | None
