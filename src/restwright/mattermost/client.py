"""``SyncClient`` and ``AsyncClient``: matterapi's surface on restwright's engine.

>>> from restwright.mattermost import SyncClient
>>> mm = SyncClient(options={"url": "https://chat.example", "auth": {"token": "TOKEN"}})
>>> me = mm.users.get_user("me")
>>> with mm.session() as api:               # one connection pool, one login
...     channels = api.channels.get_all_channels(per_page=20)

The operations are generated (:mod:`restwright.mattermost.generated`) from Mattermost's
OpenAPI document; this module adds matterapi's ``options`` dict, the password login, the
typed errors of :mod:`.errors` and the event stream (:mod:`.websocket`).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from ..engine.auth import Auth
from ..errors import ApiError
from .errors import STATUS_ERRORS
from .generated.client import AsyncClient as _GeneratedAsync
from .generated.client import Client as _GeneratedSync
from .login import PasswordLogin

if TYPE_CHECKING:
    from .events import Event
    from .websocket import EventStream

__all__ = ["AsyncClient", "SyncClient", "client_arguments"]

# matterapi's "client_options"/"httpx_client_options" keys the engine understands.
_ENGINE_OPTIONS = frozenset(
    {
        "timeout",
        "verify",
        "headers",
        "proxy",
        "trust_env",
        "follow_redirects",
        "max_redirects",
        "retry",
        "hooks",
        "transport",
        "dry_run",
    }
)


def client_arguments(options: Mapping[str, Any]) -> tuple[str, Auth | str | None, dict[str, Any]]:
    """``(base_url, auth, engine options)`` from matterapi's ``options`` dict.

    ``options["auth"]`` is ``{"token": ...}`` (a personal access or session token) or
    ``{"login_id": ..., "password": ...}`` (logged in once, on first use); an
    :class:`~restwright.Auth` instance is taken as it is.  ``client_options`` (or matterapi's
    ``httpx_client_options``) hold engine options such as ``verify``, ``timeout``, ``retry``.
    """
    unknown = set(options) - {"url", "auth", "client_options", "httpx_client_options"}
    if unknown:
        raise TypeError(f"unknown Mattermost client options {sorted(unknown)}")
    url = options.get("url")
    if not isinstance(url, str) or not url:
        raise TypeError('options["url"] must be the server URL, e.g. "https://chat.example"')
    engine: dict[str, Any] = {}
    for key in ("httpx_client_options", "client_options"):
        engine.update(options.get(key) or {})
    extra = set(engine) - _ENGINE_OPTIONS
    if extra:
        raise TypeError(
            f"unsupported client options {sorted(extra)}; known: {sorted(_ENGINE_OPTIONS)}"
        )
    given = options.get("auth")
    auth: Auth | str | None
    if given is None or isinstance(given, Auth):
        auth = given
    elif "token" in given:
        auth = "Bearer " + str(given["token"])
    elif "login_id" in given and "password" in given:
        auth = PasswordLogin(url, str(given["login_id"]), str(given["password"]))
    else:
        raise TypeError('options["auth"] is {"token": ...} or {"login_id": ..., "password": ...}')
    return url.rstrip("/"), auth, engine


class _Mattermost:
    """What both clients add to the generated ones: options, typed errors."""

    errors: ClassVar[Mapping[int, type[ApiError]]] = STATUS_ERRORS
    options: Mapping[str, Any]
    auth: Auth | str | None

    def _setup(self, options: Mapping[str, Any] | None, auth: Auth | str | None) -> tuple[Any, ...]:
        self.options = dict(options or {})
        url, parsed, engine = client_arguments(self.options)
        self.auth = auth if auth is not None else parsed
        return url, self.auth, engine


class SyncClient(_Mattermost, _GeneratedSync):
    """A Mattermost client (sync); ``options`` as matterapi's (see :func:`client_arguments`).

    Calls share one connection pool; with a login, the first call logs in.  ``session()``
    opens a client with a pool of its own, closed when the block ends.
    """

    def __init__(self, options: Mapping[str, Any] | None = None, *, _auth: Any = None) -> None:
        url, auth, engine = self._setup(options, _auth)
        super().__init__(url, auth, **engine)

    @contextlib.contextmanager
    def session(self) -> Iterator[SyncClient]:
        """A client for a block of calls: its own pool, this client's login (done once)."""
        with type(self)(self.options, _auth=self.auth) as api:
            yield api

    def start_ws_sync(self, handler: Callable[[Event], Any], **options: Any) -> EventStream:
        """Listen to the event stream in this thread until ``handler`` returns ``False`` or
        the stream's ``stop()`` is called; options as :class:`.websocket.EventStream`'s.

        Returns the stopped stream (its ``last_seq``, ``connections``...)."""
        from .websocket import EventStream

        stream = EventStream(self, handler, **options)
        stream.run_sync()
        return stream


class AsyncClient(_Mattermost, _GeneratedAsync):
    """The asyncio twin of :class:`SyncClient`: ``await client.users.get_user("me")``."""

    def __init__(self, options: Mapping[str, Any] | None = None, *, _auth: Any = None) -> None:
        url, auth, engine = self._setup(options, _auth)
        super().__init__(url, auth, **engine)

    @contextlib.asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncClient]:
        """A client for a block of calls: its own pool, this client's login (done once)."""
        async with type(self)(self.options, _auth=self.auth) as api:
            yield api

    async def start_ws(self, handler: Callable[[Event], Any], **options: Any) -> EventStream:
        """Listen to the event stream until ``handler`` (a function or a coroutine function)
        returns ``False`` or the stream's ``stop()`` is called."""
        from .websocket import EventStream

        stream = EventStream(self, handler, **options)
        await stream.run()
        return stream
