"""``Mxit`` and ``AsyncMxit``: the Mxit API client, on the engine and restwright's OAuth 2.

Mxit apps make two kinds of calls: app calls, with a client-credentials token for the
call's scope (fetched on first use, cached per scope, renewed before expiry), and user
calls, with the user's token from the authorization-code flow
(``client.oauth.auth_url(scope)`` then ``client.oauth.get_user_token(scope, code)``).
Both clients describe their calls with the same services (:mod:`restwright.mxit.services`)
and differ only in the executor that sends them.
"""

from __future__ import annotations

from typing import Any

from ..auth.oauth2 import AuthorizationCode, ClientCredentials
from ..engine.async_client import AsyncClient
from ..engine.auth import Auth
from ..engine.base_client import BaseClient
from ..engine.client import Client
from ..errors import InvalidRequestError, OAuth2Error
from .calls import Call
from .services import MessagingService, UserService

__all__ = ["API_ENDPOINT", "AUTH_ENDPOINT", "AsyncMxit", "AsyncMxitOAuth", "Mxit", "MxitOAuth"]

API_ENDPOINT = "https://api.mxit.com"
AUTH_ENDPOINT = "https://auth.mxit.com"


class MxitOAuth:
    """``client.oauth``: Mxit's auth site (``/authorize``, ``/token``).

    ``app`` is the :class:`~restwright.auth.ClientCredentials` grant of app calls, ``user``
    the :class:`~restwright.auth.AuthorizationCode` grant of user calls (Mxit's auth site
    has no PKCE; ``state`` is the one given to the client, else a random one).
    """

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        redirect_uri: str | None,
        state: str | None,
        auth_endpoint: str,
    ) -> None:
        token_url = auth_endpoint.rstrip("/") + "/token"
        self.redirect_uri = redirect_uri
        self.state = state
        self.app = ClientCredentials(token_url, client_id, client_secret)
        self.user = AuthorizationCode(
            auth_endpoint.rstrip("/") + "/authorize",
            token_url,
            client_id,
            client_secret,
            redirect_uri=redirect_uri,
            pkce=False,
        )

    def auth_url(self, scope: str) -> str:
        """The auth site's page where the user grants ``scope`` (space-separated scopes)."""
        return self.user.auth_url(scope, state=self.state)

    def get_user_token(self, scope: str, code: str | None = None) -> Any:
        """The user's access token for ``scope``: exchanged for ``code`` (the code the auth
        site redirected back with), or the one already obtained."""
        if code is None:
            return self._cached(scope)
        self._check_redirect()
        # Mxit's get_user_token takes no state: the app checks the redirect's own.
        token = self.user.fetch_token(str(code), scope=scope)
        return token["access_token"]

    def _cached(self, scope: str) -> str:
        token = self.user.token(scope)
        if token is None:
            raise OAuth2Error(
                f"no user token for the scope {scope!r}: send the user to "
                "client.oauth.auth_url(scope), then call get_user_token(scope, code)",
                error="login_required",
            )
        return str(token["access_token"])

    def _check_redirect(self) -> None:
        if self.redirect_uri is None:
            raise InvalidRequestError(
                "user tokens need the redirect_uri the auth site sends the user back to: "
                "Mxit(client_id, client_secret, redirect_uri=...)"
            )

    def auth_for(self, call: Call) -> Auth:
        """The auth a call is sent with: the app's or the user's token for its scope."""
        grant = self.user if call.user else self.app
        return grant.scoped(call.scope)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(client_id={self.app.client_id!r})"


class AsyncMxitOAuth(MxitOAuth):
    """``client.oauth`` of :class:`AsyncMxit`: ``get_user_token`` is awaited."""

    async def get_user_token(self, scope: str, code: str | None = None) -> Any:
        if code is None:
            return self._cached(scope)
        self._check_redirect()
        token = await self.user.fetch_token_async(str(code), scope=scope)
        return token["access_token"]


class _Executor:
    """What both executors share: one engine clone per (token kind, scope)."""

    def __init__(self, http: BaseClient, oauth: MxitOAuth) -> None:
        self.http = http
        self.oauth = oauth
        self._clones: dict[tuple[bool, str], Any] = {}

    def client_for(self, call: Call) -> Any:
        key = (call.user, call.scope)
        clone = self._clones.get(key)
        if clone is None:
            clone = self.http.with_options(auth=self.oauth.auth_for(call))
            self._clones[key] = clone
        return clone


class _SyncExecutor(_Executor):
    def __call__(self, call: Call | None) -> Any:
        if call is None:
            return None
        api = self.client_for(call)
        options = call.request_options()
        if call.output_file_path is not None:
            api.download(call.path, call.output_file_path, **options)
            return None
        return call.result(api.request(call.method, call.path, **options))


class _AsyncExecutor(_Executor):
    async def __call__(self, call: Call | None) -> Any:
        if call is None:
            return None
        api = self.client_for(call)
        options = call.request_options()
        if call.output_file_path is not None:
            await api.download(call.path, call.output_file_path, **options)
            return None
        return call.result(await api.request(call.method, call.path, **options))


def _redirect(redirect_uri: str | None, redirect_url: str | None) -> str | None:
    if redirect_uri is not None and redirect_url is not None and redirect_uri != redirect_url:
        raise InvalidRequestError("give redirect_uri or redirect_url, not both")
    return redirect_uri if redirect_uri is not None else redirect_url


class _MxitBase:
    """What :class:`Mxit` and :class:`AsyncMxit` share: the oauth and the services."""

    _oauth_class: type[MxitOAuth] = MxitOAuth
    _engine_class: type[BaseClient]
    _executor_class: type[_SyncExecutor] | type[_AsyncExecutor]

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        redirect_uri: str | None = None,
        state: str | None = None,
        *,
        redirect_url: str | None = None,
        api_endpoint: str = API_ENDPOINT,
        auth_endpoint: str = AUTH_ENDPOINT,
        **options: Any,
    ) -> None:
        redirect = _redirect(redirect_uri, redirect_url)
        self.oauth = self._oauth_class(client_id, client_secret, redirect, state, auth_endpoint)
        self.http: Any = self._engine_class(api_endpoint, **options)
        run = self._executor_class(self.http, self.oauth)
        self.messaging = MessagingService(run)
        self.users = UserService(run)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.http.base_url!r} {self.oauth!r}>"


class Mxit(_MxitBase):
    """The Mxit API (sync): ``client.oauth``, ``client.messaging``, ``client.users``.

    ``Mxit(client_id, client_secret, redirect_uri=None, state=None)``; ``redirect_url`` is
    accepted as another name of ``redirect_uri`` (the ``mxit`` package's README uses
    both).  ``api_endpoint`` and ``auth_endpoint`` default to Mxit's hosts; other keyword
    arguments (``timeout``, ``retry``, ``transport``...) go to :class:`~restwright.Client`.
    """

    _engine_class = Client
    _executor_class = _SyncExecutor

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Mxit:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncMxit(_MxitBase):
    """The Mxit API (async): the surface of :class:`Mxit`, every call awaited (also
    ``client.oauth.get_user_token``)."""

    _oauth_class = AsyncMxitOAuth
    _engine_class = AsyncClient
    _executor_class = _AsyncExecutor

    async def aclose(self) -> None:
        await self.http.aclose()

    async def __aenter__(self) -> AsyncMxit:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
