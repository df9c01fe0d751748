"""The resource-navigation style: ``api.people["bob"].activities.get(qs={"limit": 1})``.

Attributes are collections, ``[item]`` are items, and nothing is sent until a method
(``get``, ``post``, ``put``, ``patch``, ``delete``, ``head``) is called; the call goes
through the engine client's whole pipeline (auth, retries, hooks, redaction, dry run), so
the style adds only how a path and a body are written.  Body rules follow maxclient's
rest-ish client:

* keyword arguments are the JSON body; ``data=`` gives the body whole instead (``None``:
  not given);
* ``key_subkey="x"`` and ``**{"key.subkey": "x"}`` become nested keys (``expand_keys=False``
  turns this off; ``literal_keys=`` names keys that really contain ``_`` or ``.``);
* the route's default body for the method is deep-merged under the fields;
* ``qs=`` is the query string; ``file_upload=``/``files=`` send multipart with the JSON
  body as a ``json_data`` part.

Every item is percent-encoded as one path segment, so ``people["../admin"]`` stays under
``people/``.  With a route map (:class:`~restwright.styles.routes.RouteMap`) every step is
checked.  On an :class:`~restwright.AsyncClient`, the methods return awaitables.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NoReturn

from ..engine.encoding import encode_json
from ..engine.models import Response
from ..engine.urls import encode_segment
from ..errors import ApiError, InvalidRequestError, UnknownRouteError
from .routes import Route, RouteMap, RouteNode, RouteTypes

__all__ = ["Resource", "RpcResult", "decoded_body", "deep_merge", "expand_keys", "rpc_failure"]

RpcResult = tuple[bool, int, Any]
ResultHook = Callable[[str, Response], Any]

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_NO_BODY_METHODS = frozenset({"GET", "HEAD"})


def deep_merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``extra`` into ``base`` (in place), recursing where both sides are mappings."""
    for key, value in extra.items():
        current = base.get(key)
        if isinstance(current, dict) and isinstance(value, Mapping):
            deep_merge(current, value)
        else:
            base[key] = copy.deepcopy(value) if isinstance(value, (dict, list)) else value
    return base


def expand_keys(fields: Mapping[str, Any], literal: Iterable[str] = ()) -> dict[str, Any]:
    """``{"object_content": "x", "a.b": 1}`` -> ``{"object": {"content": "x"}, "a": {"b": 1}}``.

    A key listed in ``literal``, or one with an empty part (``_id``, ``a__b``), is kept as
    is.
    """
    keep = frozenset(literal)
    out: dict[str, Any] = {}
    for key, value in fields.items():
        parts = key.replace(".", "_").split("_")
        if key in keep or not all(parts):
            deep_merge(out, {key: value})
            continue
        nested: Any = value
        for part in reversed(parts):
            nested = {part: nested}
        deep_merge(out, nested)
    return out


def decoded_body(method: str, response: Response) -> Any:
    """What a navigation call returns by default: the decoded JSON body, the text of a
    non-JSON body, ``None`` for an empty one, and the :class:`Response` itself for HEAD."""
    if method == "HEAD":
        return response
    if not response.content:
        return None
    if "json" in (response.headers.get("content-type") or ""):
        return response.json()
    return response.text


def rpc_failure(exc: ApiError) -> RpcResult:
    """``(False, status, content)`` of an error answer: its decoded JSON body, else its
    text, else ``None``."""
    content = exc.body
    if content is None and exc.response is not None and exc.response.content:
        content = exc.response.text
    return (False, exc.status_code, content)


class _Navigator:
    """What every resource of one tree shares: the client and the style's options."""

    __slots__ = ("adapters", "client", "expand", "is_async", "literal_keys", "result", "routes")

    def __init__(
        self,
        client: Any,
        routes: RouteMap | None,
        expand: bool,
        literal_keys: Iterable[str],
        adapters: Mapping[str, Callable[[Any], Any]],
        result: ResultHook,
    ) -> None:
        self.client = client
        self.routes = routes
        self.expand = expand
        self.literal_keys = frozenset(literal_keys)
        self.adapters = dict(adapters)
        self.result = result
        self.is_async = inspect.iscoroutinefunction(client.request)


