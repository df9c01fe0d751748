"""The MAX client: MAX's route table on the resource-navigation style.

``client.people["bob"].activities.post(object_content="Hi")`` walks
:data:`~restwright.max.routes.MAX_ROUTES` (a typo names the closest routes), merges MAX's
default bodies, and sends through the engine with MAX's auth headers.  maxclient's
rpc-style methods (``addUser``, ``getUser`` ...) are kept, on the same route table, and
return ``(ok, status, content)``.  :class:`AsyncMaxClient` has the same surface, awaited.
"""

from __future__ import annotations

import hashlib
import inspect
import re
from collections.abc import Callable, Iterable
from typing import Any

from ..engine.headers import check_header
from ..engine.models import Response
from ..errors import ApiError, InvalidRequestError
from ..styles.navigation import Resource, decoded_body
from ..styles.routes import RouteMap
from .auth import MaxAuth
from .login import drive, login_steps
from .routes import MAX_ROUTES

__all__ = [
    "DEFAULT_CLIENT_ID",
    "DEFAULT_MAX_SERVER",
    "DEFAULT_SCOPE",
    "AsyncMaxClient",
    "MaxClient",
    "RequestError",
    "context_hash",
]

DEFAULT_MAX_SERVER = "http://localhost:8081"
DEFAULT_SCOPE = "widgetcli"
DEFAULT_CLIENT_ID = "MAX"

#: What MAX errors raise: restwright's :class:`~restwright.errors.ApiError` (the status is
#: ``.status_code``, MAX's ``error``/``error_description`` are in ``.body``); its subclasses
#: (``NotFound``, ``Unauthorized`` ...) narrow it down.
RequestError = ApiError

_SHA1 = re.compile(r"^[0-9a-f]{40}$")


def context_hash(url: str) -> str:
    """MAX's id of a context: the SHA-1 of its URL (a value that already is one is kept)."""
    if _SHA1.match(url):
        return url
    return hashlib.sha1(url.encode("utf-8"), usedforsecurity=False).hexdigest()  # an id


def max_result(method: str, response: Response) -> Any:
    """What MAX calls return: the decoded body, and for HEAD the ``X-totalItems`` count."""
    if method == "HEAD":
        return int(response.headers.get("x-totalitems") or 0)
    return decoded_body(method, response)


def _then(value: Any, func: Callable[[Any], Any]) -> Any:
    """``func(value)``, or, when ``value`` is awaitable (async client), an awaitable of it."""
    if inspect.isawaitable(value):

        async def chained() -> Any:
            return func(await value)

        return chained()
    return func(value)


