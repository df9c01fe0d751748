"""OAuth 2 as engine auth: :class:`ClientCredentials`, :class:`PasswordGrant` and
:class:`AuthorizationCode` (PKCE S256, state, browser login on a loopback listener).

The protocol details come from authlib (token and authorization request encoding, client
authentication, PKCE challenges, token expiry), wrapped so that every exchange goes through
restwright's own pipeline: a grant is an :class:`~restwright.Auth` whose ``auth_flow``
yields the token requests it needs, so one implementation serves the sync and async
clients, with the engine's retries, logging, redaction and transports.

What every grant does:

* tokens are cached per scope set (:class:`~restwright.auth.tokens.TokenCache`), fetched on
  first use and renewed ``leeway`` seconds before they expire; :meth:`OAuth2Grant.scoped`
  gives an auth that asks for more scopes (a call that needs them gets a token of its own);
* an expired token is refreshed with its refresh token when there is one; a request that
  answers 401 with a cached token is retried once with a refreshed (or new) token;
  concurrent calls that find the same stale token share one renewal;
* a refused refresh token raises :class:`~restwright.errors.OAuth2Error` (``invalid_grant``)
  where nobody can log in again without a human (:class:`AuthorizationCode`); the other
  grants fetch a new token;
* tokens go to disk only with ``token_file=`` (created with mode 0600); they never appear in
  logs, reprs, errors or dry-run output (the ``Authorization`` header and the secret form
  fields of token requests are masked wherever requests are shown).
"""

from __future__ import annotations

import asyncio
import getpass
import os
import sys
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass
from typing import Any, Union
from urllib.parse import parse_qsl, urlsplit

try:
    from authlib.common.security import generate_token
    from authlib.oauth2.auth import ClientAuth
    from authlib.oauth2.rfc6749 import OAuth2Token
    from authlib.oauth2.rfc6749.parameters import prepare_grant_uri, prepare_token_request
    from authlib.oauth2.rfc7636 import create_s256_code_challenge
except ImportError as exc:  # pragma: no cover - depends on the installed extras
    raise ImportError(
        "restwright's OAuth 2 needs authlib: install the extra, restwright[oauth2]"
    ) from exc

from ..engine.auth import Auth, AuthFlow, Blocking
from ..engine.logs import get_logger
from ..engine.models import Request, Response
from ..errors import ApiError, DecodeError, OAuth2Error
from ..transports.dry_run import DRY_RUN_REASON
from .loopback import LoginTimeout, LoopbackListener, open_and_wait
from .tokens import ScopeSet, TokenCache, scope_set

__all__ = [
    "AuthorizationCode",
    "ClientCredentials",
    "OAuth2Grant",
    "OAuth2Token",
    "PasswordGrant",
    "ScopedAuth",
]

logger = get_logger(__name__)

Scopes = Union[str, Iterable[str], None]
#: A grant's own exchanges: yields token requests (or blocking steps), returns the token.
TokenSteps = Generator[Union[Request, Blocking], Any, OAuth2Token]

_CLIENT_AUTH_METHODS = ("client_secret_basic", "client_secret_post", "none")
#: Seconds a call waits for another call's renewal of the same token before looking again.
_RENEWAL_WAIT = 30.0
#: Characters that would split the Authorization header a token goes into.
_FORBIDDEN = frozenset("\r\n\x00")


def _describe(scopes: ScopeSet) -> str:
    return " ".join(sorted(scopes)) or "(default scope)"


