"""Small real servers that answer like MAX, its OAuth2 server, and CloudCIX would.

:class:`StyleServer` reuses :class:`~servers.fault_server.FaultServer`'s life cycle (an
aiohttp low-level server on 127.0.0.1 in a thread of its own) with another handler, and
records every request whole (:class:`Seen`: method, raw path, query, headers, body) so that
tests assert exactly what went over the wire.

Kinds:

``max``
    MAX's API: ``GET /info`` (public) names the OAuth2 server (``max.oauth_server``); every
    other route needs ``X-Oauth-Token`` = the server's ``token`` (default
    :data:`MAX_TOKEN`) and ``X-Oauth-Username`` (else 401 ``{"error",
    "error_description"}``).  An in-memory store keyed by the raw path: ``POST``/``PUT``
    store the JSON body (or ``json_data`` of a multipart body) and answer it (201/200;
    multipart answers ``text/plain`` ``Uploaded``); a POST to a collection (an odd number
    of segments: ``/contexts``, ``/people/x/activities``) stores it as a new child.
    ``GET`` answers what is stored, else the stored children as a list (``?limit=``
    honoured), else 404 with a JSON error; ``HEAD`` answers ``X-totalItems``; ``DELETE``
    204.
``oauth``
    ``POST /token`` with the password grant (form fields ``grant_type``, ``client_id``,
    ``scope``, ``username``, ``password``): ``{"access_token": token}`` for
    :data:`MAX_USERS`, 400 ``invalid_grant`` otherwise.
``cloudcix``
    ``/{Application}/v1/{Service}/`` with ``X-Auth-Token`` = the server's ``token``
    (default :data:`CIX_TOKEN`; else 401 ``{"detail"}``): ``GET`` lists
    :attr:`StyleServer.cix_total` items ``{"id", "name"}`` as ``{"_metadata":
    {"total_records", "page", "limit"}, "content": [...]}`` chosen by ``page`` (from 0)
    and ``limit`` (default 50); ``POST`` 201 ``{"content": body + id}``;
    ``GET/PUT/PATCH .../{pk}/`` 200 ``{"content": ...}`` (404 for an unknown pk);
    ``DELETE`` 204; ``HEAD`` 200 (404 for an unknown pk).

:meth:`StyleServer.fail_next` makes the next N requests answer another status first.
"""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass
from typing import Any

from aiohttp import web

try:
    from tests.servers.fault_server import FaultServer, parse_multipart
except ImportError:
    from servers.fault_server import FaultServer, parse_multipart  # type: ignore[no-redef]

__all__ = ["CIX_TOKEN", "MAX_TOKEN", "MAX_USERS", "Seen", "StyleServer"]

MAX_TOKEN = "NLfIgUgBgODd4sdAgDsFgdAffFigfBf0"
MAX_USERS = {"carles.bruguera": "password", "ana": "s3cret"}
CIX_TOKEN = "cix-token-0123456789"


@dataclass
class Seen:
    """One request, whole."""

    method: str
    path: str
    query: list[tuple[str, str]]
    headers: list[tuple[str, str]]
    body: bytes = b""
    peer_port: int = 0

    def header(self, name: str) -> str | None:
        lname = name.lower()
        return next((v for k, v in self.headers if k.lower() == lname), None)

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    @property
    def form(self) -> dict[str, str]:
        return dict(urllib.parse.parse_qsl(self.body.decode()))

    @property
    def parts(self) -> list[dict[str, Any]]:
        return parse_multipart(self.body, self.header("content-type") or "")


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        content_type="application/json",
        headers=headers,
    )


def _max_error(status: int, error: str, description: str) -> web.Response:
    return _json({"error": error, "error_description": description}, status)


