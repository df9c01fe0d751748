"""What the sync and async clients share: options, request building, cloning.

Everything here is pure (no I/O), so :class:`~restwright.Client` and
:class:`~restwright.AsyncClient` differ only in how they drive the pipeline.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from typing import IO, TYPE_CHECKING, Any, TypedDict, TypeVar

from .._suggest import did_you_mean
from .._version import __version__
from ..errors import InvalidRequestError
from .auth import AuthTypes, to_auth
from .cookies import CookieJar, CookieTypes, client_jar, with_call_cookies
from .encoding import encode_form, encode_json
from .file_bodies import FileContent, file_body
from .headers import Headers, HeaderTypes, check_header
from .limits import DEFAULT_LIMITS, Limits
from .models import Request
from .multipart import MultipartStream
from .pagination import PageSpec
from .pipeline import BackoffState, Policy, strip_credentials
from .retry import Retry, RetryTypes
from .timeouts import DEFAULT_TIMEOUT, Timeout, TimeoutTypes
from .urls import (
    QueryTypes,
    encode_query,
    expand_path,
    join_target,
    split_url,
    without_params,
)

if TYPE_CHECKING:
    from ..styles.navigation import Resource
    from ..transports.client_cert import CertTypes

DEFAULT_RETRY = Retry(total=2)
USER_AGENT = f"restwright/{__version__}"

HookMap = Mapping[str, Any]
_Self = TypeVar("_Self", bound="BaseClient")

_UNSET: Any = object()


@contextmanager
def download_target(to: str | os.PathLike[str] | IO[bytes]) -> Iterator[Callable[[bytes], Any]]:
    """The ``write`` of a download's destination: a path (opened here, and removed again if
    the download fails, so no partial file is left behind) or an open binary file."""
    if not isinstance(to, (str, os.PathLike)):
        yield to.write
        return
    try:
        with open(to, "wb") as fh:
            yield fh.write
    except BaseException:
        with suppress(OSError):
            os.unlink(to)
        raise


class BuildOptions(TypedDict, total=False):
    """The keyword arguments of :meth:`BaseClient.build_request`, written once.

    Why a ``TypedDict``: the sync and async verbs (``get``, ``post``, ``request``...) take
    ``**kwargs: Unpack[...]`` of it, so editors complete the names, mypy refuses
    ``parms=``, and the two clients cannot drift apart.
    """

    path_params: Mapping[str, Any] | None
    params: QueryTypes
    json: Any
    data: Mapping[str, Any] | None
    files: Any
    content: Any
    headers: HeaderTypes
    timeout: TimeoutTypes
    if_match: str | None
    if_none_match: str | None
    idempotency_key: str | None
    cookies: CookieTypes


class RequestOptions(BuildOptions, total=False):
    """:class:`BuildOptions` plus the per-call retry choices of a verb."""

    retry: RetryTypes
    idempotent: bool | None


_BUILD_KEYS = frozenset(BuildOptions.__annotations__)
_REQUEST_KEYS = frozenset(RequestOptions.__annotations__)


def unknown_keyword(caller: str, kwargs: Mapping[str, Any]) -> TypeError | None:
    """The ``TypeError`` naming ``caller`` (the public method) for a keyword that
    :class:`RequestOptions` does not have, or ``None`` when every keyword is known."""
    for key in kwargs:
        if key not in _REQUEST_KEYS:
            hint = did_you_mean(key, _REQUEST_KEYS)
            return TypeError(f"{caller}() got an unexpected keyword argument {key!r}{hint}")
    return None


def _quote_etag(value: str) -> str:
    if value == "*" or value.startswith(('"', 'W/"')):
        return value
    return f'"{value}"'


def _hooks(hooks: HookMap | None) -> tuple[tuple[Callable[[Any], Any], ...], ...]:
    hooks = hooks or {}
    unknown = set(hooks) - {"request", "response"}
    if unknown:
        raise ValueError(f"unknown hook kinds {sorted(unknown)}; use 'request' and 'response'")
    out = []
    for kind in ("request", "response"):
        value = hooks.get(kind) or ()
        out.append(tuple([value] if callable(value) else value))
    return out[0], out[1]


class BaseClient(ABC):
    """Options and request building shared by :class:`Client` and :class:`AsyncClient`."""

    def __init__(
        self,
        base_url: str,
        *,
        auth: AuthTypes = None,
        headers: HeaderTypes = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        retry: RetryTypes = DEFAULT_RETRY,
        transport: Any = None,
        dry_run: bool = False,
        hooks: HookMap | None = None,
        follow_redirects: bool = True,
        max_redirects: int = 5,
        verify: Any = True,
        cert: CertTypes | None = None,
        trust_env: bool = True,
        proxy: str | None = None,
        uds: str | os.PathLike[str] | None = None,
        cookies: CookieTypes = None,
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        origin, target = split_url(base_url)
        self.base_url = base_url.rstrip("/")
        self._origin = origin
        self._base_path = target.split("?", 1)[0].rstrip("/")
        self._auth = to_auth(auth)
        self._headers = Headers(
            {
                "User-Agent": USER_AGENT,
                "Accept": "application/json",
                "Accept-Encoding": "gzip, deflate",
            }
        )
        for name, value in Headers(headers).raw():
            check_header(name, value)
            self._headers[name] = value
        self.timeout = Timeout.of(timeout)
        self.retry = Retry.of(retry)
        self.dry_run = dry_run
        self._hook_map = dict(hooks or {})
        request_hooks, response_hooks = _hooks(hooks)
        if transport is not None and (cert is not None or uds is not None):
            raise ValueError(
                "cert= and uds= configure the default transport: give them to the transport "
                "passed as transport= instead"
            )
        if cert is not None:
            # Loaded once, here: a wrong password fails now, and clones share the context.
            from ..transports.environment import ClientCertContext

            verify = ClientCertContext(verify, trust_env, cert)
        self._transport_options = {
            "verify": verify,
            "trust_env": trust_env,
            "proxy": proxy,
            "uds": uds,
            "limits": limits,
        }
        self._owns_transport = transport is None
        self._builds_transport = transport is None  # so a pickled copy can build its own
        self._transport = transport if transport is not None else self._default_transport()
        self._policy = Policy(
            origin,
            self._auth,
            self.retry,
            request_hooks,
            response_hooks,
            follow_redirects,
            max_redirects,
            BackoffState(),
            client_jar(cookies, base_url),
        )

    @abstractmethod
    def _default_transport(self) -> Any:
        """The transport used when none is given: each client picks its own backend."""

    @property
    def auth(self) -> Any:
        return self._auth

    @property
    def headers(self) -> Headers:
        return self._headers

    @property
    def cookies(self) -> CookieJar | None:
        """The client's cookie jar (shared with its ``with_options`` copies), or ``None``
        for a client made with ``cookies=False``."""
        return self._policy.cookies

    def _save_cookies(self) -> None:
        """Write the jar to its cookie file, when it has one (on close)."""
        jar = self._policy.cookies
        if jar is not None and jar.path is not None:
            jar.save()

    @property
    def resources(self) -> Resource:
        """The API as a tree of lazy resources: ``client.resources.people["bob"].get()``
        (see :class:`restwright.Resource`; give it a route map to check the steps)."""
        from ..styles.navigation import Resource

        return Resource(self)

    # -- pickling: options and cookies travel, connections do not --------------------------
    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        if self._builds_transport:
            state["_transport"] = None
            state["_owns_transport"] = True
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        if self._transport is None:
            self._transport = self._default_transport()

    # -- cloning -------------------------------------------------------------------------
    def with_options(self: _Self, **overrides: Any) -> _Self:
        """A new client with some options changed, sharing this client's connection pool.

        Accepts the constructor's keyword arguments (``headers`` are merged into the
        current ones; a ``None`` value removes a header; ``cookies`` gives the copy a jar of
        its own, else it shares this client's). Closing the clone does not close the shared
        pool.
        """
        allowed = {
            "auth",
            "headers",
            "timeout",
            "retry",
            "hooks",
            "dry_run",
            "follow_redirects",
            "max_redirects",
            "base_url",
            "cookies",
        }
        unknown = set(overrides) - allowed
        if unknown:
            raise TypeError(f"with_options() got unexpected options {sorted(unknown)}")
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone._owns_transport = False
        if "base_url" in overrides:
            origin, target = split_url(overrides["base_url"])
            clone.base_url = overrides["base_url"].rstrip("/")
            clone._origin, clone._base_path = origin, target.split("?", 1)[0].rstrip("/")
        if "auth" in overrides:
            clone._auth = to_auth(overrides["auth"])
        if "headers" in overrides:
            clone._headers = self._headers.copy()
            for name, value in dict(overrides["headers"] or {}).items():
                if value is None:  # None removes a header
                    clone._headers.pop(name, None)
                    continue
                check_header(name, str(value))
                clone._headers[name] = str(value)
        if "timeout" in overrides:
            clone.timeout = Timeout.of(overrides["timeout"])
        if "retry" in overrides:
            clone.retry = Retry.of(overrides["retry"])
        if overrides.get("dry_run", self.dry_run) != self.dry_run:
            clone.dry_run = overrides["dry_run"]
            clone._transport = clone._default_transport()
            clone._owns_transport = clone._builds_transport = True
        hooks = overrides.get("hooks", self._hook_map)
        clone._hook_map = dict(hooks or {})
        request_hooks, response_hooks = _hooks(hooks)
        clone._policy = self._policy._replace(
            origin=clone._origin,
            auth=clone._auth,
            retry=clone.retry,
            request_hooks=request_hooks,
            response_hooks=response_hooks,
            follow_redirects=overrides.get("follow_redirects", self._policy.follow_redirects),
            max_redirects=overrides.get("max_redirects", self._policy.max_redirects),
        )
        if "cookies" in overrides:
            clone._policy = clone._policy._replace(
                cookies=client_jar(overrides["cookies"], clone.base_url)
            )
        return clone

    clone = with_options

    # -- building requests ---------------------------------------------------------------
    def _build(self, caller: str, method: str, path: str, kwargs: Mapping[str, Any]) -> Request:
        """:meth:`build_request` for a public verb: a wrong keyword is reported against
        ``caller`` (``get()``), not against this shared helper."""
        try:
            return self.build_request(method, path, **kwargs)
        except TypeError:
            error = unknown_keyword(caller, kwargs)
            if error is not None:
                raise error from None
            raise

    def _prepare_call(
        self, caller: str, method: str, path: str, kwargs: RequestOptions
    ) -> tuple[Request, Retry | None, bool | None]:
        """The request a verb sends, with its per-call retry policy and idempotency."""
        if not kwargs:  # the common call: no options (so no unknown keyword to report)
            return self.build_request(method, path), None, None
        retry = kwargs.pop("retry", None)
        idempotent = kwargs.pop("idempotent", None)
        request = self._build(caller, method, path, kwargs)
        return request, (None if retry is None else Retry.of(retry)), idempotent

    def build_request(
        self,
        method: str,
        path: str,
        *,
        path_params: Mapping[str, Any] | None = None,
        params: QueryTypes = None,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        files: Any = None,
        content: Any = None,
        headers: HeaderTypes = None,
        timeout: TimeoutTypes | Any = _UNSET,
        if_match: str | None = None,
        if_none_match: str | None = None,
        idempotency_key: str | None = None,
        cookies: CookieTypes = None,
    ) -> Request:
        """Build the :class:`Request` a call would send (nothing is sent)."""
        method = method.upper()
        expanded = expand_path(path, path_params)
        query = encode_query(params) if params else ""
        if expanded.startswith(("http://", "https://")):
            origin, target = split_url(expanded)
            if query:
                target = f"{target}&{query}" if "?" in target else f"{target}?{query}"
        else:
            origin = self._origin
            target = join_target(self._base_path, expanded, query)
        hdrs = self._headers.copy()
        if headers:
            for name, value in Headers(headers).raw():
                check_header(name, value)
                hdrs[name] = value
        if if_match is not None:
            hdrs["If-Match"] = _quote_etag(if_match)
        if if_none_match is not None:
            hdrs["If-None-Match"] = _quote_etag(if_none_match)
        if idempotency_key is not None:
            check_header("Idempotency-Key", idempotency_key)
            hdrs["Idempotency-Key"] = idempotency_key
        body: Any = None
        if files is not None:
            stream = MultipartStream(data, files)
            hdrs["Content-Type"] = stream.content_type
            length = stream.content_length
            if length is not None:
                hdrs["Content-Length"] = str(length)
            body = stream
        elif json is not None:  # as httpx: json=None is "no JSON body", not ``null``
            body = encode_json(json)
            hdrs.setdefault("Content-Type", "application/json")
        elif data is not None:
            if not isinstance(data, Mapping):
                raise InvalidRequestError("data= takes a mapping; use content= for raw bodies")
            body = encode_form(data)
            hdrs.setdefault("Content-Type", "application/x-www-form-urlencoded")
        elif content is not None:
            body = content.encode("utf-8") if isinstance(content, str) else content
            if isinstance(body, (bytearray, memoryview)):
                body = bytes(body)
            elif not isinstance(body, bytes):
                if isinstance(body, os.PathLike) or hasattr(body, "read"):
                    body = file_body(body)  # a file: sent again whole when a retry needs it
                if isinstance(body, FileContent) and body.length is not None:
                    hdrs.setdefault("Content-Length", str(body.length))
        if isinstance(body, bytes):
            hdrs["Content-Length"] = str(len(body))
        elif body is None and method in ("POST", "PUT", "PATCH"):
            hdrs["Content-Length"] = "0"
        if origin is not self._origin and origin != self._origin:
            # Credentials are bound to the base URL's origin: a link to another origin (a
            # next page, an attachment) may echo them, and must not carry them there.
            auth = self._auth
            hdrs = strip_credentials(hdrs, auth.sensitive_headers if auth else frozenset())
            if auth is not None and auth.sensitive_params:
                target = without_params(target, auth.sensitive_params)
        request = Request(
            method,
            origin,
            target,
            hdrs,
            body,
            self.timeout if timeout is _UNSET else Timeout.of(timeout),
        )
        # Cookies given for this call go to its URL (the client's jar adds its own later,
        # in the pipeline, for every hop).
        return with_call_cookies(request, cookies) if cookies else request

    def build_plain_request(self, method: str, target: str) -> Request:
        """What ``build_request(method, target)`` builds, for a ``target`` already known
        to be its own encoding: a path starting with ``/`` (and a query) of characters
        that need no quoting, below the base URL.

        The OpenAPI clients' direct calls (:mod:`restwright.openapi.direct`) join such
        targets from a document's path and values they checked; re-checking and joining
        them here would be a third of the cost of building the request."""
        headers = self._headers.copy()
        if method in ("POST", "PUT", "PATCH"):
            headers["Content-Length"] = "0"
        return Request(method, self._origin, self._base_path + target, headers, None, self.timeout)

    @staticmethod
    def page_spec(
        style: str | None, max_pages: int | None, items_key: str | None, options: dict[str, Any]
    ) -> PageSpec:
        try:
            spec = PageSpec(style=style, max_pages=max_pages, items_key=items_key, **options)  # type: ignore[arg-type]
        except TypeError as exc:
            raise TypeError(f"paginate(): {exc}") from None
        return spec.checked()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.base_url!r} auth={self._auth!r}>"
