"""The event stream (start_ws_sync / start_ws) against a local server speaking Mattermost's
websocket protocol (tests/servers/mattermost_ws.py), sync and async."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from tests.servers.mattermost_ws import MattermostWebsocketServer

from restwright import Retry
from restwright import errors as rw_errors
from restwright.mattermost import AsyncClient, SyncClient
from restwright.mattermost.events import Event, Hello, Posted, StatusChange
from restwright.mattermost.websocket import EventStream

POST = {"id": "p1", "channel_id": "c1", "message": "A wild message appears", "create_at": 5}
EVENTS = [
    {"event": "posted", "data": {"post": json.dumps(POST), "channel_name": "town-square"}},
    {"event": "status_change", "data": {"user_id": "u1", "status": "away"}},
    {"event": "custom_plugin_event", "data": {"x": 1}},
    {"event": "posted", "data": {"post": json.dumps({**POST, "id": "p2"})}},
]


def _client(kind: str, server: MattermostWebsocketServer, token: str = "token") -> Any:
    cls = SyncClient if kind == "sync" else AsyncClient
    return cls(options={"url": server.base_url, "auth": {"token": token}})


async def _listen(kind: str, client: Any, handler: Callable[[Event], Any], **options: Any) -> Any:
    if kind == "sync":
        return await asyncio.to_thread(client.start_ws_sync, handler, **options)
    return await client.start_ws(handler, **options)


def _collect(until: int) -> tuple[list[Event], Callable[[Event], bool]]:
    seen: list[Event] = []

    def handler(event: Event) -> bool:
        seen.append(event)
        return len(seen) < until  # False: stop the stream

    return seen, handler


async def test_events_are_typed_and_seq_tracked(client_kind: str) -> None:
    with MattermostWebsocketServer(events=EVENTS) as server:
        client = _client(client_kind, server)
        seen, handler = _collect(until=5)
        stream = await _listen(client_kind, client, handler)
    assert server.received[0] == {
        "seq": 1,
        "action": "authentication_challenge",
        "data": {"token": "token"},
    }
    assert [type(e) for e in seen] == [Hello, Posted, StatusChange, Event, Posted]
    hello, posted, status = seen[0], seen[1], seen[2]
    assert isinstance(hello, Hello) and hello.connection_id == "conn-1"
    assert isinstance(posted, Posted) and posted.post.message == "A wild message appears"
    assert posted.channel_name == "town-square"
    assert isinstance(status, StatusChange) and status.status == "away"
    assert [e.seq for e in seen] == [0, 1, 2, 3, 4] and stream.last_seq == 4
    assert server.close_codes == [1000]  # a clean close after the handler said stop
    assert not server.errors


async def test_forced_disconnect_resumes_without_loss(client_kind: str) -> None:
    with MattermostWebsocketServer(events=EVENTS, drop_after=2) as server:
        client = _client(client_kind, server)
        seen, handler = _collect(until=5)
        stream = await _listen(client_kind, client, handler, reconnect=Retry(total=3, backoff=0.05))
    assert [e.seq for e in seen] == [0, 1, 2, 3, 4]
    assert stream.connections == 2
    assert server.paths[0] == "/api/v4/websocket"
    assert server.paths[1] == "/api/v4/websocket?connection_id=conn-1&sequence_number=3"
    assert not server.errors


async def test_server_that_never_answers_the_challenge(client_kind: str) -> None:
    with MattermostWebsocketServer(answer_challenge=False) as server:
        client = _client(client_kind, server)
        with pytest.raises(rw_errors.TimeoutError, match="authentication challenge"):
            await _listen(client_kind, client, lambda e: None, auth_timeout=0.5)
    assert len(server.paths) == 1  # not retried: reconnecting would not help


async def test_refused_token(client_kind: str) -> None:
    with MattermostWebsocketServer(token="right") as server:
        client = _client(client_kind, server, token="wrong")
        with pytest.raises(rw_errors.Unauthorized, match="not_authenticated"):
            await _listen(client_kind, client, lambda e: None)


def _stream(kind: str, client: Any, **options: Any) -> tuple[EventStream, Any]:
    """An EventStream of the client and the awaitable that runs it (in a thread if sync)."""
    stream = EventStream(client, lambda e: None, **options)
    run = asyncio.to_thread(stream.run_sync) if kind == "sync" else stream.run()
    return stream, asyncio.ensure_future(run)


async def _stop_when(stream: EventStream, condition: Callable[[], bool]) -> None:
    while not condition():
        await asyncio.sleep(0.02)
    stream.stop()


@pytest.mark.parametrize("answer_pings", [True, False], ids=["pong", "silent"])
async def test_ping_pong_and_stop(client_kind: str, answer_pings: bool) -> None:
    with MattermostWebsocketServer(answer_pings=answer_pings) as server:
        client = _client(client_kind, server)
        if answer_pings:
            condition: Callable[[], bool] = lambda: server.pings >= 3  # noqa: E731
        else:
            condition = lambda: len(server.paths) >= 2  # noqa: E731
        stream, running = _stream(
            client_kind,
            client,
            ping_interval=0.1,
            ping_timeout=0.3,
            reconnect=Retry(total=5, backoff=0.01),
        )
        await asyncio.wait_for(_stop_when(stream, condition), 30)
        await asyncio.wait_for(running, 30)
    pings = [m for m in server.received if m.get("action") == "ping"]
    assert pings and all(isinstance(m["seq"], int) for m in pings)
    if answer_pings:
        assert stream.connections == 1 and server.close_codes == [1000]
    else:
        # No pong within ping_timeout: the connection counts as dropped and is resumed.
        assert stream.connections >= 2
        assert "connection_id=conn-1" in server.paths[1]


async def test_reconnects_give_up_with_connect_error(client_kind: str) -> None:
    with MattermostWebsocketServer(events=EVENTS, drop_after=1) as server:
        client = _client(client_kind, server)
        seen: list[Event] = []

        def handler(event: Event) -> None:
            seen.append(event)
            if event.seq == 1:
                threading.Thread(target=server.stop_serving).start()

        with pytest.raises(rw_errors.ConnectError, match="reconnects failed"):
            await _listen(client_kind, client, handler, reconnect=Retry(total=2, backoff=0.01))
    assert [e.seq for e in seen] == [0, 1]


async def test_stop_from_another_thread(client_kind: str) -> None:
    with MattermostWebsocketServer() as server:
        client = _client(client_kind, server)
        stream, running = _stream(client_kind, client)
        stopper = threading.Thread(
            target=lambda: (_wait_for(lambda: len(server.received) > 0), stream.stop())
        )
        stopper.start()
        await asyncio.wait_for(running, 30)
        stopper.join(10)
    assert stream.connections == 1 and server.close_codes == [1000]


def _wait_for(condition: Callable[[], bool]) -> None:
    while not condition():
        time.sleep(0.02)
