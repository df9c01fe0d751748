"""Mattermost's login: ``POST /api/v4/users/login``, then the ``Token`` header as bearer.

matterapi 0.5 posts to a path that does not exist and gets a 404; this follows the
document.  The token is kept in the auth object, so every client (and session) sharing it
logs in once.  It is an engine auth flow, so the sync and async clients share it and the
password never leaves the server's origin.
"""

from __future__ import annotations

from typing import Any

from ..engine.auth import Auth, AuthFlow
from ..engine.encoding import encode_json
from ..engine.models import Request
from ..errors import ApiError, error_for_status
from .errors import STATUS_ERRORS, Unauthorized

__all__ = ["PasswordLogin"]

LOGIN_PATH = "/api/v4/users/login"


class PasswordLogin(Auth):
    """Logs in with ``login_id``/``password`` before the first request, then sends the token."""

    sensitive_headers = frozenset({"authorization", "token"})

    def __init__(self, base_url: str, login_id: str, password: str) -> None:
        self.login_url = base_url.rstrip("/") + LOGIN_PATH
        self.login_id = login_id
        self._password = password
        self.token: str | None = None

    def auth_flow(self, request: Request) -> AuthFlow:
        if self.token is None:
            login = Request.from_url(
                "POST",
                self.login_url,
                headers={"Content-Type": "application/json", "Accept": "application/json"},
                content=encode_json({"login_id": self.login_id, "password": self._password}),
                sensitive_headers=self.sensitive_headers,
            )
            response = yield login
            self.token = self._token(login, response)
        request.headers["Authorization"] = f"Bearer {self.token}"
        yield request

    @staticmethod
    def _token(login: Request, response: Any) -> str:
        status = response.status_code
        if status >= 400:
            cls: type[ApiError] = STATUS_ERRORS.get(status) or error_for_status(status)
            raise cls(status, login, response, "login failed")
        token = response.headers.get("Token")
        if not token:
            raise Unauthorized(status, login, response, "login answered without a Token header")
        return str(token)

    def __repr__(self) -> str:
        return f"PasswordLogin({self.login_id!r}, [REDACTED])"
