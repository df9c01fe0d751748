"""A real HTTP server that logs users in the way Mattermost does, for docs and tests.

Mattermost's ``POST /api/v4/users/login`` takes ``{"login_id", "password"}`` and answers the
user with the session token in a ``Token`` response header (its API document does not
declare that header, so a mock generated from the document cannot play it).  Then every
call sends ``Authorization: Bearer TOKEN``.

``POST /api/v4/users/login``   201 + ``Token`` header for any login id whose password is
                               ``s3cret``; 401 otherwise
``GET /api/v4/users/{id}``     the logged-in user (``me`` or its id), 401 without a token
``GET /api/v4/users``          the users, ``page``/``per_page`` pages (a bare JSON list)
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator

from aiohttp import web

from .app_server import AppServer

PASSWORD = "s3cret"
USERS = [{"id": f"u{i:03}", "username": f"user{i}"} for i in range(1, 8)]


def _error(status: int, message: str) -> web.Response:
    return web.json_response(
        {"id": "api.context.401.app_error", "message": message, "status_code": status},
        status=status,
    )


def _app() -> web.Application:
    sessions: dict[str, dict[str, str]] = {}

    async def login(request: web.Request) -> web.Response:
        body = await request.json()
        if body.get("password") != PASSWORD:
            return _error(401, "Enter a valid email or username and/or password.")
        user = {"id": "u" + secrets.token_hex(4), "username": str(body.get("login_id"))}
        token = secrets.token_hex(13)
        sessions[token] = user
        return web.json_response(user, status=201, headers={"Token": token})

    def session(request: web.Request) -> dict[str, str] | None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        return sessions.get(token) if scheme.lower() == "bearer" else None

    async def get_user(request: web.Request) -> web.Response:
        user = session(request)
        if user is None:
            return _error(401, "Invalid or expired session, please login again.")
        if request.match_info["user_id"] in ("me", user["id"]):
            return web.json_response(user)
        return _error(404, "Unable to find the user.")

    async def list_users(request: web.Request) -> web.Response:
        if session(request) is None:
            return _error(401, "Invalid or expired session, please login again.")
        page = int(request.query.get("page", "0"))
        per_page = int(request.query.get("per_page", "60"))
        return web.json_response(USERS[page * per_page : (page + 1) * per_page])

    app = web.Application()
    app.router.add_post("/api/v4/users/login", login)
    app.router.add_get("/api/v4/users", list_users)
    app.router.add_get("/api/v4/users/{user_id}", get_user)
    return app


@contextlib.contextmanager
def mattermost_login_server() -> Iterator[str]:
    """Run the server while the block runs; yield its base URL (``http://127.0.0.1:PORT``)."""
    with AppServer(_app(), name="mattermost-login") as server:
        yield server.base_url
