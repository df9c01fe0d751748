"""A stand-in for Mxit's API and auth site (Mxit's public API is gone), for the Mxit tests.

Two origins, like Mxit's: the auth site is an :class:`~servers.oauth2_provider.OAuth2Provider`
(authlib; Mxit's scopes, no PKCE, as Mxit had none), and :class:`MxitServer` serves the
API paths of the ``mxit`` package (``/message/send``, ``/user/...``) with werkzeug in a
thread on ``127.0.0.1``.  Every call checks its token: app calls need an app token
(client credentials) and user calls a user token (authorization code), each with the
scope Mxit documents for the call (401 ``invalid_token``, 403 ``insufficient_scope``
otherwise).  Binaries are received whole (:attr:`MxitServer.files`, ``avatars``) and
served in chunks (``GET`` avatars and gallery files; :attr:`MxitServer.big_avatar_size`
bytes for the mxit id ``big``).  :meth:`consent` plays the user on the auth site.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, jsonify, request

try:
    from tests.servers.oauth2_provider import OAuth2Provider, ThreadedApp, Token
except ImportError:
    from servers.oauth2_provider import (  # type: ignore[no-redef]
        OAuth2Provider,
        ThreadedApp,
        Token,
    )

MXIT_SCOPES = (
    "message/send",
    "message/user",
    "profile/public",
    "profile/private",
    "profile/write",
    "status/write",
    "avatar/write",
    "contact/invite",
    "graph/read",
    "content/read",
    "content/write",
    "content/send",
)
CLIENT_ID = "mxit-app"
CLIENT_SECRET = "mxit-secret"
REDIRECT_URI = "http://example.org"


def chunks_of(size: int, seed: bytes = b"mxit") -> Iterator[bytes]:
    """``size`` deterministic bytes in 64 KiB chunks (a big avatar, generated on the fly)."""
    block = hashlib.sha256(seed).digest() * 2048  # 64 KiB
    sent = 0
    while sent < size:
        piece = block[: min(len(block), size - sent)]
        sent += len(piece)
        yield piece


class MxitServer(ThreadedApp):
    """See the module docstring."""

    name = "mxit-server"

    def __init__(self, auth: OAuth2Provider) -> None:
        self.auth = auth
        self.big_avatar_size = 32 * 1024 * 1024
        self.lock = threading.Lock()
        self.reset()
        self.app = self._build_app()

    def reset(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.statuses: dict[str, str] = {}
        self.avatars: dict[str, tuple[bytes, str]] = {}
        self.profiles: dict[str, dict[str, Any]] = {}
        self.contacts: dict[str, list[str]] = {}
        self.folders: dict[str, dict[str, list[str]]] = {}
        self.files: dict[str, dict[str, Any]] = {}
        self.offers: list[dict[str, Any]] = []
        self.calls: list[tuple[str, str, str]] = []  # (method, path, scope checked)
        self._ids = itertools.count(1)

    # -- the auth site, played by a user --------------------------------------------------
    def consent(self, scope: str, user: str = "alice", redirect_uri: str = REDIRECT_URI) -> str:
        """The code Mxit's auth site redirects ``user`` back with after granting ``scope``."""
        self.auth.user = user
        query = urlencode(
            {
                "response_type": "code",
                "client_id": CLIENT_ID,
                "redirect_uri": redirect_uri,
                "scope": scope,
            }
        )
        return self.auth.consent(f"{self.auth.url}/authorize?{query}")["code"]

    # -- the API --------------------------------------------------------------------------
    def _check(self, scope: str, user: bool) -> tuple[Token | None, Any]:
        token, refusal = self.auth.check_token({scope})
        self.calls.append((request.method, request.path, scope))
        if token is None:
            return None, refusal
        if user and token.user is None:
            return None, (jsonify(error="a user token is needed"), 403)
        if not user and token.user is not None:
            return None, (jsonify(error="an app token is needed"), 403)
        return token, None

    def _new_file(self, name: str, data: bytes, content_type: str, owner: str | None) -> str:
        file_id = f"file-{next(self._ids)}"
        self.files[file_id] = {
            "name": name,
            "data": data,
            "content_type": content_type,
            "owner": owner,
            "prevent_share": request.args.get("preventShare"),
        }
        return file_id

    def _build_app(self) -> Flask:
        app = Flask("mxit_server")
        server = self

        def guarded(scope: str, user: bool) -> Any:
            def wrap(view: Any) -> Any:
                def run(**kwargs: Any) -> Any:
                    token, refusal = server._check(scope, user)
                    if token is None:
                        return refusal
                    with server.lock:
                        return view(token, **kwargs)

                run.__name__ = view.__name__
                return run

            return wrap

        def text(value: str) -> Any:
            return Response(json.dumps(value), content_type="application/json")

        def ok() -> Any:
            return Response(b"", status=200)

        @app.post("/message/send")
        def send_message() -> Any:
            header = request.headers.get("Authorization", "")
            token = server.auth.access_tokens.get(header.partition(" ")[2])
            is_user = token is not None and token.user is not None
            scope, user = ("message/user", True) if is_user else ("message/send", False)
            checked, refusal = server._check(scope, user)
            if checked is None:
                return refusal
            body = request.get_json()
            server.messages.append({**body, "sent_by": checked.user or checked.client_id})
            return ok()

        @app.get("/user/lookup/<mxit_id>")
        @guarded("profile/public", False)
        def lookup(token: Token, mxit_id: str) -> Any:
            return text(f"u-{mxit_id}")

        @app.get("/user/public/statusmessage/<mxit_id>")
        @guarded("profile/public", False)
        def get_status(token: Token, mxit_id: str) -> Any:
            return text(server.statuses.get(mxit_id, f"status of {mxit_id}"))

        @app.put("/user/statusmessage")
        @guarded("status/write", True)
        def set_status(token: Token) -> Any:
            server.statuses[str(token.user)] = request.get_json()
            return ok()

        @app.get("/user/public/displayname/<mxit_id>")
        @guarded("profile/public", False)
        def display_name(token: Token, mxit_id: str) -> Any:
            return text(f"Display {mxit_id}")

        @app.get("/user/public/avatar/<mxit_id>")
        @guarded("profile/public", False)
        def get_avatar(token: Token, mxit_id: str) -> Any:
            if mxit_id == "big":
                size = server.big_avatar_size
                return Response(
                    chunks_of(size), content_type="image/png", headers={"Content-Length": size}
                )
            data, ctype = server.avatars.get(mxit_id, (b"\x89PNG avatar " + mxit_id.encode(), ""))
            return Response(data, content_type=ctype or "image/png")

        @app.post("/user/avatar")
        @guarded("avatar/write", True)
        def set_avatar(token: Token) -> Any:
            server.avatars[str(token.user)] = (request.get_data(), request.content_type or "")
            return ok()

        @app.delete("/user/avatar")
        @guarded("avatar/write", True)
        def delete_avatar(token: Token) -> Any:
            server.avatars.pop(str(token.user), None)
            return ok()

        @app.get("/user/profile/<user_id>")
        @guarded("profile/public", False)
        def basic_profile(token: Token, user_id: str) -> Any:
            return jsonify(UserId=user_id, DisplayName=f"Display {user_id}")

        @app.get("/user/profile")
        @guarded("profile/private", True)
        def full_profile(token: Token) -> Any:
            profile = {"UserId": token.user, "DisplayName": token.user}
            profile.update(server.profiles.get(str(token.user), {}))
            return jsonify(profile)

        @app.put("/user/profile")
        @guarded("profile/write", True)
        def update_profile(token: Token) -> Any:
            server.profiles.setdefault(str(token.user), {}).update(request.get_json())
            return ok()

        @app.put("/user/socialgraph/contact/<contact_id>")
        @guarded("contact/invite", True)
        def add_contact(token: Token, contact_id: str) -> Any:
            server.contacts.setdefault(str(token.user), []).append(contact_id)
            return ok()

        @app.get("/user/socialgraph/contactlist")
        @guarded("graph/read", True)
        def contact_list(token: Token) -> Any:
            contacts = server.contacts.get(str(token.user), [])
            skip = int(request.args.get("skip", 0))
            count = int(request.args.get("count", len(contacts) or 1))
            return jsonify(
                Filter=request.args["filter"],
                Contacts=[{"UserId": c} for c in contacts[skip : skip + count]],
            )

        @app.get("/user/socialgraph/suggestions")
        @guarded("graph/read", True)
        def suggestions(token: Token) -> Any:
            return jsonify(["suggested_friend"])

        @app.get("/user/media")
        @guarded("content/read", True)
        def folder_list(token: Token) -> Any:
            return jsonify(sorted(server.folders.get(str(token.user), {})))

        @app.post("/user/media/<folder>")
        @guarded("content/write", True)
        def create_folder(token: Token, folder: str) -> Any:
            server.folders.setdefault(str(token.user), {}).setdefault(folder, [])
            return ok()

        @app.delete("/user/media/<folder>")
        @guarded("content/write", True)
        def delete_folder(token: Token, folder: str) -> Any:
            if server.folders.get(str(token.user), {}).pop(folder, None) is None:
                return jsonify(error="no such folder"), 404
            return ok()

        @app.put("/user/media/<folder>")
        @guarded("content/write", True)
        def rename_folder(token: Token, folder: str) -> Any:
            folders = server.folders.get(str(token.user), {})
            if folder not in folders:
                return jsonify(error="no such folder"), 404
            folders[request.get_json()] = folders.pop(folder)
            return ok()

        @app.delete("/user/media/file/<file_id>")
        @guarded("content/write", True)
        def delete_file(token: Token, file_id: str) -> Any:
            if server.files.pop(file_id, None) is None:
                return jsonify(error="no such file"), 404
            return ok()

        @app.put("/user/media/file/<file_id>")
        @guarded("content/write", True)
        def rename_file(token: Token, file_id: str) -> Any:
            server.files[file_id]["name"] = request.get_json()
            return ok()

        @app.post("/user/media/file/<folder>")
        @guarded("content/write", True)
        def upload_file(token: Token, folder: str) -> Any:
            folders = server.folders.setdefault(str(token.user), {})
            if folder not in folders:
                return jsonify(error="no such folder"), 404
            file_id = server._new_file(
                request.args["fileName"], request.get_data(), request.content_type or "", token.user
            )
            folders[folder].append(file_id)
            return text(file_id)

        @app.get("/user/media/list/<folder>")
        @guarded("content/read", True)
        def item_list(token: Token, folder: str) -> Any:
            ids = server.folders.get(str(token.user), {}).get(folder)
            if ids is None:
                return jsonify(error="no such folder"), 404
            skip = int(request.args.get("skip", 0))
            count = int(request.args.get("count", len(ids) or 1))
            return jsonify(
                [{"FileId": i, "FileName": server.files[i]["name"]} for i in ids][
                    skip : skip + count
                ]
            )

        @app.get("/user/media/content/<file_id>")
        @guarded("content/read", True)
        def file_content(token: Token, file_id: str) -> Any:
            item = server.files.get(file_id)
            if item is None:
                return jsonify(error="no such file"), 404
            data = item["data"]
            pieces = (data[i : i + 65536] for i in range(0, len(data), 65536))
            return Response(
                pieces, content_type=item["content_type"], headers={"Content-Length": len(data)}
            )

        @app.post("/user/media/file/send")
        @guarded("content/send", False)
        def upload_and_offer(token: Token) -> Any:
            file_id = server._new_file(
                request.args["fileName"], request.get_data(), request.content_type or "", None
            )
            server.offers.append(
                {
                    "file_id": file_id,
                    "user_id": request.args["userId"],
                    "auto_open": request.args.get("autoOpen"),
                }
            )
            return text(file_id)

        @app.post("/user/media/file/send/<file_id>")
        @guarded("content/send", False)
        def offer(token: Token, file_id: str) -> Any:
            server.offers.append(
                {
                    "file_id": file_id,
                    "user_id": request.args["UserId"],
                    "auto_open": request.args.get("autoOpen"),
                }
            )
            return ok()

        return app


