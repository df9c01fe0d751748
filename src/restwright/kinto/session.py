"""``client.session``: kinto-http's request method, on restwright's engine.

``session.request(method, endpoint, data=None, permissions=None, payload=None, **kwargs)``
sends one request and returns ``(body, headers)`` like kinto-http's: ``endpoint`` is a path
under ``server_url`` (or an absolute URL), ``data``/``permissions`` go into the JSON body,
``params`` are encoded the Kinto way (``in_``/``exclude_`` lists joined with commas, other
non-strings as JSON), ``headers`` are added to the client's, ``files`` make a multipart
upload.  :class:`Session` and :class:`AsyncSession` only differ in how they call the engine;
building the engine request and reading its response are shared pure functions.

What restwright does differently from kinto-http (on purpose):

* Retries (``retry=N``) are the engine's: idempotent requests (GET, HEAD, PUT, DELETE) are
  retried on 409, 429 and 5xx answers and on network failures, after ``Retry-After`` or
  Kinto's ``Backoff`` delay (``retry_after`` forces the delay), else an exponential backoff
  with jitter.  A PATCH or POST is never re-sent automatically once it may have reached the
  server, so a change is never applied twice; batches are discussed in
  :mod:`restwright.kinto.batch`.
* A ``Backoff: N`` header makes the next requests to that server *wait* N seconds instead of
  failing with ``BackoffException``.
* ``timeout`` defaults to restwright's (5 s to connect, 30 s to read) instead of waiting
  forever; ``timeout=None`` still means "no timeout".
* Credentials are never sent to another origin (attachment files, cross-origin links).
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Mapping
from typing import Any

import restwright

from ..engine.headers import Headers
from ..errors import ApiError, InvalidRequestError
from .constants import RETRY_STATUSES, USER_AGENT
from .exceptions import KintoException, make_error
from .utils import json_dumps

__all__ = ["DEFAULT_TIMEOUT", "AsyncSession", "Session", "create_session"]


class _DefaultTimeout:
    """Marker for "restwright's default timeouts" (5 s connect, 30 s read)."""

    def __repr__(self) -> str:
        return "DEFAULT_TIMEOUT"


#: The default ``timeout=``: restwright's (5 s to connect, 30 s to read). ``None``: none.
DEFAULT_TIMEOUT: Any = _DefaultTimeout()

_NO_BODY_METHODS = frozenset({"GET", "HEAD"})
_EMPTY_BODY_STATUSES = frozenset({204, 304})
_SESSION_OPTIONS = ("server_url", "auth", "timeout", "headers", "retry", "retry_after", "dry_mode")


def coerce_auth(auth: Any) -> Any:
    """kinto-http's string forms: ``"user:pass"``, ``"Bearer xyz"``, ``"Basic xyz"``."""
    if not isinstance(auth, str):
        return auth
    from .auth import BearerTokenAuth, TokenAuth

    if ":" in auth:
        user, password = auth.split(":", 1)
        return (user, password)
    if "bearer" in auth.lower():
        type_, token = auth.split(" ", 1)
        return BearerTokenAuth(token, type=type_)
    if "basic" in auth.lower():
        type_, token = auth.split(" ", 1)
        return TokenAuth(token, type=type_)
    if auth:
        raise ValueError(
            "Unsupported `auth` parameter value. Must be a tuple() or string "
            "in the form of `user:pass` or `Bearer xyz` or `Basic xyz`"
        )
    return None


def check_session_args(server_url: str | None, auth: Any, session: Any) -> None:
    """kinto-http's checks: a session, or a server URL and/or auth, not both."""
    if session is not None and (server_url is not None or auth is not None):
        raise AttributeError(
            "You cannot specify session and server_url or auth. "
            "Chose either session or (auth + server_url)."
        )
    if session is None and server_url is None and auth is None:
        raise AttributeError("You need to either set session or auth + server_url")


def create_session(
    server_url: str | None = None,
    auth: Any = None,
    session: Any = None,
    **kwargs: Any,
) -> Session:
    """A :class:`Session` from kinto-http's arguments (or ``session`` itself)."""
    check_session_args(server_url, auth, session)
    if session is None:
        session = Session(server_url=server_url, auth=coerce_auth(auth), **kwargs)
    return session  # type: ignore[no-any-return]


