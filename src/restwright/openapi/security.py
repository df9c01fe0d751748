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
``oauth2``                  a grant of :mod:`restwright.auth.oauth2` (see
                            :func:`oauth2_grant`): ``{"client_id": ..., "client_secret":
                            ...}`` or ``(client_id, client_secret)`` -> ClientCredentials;
                            ``{"username": ..., "password": ..., "client_id": ...}`` ->
                            PasswordGrant; ``{"client_id": ..., "redirect_uri": ...}`` ->
                            AuthorizationCode; a ``"token"`` -> BearerAuth.  Each operation
                            asks for the scopes its requirement lists (a token per scope
                            set)
``openIdConnect``           the same credentials, on the endpoints of the document's
                            discovery URL (read on first use, :class:`OpenIdConnectAuth`);
                            a ``"token"`` -> BearerAuth
any                         an :class:`~restwright.Auth` instance (or any ``auth=`` the
                            engine takes: a callable, an object with ``auth_flow``)
==========================  ==========================================================
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from ..engine.auth import APIKeyAuth, Auth, AuthFlow, BasicAuth, BearerAuth, to_auth
from ..engine.logs import get_logger
from ..engine.models import Request
from ..errors import InvalidRequestError, OAuth2Error
from .model import ApiDescription, Operation, SecurityScheme

if TYPE_CHECKING:
    from ..auth.oauth2 import OAuth2Grant

__all__ = [
    "AllOfAuth",
    "OpenIdConnectAuth",
    "SecurityResolver",
    "oauth2_grant",
]

logger = get_logger(__name__)

_OAUTH_KEYS = frozenset(
    {
        "client_id",
        "client_secret",
        "scopes",
        "scope",
        "username",
        "password",
        "client_auth",
        "redirect_uri",
    }
)


def _client_auth(value: Any) -> str | None:
    """``"basic"``/``"body"`` (restwright's older names) or authlib's method names."""
    if value is None:
        return None
    return {"basic": "client_secret_basic", "body": "client_secret_post"}.get(
        str(value), str(value)
    )


def _scopes(credential: Mapping[str, Any]) -> Any:
    return credential.get("scopes") or credential.get("scope")


def oauth2_grant(
    scheme: SecurityScheme,
    credential: Mapping[str, Any] | tuple[str, str],
    base_url: str,
    endpoints: Mapping[str, Any] | None = None,
) -> OAuth2Grant:
    """The :mod:`restwright.auth.oauth2` grant for an ``oauth2`` (or, with its discovered
    ``endpoints``, an ``openIdConnect``) scheme and a credential:

    * ``{"username": ..., "password": ..., "client_id": ...}`` → :class:`PasswordGrant`
      (what is missing is asked on a terminal);
    * ``{"client_id": ..., "client_secret": ...}`` or ``(client_id, client_secret)`` →
      :class:`ClientCredentials`;
    * ``{"client_id": ..., "redirect_uri": ...}`` (or a document whose only flow is
      ``authorizationCode``) → :class:`AuthorizationCode`: log in with its
      ``login_in_browser()`` (or ``auth_url()`` and ``fetch_token()``) before calling.

    ``scopes`` (or ``scope``) and ``client_auth`` are optional keys; relative URLs of the
    document are resolved against ``base_url``.
    """
    from ..auth.oauth2 import AuthorizationCode, ClientCredentials, PasswordGrant

    flows = dict(scheme.flows or {})
    if endpoints is not None:  # OpenID Connect: the provider's discovered endpoints
        token = endpoints.get("token_endpoint")
        authorize = endpoints.get("authorization_endpoint")
        flows = {
            kind: {"tokenUrl": token, "authorizationUrl": authorize}
            for kind in ("password", "clientCredentials", "authorizationCode")
        }
    if not isinstance(credential, Mapping):  # a (client_id, client_secret) pair
        client_id, client_secret = credential
        credential = {"client_id": client_id, "client_secret": client_secret}

    def url(flow: str, key: str) -> str:
        value = (flows.get(flow) or {}).get(key)
        if not isinstance(value, str) or not value:
            raise InvalidRequestError(
                f"security scheme {scheme.name!r} documents no {flow} flow with a {key}"
            )
        return urljoin(base_url.rstrip("/") + "/", value)

    options: dict[str, Any] = {"client_auth": _client_auth(credential.get("client_auth"))}
    client_id = str(credential.get("client_id", ""))
    secret = credential.get("client_secret")
    if "username" in credential or (set(flows) == {"password"}):
        return PasswordGrant(
            url("password", "tokenUrl"),
            client_id,
            credential.get("username"),
            credential.get("password"),
            client_secret=secret,
            scopes=_scopes(credential),
            **options,
        )
    if "redirect_uri" in credential or "clientCredentials" not in flows:
        return AuthorizationCode(
            url("authorizationCode", "authorizationUrl"),
            url("authorizationCode", "tokenUrl"),
            client_id,
            secret,
            redirect_uri=credential.get("redirect_uri"),
            scopes=_scopes(credential),
            **options,
        )
    return ClientCredentials(
        url("clientCredentials", "tokenUrl"),
        client_id,
        str(secret or ""),
        _scopes(credential),
        **options,
    )