class _MaxBase:
    """What :class:`MaxClient` and :class:`AsyncMaxClient` share (all but the lifecycle).

    Arguments: ``url`` is the MAX server; ``oauth_server`` the OAuth2 server issuing tokens
    (read from MAX's ``/info`` when not given); ``actor`` the user name calls are made as.
    ``expand_underscores=False`` sends ``key_subkey`` fields as they are.  ``routes`` replaces
    the route map (subclasses for other MAX versions).  ``client`` is an engine client to
    use instead of a new one; other keyword arguments (``timeout``, ``retry``, ``dry_run``,
    ``hooks``, ``transport`` ...) go to the engine client made here.
    """

    def __init__(
        self,
        url: str = DEFAULT_MAX_SERVER,
        oauth_server: str | None = None,
        actor: str | None = None,
        *,
        scope: str = DEFAULT_SCOPE,
        client_id: str = DEFAULT_CLIENT_ID,
        expand_underscores: bool = True,
        literal_keys: Iterable[str] = (),
        routes: RouteMap = MAX_ROUTES,
        client: Any = None,
        **client_options: Any,
    ) -> None:
        self.url = url.rstrip("/")
        self._oauth_server = oauth_server.rstrip("/") if oauth_server else None
        check_header("X-Oauth-Scope", scope)
        self._scope = scope
        self._token: str | None = None
        self._actor: str | None = None
        self.actor = actor
        self.client_id = client_id
        self._server_info: Any = None
        self.last_response: Response | None = None
        user_hooks = dict(client_options.pop("hooks", None) or {})
        if client is not None:
            user_hooks = {**client._hook_map, **user_hooks}
        response_hooks = user_hooks.get("response") or []
        if callable(response_hooks):
            response_hooks = [response_hooks]
        hooks = {**user_hooks, "response": [*response_hooks, self._keep]}
        self._owns_client = client is None
        if client is None:
            self.client = self._new_engine_client(
                self.url, auth=MaxAuth(self), hooks=hooks, **client_options
            )
        else:  # a clone: the given client keeps its own auth and hooks
            self.client = client.with_options(auth=MaxAuth(self), hooks=hooks)
        self.resources = Resource(
            self.client,
            routes=routes,
            expand_keys=expand_underscores,
            literal_keys=literal_keys,
            adapters={"username": self._username, "hash": context_hash},
            result=max_result,
        )
        self._rpc = Resource(
            self.client,
            routes=routes,
            expand_keys=False,
            adapters={"username": self._username, "hash": context_hash},
            result=max_result,
            rpc=True,
        )
        self.is_async = inspect.iscoroutinefunction(self.client.request)

    @staticmethod
    def _new_engine_client(url: str, **options: Any) -> Any:
        from ..engine.client import Client

        return Client(url, **options)

    # -- identity -------------------------------------------------------------------------
    @property
    def actor(self) -> str | None:
        """The user name calls are made as (``X-Oauth-Username``)."""
        return self._actor

    @actor.setter
    def actor(self, username: str | None) -> None:
        check_header("X-Oauth-Username", username or "")  # CR/LF would split a header
        self._actor = username or None

    @property
    def token(self) -> str | None:
        """The OAuth2 token (``X-Oauth-Token``); never shown in reprs or logs."""
        return self._token

    @token.setter
    def token(self, value: str | None) -> None:
        check_header("X-Oauth-Token", value or "")
        self._token = value or None

    @property
    def scope(self) -> str:
        return self._scope

    def setActor(self, actor: str | None) -> None:
        self.actor = actor

    def getActor(self) -> str:
        return self._actor or ""

    def setToken(self, oauth2_token: str | None) -> None:
        self.token = oauth2_token

    def _username(self, value: Any) -> Any:
        """``:me`` in a ``{username}`` place is the current actor."""
        if value == ":me":
            if not self._actor:
                raise InvalidRequestError("':me' needs an actor: call setActor() or login()")
            return self._actor
        return value

    def _keep(self, response: Response) -> None:
        self.last_response = response

    @property
    def last_response_code(self) -> int | None:
        """The status of the last response MAX sent (successful or not)."""
        return self.last_response.status_code if self.last_response is not None else None

    # -- server information ---------------------------------------------------------------
    def _ready(self, value: Any) -> Any:
        """``value`` as the client kind returns results: as is, or as an awaitable."""
        if not self.is_async:
            return value

        async def ready() -> Any:
            return value

        return ready()

    @property
    def server_info(self) -> Any:
        """MAX's public settings (``GET /info``), fetched once (async: await it)."""
        if self._server_info is None:
            return _then(self.resources.info.get(), self._remember_info)
        return self._ready(self._server_info)

    def _remember_info(self, info: Any) -> Any:
        self._server_info = info
        return info

    @property
    def known_oauth_server(self) -> str | None:
        """The OAuth2 server's URL if it is known without asking MAX."""
        return self._oauth_server

    def oauth_server_from(self, info: Any) -> str:
        """Take the OAuth2 server from MAX's ``/info`` (``max.oauth_server``) and keep it."""
        server = info.get("max.oauth_server") if isinstance(info, dict) else None
        if not isinstance(server, str) or not server:
            raise InvalidRequestError(
                f"{self.url}/info names no OAuth2 server (max.oauth_server): "
                "give MaxClient(oauth_server=...)"
            )
        self._oauth_server = server.rstrip("/")
        return self._oauth_server

    @property
    def oauth_server(self) -> Any:
        """The OAuth2 server issuing MAX tokens: the one given, else MAX's ``/info`` says
        (async: await it)."""
        if self._oauth_server is not None:
            return self._ready(self._oauth_server)
        return _then(self.server_info, self.oauth_server_from)

    # -- login ----------------------------------------------------------------------------
    def login(self, username: str | None = None, password: str | None = None) -> Any:
        """Get a token with the OAuth2 password grant and use it (and ``username`` as the
        actor) from now on; returns the token (async: await it).

        The grant is :class:`restwright.auth.oauth2.PasswordGrant`: what is missing of
        ``username`` and ``password`` is asked on the terminal (the password with
        :func:`getpass.getpass`); without a terminal, or for a wrong password, it raises
        :class:`~restwright.errors.OAuth2Error` (``login_required``, ``invalid_grant`` with
        the server's ``error_description``).
        """
        return drive(login_steps(self, username, password), self.is_async)

    # -- navigation -----------------------------------------------------------------------
    def __getattr__(self, name: str) -> Resource:
        """MAX's collections: ``client.people`` is ``client.resources.people``."""
        resources: Resource | None = self.__dict__.get("resources")
        if name.startswith("_") or resources is None:  # (not yet) built: no recursion
            raise AttributeError(name)
        return resources.at(name)

    def __dir__(self) -> list[str]:
        collections = (name for name in self.resources.collections if name.isidentifier())
        return sorted({*object.__dir__(self), *collections})

    # -- rpc-style methods (maxclient's), on the route table -------------------------------
    def _me(self, username: str | None) -> str:
        return username if username is not None else self._username(":me")

    def addUser(self, username: str, **kwargs: Any) -> Any:
        """Create user ``username`` (only ``displayName`` is taken from ``kwargs``)."""
        body = {k: v for k, v in kwargs.items() if k == "displayName"}
        return self._rpc.route("user", username=username).post(data=body)

    def getUser(self, username: str | None = None) -> Any:
        return self._rpc.route("user", username=self._me(username)).get()

    def modifyUser(self, username: str, properties: dict[str, Any]) -> Any:
        return self._rpc.route("user", username=username).put(data=properties)

    def getUsers(self) -> Any:
        return self._rpc.route("users").get()

    def addActivity(
        self,
        content: str,
        otype: str = "note",
        contexts: Iterable[str] = (),
        generator: str | None = None,
        username: str | None = None,
    ) -> Any:
        body: dict[str, Any] = {"object": {"objectType": otype, "content": content}}
        if contexts:
            body["contexts"] = [{"url": url, "objectType": "context"} for url in contexts]
        if generator:
            body["generator"] = generator
        return self._rpc.route("user_activities", username=self._me(username)).post(data=body)

    def getActivity(self, activity: str) -> Any:
        return self._rpc.route("activity", activity=activity).get()

    def getUserTimeline(self) -> Any:
        return self._rpc.route("timeline", username=self._me(None)).get()

    def addContext(
        self,
        url: str,
        displayName: str,
        permissions: dict[str, Any] | None = None,
        context_type: str = "context",
    ) -> Any:
        body = {
            "url": url,
            "objectType": context_type,
            "displayName": displayName,
            "permissions": permissions,
        }
        return self._rpc.route("contexts").post(data=body)

    def get_context(self, url: str) -> Any:
        return self._rpc.route("context", hash=url).get()

    def deleteContext(self, url: str) -> Any:
        return self._rpc.route("context", hash=url).delete()

    def subscribe(self, url: str, otype: str = "context", username: str | None = None) -> Any:
        body = {"object": {"objectType": otype, "url": url}}
        return self._rpc.route("subscriptions", username=self._me(username)).post(data=body)

    def unsubscribe(self, url: str, username: str | None = None) -> Any:
        place = self._rpc.route("dep_user_subscriptions", username=self._me(username), hash=url)
        return place.delete()

    def subscribed(self) -> Any:
        return self._rpc.route("subscriptions", username=self._me(None)).get()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.url!r} actor={self._actor!r}>"


class MaxClient(_MaxBase):
    """A MAX client, sync and maxclient-compatible: ``MaxClient(url, oauth_server=None,
    actor=None, *, scope, client_id, expand_underscores, literal_keys, routes,
    client, **engine_options)`` (see the arguments above)."""

    def close(self) -> None:
        if self._owns_client:
            self.client.close()

    def __enter__(self) -> MaxClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncMaxClient(_MaxBase):
    """:class:`MaxClient` on an :class:`~restwright.AsyncClient`: every call is awaited
    (``await client.people["bob"].get()``, ``await client.getUser()``)."""

    @staticmethod
    def _new_engine_client(url: str, **options: Any) -> Any:
        from ..engine.async_client import AsyncClient

        return AsyncClient(url, **options)

    async def aclose(self) -> None:
        if self._owns_client:
            await self.client.aclose()

    async def __aenter__(self) -> AsyncMaxClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
