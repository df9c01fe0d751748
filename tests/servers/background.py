"""Serving from a background thread: an event loop, and an aiohttp application on it.

Tests call the servers with blocking clients from the main thread, so each server runs its
own event loop in a daemon thread.  :class:`AppServer` listens on 127.0.0.1 (a free port,
optionally with TLS) or on a Unix domain socket.  This module imports nothing from pytest.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import threading
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import web

__all__ = ["AppServer", "BackgroundLoop"]

_T = TypeVar("_T")


class BackgroundLoop:
    """An event loop running forever in a daemon thread; :meth:`run` blocks on a coroutine."""

    def __init__(self, name: str) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name=name, daemon=True)
        self._thread.start()

    def run(self, coro: Coroutine[Any, Any, _T], timeout: float | None = None) -> _T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        """Cancel what still runs on the loop, stop it and join the thread."""

        async def cancel_rest() -> None:
            current = asyncio.current_task()
            tasks = [task for task in asyncio.all_tasks() if task is not current]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await self.loop.shutdown_asyncgens()

        with contextlib.suppress(Exception):
            self.run(cancel_rest(), timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        if not self._thread.is_alive():
            self.loop.close()


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
        self._loop: BackgroundLoop | None = None
        self._runner: web.AppRunner | None = None

    @property
    def base_url(self) -> str:
        """The URL to use (with ``uds=unix_path`` when the server is on a Unix socket)."""
        host = "localhost" if self.unix_path is not None else f"127.0.0.1:{self.port}"
        return f"{'https' if self._ssl else 'http'}://{host}"

    def start(self) -> AppServer:
        self._loop = BackgroundLoop(self.name)
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
