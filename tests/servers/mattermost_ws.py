"""A local websocket server speaking Mattermost's event-stream protocol, for tests.

Usage::

    with MattermostWebsocketServer(token="t", events=[...]) as server:
        url = server.base_url      # "http://127.0.0.1:PORT" (the stream connects to ws://)

What it does, as Mattermost does: waits for ``{"action": "authentication_challenge",
"data": {"token": ...}}`` and answers ``{"status": "OK", "seq_reply": n}`` (or a FAIL
when the token is wrong), then sends ``hello`` (seq 0) and the configured events (seq 1,
2, ...); answers the ``ping`` action with ``pong``.  A reconnect carrying
``connection_id`` and ``sequence_number`` resumes: the events from that number are sent
again, without a new hello.  Knobs: ``answer_challenge=False`` (never answer),
``answer_pings=False``, ``drop_after=N`` (abort the first connection after N events).
It records every message received and every request path.  It runs in a thread with its
own event loop, on 127.0.0.1 only, and stops when the block exits.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import ServerConnection, serve

from .loops import LoopThread

__all__ = ["MattermostWebsocketServer"]

CONNECTION_ID = "conn-1"


class MattermostWebsocketServer:
    def __init__(
        self,
        *,
        token: str = "token",
        events: list[dict[str, Any]] | None = None,
        answer_challenge: bool = True,
        answer_pings: bool = True,
        drop_after: int | None = None,
    ) -> None:
        self.token = token
        self.events = events or []
        self.answer_challenge = answer_challenge
        self.answer_pings = answer_pings
        self.drop_after = drop_after
        self.received: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self.close_codes: list[int | None] = []
        self.errors: list[BaseException] = []
        self.port = 0
        self._loop: LoopThread | None = None
        self._server: Any = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pings(self) -> int:
        return sum(1 for m in self.received if m.get("action") == "ping")

    def __enter__(self) -> MattermostWebsocketServer:
        self._loop = LoopThread("mattermost-ws")

        async def start() -> Any:
            return await serve(self._handle, "127.0.0.1", 0)

        self._server = self._loop.run(start(), timeout=10)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._loop is not None
        self.stop_serving()
        self._loop.close()

    def stop_serving(self) -> None:
        """Close the listening socket and every connection (the server goes away)."""
        assert self._loop is not None

        async def close() -> None:
            self._server.close()
            await self._server.wait_closed()

        self._loop.run(close(), timeout=10)

    async def _handle(self, ws: ServerConnection) -> None:
        try:
            await self._converse(ws)
        except Exception as exc:  # recorded for the test to see
            if type(exc).__name__ not in ("ConnectionClosedOK", "ConnectionClosedError"):
                self.errors.append(exc)
        finally:
            self.close_codes.append(ws.close_code)

    async def _converse(self, ws: ServerConnection) -> None:
        path = ws.request.path if ws.request is not None else ""
        self.paths.append(path)
        query = parse_qs(urlsplit(path).query)
        resume = query.get("connection_id") == [CONNECTION_ID] and "sequence_number" in query
        first_connection = len(self.paths) == 1
        message = json.loads(await ws.recv())
        self.received.append(message)
        if message.get("action") != "authentication_challenge" or not self.answer_challenge:
            await ws.wait_closed()
            return
        if message.get("data", {}).get("token") != self.token:
            await ws.send(
                json.dumps(
                    {
                        "status": "FAIL",
                        "seq_reply": message["seq"],
                        "error": {"id": "api.web_socket_router.not_authenticated.app_error"},
                    }
                )
            )
            await ws.wait_closed()
            return
        await ws.send(json.dumps({"status": "OK", "seq_reply": message["seq"]}))
        start = 1
        if resume:
            start = int(query["sequence_number"][0])
        else:
            hello = {"server_version": "9.0.0", "connection_id": CONNECTION_ID}
            await ws.send(json.dumps({"event": "hello", "data": hello, "broadcast": {}, "seq": 0}))
        for sent, (seq, event) in enumerate(list(enumerate(self.events, 1))[start - 1 :], 1):
            await ws.send(json.dumps({**event, "seq": seq}))
            if first_connection and self.drop_after is not None and sent >= self.drop_after:
                ws.transport.abort()
                return
        async for raw in ws:
            message = json.loads(raw)
            self.received.append(message)
            if message.get("action") == "ping" and self.answer_pings:
                reply = {"status": "OK", "seq_reply": message["seq"], "data": {"text": "pong"}}
                await ws.send(json.dumps(reply))