class OAuth2Grant(Auth, ABC):
    """What the three grants share: the token endpoint, client authentication, the token
    cache, refresh, and the flow that authorizes a request (see the module docstring).

    ``client_auth`` is how the client authenticates at the token endpoint:
    ``"client_secret_basic"`` (HTTP Basic, the default with a secret; RFC 6749 section
    2.3.1), ``"client_secret_post"`` (form fields) or ``"none"`` (a public client, the
    default without a secret).
    """

    sensitive_headers = frozenset({"authorization"})
    #: Whether a new token can be had without a human when a refresh token is refused.
    can_reauthenticate = True

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str | None = None,
        scopes: Scopes = None,
        *,
        client_auth: str | None = None,
        leeway: float = 30.0,
        token_file: str | os.PathLike[str] | None = None,
    ) -> None:
        method = client_auth or ("client_secret_basic" if client_secret else "none")
        if method not in _CLIENT_AUTH_METHODS:
            raise ValueError(f"client_auth must be one of {', '.join(_CLIENT_AUTH_METHODS)}")
        self.token_url = token_url
        self.client_id = client_id
        self.client_auth = method
        self.scopes = scope_set(scopes)
        self.leeway = leeway
        self.tokens = TokenCache(token_file)
        self._client = ClientAuth(client_id, client_secret or "", method)
        self._renewals: dict[ScopeSet, threading.Event] = {}
        self._renewal_lock = threading.Lock()

    # -- what users call ----------------------------------------------------------------
    def scoped(self, scopes: Scopes) -> ScopedAuth:
        """An auth sharing this grant's tokens that asks for ``scopes`` on top of its own."""
        return ScopedAuth(self, self.scopes | scope_set(scopes))

    def token(self, scopes: Scopes = None) -> OAuth2Token | None:
        """The cached token that covers this grant's scopes plus ``scopes``, if any."""
        return self.tokens.get(self.scopes | scope_set(scopes))

    def invalidate(self) -> None:
        """Forget every cached token (the next request obtains a new one)."""
        self.tokens.clear()

    # -- the flow the pipeline drives ---------------------------------------------------
    def auth_flow(self, request: Request) -> AuthFlow:
        return self.flow_for(request, self.scopes)

    def flow_for(self, request: Request, scopes: ScopeSet) -> AuthFlow:
        """Authorize ``request`` with a token for ``scopes``; retry once on a 401."""
        token = self.tokens.get(scopes)
        fresh = False
        if token is None or token.is_expired(leeway=self.leeway):
            token = yield from self._obtain(scopes, token)
            fresh = True
        self._authorize(request, token)
        response = yield request
        if response.status_code == 401 and not fresh and request.replayable:
            logger.info("401 with a cached OAuth 2 token: renewing it and retrying once")
            token = yield from self._obtain(scopes, token)
            retry = request.copy()  # only its Authorization header changes
            self._authorize(retry, token)
            yield retry

    @staticmethod
    def _authorize(request: Request, token: OAuth2Token) -> None:
        token_type = str(token.get("token_type") or "Bearer")
        if token_type.lower() == "bearer":
            token_type = "Bearer"
        request.headers["Authorization"] = f"{token_type} {token['access_token']}"

    def _obtain(self, scopes: ScopeSet, stale: OAuth2Token | None) -> TokenSteps:
        """A new token for ``scopes`` in place of ``stale`` (None: there is none yet).

        One call at a time renews the token of a scope set; concurrent calls that find the
        same stale token wait for it (in a worker thread for the async client) and take its
        token, instead of renewing again, which a provider that rotates refresh tokens
        would refuse.  If the renewing call failed, the next one tries in turn.
        """
        while True:
            newer = self._newer_than(scopes, stale)
            if newer is not None:
                return newer
            with self._renewal_lock:
                renewal = self._renewals.get(scopes)
                if renewal is None:
                    renewal = self._renewals[scopes] = threading.Event()
                    break
            yield Blocking(renewal.wait, (_RENEWAL_WAIT,))
        try:
            return (yield from self._renew(scopes, stale))
        finally:
            with self._renewal_lock:
                del self._renewals[scopes]
            renewal.set()

    def _renew(self, scopes: ScopeSet, stale: OAuth2Token | None) -> TokenSteps:
        """A refreshed token when ``stale`` has a refresh token, else a new grant."""
        refresh_token = stale.get("refresh_token") if stale is not None else None
        if refresh_token:
            request = self.token_request("refresh_token", refresh_token=refresh_token)
            response = yield request
            try:
                return self._store(scopes, response, "refresh_token", keep=refresh_token)
            except OAuth2Error as exc:
                if exc.error != "invalid_grant" or not self.can_reauthenticate:
                    raise
                logger.info("the refresh token was refused: asking for a new token")
        self.tokens.drop(scopes)
        return (yield from self._grant(scopes))

    def _newer_than(self, scopes: ScopeSet, stale: OAuth2Token | None) -> OAuth2Token | None:
        """A valid token for ``scopes`` that another call stored in place of ``stale``."""
        current = self.tokens.get(scopes)
        if current is None or current is stale or current.is_expired(leeway=self.leeway):
            return None
        return current

    @abstractmethod
    def _grant(self, scopes: ScopeSet) -> TokenSteps:
        """The grant's own way to a new token: yields its token requests (or blocking
        steps) and returns the token."""

    # -- token requests and responses ---------------------------------------------------
    def token_request(self, grant_type: str, **params: Any) -> Request:
        """The POST to the token endpoint for ``grant_type`` (client authentication added)."""
        body = prepare_token_request(grant_type, **params)
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        }
        uri, headers, body = self._client.prepare("POST", self.token_url, headers, body)
        request = Request.from_url("POST", uri, headers=headers, content=body)
        request.sensitive_headers = frozenset({"authorization"})
        return request

    def _store(
        self, scopes: ScopeSet, response: Response, grant_type: str, keep: str | None = None
    ) -> OAuth2Token:
        if response.reason == DRY_RUN_REASON:
            # Nothing was sent: go on with a stand-in token (not cached) so the rehearsal
            # shows the calls that would follow.
            return OAuth2Token({"access_token": "dry-run-token", "token_type": "Bearer"})
        token = parse_token_response(response, grant_type)
        if keep and not token.get("refresh_token"):
            token["refresh_token"] = keep  # RFC 6749 section 6: the old one stays valid
        self.tokens.put(scopes, token)
        logger.debug(
            "obtained an OAuth 2 token for %s from %s (%s grant)",
            _describe(scopes),
            self.token_url,
            grant_type,
        )
        return token

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.token_url!r}, client_id={self.client_id!r})"


