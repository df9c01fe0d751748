"""A real HTTP server (aiohttp, 127.0.0.1) answering with hostile bodies, for the abuse suite.

``/deep?depth=N``      JSON nested N arrays deep (``[[[...]]]``)
``/big?mb=N``          a valid JSON array of about N MiB, streamed
``/loop``              a redirect to itself (a redirect loop)
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from aiohttp import web

from .app_server import AppServer


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
    with AppServer(app, name="hostile-content") as server:
        yield server.base_url
