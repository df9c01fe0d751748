"""``BrowserOAuth``: log in through the server's OpenID Connect provider in a browser.

On the first request, the auth reads the server's OpenID capability (``GET /``), starts a
one-shot HTTP listener on ``127.0.0.1`` (a random port), and opens the browser on the
server's login page with that listener as callback.  After the provider dance, Kinto
redirects the browser to ``http://127.0.0.1:PORT/auth/<base64 token info>``; the listener
reads the access token and stops, and every request then carries
``Authorization: <token_type> <access_token>``.

``open_browser`` (default :func:`webbrowser.open`) is the callable that shows the login page:
scripts and tests can pass their own.  The wait is bounded by ``timeout`` seconds.  With an
:class:`~restwright.kinto.AsyncClient`, the (one-time, interactive) login blocks the event
loop while the user logs in.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import threading
import webbrowser
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode

from ..engine.auth import Auth, AuthFlow, Blocking
from ..engine.models import Request
from .exceptions import KintoException

logger = logging.getLogger("restwright.kinto.login")

__all__ = ["BrowserOAuth"]

_PAGE = b"<html><body><h1>Login successful</h1>You can close this page.</body></html>"
_FAILED = b"<html><body><h1>Login failed</h1>You can close this page.</body></html>"


class _CallbackServer(HTTPServer):
    result: dict[str, Any] | None
    error: str | None
    done: threading.Event


class _CallbackHandler(BaseHTTPRequestHandler):
    server: _CallbackServer

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("login listener: " + format, *args)

    def do_GET(self) -> None:
        if not self.path.startswith("/auth/"):
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        encoded = unquote(self.path[len("/auth/") :])
        try:
            token_info = json.loads(base64.urlsafe_b64decode(encoded + "====").decode("utf-8"))
            if not isinstance(token_info, dict):
                raise ValueError("token info is not an object")
        except (ValueError, binascii.Error, UnicodeDecodeError):
            fields = dict(parse_qsl(encoded))
            self.server.error = (
                fields.get("error_description")
                or fields.get("error")
                or "unreadable token information"
            )
            token_info = None
        if token_info is not None and "access_token" not in token_info:
            self.server.error = str(
                token_info.get("error_description") or token_info.get("error") or token_info
            )
            token_info = None
        page = _PAGE if token_info is not None else _FAILED
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        self.wfile.write(page)
        self.server.result = token_info
        self.server.done.set()


class BrowserOAuth(Auth):
    """Authenticate with an OpenID Connect provider of the Kinto server, in a browser.

    ``provider``: name of the provider (default: the first one the server lists).
    """

    server_url: str = ""

    def __init__(
        self,
        provider: str | None = None,
        *,
        open_browser: Callable[[str], Any] | None = None,
        timeout: float = 300.0,
        scope: str = "openid email",
    ) -> None:
        self.provider = provider
        self.header_type: str | None = None
        self.token: str | None = None
        self.open_browser = open_browser or webbrowser.open
        self.timeout = timeout
        self.scope = scope
        self._lock = threading.Lock()

    def set_jwt_token(self, jwt_data: dict[str, Any]) -> None:
        """Use the token information sent back by the server (``token_type``, ``access_token``)."""
        self.header_type = jwt_data.get("token_type") or "Bearer"
        self.token = jwt_data["access_token"]

    def auth_flow(self, request: Request) -> AuthFlow:
        if self.token is None:
            info_request = Request.from_url("GET", self.server_url.rstrip("/") + "/")
            info_request.headers["Accept"] = "application/json"
            response = yield info_request
            provider_info = self._provider_info(response)
            # The login waits for a human: a blocking step, which the async client runs
            # in a worker thread so its event loop keeps going.
            yield Blocking(self._login_once, (provider_info,))
        request.headers["Authorization"] = f"{self.header_type} {self.token}"
        yield request

    def _login_once(self, provider_info: dict[str, Any]) -> None:
        """One thread logs in; the others wait for it and reuse its token."""
        with self._lock:
            if self.token is None:
                self._login(provider_info)

    def _provider_info(self, response: Any) -> dict[str, Any]:
        if response.status_code >= 400:
            raise KintoException(f"Cannot read the OpenID settings: {response.status_code}")
        try:
            providers = response.json()["capabilities"]["openid"]["providers"]
        except (KeyError, TypeError) as exc:
            raise KintoException("The server has no OpenID Connect provider") from exc
        for provider in providers:
            if self.provider is None or provider["name"] == self.provider:
                return provider  # type: ignore[no-any-return]
        raise KintoException(f"Unknown OpenID provider {self.provider!r}")

    def _login(self, provider_info: dict[str, Any]) -> None:
        server = _CallbackServer(("127.0.0.1", 0), _CallbackHandler)
        server.result = None
        server.error = None
        server.done = threading.Event()
        port = server.server_address[1]
        callback = f"http://127.0.0.1:{port}/auth/"
        navigate_url = (
            self.server_url.rstrip("/")
            + provider_info["auth_path"]
            + "?"
            + urlencode({"callback": callback, "scope": self.scope})
        )
        thread = threading.Thread(target=server.serve_forever, name="kinto-login", daemon=True)
        thread.start()
        try:
            logger.info("Opening the browser to log in: %s", navigate_url)
            self.open_browser(navigate_url)
            if not server.done.wait(self.timeout):
                raise KintoException(f"No login within {self.timeout:.0f} seconds")
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)
        if server.result is None:
            raise KintoException(f"Login failed: {server.error}")
        self.set_jwt_token(server.result)

    def __repr__(self) -> str:
        return f"BrowserOAuth(provider={self.provider!r})"