def parse_token_response(response: Response, grant_type: str) -> OAuth2Token:
    """The token of a token endpoint's answer, or an :class:`OAuth2Error` saying why not."""
    try:
        payload = response.json()
    except DecodeError:
        payload = None
    if response.status_code < 400 and isinstance(payload, dict):
        access, token_type = payload.get("access_token"), payload.get("token_type") or "Bearer"
        if (
            isinstance(access, str)
            and access
            and isinstance(token_type, str)
            and not _FORBIDDEN.intersection(access + token_type)
        ):
            return OAuth2Token(payload)
        raise OAuth2Error(
            f"the token endpoint answered the {grant_type} grant without a usable access_token",
            error="invalid_response",
            status_code=response.status_code,
            request=response.request,
        )
    fields = payload if isinstance(payload, dict) else {}
    error = str(fields.get("error") or "")
    description = str(fields.get("error_description") or response.reason or "")
    if grant_type == "refresh_token" and error == "invalid_grant":
        message = (
            f"the refresh token was refused ({error}: {description}): it was revoked or "
            "expired; log in again"
        )
    else:
        message = f"the token endpoint refused the {grant_type} grant ({error or 'error'}: "
        message += f"{description})"
    raise OAuth2Error(
        message,
        error=error,
        status_code=response.status_code,
        request=response.request,
        response=response,
    )


class ScopedAuth(Auth):
    """A grant asking for more scopes: shares the grant's token cache (see
    :meth:`OAuth2Grant.scoped`); use it as a client's (or a cloned client's) ``auth=``."""

    sensitive_headers = frozenset({"authorization"})

    def __init__(self, grant: OAuth2Grant, scopes: ScopeSet) -> None:
        self.grant = grant
        self.scopes = scopes

    def auth_flow(self, request: Request) -> AuthFlow:
        return self.grant.flow_for(request, self.scopes)

    def __repr__(self) -> str:
        return f"ScopedAuth({self.grant!r}, scopes={_describe(self.scopes)!r})"


class ClientCredentials(OAuth2Grant):
    """The client-credentials grant (RFC 6749 section 4.4): the app acts as itself.

    >>> auth = ClientCredentials("https://auth.example/token", "app", "secret", scopes="read")
    >>> api = restwright.Client("https://api.example", auth=auth)     # doctest: +SKIP
    >>> api.with_options(auth=auth.scoped("write")).post("/things")   # doctest: +SKIP
    """

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        scopes: Scopes = None,
        **options: Any,
    ) -> None:
        super().__init__(token_url, client_id, client_secret, scopes, **options)

    def _grant(self, scopes: ScopeSet) -> TokenSteps:
        params = {"scope": sorted(scopes)} if scopes else {}
        response = yield self.token_request("client_credentials", **params)
        return self._store(scopes, response, "client_credentials")