class Resource:
    """A lazy place in an API: a collection (attribute) or an item (``[key]``).

    ``Resource(client)`` (or ``client.resources``) navigates freely; with ``routes=`` (a
    :class:`RouteMap`, a list of templates, or an OpenAPI description loaded by
    :func:`restwright.openapi.load`) every step is checked against the map and a wrong one
    raises :class:`~restwright.errors.UnknownRouteError` naming the closest routes.
    ``adapters`` map a placeholder name of the map to a function applied to item values
    (MAX turns ``:me`` into the current user).  ``result(method, response)`` makes the
    return value of calls (default: :func:`decoded_body`).  ``rpc=True`` makes every call
    return ``(ok, status, content)`` instead of raising for error statuses.

    Names reserved for the methods (``get``, ``post``, ``put``, ``patch``, ``delete``,
    ``head``, ``defaults``, ``at``, ``route``, ``path``, ``template``, ``collections``) and
    names that are not identifiers are reached with :meth:`at`.
    """

    __slots__ = ("_nav", "_node", "_path", "_rpc", "_template")

    def __init__(
        self,
        client: Any,
        *,
        routes: RouteTypes = None,
        expand_keys: bool = True,
        literal_keys: Iterable[str] = (),
        adapters: Mapping[str, Callable[[Any], Any]] | None = None,
        result: ResultHook = decoded_body,
        rpc: bool = False,
    ) -> None:
        route_map = RouteMap.of(routes)
        self._nav = _Navigator(client, route_map, expand_keys, literal_keys, adapters or {}, result)
        self._node = route_map.root if route_map is not None else None
        self._path = ""
        self._template = ""
        self._rpc = rpc

    def _step(self, encoded: str, template_part: str, node: RouteNode | None) -> Resource:
        child = object.__new__(Resource)
        child._nav = self._nav
        child._node = node
        child._path = f"{self._path}/{encoded}"
        child._template = f"{self._template}/{template_part}"
        child._rpc = self._rpc
        return child

    def _unknown(self, attempted: str, reason: str = "") -> NoReturn:
        routes = self._nav.routes
        assert routes is not None
        raise UnknownRouteError(attempted, routes.closest(attempted), reason)

    # -- navigation -----------------------------------------------------------------------
    def at(self, name: str) -> Resource:
        """The collection ``name`` under this place (any name, even a reserved one)."""
        node = self._node
        if node is not None:
            child = node.children.get(name)
            if child is None:
                self._unknown(f"{self._template}/{name}")
            node = child
        return self._step(encode_segment("collection", name), name, node)

    def __getattr__(self, name: str) -> Resource:
        if name.startswith("_"):
            raise AttributeError(name)
        return self.at(name)

    def __getitem__(self, item: Any) -> Resource:
        node = self._node
        placeholder = "{}"
        if node is not None:
            if node.item is None:
                self._unknown(f"{self._template}/{{{item}}}", "no item under")
            placeholder = f"{{{node.item_name}}}"
            adapter = self._nav.adapters.get(str(node.item_name))
            if adapter is not None:
                item = adapter(item)
            node = node.item
        return self._step(encode_segment("item", item), placeholder, node)

    @property
    def collections(self) -> list[str]:
        """The collections the route map knows under this place (empty without a map)."""
        return sorted(self._node.children) if self._node is not None else []

    def __dir__(self) -> list[str]:
        """The methods, plus the known collections (tab completion)."""
        names = set(object.__dir__(self))
        names.update(name for name in self.collections if name.isidentifier())
        return sorted(names)

    def __iter__(self) -> NoReturn:
        # Without this, iter() would fall back on __getitem__(0), (1), ... forever.
        raise TypeError(f"{self!r} is not iterable: call .get() to read it")

    def route(self, name: str, **values: Any) -> Resource:
        """The place of the route called ``name`` in the map (from the root, wherever this
        resource is), its items filled from ``values``: ``api.route("user", username="bob")``.
        """
        routes = self._nav.routes
        if routes is None:
            raise InvalidRequestError("route() needs a route map")
        place = self._step("", "", routes.root)
        place._path = place._template = ""
        for segment in routes.named(name).template.strip("/").split("/"):
            if segment.startswith("{") and segment.endswith("}"):
                key = segment[1:-1]
                if key not in values:
                    raise InvalidRequestError(f"route {name!r} needs a value for {key!r}")
                place = place[values[key]]
            else:
                place = place.at(segment)
        return place

    @property
    def path(self) -> str:
        """The encoded path of this place, relative to the client's base URL."""
        return self._path or "/"

    @property
    def template(self) -> str:
        """The route template of this place (``/people/{username}``)."""
        return self._template or "/"

    def _route(self, method: str | None) -> Route | None:
        node = self._node
        if node is None:
            return None
        route = node.route
        if route is None:
            self._unknown(self.template, "no route ends at")
        if method is not None and route.methods is not None and method not in route.methods:
            self._unknown(self.template, f"{method} is not a method of")
        return route

    def defaults(self, method: str) -> dict[str, Any]:
        """A copy of the default body of ``method`` calls here (``{}`` when none)."""
        route = self._route(None)
        found = route.defaults.get(method.lower(), {}) if route is not None else {}
        return copy.deepcopy(dict(found))

    # -- calls ----------------------------------------------------------------------------
    def get(self, **kwargs: Any) -> Any:
        return self._call("GET", kwargs)

    def post(self, **kwargs: Any) -> Any:
        return self._call("POST", kwargs)

    def put(self, **kwargs: Any) -> Any:
        return self._call("PUT", kwargs)

    def patch(self, **kwargs: Any) -> Any:
        return self._call("PATCH", kwargs)

    def delete(self, **kwargs: Any) -> Any:
        return self._call("DELETE", kwargs)

    def head(self, **kwargs: Any) -> Any:
        return self._call("HEAD", kwargs)

    def _request_options(self, method: str, kwargs: dict[str, Any]) -> dict[str, Any]:
        """The engine ``request()`` arguments of a call (pure: nothing is sent)."""
        data = kwargs.pop("data", None)  # None: not given (as in maxclient)
        qs = kwargs.pop("qs", None)
        headers = kwargs.pop("headers", None)
        files = dict(kwargs.pop("files", None) or {})
        upload = kwargs.pop("file_upload", None)
        if upload is not None:
            files["file"] = upload
        route = self._route(method)
        options: dict[str, Any] = {"params": qs, "headers": headers}
        if method in _NO_BODY_METHODS:
            if kwargs or data is not None or files:
                raise InvalidRequestError(f"{method} takes no body; give query fields as qs=")
            return options
        if data is not None:
            if kwargs:
                raise InvalidRequestError(
                    f"data= gives the whole body; do not add fields {sorted(kwargs)}"
                )
            body = data
        else:
            body = copy.deepcopy(dict(route.defaults.get(method.lower(), {}))) if route else {}
            nav = self._nav
            deep_merge(body, expand_keys(kwargs, nav.literal_keys) if nav.expand else kwargs)
        if files:
            options["files"] = files
            if body:
                options["data"] = {"json_data": encode_json(body).decode("utf-8")}
        elif body or method in _BODY_METHODS:
            options["json"] = body
        return options

    def _call(self, method: str, kwargs: dict[str, Any]) -> Any:
        rpc = kwargs.pop("rpc", self._rpc)
        options = self._request_options(method, kwargs)
        if self._nav.is_async:
            return self._call_async(method, rpc, options)
        try:
            response = self._nav.client.request(method, self.path, **options)
        except ApiError as exc:
            if not rpc:
                raise
            return rpc_failure(exc)
        return self._answer(method, response, rpc)

    async def _call_async(self, method: str, rpc: bool, options: dict[str, Any]) -> Any:
        try:
            response = await self._nav.client.request(method, self.path, **options)
        except ApiError as exc:
            if not rpc:
                raise
            return rpc_failure(exc)
        return self._answer(method, response, rpc)

    def _answer(self, method: str, response: Response, rpc: bool) -> Any:
        value = self._nav.result(method, response)
        return (True, response.status_code, value) if rpc else value

    def __repr__(self) -> str:
        return f"<Resource {self.template} at {self.path!r}>"
