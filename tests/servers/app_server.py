"""Run an :class:`aiohttp.web.Application` on 127.0.0.1 in a thread, for small test servers.

Usage::

    with serve_app(app, "name") as base_url:   # "http://127.0.0.1:PORT"
        ...

The port is free (chosen by the OS); the server is stopped when the block exits.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from aiohttp import web

from .loops import LoopThread


@contextlib.contextmanager
def serve_app(app: web.Application, name: str) -> Iterator[str]:
    """Serve ``app`` while the block runs; yield its base URL."""
    thread = LoopThread(name)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)

    async def start() -> int:
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        return int(site._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]

    try:
        port = thread.run(start(), timeout=10)
        yield f"http://127.0.0.1:{port}"
    finally:
        with contextlib.suppress(Exception):
            thread.run(runner.cleanup(), timeout=10)
        thread.close()
