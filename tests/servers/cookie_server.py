"""A real HTTP server with a cookie-session login, for the tests of the engine's cookie jar.

:class:`CookieServer` runs an :mod:`aiohttp` application in a background thread
(:class:`~tests.servers.app_server.AppServer`), on ``127.0.0.1`` and a free port.  It
behaves like a web framework with session auth (Django REST framework's
``SessionAuthentication``, Mattermost's ``MMAUTHTOKEN``/``MMCSRF``):

``POST /login``
    JSON ``{"username", "password"}`` (``alice``/``alice-s3cret``): sets a ``sessionid``
    cookie (``HttpOnly``) and a ``csrftoken`` cookie, both ``Path=/``; 401 otherwise.
``GET /whoami``
    ``{"username"}`` for a valid ``sessionid`` cookie, else 401.
``POST /notes``
    A write: needs the ``sessionid`` cookie (401 without) *and* an ``X-CSRFToken`` header
    equal to the ``csrftoken`` cookie (403 without); answers 201 and the note.
``POST /logout``
    Deletes both cookies (``Max-Age=0``).
``GET /set-cookie?h=VALUE``
    Answers with one ``Set-Cookie: VALUE`` header per ``h`` (any attributes a test wants).
``/echo[/anything]``
    ``{"path", "cookies", "cookie_header"}``: the cookies this request carried.
``GET /redirect?to=URL``
    ``302`` to ``URL``.

Every request is recorded (:attr:`CookieServer.received`: path and ``Cookie`` header), so
tests assert on what went over the wire.  The module imports nothing from pytest.
"""

from __future__ import annotations

import secrets
import threading
from typing import Any, NamedTuple

from aiohttp import web

from .app_server import AppServer

__all__ = ["PASSWORD", "USERNAME", "CookieServer", "Received"]

USERNAME = "alice"
PASSWORD = "alice-s3cret"


class Received(NamedTuple):
    """One request as the server saw it."""

    method: str
    path: str
    cookie: str | None


class CookieServer:
    """The server; use it as a context manager (``with CookieServer() as server``)."""

    def __init__(self) -> None:
        self.sessions: dict[str, str] = {}  # sessionid -> username
        self._received: list[Received] = []
        self._lock = threading.Lock()
        app = web.Application(middlewares=[self._record])
        app.add_routes(
            [
                web.post("/login", self._login),
                web.get("/whoami", self._whoami),
                web.post("/notes", self._notes),
                web.post("/logout", self._logout),
                web.get("/set-cookie", self._set_cookie),
                web.route("*", "/echo{tail:.*}", self._echo),
                web.get("/redirect", self._redirect),
            ]
        )
        self._server = AppServer(app, name="cookie-server")

    def __enter__(self) -> CookieServer:
        self._server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.stop()

    # -- what tests read ------------------------------------------------------------------
    @property
    def port(self) -> int:
        return self._server.port

    @property
    def url(self) -> str:
        return self._server.base_url

    @property
    def localhost_url(self) -> str:
        """The same server under another origin (host ``localhost``)."""
        return f"http://localhost:{self.port}"

    @property
    def received(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    def cookies_sent_to(self, path: str) -> list[str | None]:
        """The ``Cookie`` header of every request received for ``path``, in order."""
        return [r.cookie for r in self.received if r.path == path]

    def reset(self) -> None:
        with self._lock:
            self._received.clear()

    # -- handlers -------------------------------------------------------------------------
    @web.middleware
    async def _record(self, request: web.Request, handler: Any) -> web.StreamResponse:
        with self._lock:
            self._received.append(
                Received(request.method, request.path, request.headers.get("Cookie"))
            )
        response: web.StreamResponse = await handler(request)
        return response

    def _user(self, request: web.Request) -> str | None:
        return self.sessions.get(request.cookies.get("sessionid", ""))

    async def _login(self, request: web.Request) -> web.Response:
        body = await request.json()
        if (body.get("username"), body.get("password")) != (USERNAME, PASSWORD):
            return web.json_response({"detail": "bad credentials"}, status=401)
        session = secrets.token_hex(16)
        self.sessions[session] = USERNAME
        response = web.json_response({"username": USERNAME})
        response.set_cookie("sessionid", session, path="/", httponly=True)
        response.set_cookie("csrftoken", secrets.token_hex(16), path="/")
        return response

    async def _whoami(self, request: web.Request) -> web.Response:
        user = self._user(request)
        if user is None:
            return web.json_response({"detail": "not logged in"}, status=401)
        return web.json_response({"username": user})

    async def _notes(self, request: web.Request) -> web.Response:
        if self._user(request) is None:
            return web.json_response({"detail": "not logged in"}, status=401)
        token = request.cookies.get("csrftoken")
        if not token or request.headers.get("X-CSRFToken") != token:
            return web.json_response({"detail": "CSRF check failed"}, status=403)
        return web.json_response(await request.json(), status=201)

    async def _logout(self, request: web.Request) -> web.Response:
        self.sessions.pop(request.cookies.get("sessionid", ""), None)
        response = web.json_response({})
        response.del_cookie("sessionid", path="/")
        response.del_cookie("csrftoken", path="/")
        return response

    async def _set_cookie(self, request: web.Request) -> web.Response:
        response = web.json_response({})
        for value in request.query.getall("h", []):
            response.headers.add("Set-Cookie", value)
        return response

    async def _echo(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "path": request.path,
                "cookies": dict(request.cookies),
                "cookie_header": request.headers.get("Cookie"),
            }
        )

    async def _redirect(self, request: web.Request) -> web.Response:
        raise web.HTTPFound(request.query["to"])
