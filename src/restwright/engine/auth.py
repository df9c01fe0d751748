"""Authentication schemes.

An auth object decorates requests bound for the client's own origin (never another one).
Simple schemes implement :meth:`Auth.apply`; schemes that need exchanges of their own (a
login, a token refresh, a challenge) implement :meth:`Auth.auth_flow`, a generator that
yields requests to send and receives their responses, in the style of httpx.  The flow is
driven by the shared pipeline, so one implementation serves sync and async clients.
"""

from __future__ import annotations

import binascii
from collections.abc import Callable, Generator
from typing import Any, Literal, NamedTuple, Union

from ..errors import InvalidRequestError
from .headers import check_header
from .models import Request
from .urls import with_param


class Blocking(NamedTuple):
    """A blocking call an auth flow needs (an interactive login, a token file read).

    Yield it from ``auth_flow``; the result of ``func(*args)`` is sent back into the flow.
    The sync client calls it directly, the async client in a worker thread so the event
    loop keeps running.
    """

    func: Callable[..., Any]
    args: tuple[Any, ...] = ()


#: What ``auth_flow`` is: it yields requests (or :class:`Blocking` steps) and receives
#: their responses (or results).
AuthFlow = Generator[Union[Request, Blocking], Any, None]


class Auth:
    """Base class of auth schemes; see the module docstring."""

    #: Lower-case header names this scheme fills with secrets (masked in logs and errors).
    sensitive_headers: frozenset[str] = frozenset({"authorization"})
    #: Query parameter names this scheme fills with secrets.
    sensitive_params: frozenset[str] = frozenset()

    def apply(self, request: Request) -> None:
        """Add credentials to ``request`` in place."""

    def auth_flow(self, request: Request) -> AuthFlow:
        """Yield the request(s) to send; the last response received is the result."""
        self.apply(request)
        yield request

    @property
    def is_simple(self) -> bool:
        """True when the scheme only decorates requests (no exchanges of its own)."""
        return type(self).auth_flow is Auth.auth_flow

    def __repr__(self) -> str:
        return f"{type(self).__name__}([REDACTED])"


class BasicAuth(Auth):
    """HTTP Basic authentication (RFC 7617)."""

    def __init__(self, username: str, password: str) -> None:
        self.username = username
        raw = f"{username}:{password}".encode()
        self._header = "Basic " + binascii.b2a_base64(raw, newline=False).decode("ascii")

    def apply(self, request: Request) -> None:
        request.headers["Authorization"] = self._header

    def __repr__(self) -> str:
        return f"BasicAuth({self.username!r}, [REDACTED])"


class BearerAuth(Auth):
    """A token sent as ``Authorization: <type> <token>`` (``Bearer`` by default)."""

    def __init__(self, token: str, type: str = "Bearer") -> None:
        check_header("Authorization", f"{type} {token}")
        self.token = token
        self.type = type
        self._header = f"{type} {token}"

    @classmethod
    def parse(cls, value: str) -> BearerAuth:
        """``"Bearer+OIDC abc"`` → type ``Bearer+OIDC``, token ``abc``; a bare token → Bearer."""
        value = value.strip()
        type_, sep, token = value.partition(" ")
        if sep and token.strip():
            return cls(token.strip(), type=type_)
        return cls(value)

    def apply(self, request: Request) -> None:
        request.headers["Authorization"] = self._header

    def __repr__(self) -> str:
        return f"BearerAuth([REDACTED], type={self.type!r})"


class HeaderAuth(Auth):
    """A secret sent in a header of its own, such as ``X-Auth-Token``."""

    def __init__(self, name: str, value: str) -> None:
        check_header(name, value)
        self.name = name
        self._value = value
        self.sensitive_headers = frozenset({name.lower()})

    def apply(self, request: Request) -> None:
        request.headers[self.name] = self._value

    def __repr__(self) -> str:
        return f"HeaderAuth({self.name!r}, [REDACTED])"


class APIKeyAuth(Auth):
    """An API key sent in a header, a query parameter or a cookie."""

    def __init__(
        self, name: str, value: str, location: Literal["header", "query", "cookie"] = "header"
    ) -> None:
        if location not in ("header", "query", "cookie"):
            raise ValueError("location must be 'header', 'query' or 'cookie'")
        if location != "query":
            check_header(name, value)
        self.name = name
        self._value = value
        self.location = location
        if location == "header":
            self.sensitive_headers = frozenset({name.lower()})
        elif location == "cookie":
            self.sensitive_headers = frozenset({"cookie"})
        else:
            self.sensitive_headers = frozenset()
            self.sensitive_params = frozenset({name})

    def apply(self, request: Request) -> None:
        if self.location == "header":
            request.headers[self.name] = self._value
        elif self.location == "query":
            request.target = with_param(request.target, self.name, self._value)
        else:
            cookie = f"{self.name}={self._value}"
            existing = request.headers.get("cookie")
            request.headers["Cookie"] = f"{existing}; {cookie}" if existing else cookie

    def __repr__(self) -> str:
        return f"APIKeyAuth({self.name!r}, [REDACTED], location={self.location!r})"


class FunctionAuth(Auth):
    """Wraps a requests-style callable ``fn(request) -> request | None``."""

    sensitive_headers = frozenset({"authorization"})

    def __init__(self, func: Callable[[Request], Request | None]) -> None:
        self.func = func

    def apply(self, request: Request) -> None:
        result = self.func(request)
        if result is not None and result is not request:
            request.method, request.target = result.method, result.target
            request.headers, request.content = result.headers, result.content


class _FlowAuth(Auth):
    """Adapts any object with an ``auth_flow`` method (httpx-style) to :class:`Auth`."""

    def __init__(self, flow: Any) -> None:
        self.flow = flow
        self.sensitive_headers = frozenset(getattr(flow, "sensitive_headers", {"authorization"}))
        self.sensitive_params = frozenset(getattr(flow, "sensitive_params", ()))

    def auth_flow(self, request: Request) -> AuthFlow:
        result: AuthFlow = self.flow.auth_flow(request)
        return result


AuthTypes = Union[Auth, tuple[str, str], str, Callable[[Request], Any], None]


def to_auth(value: AuthTypes | Any) -> Auth | None:
    """Turn what users pass as ``auth=`` into an :class:`Auth` (or None)."""
    if value is None or isinstance(value, Auth):
        return value
    if isinstance(value, tuple):
        if len(value) != 2:
            raise InvalidRequestError("a tuple auth is (username, password)")
        return BasicAuth(str(value[0]), str(value[1]))
    if isinstance(value, str):
        return BearerAuth.parse(value)
    if hasattr(value, "auth_flow"):
        return _FlowAuth(value)
    if callable(value):
        return FunctionAuth(value)
    raise InvalidRequestError(f"unsupported auth {type(value).__name__}")
