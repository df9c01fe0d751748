"""A real HTTP server (aiohttp, 127.0.0.1) answering with hostile bodies, for the abuse suite.

``/deep?depth=N``      JSON nested N arrays deep (``[[[...]]]``)
``/big?mb=N``          a valid JSON array of about N MiB, streamed
``/loop``              a redirect to itself (a redirect loop)
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from aiohttp import web

from .loops import LoopThread


async def _deep(request: web.Request) -> web.Response:
    depth = int(request.query.get("depth", "100000"))
    return web.Response(body=b"[" * depth + b"]" * depth, content_type="application/json")


async def _big(request: web.Request) -> web.StreamResponse:
    chunks = int(float(request.query.get("mb", "1")) * 16)  # 64 KiB each
    response = web.StreamResponse(headers={"Content-Type": "application/json"})
    await response.prepare(request)
    item = b'"' + b"x" * (64 * 1024 - 4) + b'",'
    await response.write(b"[")
    for _ in range(chunks):
        await response.write(item)
    await response.write(b"0]")
    return response


async def _loop(request: web.Request) -> web.Response:
    raise web.HTTPFound("/loop")


@contextlib.contextmanager
def hostile_content_server() -> Iterator[str]:
    """Run the server while the block runs; yield its base URL."""
    app = web.Application()
    app.router.add_get("/deep", _deep)
    app.router.add_get("/big", _big)
    app.router.add_get("/loop", _loop)
    thread = LoopThread("hostile-content")
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