class PasswordGrant(OAuth2Grant):
    """The resource-owner password grant (RFC 6749 section 4.3).

    What is missing of ``username`` and ``password`` is asked on the terminal (the password
    with :func:`getpass.getpass`) when standard input is a TTY, once; without a TTY the
    first request raises :class:`~restwright.errors.OAuth2Error` (``login_required``).
    """

    def __init__(
        self,
        token_url: str,
        client_id: str,
        username: str | None = None,
        password: str | None = None,
        *,
        client_secret: str | None = None,
        scopes: Scopes = None,
        **options: Any,
    ) -> None:
        super().__init__(token_url, client_id, client_secret, scopes, **options)
        self.username = username
        self._password = password
        self._ask_lock = threading.Lock()

    def _grant(self, scopes: ScopeSet) -> TokenSteps:
        if self.username is None or self._password is None:
            yield Blocking(self._ask)  # the async client asks in a worker thread
        params: dict[str, Any] = {"username": self.username, "password": self._password}
        if scopes:
            params["scope"] = sorted(scopes)
        response = yield self.token_request("password", **params)
        return self._store(scopes, response, "password")

    def _ask(self) -> None:
        with self._ask_lock:
            if self.username is not None and self._password is not None:
                return
            if not sys.stdin or not sys.stdin.isatty():
                raise OAuth2Error(
                    "PasswordGrant needs a username and a password: pass them, or run on a "
                    "terminal to be asked for them",
                    error="login_required",
                )
            if self.username is None:
                self.username = input(f"Username for {self.token_url}: ").strip()
            if self._password is None:
                self._password = getpass.getpass(f"Password for {self.username}: ")


@dataclass(frozen=True)
class _Pending:
    """An authorization request sent to the browser, waiting for its code."""

    scopes: ScopeSet
    verifier: str | None
    redirect_uri: str | None


@dataclass(frozen=True)
class _Redirect:
    code: str
    state: str | None


def _parse_redirect(target: str) -> _Redirect:
    """The code and state of the redirect that ends an authorization (or its error)."""
    fields = dict(parse_qsl(urlsplit(target).query))
    if "error" in fields:
        raise OAuth2Error(
            f"the authorization was refused ({fields['error']}: "
            f"{fields.get('error_description', '')})",
            error=fields["error"],
        )
    if not fields.get("code"):
        raise OAuth2Error("the redirect carries no authorization code", error="invalid_request")
    return _Redirect(fields["code"], fields.get("state"))