class StyleServer(FaultServer):
    """A MAX, OAuth2 or CloudCIX look-alike (see the module docstring)."""

    def __init__(self, kind: str, token: str | None = None) -> None:
        super().__init__(kind)
        self.kind = kind
        self.token = token or (CIX_TOKEN if kind == "cloudcix" else MAX_TOKEN)
        self.oauth_url = ""
        self.cix_total = 7
        self.store: dict[str, Any] = {}
        self.cix_items: dict[str, dict[str, Any]] = {}
        self._failures: list[tuple[int, dict[str, str]]] = []

    @property
    def seen(self) -> list[Seen]:
        with self._lock:
            return list(self._records)  # type: ignore[arg-type]

    def reset(self) -> None:
        super().reset()
        self.store = {}
        self.cix_total = 7
        self.cix_items = {str(i): {"id": i, "name": f"item-{i}"} for i in range(1, 4)}
        self._failures = []

    def fail_next(
        self, count: int, status: int = 503, headers: dict[str, str] | None = None
    ) -> None:
        """Answer the next ``count`` requests with ``status`` (and ``headers``)."""
        self._failures.extend([(status, dict(headers or {}))] * count)

    async def _handle(self, request: web.BaseRequest) -> web.StreamResponse:
        raw_path, _, query = request.raw_path.partition("?")
        seen = Seen(
            request.method,
            raw_path,
            urllib.parse.parse_qsl(query, keep_blank_values=True),
            [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.raw_headers],
            await request.read(),
            request.transport.get_extra_info("peername")[1] if request.transport else 0,
        )
        with self._lock:
            self._records.append(seen)  # type: ignore[arg-type]
        if self._failures:
            status, headers = self._failures.pop(0)
            return _json({"error": "Failing", "error_description": "on purpose"}, status, headers)
        try:
            handler = {"max": self._max, "oauth": self._oauth, "cloudcix": self._cloudcix}
            return handler[self.kind](request, seen)
        except Exception as exc:
            with self._lock:
                self._errors.append(exc)
            raise

    # -- MAX ------------------------------------------------------------------------------
    def _max(self, request: web.BaseRequest, seen: Seen) -> web.StreamResponse:
        path = seen.path.rstrip("/") or "/"
        if path == "/info" and seen.method == "GET":
            return _json({"max.oauth_server": self.oauth_url, "max.version": "5.1"})
        if seen.header("x-oauth-token") != self.token or not seen.header("x-oauth-username"):
            return _max_error(401, "Unauthorized", "Invalid token or user")
        method = seen.method
        if method in ("POST", "PUT"):
            ctype = seen.header("content-type") or ""
            if ctype.startswith("multipart/"):
                parts = {p["name"]: p for p in seen.parts}
                data = json.loads(parts["json_data"]["text"]) if "json_data" in parts else {}
                self.store[path] = {**data, "files": sorted(n for n in parts if n != "json_data")}
                return web.Response(text="Uploaded", status=201)
            if method == "POST" and len(path.strip("/").split("/")) % 2:
                # a collection (/contexts, /people/x/activities): the body becomes a child
                path = f"{path}/{1 + sum(k.rsplit('/', 1)[0] == path for k in self.store)}"
            self.store[path] = seen.json
            return _json(seen.json, 201 if method == "POST" else 200)
        if method == "DELETE":
            if self.store.pop(path, None) is None:
                return _max_error(404, "ObjectNotFound", f"{path} not found")
            return web.Response(status=204)
        children = [v for k, v in self.store.items() if k.rsplit("/", 1)[0] == path]
        if method == "HEAD":
            return web.Response(status=200, headers={"X-totalItems": str(len(children))})
        if path in self.store:
            return _json(self.store[path])
        if children or path.endswith(("/activities", "/timeline")):
            limit = dict(seen.query).get("limit")
            return _json(children[: int(limit)] if limit else children)
        return _max_error(404, "ObjectNotFound", f"{path} not found")

    # -- OAuth2 ---------------------------------------------------------------------------
    def _oauth(self, request: web.BaseRequest, seen: Seen) -> web.StreamResponse:
        if seen.method != "POST" or seen.path != "/token":
            return _max_error(404, "not_found", "no such endpoint")
        form = seen.form
        if form.get("grant_type") != "password":
            return _max_error(400, "unsupported_grant_type", "password grant only")
        if MAX_USERS.get(form.get("username", "")) != form.get("password"):
            return _max_error(400, "invalid_grant", "Bad username or password")
        return _json({"access_token": self.token, "token_type": "bearer", "scope": form["scope"]})

    # -- CloudCIX -------------------------------------------------------------------------
    def _cloudcix(self, request: web.BaseRequest, seen: Seen) -> web.StreamResponse:
        if seen.header("x-auth-token") != self.token:
            return _json({"detail": "Authentication credentials were not provided."}, 401)
        segments = seen.path.strip("/").split("/")
        if len(segments) < 3 or segments[1] != "v1" or not seen.path.endswith("/"):
            return _json({"detail": "Not found."}, 404)
        if segments[-1][:1].isupper():  # a service (collection) name: CloudCIX's are CamelCase
            return self._cix_collection(seen)
        return self._cix_item(seen, urllib.parse.unquote(segments[-1]))

    def _cix_collection(self, seen: Seen) -> web.StreamResponse:
        if seen.method == "POST":
            created = {**(seen.json or {}), "id": len(self.cix_items) + 100}
            self.cix_items[str(created["id"])] = created
            return _json({"content": created}, 201)
        if seen.method == "HEAD":
            return web.Response(status=200)
        query = dict(seen.query)
        page, limit = int(query.get("page", 0)), int(query.get("limit", 50))
        everything = [{"id": i, "name": f"record-{i}"} for i in range(self.cix_total)]
        content = everything[page * limit : (page + 1) * limit]
        metadata = {"total_records": self.cix_total, "page": page, "limit": limit}
        return _json({"_metadata": metadata, "content": content})

    def _cix_item(self, seen: Seen, pk: str) -> web.StreamResponse:
        method = seen.method
        if pk not in self.cix_items and method != "PUT":
            if method == "HEAD":
                return web.Response(status=404)
            return _json({"error_code": "not_found", "detail": f"No object {pk}"}, 404)
        if method == "DELETE":
            del self.cix_items[pk]
            return web.Response(status=204)
        if method == "HEAD":
            return web.Response(status=200)
        if method in ("PUT", "PATCH"):
            base = self.cix_items[pk] if method == "PATCH" else {"id": pk}
            self.cix_items[pk] = {**base, **(seen.json or {})}
        return _json({"content": self.cix_items[pk]})
