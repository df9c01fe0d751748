"""``BrowserOAuth``: log in through the server's OpenID Connect provider in a browser.

On the first request, the auth reads the server's OpenID capability (``GET /``), starts the
one-shot listener of :mod:`restwright.auth.loopback` on ``127.0.0.1`` (a random port; the
same one :class:`restwright.auth.AuthorizationCode` logs in with), and opens the browser on the
server's login page with that listener as callback.  After the provider dance, Kinto
redirects the browser to ``http://127.0.0.1:PORT/auth/<base64 token info>``; the listener
reads the access token and stops, and every request then carries
``Authorization: <token_type> <access_token>``.

``open_browser`` (default :func:`webbrowser.open`) is the callable that shows the login page:
scripts and tests can pass their own.  The wait is bounded by ``timeout`` seconds.  With an
:class:`~restwright.kinto.AsyncClient`, the (one-time, interactive) login waits in a worker
thread, so the event loop keeps running.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode

from ..auth.loopback import LoginTimeout, LoopbackListener, open_and_wait
from ..engine.auth import Auth, AuthFlow, Blocking
from ..engine.models import Request
from .exceptions import KintoException

__all__ = ["BrowserOAuth"]


def _token_info(target: str) -> dict[str, Any]:
    """The token information of Kinto's redirect ``/auth/<base64 JSON>`` (or why not)."""
    encoded = unquote(target[len("/auth/") :])
    try:
        token_info = json.loads(base64.urlsafe_b64decode(encoded + "====").decode("utf-8"))
        if not isinstance(token_info, dict):
            raise ValueError("token info is not an object")
    except (ValueError, binascii.Error, UnicodeDecodeError):
        fields = dict(parse_qsl(encoded))
        error = fields.get("error_description") or fields.get("error")
        raise KintoException(f"Login failed: {error or 'unreadable token information'}") from None
    if "access_token" not in token_info:
        reason = token_info.get("error_description") or token_info.get("error") or token_info
        raise KintoException(f"Login failed: {reason}")
    return token_info


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
        self.open_browser = open_browser
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
        with LoopbackListener(_token_info, path="/auth/") as listener:
            navigate_url = (
                self.server_url.rstrip("/")
                + provider_info["auth_path"]
                + "?"
                + urlencode({"callback": listener.url, "scope": self.scope})
            )
            try:
                token_info = open_and_wait(listener, navigate_url, self.timeout, self.open_browser)
            except LoginTimeout:
                raise KintoException(f"No login within {self.timeout:.0f} seconds") from None
        self.set_jwt_token(token_info)

    def __repr__(self) -> str:
        return f"BrowserOAuth(provider={self.provider!r})"