class AuthorizationCode(OAuth2Grant):
    """The authorization-code grant (RFC 6749 section 4.1) with PKCE S256 (RFC 7636).

    The user grants access on the provider's site: send them to :meth:`auth_url`, then
    give the ``code`` (and ``state``) the provider redirected back with to
    :meth:`fetch_token` - or let :meth:`login_in_browser` do both with a loopback listener.
    Requests then carry the user's token, refreshed as needed; a request whose scopes no
    token covers raises :class:`~restwright.errors.OAuth2Error` (``login_required``).
    """

    can_reauthenticate = False

    def __init__(
        self,
        authorize_url: str,
        token_url: str,
        client_id: str,
        client_secret: str | None = None,
        redirect_uri: str | None = None,
        scopes: Scopes = None,
        pkce: bool = True,
        **options: Any,
    ) -> None:
        super().__init__(token_url, client_id, client_secret, scopes, **options)
        self.authorize_url = authorize_url
        self.redirect_uri = redirect_uri
        self.pkce = pkce
        self._pending: dict[str, _Pending] = {}
        self._lock = threading.Lock()

    # -- step 1: the authorization URL --------------------------------------------------
    def auth_url(
        self, scope: Scopes = None, state: str | None = None, *, redirect_uri: str | None = None
    ) -> str:
        """The provider's page that asks the user to grant ``scope`` (plus the grant's own
        scopes); ``state`` (random by default) comes back with the code."""
        scopes = self.scopes | scope_set(scope)
        state = state or generate_token(32)
        redirect_uri = redirect_uri or self.redirect_uri
        extra: dict[str, str] = {}
        verifier = None
        if self.pkce:
            verifier = generate_token(64)
            extra = {
                "code_challenge": create_s256_code_challenge(verifier),
                "code_challenge_method": "S256",
            }
        with self._lock:
            self._pending[state] = _Pending(scopes, verifier, redirect_uri)
        url: str = prepare_grant_uri(
            self.authorize_url,
            self.client_id,
            "code",
            redirect_uri=redirect_uri,
            scope=" ".join(sorted(scopes)) or None,
            state=state,
            **extra,
        )
        return url

    # -- step 2: the code for a token ---------------------------------------------------
    def fetch_token(
        self, code: str, state: str | None = None, *, scope: Scopes = None
    ) -> OAuth2Token:
        """Exchange ``code`` for a token (sync).

        ``state`` must be one :meth:`auth_url` issued (else ``state_mismatch``, and nothing
        is sent); its PKCE verifier goes with the code.  Without ``state`` (an API that does
        not pass it on), the latest pending authorization is used, or, when there is none,
        the code is sent with ``scope`` and no verifier.
        """
        from ..engine.client import Client

        request, pending = self._code_request(code, state, scope)
        with Client(self.token_url) as http:
            try:
                response = http.send(request)
            except ApiError as exc:  # the token endpoint's refusal: _store says why
                response = exc.response  # type: ignore[assignment]
        return self._store(pending.scopes, response, "authorization_code")

    async def fetch_token_async(
        self, code: str, state: str | None = None, *, scope: Scopes = None
    ) -> OAuth2Token:
        """:meth:`fetch_token` for async code."""
        from ..engine.async_client import AsyncClient

        request, pending = self._code_request(code, state, scope)
        async with AsyncClient(self.token_url) as http:
            try:
                response = await http.send(request)
            except ApiError as exc:
                response = exc.response  # type: ignore[assignment]
        return self._store(pending.scopes, response, "authorization_code")

    def _code_request(
        self, code: str, state: str | None, scope: Scopes
    ) -> tuple[Request, _Pending]:
        """The token request for ``code``, checked against the pending authorization (see
        :meth:`fetch_token`)."""
        with self._lock:
            if state is not None:
                pending = self._pending.pop(state, None)
                if pending is None:
                    raise OAuth2Error(
                        "the redirect's state matches no authorization this client started "
                        "(a forged or replayed redirect?)",
                        error="state_mismatch",
                    )
            elif self._pending:
                pending = self._pending.pop(next(reversed(self._pending)))
            else:
                pending = _Pending(self.scopes | scope_set(scope), None, self.redirect_uri)
        params: dict[str, Any] = {"code": code, "redirect_uri": pending.redirect_uri}
        if pending.verifier is not None:
            params["code_verifier"] = pending.verifier
        if self.client_auth == "none":
            params["client_id"] = self.client_id
        return self.token_request("authorization_code", **params), pending

    # -- both steps with a browser ------------------------------------------------------
    def login_in_browser(
        self,
        scope: Scopes = None,
        *,
        open_browser: Callable[[str], Any] | None = None,
        timeout: float = 300.0,
    ) -> OAuth2Token:
        """Open the browser on :meth:`auth_url`, catch the redirect on a one-shot listener
        on ``127.0.0.1`` (a random port; the redirect URI is that listener's), and fetch
        the token.  ``open_browser`` (default :func:`webbrowser.open`) shows the page."""
        redirect = self._browser_redirect(scope, open_browser, timeout)
        return self.fetch_token(redirect.code, redirect.state)

    async def login_in_browser_async(
        self,
        scope: Scopes = None,
        *,
        open_browser: Callable[[str], Any] | None = None,
        timeout: float = 300.0,
    ) -> OAuth2Token:
        """:meth:`login_in_browser` for async code (the wait runs in a worker thread)."""
        redirect = await asyncio.to_thread(self._browser_redirect, scope, open_browser, timeout)
        return await self.fetch_token_async(redirect.code, redirect.state)

    def _browser_redirect(
        self, scope: Scopes, open_browser: Callable[[str], Any] | None, timeout: float
    ) -> _Redirect:
        with LoopbackListener(_parse_redirect, path="/callback") as listener:
            url = self.auth_url(scope, redirect_uri=listener.url)
            try:
                return open_and_wait(listener, url, timeout, open_browser)
            except LoginTimeout as exc:
                raise OAuth2Error(str(exc), error="login_timeout") from None

    def _grant(self, scopes: ScopeSet) -> TokenSteps:
        raise OAuth2Error(
            f"no user token covers the scopes {_describe(scopes)}: send the user to "
            "auth_url() and call fetch_token() with the code, or call login_in_browser()",
            error="login_required",
        )
