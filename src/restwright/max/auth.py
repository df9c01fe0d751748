"""MAX's auth headers: ``X-Oauth-Token``, ``X-Oauth-Username`` and ``X-Oauth-Scope``.

The token header is a credential: it is redacted in logs, reprs, errors and curl output,
and dropped on redirects or links to another origin, like ``Authorization``.
"""

from __future__ import annotations

from typing import Protocol

from ..engine.auth import Auth
from ..engine.models import Request

__all__ = ["MaxAuth", "MaxIdentity"]


class MaxIdentity(Protocol):
    """Where the headers come from (the MAX client): read at every request, so
    ``setToken``/``setActor`` take effect on the next call.  The identity checks its values
    for CR/LF when they are set, so each request only copies them."""

    @property
    def actor(self) -> str | None: ...

    @property
    def token(self) -> str | None: ...

    @property
    def scope(self) -> str: ...


class MaxAuth(Auth):
    """Adds MAX's OAuth2 headers while a token is set (without one, nothing is added and
    MAX answers 401)."""

    sensitive_headers = frozenset({"x-oauth-token"})

    def __init__(self, identity: MaxIdentity) -> None:
        self._identity = identity

    def apply(self, request: Request) -> None:
        identity = self._identity
        if identity.token is None:
            return
        headers = request.headers
        headers["X-Oauth-Token"] = identity.token
        headers["X-Oauth-Username"] = identity.actor or ""
        headers["X-Oauth-Scope"] = identity.scope

    def __repr__(self) -> str:
        return f"<MaxAuth actor={self._identity.actor!r} token=[REDACTED]>"