def encode_params(params: Mapping[str, Any]) -> dict[str, str]:
    """Query parameters the way Kinto (and kinto-http) write them."""
    out: dict[str, str] = {}
    for key, value in params.items():
        if key.startswith(("in_", "exclude_")):
            out[key] = f"{value}," if isinstance(value, str) else ",".join(map(str, value))
        elif isinstance(value, str):
            out[key] = value
        else:
            out[key] = json_dumps(value)
    return out


def engine_options(
    auth: Any,
    headers: dict[str, str] | None,
    retry: int,
    retry_after: float | None,
    timeout: Any,
    dry_mode: bool,
) -> dict[str, Any]:
    """The restwright client options matching kinto-http's session options."""
    options: dict[str, Any] = {
        "auth": auth,
        "headers": {"User-Agent": USER_AGENT, **(headers or {})},
        "retry": restwright.Retry(
            total=max(0, int(retry or 0)), statuses=RETRY_STATUSES, retry_after=retry_after
        ),
        "dry_run": dry_mode,
    }
    if timeout is not DEFAULT_TIMEOUT:
        options["timeout"] = timeout
    return options


class _SessionBase:
    """Options, engine construction and the pure request/response translation."""

    _engine_class: Any = None

    def __init__(
        self,
        server_url: str | None,
        auth: Any = None,
        timeout: Any = DEFAULT_TIMEOUT,
        headers: dict[str, str] | None = None,
        retry: int = 0,
        retry_after: float | None = None,
        dry_mode: bool = False,
        *,
        engine: Any = None,
    ) -> None:
        self.server_url = server_url
        self.auth = auth
        self.nb_retry = retry
        self.retry_after = retry_after
        self.timeout = timeout
        self.headers: dict[str, str] = dict(headers or {})
        self.dry_mode = dry_mode
        if auth is not None and hasattr(auth, "server_url"):
            # BrowserOAuth reads the server's OpenID settings from there.
            with contextlib.suppress(AttributeError):  # a read-only attribute
                auth.server_url = server_url
        self._engine_error: Exception | None = None
        if engine is None and server_url is not None:
            try:
                engine = self._engine_class(server_url, **self._engine_options())
            except InvalidRequestError as exc:  # e.g. server_url="..." in a README
                self._engine_error = exc
        self._engine = engine

    @property
    def engine(self) -> Any:
        """The restwright client that does the HTTP work."""
        return self._engine

    def _engine_options(self) -> dict[str, Any]:
        return engine_options(
            self.auth, self.headers, self.nb_retry, self.retry_after, self.timeout, self.dry_mode
        )

    def derive(self, **overrides: Any) -> Any:
        """A session with some options changed, sharing the connection pool if it can."""
        unknown = set(overrides) - set(_SESSION_OPTIONS)
        if unknown:
            raise TypeError(f"unexpected session options {sorted(unknown)}")
        settings: dict[str, Any] = {
            "server_url": self.server_url,
            "auth": self.auth,
            "timeout": self.timeout,
            "headers": self.headers,
            "retry": self.nb_retry,
            "retry_after": self.retry_after,
            "dry_mode": self.dry_mode,
        }
        settings.update(overrides)
        settings["auth"] = coerce_auth(settings["auth"])
        engine = None
        if (
            self._engine is not None
            and settings["server_url"] == self.server_url
            and "headers" not in overrides
        ):
            options = engine_options(
                settings["auth"],
                settings["headers"],
                settings["retry"],
                settings["retry_after"],
                settings["timeout"],
                settings["dry_mode"],
            )
            options.setdefault("timeout", restwright.Timeout())
            del options["headers"]
            engine = self._engine.with_options(**options)
        return type(self)(engine=engine, **settings)

    # -- translation (pure) ----------------------------------------------------------------

    def _prepare(
        self,
        method: str,
        endpoint: str,
        data: Any,
        permissions: Any,
        payload: Any,
        kwargs: dict[str, Any],
    ) -> tuple[str, dict[str, Any]]:
        """The engine arguments for a kinto-http style call."""
        if self._engine is None:
            raise self._no_engine()
        method = method.upper()
        call: dict[str, Any] = {}
        headers = kwargs.pop("headers", None)
        if headers:
            call["headers"] = headers
        params = kwargs.pop("params", None)
        if params:
            call["params"] = encode_params(params)
        files = kwargs.pop("files", None)
        if kwargs:
            call.update(kwargs)  # timeout=, idempotent=...
        if method in _NO_BODY_METHODS:
            if payload or data:
                raise KintoException("GET requests are not allowed to have a body!")
            return method, call
        if payload is not None and not isinstance(payload, dict):
            # A JSON Patch: a list of operations, sent as is.
            call["json"] = payload
            return method, call
        body = dict(payload) if payload else {}
        if data is not None:
            body["data"] = data
        if permissions is not None:
            if hasattr(permissions, "as_dict"):
                permissions = permissions.as_dict()
            body["permissions"] = permissions
        if files is not None:
            call["files"] = files
            call["data"] = {k: v for k, v in body.items() if v is not None}
        elif body or method != "DELETE":
            call["json"] = body
        return method, call

    def _no_engine(self) -> KintoException:
        if self._engine_error is not None:
            return KintoException(f"Invalid server_url {self.server_url!r}: {self._engine_error}")
        return KintoException("No server_url: the client does not know where to send requests")

    @staticmethod
    def _result(method: str, response: Any) -> tuple[Any, Headers]:
        headers = response.headers
        if "Alert" in headers:
            warnings.warn(headers["Alert"], DeprecationWarning, stacklevel=4)
        if response.status_code in _EMPTY_BODY_STATUSES or method == "HEAD":
            return None, headers
        if not response.content:
            return None, headers
        return response.json(), headers

    @staticmethod
    def _error(exc: ApiError) -> KintoException:
        body = exc.body
        if body is None and exc.response is not None:
            try:
                detail: Any = exc.response.text
            except Exception:  # pragma: no cover - a streamed body that was not read
                detail = exc.message
        else:
            detail = body
        return make_error(KintoException, f"{exc.status_code} - {detail}", cause=exc)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.server_url!r}>"


