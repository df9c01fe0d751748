"""A small HTTP server whose answers are scripted per path and per request number.

Used where a test needs a server that changes its answers over time (one that starts to
break its API document after the twentieth response, say) or answers exact bytes
(JSON the standard library and orjson read differently)::

    with ScriptedServer() as server:
        server.script("/repos/hello", lambda n: (200, "application/json", body(n)))
        client = restwright.Client(server.base_url)

``n`` counts the requests to that path from 1.  Unscripted paths answer 404.  The server
is an aiohttp application on 127.0.0.1 (a free port) run by :class:`AppServer`, stopped
when the ``with`` block exits.
"""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from .app_server import AppServer

Answer = tuple[int, str, bytes]  # status, Content-Type, body

__all__ = ["Answer", "ScriptedServer"]


class ScriptedServer:
    def __init__(self) -> None:
        self._scripts: dict[str, Callable[[int], Answer]] = {}
        self.counts: dict[str, int] = {}
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", self._handle)
        self._server = AppServer(app, name="scripted-server")

    @property
    def base_url(self) -> str:
        return self._server.base_url

    def script(self, path: str, answer: Callable[[int], Answer]) -> None:
        """Answer requests to ``path`` with ``answer(n)`` (``n``: 1 for the first one)."""
        self._scripts[path] = answer
        self.counts[path] = 0

    async def _handle(self, request: web.Request) -> web.Response:
        answer = self._scripts.get(request.path)
        if answer is None:
            return web.Response(status=404, text="not scripted")
        self.counts[request.path] += 1
        status, ctype, body = answer(self.counts[request.path])
        return web.Response(status=status, body=body, headers={"Content-Type": ctype})

    def __enter__(self) -> ScriptedServer:
        self._server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.stop()
