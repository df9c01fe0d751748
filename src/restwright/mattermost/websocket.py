"""Mattermost's event stream (``/api/v4/websocket``), sync and async from one state machine.

:class:`EventStream` speaks Mattermost's websocket protocol on top of the ``websockets``
library (which does the framing, TLS and protocol-level keepalive):

* after connecting it sends ``{"seq": n, "action": "authentication_challenge", "data":
  {"token": ...}}`` and waits ``auth_timeout`` seconds for ``{"status": "OK", "seq_reply":
  n}``; a refusal raises :class:`~restwright.errors.Unauthorized`, silence
  :class:`~restwright.errors.TimeoutError` (neither is retried: reconnecting would not help);
* every event goes to the handler as a typed :class:`~.events.Event`; the stream tracks the
  events' ``seq`` (a duplicate after a resume is dropped, a gap is logged);
* every ``ping_interval`` seconds it sends Mattermost's ``ping`` action; no reply within
  ``ping_timeout`` counts as a dropped connection;
* after a drop it reconnects with exponential backoff and jitter (``reconnect``: a
  :class:`restwright.Retry`, counting consecutive failures), resuming with
  ``connection_id`` and ``sequence_number`` so the server replays what was missed; when the
  retries are spent it raises :class:`~restwright.errors.ConnectError`;
* it stops cleanly (closing the socket) when the handler returns ``False`` or
  :meth:`EventStream.stop` is called (from any thread, or from the handler).

The decisions live in :meth:`EventStream._steps`, a generator yielding actions (connect,
send, receive, sleep, deliver, close) in the style of the engine's pipeline; the sync and
async drivers only execute them, so they cannot drift apart.
"""

from __future__ import annotations

import builtins
import contextlib
import inspect
import itertools
import json
import threading
import time
from collections.abc import Callable, Generator, Iterator
from typing import Any, NamedTuple, Union
from urllib.parse import urlencode

from ..engine.logs import get_logger
from ..engine.retry import Retry
from ..errors import ConnectError, TimeoutError, Unauthorized
from .events import Event, Hello, parse_event
from .login import PasswordLogin

__all__ = ["EventStream"]

logger = get_logger(__name__)

WEBSOCKET_PATH = "/api/v4/websocket"
POLL = 0.25  # how often a waiting stream looks at stop()
DEFAULT_RECONNECT = Retry(total=10, backoff=0.5, max_backoff=30.0)


class _Connect(NamedTuple):
    url: str


class _Send(NamedTuple):
    text: str


class _Receive(NamedTuple):
    timeout: float


class _Sleep(NamedTuple):
    seconds: float


class _Deliver(NamedTuple):
    event: Event


class _Close(NamedTuple):
    pass


_Action = Union[_Connect, _Send, _Receive, _Sleep, _Deliver, _Close]


class _Dropped(Exception):
    """The connection is gone (closed, refused, reset, or silent): reconnect."""


class _Driver:
    """Runs the state machine: sends it what the last action gave, or throws the drop in."""

    def __init__(self, steps: Generator[_Action, Any, None]) -> None:
        self.steps = steps
        self.value: Any = None
        self.failure: BaseException | None = None
        self.socket: Any = None

    def next(self) -> _Action | None:
        failure, self.failure = self.failure, None
        try:
            return self.steps.send(self.value) if failure is None else self.steps.throw(failure)
        except StopIteration:
            return None

    @contextlib.contextmanager
    def step(self) -> Iterator[None]:
        """Around one action: a socket error becomes a drop for the state machine."""
        from websockets.exceptions import WebSocketException

        self.value = None
        try:
            yield
        except (WebSocketException, OSError) as exc:
            self.failure = _Dropped(_describe(exc))