class OpenIdConnectAuth(Auth):
    """An ``openIdConnect`` scheme: reads the provider's discovery document (through the
    pipeline, on first use) and then runs the grant :func:`oauth2_grant` builds from it.
    :meth:`scoped` views share the discovery and the grant's tokens."""

    sensitive_headers = frozenset({"authorization"})

    def __init__(
        self,
        scheme: SecurityScheme,
        credential: Any,
        base_url: str,
        *,
        scopes: Any = None,
        shared: OpenIdConnectAuth | None = None,
    ) -> None:
        if not scheme.open_id_connect_url:
            raise InvalidRequestError(f"security scheme {scheme.name!r} has no discovery URL")
        self.scheme = scheme
        self.discovery_url = urljoin(base_url.rstrip("/") + "/", scheme.open_id_connect_url)
        self._credential = credential
        self._base_url = base_url
        self._scopes = scopes
        self._shared = shared or self
        self.grant: OAuth2Grant | None = None
        self._lock = threading.Lock()

    def auth_flow(self, request: Request) -> AuthFlow:
        shared = self._shared
        if shared.grant is None:
            discovery = Request.from_url(
                "GET", self.discovery_url, headers={"Accept": "application/json"}
            )
            response = yield discovery
            try:
                endpoints = response.json() if response.status_code < 400 else None
            except ValueError:
                endpoints = None
            if not isinstance(endpoints, Mapping) or "token_endpoint" not in endpoints:
                raise OAuth2Error(
                    f"the OpenID Connect discovery document of {self.scheme.name!r} gives no "
                    "token_endpoint",
                    error="invalid_discovery",
                    status_code=response.status_code,
                    request=response.request,
                    response=response,
                )
            with shared._lock:
                if shared.grant is None:
                    shared.grant = oauth2_grant(
                        self.scheme, self._credential, self._base_url, endpoints
                    )
        grant = shared.grant
        yield from (grant.scoped(self._scopes) if self._scopes else grant).auth_flow(request)

    def scoped(self, scopes: Any) -> OpenIdConnectAuth:
        """The same provider and grant, asking for more scopes."""
        return OpenIdConnectAuth(
            self.scheme, self._credential, self._base_url, scopes=scopes, shared=self._shared
        )

    def __repr__(self) -> str:
        return f"OpenIdConnectAuth({self.discovery_url!r})"


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
        takes = (
            "an access token string, or a dict of client_id/client_secret, "
            "username/password or client_id/redirect_uri"
        )
    elif kind == "openIdConnect":
        label, takes = "OpenID Connect", "an access token string, or client credentials"
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
        if kind in ("oauth2", "openIdConnect"):
            if isinstance(credential, str):
                return True
            if kind == "openIdConnect":
                return _is_pair(credential) or isinstance(credential, Mapping)
            flows = scheme.flows or {}
            if isinstance(credential, Mapping):
                if "username" in credential:
                    return "password" in flows
                if "redirect_uri" in credential:
                    return "authorizationCode" in flows
                return "client_id" in credential and bool(
                    {"clientCredentials", "authorizationCode"} & set(flows)
                )
            return _is_pair(credential) and "clientCredentials" in flows
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
            if not (isinstance(credential, Mapping) or _is_pair(credential)):
                raise InvalidRequestError(
                    f"security scheme {scheme.name!r} (OAuth 2) takes a token string, "
                    "{'client_id': ..., 'client_secret': ...}, (client_id, client_secret) or "
                    "{'username': ..., 'password': ..., 'client_id': ...}"
                )
            if kind == "openIdConnect":
                return OpenIdConnectAuth(scheme, credential, self.base_url)
            return oauth2_grant(scheme, credential, self.base_url)
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

    def _scoped(self, name: str, scopes: list[str] | None) -> tuple[str, Auth | None]:
        """Scheme ``name``'s auth asking for the ``scopes`` an operation lists (OAuth 2:
        a token per scope set, shared by the operations that need the same scopes)."""
        auth = self.auth_for_scheme(name)
        scoped_view = getattr(auth, "scoped", None)  # OAuth2Grant, OpenIdConnectAuth
        if not scopes or scoped_view is None:
            return name, auth
        key = f"{name}[{' '.join(sorted(scopes))}]"
        with self._lock:
            scoped = self._auths.get(key)
            if scoped is None:
                scoped = scoped_view(scopes)
                self._auths[key] = scoped
        return key, scoped

    def resolve(self, op: Operation) -> tuple[str, Auth | None]:
        """``(key, auth)`` for ``op``: operations with the same key share the same auth."""
        if not self.has_credentials:
            return "", None
        requirements = op.security if op.security is not None else self.api.security
        for requirement in requirements or ():
            if not requirement:
                continue
            parts: list[Auth] = []
            keys: list[str] = []
            for name in sorted(requirement):
                key, auth = self._scoped(name, requirement[name])
                if auth is None:
                    break
                parts.append(auth)
                keys.append(key)
            else:
                if len(parts) == 1:
                    return keys[0], parts[0]
                key = "+".join(keys)
                with self._lock:
                    combined = self._auths.get(key)
                    if combined is None:
                        combined = AllOfAuth(parts)
                        self._auths[key] = combined
                return key, combined
        return self._default()
