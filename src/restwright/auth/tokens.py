"""OAuth 2 tokens kept per scope set, in memory and (only when asked) in a 0600 file.

Why a cache per scope set: one client may call with several scopes (Mxit asks for a scope
per call); a token granted for ``{a, b}`` serves a call that needs ``{a}``, and a call that
needs more gets a token of its own instead of replacing the others.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from authlib.oauth2.rfc6749 import OAuth2Token

from ..engine.logs import get_logger

__all__ = ["ScopeSet", "TokenCache", "scope_set"]

logger = get_logger(__name__)

ScopeSet = frozenset[str]


def scope_set(scopes: str | Iterable[str] | None) -> ScopeSet:
    """``"a b"``, ``["a", "b"]`` or None → ``frozenset({"a", "b"})``."""
    if scopes is None:
        return frozenset()
    if isinstance(scopes, str):
        return frozenset(scopes.split())
    return frozenset(s for scope in scopes for s in str(scope).split())


def _key(scopes: ScopeSet) -> str:
    return " ".join(sorted(scopes))


class TokenCache:
    """The tokens of one OAuth 2 client, by the scope set they were asked for.

    With ``path``, tokens are loaded from that JSON file at start and written back after
    every change; the file is created with mode 0600 (and set to it if it existed), since a
    refresh token is as good as a password.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self._tokens: dict[ScopeSet, OAuth2Token] = {}
        self._lock = threading.Lock()
        if self.path is not None and self.path.exists():
            self._load(self.path)

    def get(self, scopes: ScopeSet) -> OAuth2Token | None:
        """The token asked for ``scopes``, else one asked for a superset of them."""
        with self._lock:
            token = self._tokens.get(scopes)
            if token is not None:
                return token
            for granted, candidate in self._tokens.items():
                if scopes <= granted:
                    return candidate
            return None

    def put(self, scopes: ScopeSet, token: OAuth2Token) -> None:
        with self._lock:
            self._tokens[scopes] = token
            if self.path is not None:
                self._save(self.path)

    def drop(self, scopes: ScopeSet) -> None:
        with self._lock:
            if self._tokens.pop(scopes, None) is not None and self.path is not None:
                self._save(self.path)

    def clear(self) -> None:
        with self._lock:
            self._tokens.clear()
            if self.path is not None:
                self._save(self.path)

    def _load(self, path: Path) -> None:
        try:
            stored: Any = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            logger.warning("ignoring the unreadable token file %s (%s)", path, type(exc).__name__)
            return
        if not isinstance(stored, dict):
            return
        for key, token in stored.items():
            if isinstance(token, dict) and isinstance(token.get("access_token"), str):
                self._tokens[scope_set(key)] = OAuth2Token(token)

    def _save(self, path: Path) -> None:
        data = json.dumps({_key(scopes): dict(token) for scopes, token in self._tokens.items()})
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            os.fchmod(fh.fileno(), 0o600)  # an existing file keeps its mode otherwise
            fh.write(data)

    def __repr__(self) -> str:
        return f"TokenCache({len(self._tokens)} token(s), path={str(self.path)!r})"