class EventStream:
    """The event stream of one Mattermost client; see the module docstring.

    ``handler(event)`` may be a function or a coroutine function (awaited by :meth:`run`);
    returning ``False`` stops the stream.  Options: ``reconnect`` (a ``Retry`` or a number
    of consecutive reconnects), ``ping_interval``/``ping_timeout``/``auth_timeout``
    (seconds), ``open_timeout`` (seconds to open the socket).
    """

    def __init__(
        self,
        client: Any,
        handler: Callable[[Event], Any],
        *,
        reconnect: Retry | int = DEFAULT_RECONNECT,
        ping_interval: float = 30.0,
        ping_timeout: float = 10.0,
        auth_timeout: float = 10.0,
        open_timeout: float = 10.0,
    ) -> None:
        self.client = client
        self.handler = handler
        self.reconnect = reconnect if isinstance(reconnect, Retry) else Retry(total=reconnect)
        self.ping_interval = ping_interval
        self.ping_timeout = ping_timeout
        self.auth_timeout = auth_timeout
        self.open_timeout = open_timeout
        base = str(client.engine.base_url)
        scheme, rest = base.split("://", 1)
        self.url = ("wss" if scheme == "https" else "ws") + "://" + rest + WEBSOCKET_PATH
        self.connection_id = ""
        self.last_seq: int | None = None
        self.connections = 0
        self._actions = itertools.count(1)
        self._stop = threading.Event()

    def stop(self) -> None:
        """Ask the stream to close and return (takes effect within a fraction of a second)."""
        self._stop.set()

    # -- the state machine ------------------------------------------------------------
    def _resume_url(self) -> str:
        if not self.connection_id or self.last_seq is None:
            return self.url
        query = {"connection_id": self.connection_id, "sequence_number": self.last_seq + 1}
        return f"{self.url}?{urlencode(query)}"

    def _action(self, name: str, data: dict[str, Any] | None = None) -> tuple[int, str]:
        seq = next(self._actions)
        message: dict[str, Any] = {"seq": seq, "action": name}
        if data is not None:
            message["data"] = data
        return seq, json.dumps(message)

    def _event(self, message: dict[str, Any]) -> Event | None:
        """The event to deliver, or None for a duplicate; tracks seq and the connection id."""
        event = parse_event(message)
        if isinstance(event, Hello) and event.connection_id != self.connection_id:
            self.connection_id = event.connection_id
            self.last_seq = None  # a new connection: the server counts from 0 again
        seq = event.seq
        if seq is not None:
            last = self.last_seq
            if last is not None and seq <= last:
                logger.debug("mattermost websocket: duplicate event seq %d dropped", seq)
                return None
            if last is not None and seq > last + 1:
                logger.warning(
                    "mattermost websocket: events %d to %d were missed", last + 1, seq - 1
                )
            self.last_seq = seq
        return event

    def _steps(self, token: str) -> Generator[_Action, Any, None]:
        failures = 0
        while not self._stop.is_set():
            try:
                yield _Connect(self._resume_url())
                self.connections += 1
                challenge, text = self._action("authentication_challenge", {"token": token})
                yield _Send(text)
                deadline = time.monotonic() + self.auth_timeout
                authenticated = False
                while not authenticated:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise TimeoutError(
                            f"Mattermost did not answer the authentication challenge within "
                            f"{self.auth_timeout} s ({self.url})"
                        )
                    message = yield _Receive(min(remaining, POLL))
                    if self._stop.is_set():
                        break
                    if message is None:
                        continue
                    if message.get("seq_reply") == challenge:
                        if message.get("status") != "OK":
                            error = message.get("error") or {}
                            raise Unauthorized(
                                401, None, None, f"websocket authentication refused: {error}"
                            )
                        authenticated = True
                    elif "event" in message:
                        event = self._event(message)
                        if event is not None and (yield _Deliver(event)) is False:
                            self._stop.set()
                failures = 0
                yield from self._listen()
            except _Dropped as exc:
                if self._stop.is_set():
                    break
                if failures >= self.reconnect.total:
                    raise ConnectError(
                        f"Mattermost websocket lost and {failures} reconnects failed: {exc}"
                    ) from exc
                delay = self.reconnect.delay(failures)
                failures += 1
                logger.info(
                    "mattermost websocket dropped (%s); reconnect %d in %.2f s",
                    exc,
                    failures,
                    delay,
                )
                yield _Sleep(delay)
        yield _Close()

    def _listen(self) -> Generator[_Action, Any, None]:
        next_ping = time.monotonic() + self.ping_interval
        ping: int | None = None
        ping_deadline = 0.0
        while not self._stop.is_set():
            now = time.monotonic()
            due = ping_deadline if ping is not None else next_ping
            message = yield _Receive(max(0.0, min(due - now, POLL)))
            if message is not None:
                if "seq_reply" in message:
                    if message["seq_reply"] == ping:
                        ping = None
                elif "event" in message:
                    event = self._event(message)
                    if event is not None and (yield _Deliver(event)) is False:
                        self._stop.set()
            now = time.monotonic()
            if ping is not None and now >= ping_deadline:
                raise _Dropped(f"no reply to ping within {self.ping_timeout} s")
            if ping is None and now >= next_ping:
                ping, text = self._action("ping")
                ping_deadline = now + self.ping_timeout
                next_ping = now + self.ping_interval
                yield _Send(text)

    # -- credentials ------------------------------------------------------------------
    def _token(self) -> str | None:
        auth = self.client.auth
        if isinstance(auth, PasswordLogin):
            return auth.token
        if isinstance(auth, str):
            return auth.split(" ", 1)[-1]
        raise TypeError("the event stream needs a token or login_id/password auth")

    def _logged_in_token(self) -> str:
        token = self._token()
        if token is None:
            raise Unauthorized(401, None, None, "the login gave no token")
        return token

    # -- drivers ----------------------------------------------------------------------
    def run_sync(self) -> None:
        """Run the stream in this thread until it stops (see the class docstring)."""
        if self._token() is None:  # log in first, through the client's own auth flow
            self.client.users.get_user("me")
        driver = _Driver(self._steps(self._logged_in_token()))
        try:
            while (action := driver.next()) is not None:
                with driver.step():
                    driver.value, driver.socket = self._execute_sync(action, driver.socket)
        finally:
            driver.steps.close()
            if driver.socket is not None:
                driver.socket.close()

    def _execute_sync(self, action: _Action, socket: Any) -> tuple[Any, Any]:
        from websockets.sync.client import connect

        if isinstance(action, _Receive):
            try:
                return _decode(socket.recv(timeout=action.timeout)), socket
            except builtins.TimeoutError:
                return None, socket
        if isinstance(action, _Deliver):
            return self.handler(action.event), socket
        if isinstance(action, _Send):
            socket.send(action.text)
            return None, socket
        if isinstance(action, _Sleep):
            self._stop.wait(action.seconds)
            return None, socket
        if socket is not None:  # _Connect and _Close both end the current connection
            socket.close()
        if isinstance(action, _Connect):
            opened = connect(action.url, open_timeout=self.open_timeout, close_timeout=2.0)
            # Entered like ``with connect(...)`` (websockets >= 17.1 warns otherwise); the
            # connection outlives this call, so it is closed by the next _Connect/_Close.
            return None, opened.__enter__()
        return None, None

    async def run(self) -> None:
        """Run the stream on the running event loop until it stops."""
        if self._token() is None:
            await self.client.users.get_user("me")
        driver = _Driver(self._steps(self._logged_in_token()))
        try:
            while (action := driver.next()) is not None:
                with driver.step():
                    driver.value, driver.socket = await self._execute(action, driver.socket)
        finally:
            driver.steps.close()
            if driver.socket is not None:
                await driver.socket.close()

    async def _execute(self, action: _Action, socket: Any) -> tuple[Any, Any]:
        import asyncio

        from websockets.asyncio.client import connect

        if isinstance(action, _Receive):
            try:
                return _decode(await asyncio.wait_for(socket.recv(), action.timeout)), socket
            except builtins.TimeoutError:
                return None, socket
        if isinstance(action, _Deliver):
            result = self.handler(action.event)
            return (await result if inspect.isawaitable(result) else result), socket
        if isinstance(action, _Send):
            await socket.send(action.text)
            return None, socket
        if isinstance(action, _Sleep):
            await asyncio.sleep(action.seconds)
            return None, socket
        if socket is not None:
            await socket.close()
        if isinstance(action, _Connect):
            opened = await connect(action.url, open_timeout=self.open_timeout, close_timeout=2.0)
            return None, opened
        return None, None


def _decode(text: str | bytes) -> dict[str, Any] | None:
    try:
        message = json.loads(text)
    except ValueError:
        logger.warning("mattermost websocket: a message that is not JSON was ignored")
        return None
    return message if isinstance(message, dict) else None


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