class Session(_SessionBase):
    """Sends kinto-http style calls through a :class:`restwright.Client`."""

    _engine_class = restwright.Client

    def request(
        self,
        method: str,
        endpoint: str,
        data: Any = None,
        permissions: Any = None,
        payload: Any = None,
        **kwargs: Any,
    ) -> tuple[Any, Headers]:
        """Send one request; return ``(body, headers)``; raise :class:`KintoException`."""
        method, call = self._prepare(method, endpoint, data, permissions, payload, kwargs)
        try:
            response = self._engine.request(method, endpoint, **call)
        except ApiError as exc:
            raise self._error(exc) from None
        return self._result(method, response)

    def download(self, url: str, to: str, **kwargs: Any) -> Any:
        """Stream ``url`` into the file ``to`` (no credentials to another origin)."""
        if self._engine is None:
            raise self._no_engine()
        try:
            return self._engine.download(url, to=to, **kwargs)
        except ApiError as exc:
            raise self._error(exc) from None

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()


class AsyncSession(_SessionBase):
    """Sends kinto-http style calls through a :class:`restwright.AsyncClient`."""

    _engine_class = restwright.AsyncClient

    async def request(
        self,
        method: str,
        endpoint: str,
        data: Any = None,
        permissions: Any = None,
        payload: Any = None,
        **kwargs: Any,
    ) -> tuple[Any, Headers]:
        """Send one request; return ``(body, headers)``; raise :class:`KintoException`."""
        method, call = self._prepare(method, endpoint, data, permissions, payload, kwargs)
        try:
            response = await self._engine.request(method, endpoint, **call)
        except ApiError as exc:
            raise self._error(exc) from None
        return self._result(method, response)

    async def download(self, url: str, to: str, **kwargs: Any) -> Any:
        """Stream ``url`` into the file ``to`` (no credentials to another origin)."""
        if self._engine is None:
            raise self._no_engine()
        try:
            return await self._engine.download(url, to=to, **kwargs)
        except ApiError as exc:
            raise self._error(exc) from None

    async def aclose(self) -> None:
        if self._engine is not None:
            await self._engine.aclose()
