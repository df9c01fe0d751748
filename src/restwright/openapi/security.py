"""Security schemes of an API document, mapped to the engine's auth classes.

``from_openapi(..., auth=...)`` takes either one credential or a dict
``{scheme_name: credential}``.  For each operation the first security requirement that
the credentials satisfy is used (all the schemes of a requirement are applied together);
when none is satisfied, or the operation documents none, the credentials are still sent
(a document that forgets a requirement should not lock its users out; the engine never
sends them to another origin anyway).

How a credential becomes an auth, per scheme:

==========================  ==========================================================
scheme                      credential
==========================  ==========================================================
``http`` ``basic``          ``(user, password)`` -> :class:`~restwright.BasicAuth`
``http`` ``bearer`` (other  ``"token"`` -> :class:`~restwright.BearerAuth`
HTTP schemes: their name
as the token type)
``apiKey``                  ``"key"`` -> :class:`~restwright.APIKeyAuth` in the documented
                            header, query parameter or cookie
``oauth2``                  ``{"client_id": ..., "client_secret": ..., "scopes": [...]}``
                            or ``(client_id, client_secret)`` with a ``clientCredentials``
                            flow -> :class:`OAuth2ClientCredentials`; ``{"username": ...,
                            "password": ..., "client_id": ...}`` with a ``password``
                            flow -> the password grant; a ``"token"`` -> BearerAuth
``openIdConnect``           ``"token"`` -> BearerAuth
any                         an :class:`~restwright.Auth` instance (or any ``auth=`` the
                            engine takes: a callable, an object with ``auth_flow``)
==========================  ==========================================================
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urljoin

from ..engine.auth import APIKeyAuth, Auth, AuthFlow, BasicAuth, BearerAuth, to_auth
from ..engine.headers import Headers
from ..engine.logs import get_logger
from ..engine.models import Request, Response, api_error
from ..engine.urls import encode_query
from ..errors import InvalidRequestError, Unauthorized
from .model import ApiDescription, Operation, SecurityScheme

__all__ = [
    "AllOfAuth",
    "OAuth2ClientCredentials",
    "OAuth2Password",
    "SecurityResolver",
]

logger = get_logger(__name__)

_OAUTH_KEYS = frozenset(
    {"client_id", "client_secret", "scopes", "scope", "username", "password", "client_auth"}
)


class _OAuth2Base(Auth):
    """Token-based OAuth 2 grants: fetch a token, cache it until it expires, retry once on
    a 401 with a fresh token."""

    sensitive_headers = frozenset({"authorization"})

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str | None = None,
        scopes: list[str] | tuple[str, ...] | str | None = None,
        *,
        client_auth: str = "basic",
        leeway: float = 30.0,
        default_expiry: float = 3600.0,
    ) -> None:
        if client_auth not in ("basic", "body"):
            raise ValueError("client_auth must be 'basic' or 'body'")
        self.token_url = token_url
        self.client_id = client_id
        self.client_auth = client_auth
        self._client_secret = client_secret
        if isinstance(scopes, str):
            scopes = scopes.split()
        self.scopes = tuple(scopes or ())
        self.leeway = leeway
        self.default_expiry = default_expiry
        self._token: str | None = None
        self._token_type = "Bearer"
        self._expires_at = 0.0
        self._lock = threading.Lock()

    # -- the token ----------------------------------------------------------------------
    def _grant(self) -> dict[str, str]:
        raise NotImplementedError

    def token_request(self) -> Request:
        """The request that asks the token endpoint for a new token."""
        form: dict[str, str] = {}
        headers = Headers(
            {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
        )
        if self.client_auth == "basic" and self.client_id:
            # RFC 6749 section 2.3.1: the recommended way, and the secret then travels in a
            # header that every log, error and curl rendering masks.
            user = quote(self.client_id, safe="")
            secret = quote(self._client_secret or "", safe="")
            raw = base64.b64encode(f"{user}:{secret}".encode()).decode("ascii")
            headers["Authorization"] = f"Basic {raw}"
        else:
            form["client_id"] = self.client_id
            if self._client_secret is not None:
                form["client_secret"] = self._client_secret
        form.update(self._grant())
        if self.scopes:
            form["scope"] = " ".join(self.scopes)
        body = encode_query(form).encode("ascii")
        headers["Content-Length"] = str(len(body))
        request = Request.from_url("POST", self.token_url, headers=headers, content=body)
        request.sensitive_headers = frozenset({"authorization"})
        return request

    def _current(self) -> str | None:
        with self._lock:
            if self._token is not None and time.monotonic() < self._expires_at:
                return self._token
            return None

    def invalidate(self) -> None:
        """Forget the cached token (the next request fetches a new one)."""
        with self._lock:
            self._token = None
            self._expires_at = 0.0

    def _store(self, response: Response) -> str:
        if response.status_code >= 400:
            # The token request carries the client secret: never attach its body.
            error = api_error(response)
            raise type(error)(
                error.status_code,
                Request(
                    response.request.method,
                    response.request.origin,
                    response.request.target,
                    Headers(),
                    None,
                ),
                None,
                f"token request failed: {error.message}",
                body=error.body,
            )
        try:
            payload = json.loads(response.content or b"{}")
        except ValueError:
            payload = None
        token = payload.get("access_token") if isinstance(payload, dict) else None
        if not isinstance(token, str) or not token:
            raise Unauthorized(
                response.status_code,
                None,
                None,
                "token endpoint answered without an access_token",
            )
        expires_in = payload.get("expires_in") if isinstance(payload, dict) else None
        try:
            lifetime = float(expires_in) if expires_in is not None else self.default_expiry
        except (TypeError, ValueError):
            lifetime = self.default_expiry
        token_type = payload.get("token_type") if isinstance(payload, dict) else None
        with self._lock:
            self._token = token
            self._token_type = (
                "Bearer"
                if not isinstance(token_type, str) or token_type.lower() == "bearer"
                else token_type
            )
            self._expires_at = time.monotonic() + max(0.0, lifetime - self.leeway)
        logger.debug("obtained an OAuth 2 token from %s (valid %.0f s)", self.token_url, lifetime)
        return token

    def _authorize(self, request: Request, token: str) -> None:
        request.headers["Authorization"] = f"{self._token_type} {token}"

    def auth_flow(self, request: Request) -> AuthFlow:
        token = self._current()
        fresh = token is None
        if token is None:
            token_response = yield self.token_request()
            token = self._store(token_response)
        self._authorize(request, token)
        response = yield request
        if response.status_code == 401 and not fresh:
            logger.debug("401 with a cached OAuth 2 token: fetching a new one and retrying once")
            self.invalidate()
            token_response = yield self.token_request()
            token = self._store(token_response)
            retry = request.copy()
            self._authorize(retry, token)
            yield retry

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.token_url!r}, client_id={self.client_id!r})"


class OAuth2ClientCredentials(_OAuth2Base):
    """OAuth 2 client-credentials grant (RFC 6749 section 4.4).

    POSTs ``grant_type=client_credentials`` (and ``scope``) to ``token_url`` with the
    client id and secret - in an HTTP Basic ``Authorization`` header by default (RFC 6749
    section 2.3.1; the header is masked wherever requests are shown), or as
    ``client_id``/``client_secret`` form fields with ``client_auth="body"`` - caches the
    token until ``expires_in`` (less ``leeway`` seconds), and when a request made with a
    cached token answers 401, fetches a new token and retries that request once.
    """

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        scopes: list[str] | tuple[str, ...] | str | None = None,
        **options: Any,
    ) -> None:
        super().__init__(token_url, client_id, client_secret, scopes, **options)

    def _grant(self) -> dict[str, str]:
        return {"grant_type": "client_credentials"}


class OAuth2Password(_OAuth2Base):
    """OAuth 2 resource-owner password grant (RFC 6749 section 4.3)."""

    def __init__(
        self,
        token_url: str,
        username: str,
        password: str,
        client_id: str = "",
        client_secret: str | None = None,
        scopes: list[str] | tuple[str, ...] | str | None = None,
        **options: Any,
    ) -> None:
        super().__init__(token_url, client_id, client_secret, scopes, **options)
        self.username = username
        self._password = password

    def _grant(self) -> dict[str, str]:
        return {"grant_type": "password", "username": self.username, "password": self._password}


class AllOfAuth(Auth):
    """Several schemes required together (one security requirement naming several)."""

    def __init__(self, parts: list[Auth]) -> None:
        self.parts = parts
        flows = [p for p in parts if not p.is_simple]
        if len(flows) > 1:
            raise InvalidRequestError("at most one scheme of a requirement may run its own flow")
        self._flow = flows[0] if flows else None
        self._simple = [p for p in parts if p.is_simple]
        headers: set[str] = set()
        params: set[str] = set()
        for part in parts:
            headers |= part.sensitive_headers
            params |= part.sensitive_params
        self.sensitive_headers = frozenset(headers)
        self.sensitive_params = frozenset(params)

    def apply(self, request: Request) -> None:
        for part in self._simple:
            part.apply(request)

    def auth_flow(self, request: Request) -> AuthFlow:
        self.apply(request)
        if self._flow is None:
            yield request
            return
        yield from self._flow.auth_flow(request)

    @property
    def is_simple(self) -> bool:
        return self._flow is None

    def __repr__(self) -> str:
        return f"AllOfAuth({self.parts!r})"


def _is_pair(value: Any) -> bool:
    return isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, str) for v in value)


def _is_generic(value: Any) -> bool:
    """A credential that is already an auth (usable for any scheme)."""
    if isinstance(value, (str, tuple, Mapping)):
        return False
    return isinstance(value, Auth) or hasattr(value, "auth_flow") or callable(value)


def _credential_kind(value: Any) -> str:
    """What a credential is, in words that never show the secret itself."""
    if _is_pair(value):
        return "a (user, password) tuple"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return f"a dict with keys {sorted(map(str, value))}"
    return f"a {type(value).__name__}"


def _describe_scheme(scheme: SecurityScheme) -> str:
    """``'bearerAuth' (HTTP bearer: a token string)``: a scheme and the credential it takes."""
    kind = scheme.type
    if kind == "http":
        http_scheme = (scheme.scheme or "bearer").lower()
        takes = "a (user, password) tuple" if http_scheme == "basic" else "a token string"
        label = f"HTTP {http_scheme}"
    elif kind == "apiKey":
        label = f"API key in {scheme.location or 'header'} {scheme.param_name!r}"
        takes = "the key string"
    elif kind == "oauth2":
        label = f"OAuth 2 ({', '.join(scheme.flows or {}) or 'no flows'})"
        takes = "an access token string, or {'client_id': ..., 'client_secret': ...}"
    elif kind == "openIdConnect":
        label, takes = "OpenID Connect", "an access token string"
    else:
        label, takes = str(kind), "an Auth object"
    return f"{scheme.name!r} ({label}: {takes})"


class SecurityResolver:
    """Decides which auth each operation sends (see the module docstring).

    Auth objects are built once per scheme and shared by every operation, so an OAuth 2
    token is fetched once for the whole client.
    """

    def __init__(self, api: ApiDescription, credentials: Any, base_url: str) -> None:
        self.api = api
        self.base_url = base_url
        self._by_scheme: dict[str, Any] = {}
        self._single: Any = None
        self._auths: dict[str, Auth | None] = {}
        self._lock = threading.Lock()
        if credentials is None:
            return
        schemes = api.security_schemes
        if (
            isinstance(credentials, Mapping)
            and credentials
            and not (set(credentials) <= _OAUTH_KEYS and not set(credentials) & set(schemes))
        ):
            unknown = [k for k in credentials if k not in schemes]
            if unknown:
                raise InvalidRequestError(
                    f"auth= names unknown security schemes {unknown}; "
                    f"the document defines {sorted(schemes)}"
                )
            for name, credential in credentials.items():
                if not self._fits(schemes[name], credential):
                    raise InvalidRequestError(
                        f"auth={{{name!r}: {_credential_kind(credential)}}} does not fit "
                        f"security scheme {_describe_scheme(schemes[name])}"
                    )
            self._by_scheme = dict(credentials)
        else:
            if schemes and not any(self._fits(sc, credentials) for sc in schemes.values()):
                # Sent anyway it would be a 401 from the server, far from the cause.
                declared = "; ".join(_describe_scheme(sc) for sc in schemes.values())
                raise InvalidRequestError(
                    f"auth= is {_credential_kind(credentials)}, which fits none of the "
                    f"security schemes {api.title!r} declares: {declared}. Pass one of "
                    "those, or an Auth object (restwright.BasicAuth(...), "
                    "restwright.BearerAuth(...)) to send it anyway"
                )
            self._single = credentials

    @property
    def has_credentials(self) -> bool:
        return bool(self._by_scheme) or self._single is not None

    # -- one scheme ---------------------------------------------------------------------
    def _credential_for(self, name: str) -> Any:
        if self._by_scheme:
            return self._by_scheme.get(name)
        scheme = self.api.security_schemes.get(name)
        if scheme is None or not self._fits(scheme, self._single):
            return None
        return self._single

    @staticmethod
    def _fits(scheme: SecurityScheme, credential: Any) -> bool:
        if credential is None:
            return False
        if _is_generic(credential):
            return True
        kind = scheme.type
        if kind == "http":
            if (scheme.scheme or "").lower() == "basic":
                return _is_pair(credential)
            return isinstance(credential, str)
        if kind == "apiKey":
            return isinstance(credential, str)
        if kind == "oauth2":
            if isinstance(credential, str):
                return True
            flows = scheme.flows or {}
            if isinstance(credential, Mapping):
                if "username" in credential:
                    return "password" in flows
                return "client_id" in credential and "clientCredentials" in flows
            return _is_pair(credential) and "clientCredentials" in flows
        if kind == "openIdConnect":
            return isinstance(credential, str)
        return False

    def auth_for_scheme(self, name: str) -> Auth | None:
        """The auth object of scheme ``name`` built from the credentials (cached)."""
        with self._lock:
            if name in self._auths:
                return self._auths[name]
            credential = self._credential_for(name)
            scheme = self.api.security_schemes.get(name)
            auth = None
            if credential is not None and scheme is not None:
                auth = self._build(scheme, credential)
            self._auths[name] = auth
            return auth

    def _token_url(self, flow: Mapping[str, Any], scheme: SecurityScheme) -> str:
        url = flow.get("tokenUrl")
        if not isinstance(url, str) or not url:
            raise InvalidRequestError(f"security scheme {scheme.name!r} has no tokenUrl")
        return urljoin(self.base_url.rstrip("/") + "/", url)

    def _build(self, scheme: SecurityScheme, credential: Any) -> Auth | None:
        if _is_generic(credential):
            return to_auth(credential)
        kind = scheme.type
        if kind == "http":
            http_scheme = (scheme.scheme or "bearer").lower()
            if http_scheme == "basic":
                if not _is_pair(credential):
                    raise InvalidRequestError(
                        f"security scheme {scheme.name!r} (HTTP basic) takes a "
                        "(username, password) tuple"
                    )
                return BasicAuth(credential[0], credential[1])
            if not isinstance(credential, str):
                raise InvalidRequestError(
                    f"security scheme {scheme.name!r} (HTTP {http_scheme}) takes a token string"
                )
            token_type = "Bearer" if http_scheme == "bearer" else http_scheme.capitalize()
            return BearerAuth(credential, type=token_type)
        if kind == "apiKey":
            if not isinstance(credential, str):
                raise InvalidRequestError(
                    f"security scheme {scheme.name!r} (API key) takes the key as a string"
                )
            location = scheme.location or "header"
            if location not in ("header", "query", "cookie"):
                raise InvalidRequestError(
                    f"security scheme {scheme.name!r}: unsupported API key location {location!r}"
                )
            return APIKeyAuth(scheme.param_name or "", credential, location)  # type: ignore[arg-type]
        if kind in ("oauth2", "openIdConnect"):
            if isinstance(credential, str):
                return BearerAuth(credential)
            flows = scheme.flows or {}
            if isinstance(credential, Mapping) and "username" in credential:
                flow = flows.get("password") or {}
                return OAuth2Password(
                    self._token_url(flow, scheme),
                    str(credential["username"]),
                    str(credential.get("password", "")),
                    client_id=str(credential.get("client_id", "")),
                    client_secret=credential.get("client_secret"),
                    scopes=credential.get("scopes") or credential.get("scope"),
                    client_auth=str(credential.get("client_auth", "basic")),
                )
            flow = flows.get("clientCredentials")
            if not isinstance(flow, Mapping):
                raise InvalidRequestError(
                    f"security scheme {scheme.name!r} has no clientCredentials flow; "
                    "pass an access token string or an Auth object"
                )
            client_auth = "basic"
            if isinstance(credential, Mapping):
                client_id = credential.get("client_id")
                secret = credential.get("client_secret")
                scopes = credential.get("scopes") or credential.get("scope")
                client_auth = str(credential.get("client_auth", "basic"))
            elif _is_pair(credential):
                client_id, secret = credential
                scopes = None
            else:
                raise InvalidRequestError(
                    f"security scheme {scheme.name!r} (OAuth 2) takes a token string or "
                    "{'client_id': ..., 'client_secret': ...}"
                )
            if scopes is None and isinstance(flow.get("scopes"), Mapping):
                scopes = list(flow["scopes"])
            return OAuth2ClientCredentials(
                self._token_url(flow, scheme),
                str(client_id),
                str(secret or ""),
                scopes,
                client_auth=client_auth,
            )
        logger.debug("security scheme %r of type %r is not supported", scheme.name, kind)
        return None

    # -- one operation ------------------------------------------------------------------
    def _default(self) -> tuple[str, Auth | None]:
        """The auth sent when no documented requirement is satisfied."""
        if self._by_scheme:
            for name in self._by_scheme:
                auth = self.auth_for_scheme(name)
                if auth is not None:
                    return name, auth
            return "", None
        single = self._single
        for name, scheme in self.api.security_schemes.items():
            if self._fits(scheme, single):
                auth = self.auth_for_scheme(name)
                if auth is not None:
                    return name, auth
        with self._lock:
            auth = self._auths.get("*")
            if auth is None and "*" not in self._auths:
                auth = to_auth(single) if not isinstance(single, Mapping) else None
                self._auths["*"] = auth
        return "*", auth

    def resolve(self, op: Operation) -> tuple[str, Auth | None]:
        """``(key, auth)`` for ``op``: operations with the same key share the same auth."""
        if not self.has_credentials:
            return "", None
        requirements = op.security if op.security is not None else self.api.security
        for requirement in requirements or ():
            if not requirement:
                continue
            parts: list[Auth] = []
            for name in requirement:
                auth = self.auth_for_scheme(name)
                if auth is None:
                    break
                parts.append(auth)
            else:
                names = sorted(requirement)
                if len(parts) == 1:
                    return names[0], parts[0]
                key = "+".join(names)
                with self._lock:
                    combined = self._auths.get(key)
                    if combined is None:
                        combined = AllOfAuth(parts)
                        self._auths[key] = combined
                return key, combined
        return self._default()
