"""Token authentication (same names as kinto-http's ``TokenAuth`` / ``BearerTokenAuth``)."""

from __future__ import annotations

from ..engine.auth import BearerAuth

__all__ = ["BearerTokenAuth", "TokenAuth"]


class TokenAuth(BearerAuth):
    """Send ``Authorization: <type> <token>`` (``type`` defaults to ``Bearer``).

    ``Client(auth="Bearer+OIDC xyz")`` builds ``BearerTokenAuth("xyz", type="Bearer+OIDC")``.
    """

    def __init__(self, token: str, type: str | None = None) -> None:
        super().__init__(token, type=type or "Bearer")

    def __repr__(self) -> str:
        return f"{type(self).__name__}([REDACTED], type={self.type!r})"


class BearerTokenAuth(TokenAuth):
    """A Bearer token, e.g. an OpenID Connect access token."""