class FreshCode:
    """``RECEIVED_AUTH_CODE`` of the README's examples: each use is a new code of the auth
    site (codes are single use), from a user who granted every scope the app asks for."""

    def __init__(self, server: MxitServer) -> None:
        self.server = server

    def __str__(self) -> str:
        return self.server.consent(" ".join(MXIT_SCOPES))


def seed(server: MxitServer) -> None:
    """Reset both sites to what the ``mxit`` README's examples expect: alice's gallery."""
    server.reset()
    server.auth.reset()
    server.files["example_file_id"] = {
        "name": "example file",
        "data": b"\x89PNG example file",
        "content_type": "image/png",
        "owner": "alice",
        "prevent_share": None,
    }
    server.folders["alice"] = {
        "example folder name": ["example_file_id"],
        "old example folder name": [],
    }


@contextmanager
def running_mxit() -> Iterator[MxitServer]:
    """Mxit's auth site and API, started (and stopped on exit)."""
    auth = OAuth2Provider(scopes=MXIT_SCOPES, pkce=False)
    auth.start()
    try:
        auth.register(CLIENT_ID, CLIENT_SECRET, (REDIRECT_URI,))
        api = MxitServer(auth)
        api.start()
        try:
            yield api
        finally:
            api.stop()
    finally:
        auth.stop()
