"""An aiohttp application served from a background thread (:class:`LoopThread`).

Tests call the servers with blocking clients from the main thread, so each server runs its
own event loop in a daemon thread.  :class:`AppServer` listens on 127.0.0.1 (a free port,
optionally with TLS) or on a Unix domain socket.  This module imports nothing from pytest.
"""

from __future__ import annotations

import contextlib
import ssl
from pathlib import Path

from aiohttp import web

from .loops import LoopThread

__all__ = ["AppServer"]


class AppServer:
    """An aiohttp application on 127.0.0.1 (``ssl_context`` for HTTPS) or on ``unix_path``."""

    def __init__(
        self,
        app: web.Application,
        *,
        name: str,
        ssl_context: ssl.SSLContext | None = None,
        unix_path: Path | None = None,
    ) -> None:
        self.app = app
        self.name = name
        self.port = 0
        self.unix_path = unix_path
        self._ssl = ssl_context
        self._loop: LoopThread | None = None
        self._runner: web.AppRunner | None = None

    @property
    def base_url(self) -> str:
        """The URL to use (with ``uds=unix_path`` when the server is on a Unix socket)."""
        host = "localhost" if self.unix_path is not None else f"127.0.0.1:{self.port}"
        return f"{'https' if self._ssl else 'http'}://{host}"

    def start(self) -> AppServer:
        self._loop = LoopThread(self.name)
        self._loop.run(self._start())
        return self

    async def _start(self) -> None:
        self._runner = web.AppRunner(
            self.app, access_log=None, handle_signals=False, shutdown_timeout=0.5
        )
        await self._runner.setup()
        site: web.BaseSite
        if self.unix_path is not None:
            site = web.UnixSite(self._runner, str(self.unix_path), ssl_context=self._ssl)
        else:
            site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=self._ssl)
        await site.start()
        if self.unix_path is None:
            self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    def stop(self) -> None:
        loop, runner = self._loop, self._runner
        if loop is None:
            return
        if runner is not None:
            with contextlib.suppress(Exception):
                loop.run(runner.cleanup())
        loop.close()
        self._loop = self._runner = None

    def __enter__(self) -> AppServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
