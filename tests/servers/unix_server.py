"""An HTTP server on a Unix domain socket that answers like a (tiny) Docker Engine.

:func:`unix_server` serves an aiohttp application on ``<folder>/docker.sock`` (aiohttp's
``UnixSite``).  Paths may carry Docker's version prefix (``/v1.43/_ping`` is ``/_ping``).
Docker Engine's answers follow its Swagger document
(``tests/openapi/documents/docker-engine-swagger.yaml``):

``/_ping`` (GET, HEAD)
    ``OK`` as ``text/plain`` with ``Api-Version``.
``/version``
    A ``SystemVersion`` object.
``/containers/json``
    ``ContainerSummary`` objects: the running containers, every one with ``?all=true``,
    at most ``?limit=`` of them.
``/containers/{id}/logs``
    The container's log lines, streamed in chunks (``?tail=N``: the last N); 404 with
    ``{"message": "No such container: ..."}`` for an unknown id.

And for the transport tests:

``/stream``
    ``?chunks=`` (8) chunked pieces of ``?size=`` (4096) bytes, each piece ``b"0"``...
``/upload``
    ``{"size", "sha256", "chunked"}`` of the request body (any method).
``/connections``
    ``{"connections": N}``: how many connections the server has accepted so far.

This module imports nothing from pytest.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from aiohttp import web

from .app_server import AppServer

__all__ = ["API_VERSION", "CONTAINERS", "LOG_LINES", "unix_server"]

API_VERSION = "1.43"


def _container(n: int, name: str, image: str, command: str, state: str, status: str) -> dict:
    """A ``ContainerSummary`` (Docker's list entry) with the fields the tests read."""
    return {
        "Id": str(n) * 64,
        "Names": [f"/{name}"],
        "Image": image,
        "ImageID": "sha256:" + "abc"[n - 1] * 64,
        "Command": command,
        "Created": 1_700_000_000 + 100 * n,
        "State": state,
        "Status": status,
        "Labels": {"app": name},
    }


CONTAINERS = [
    _container(1, "web", "nginx:1.25", "nginx -g 'daemon off;'", "running", "Up 2 hours"),
    _container(2, "db", "postgres:16", "docker-entrypoint.sh postgres", "running", "Up 2 hours"),
    _container(3, "migrate", "alpine:3.19", "sh -c migrate", "exited", "Exited (0) 1 hour ago"),
]

LOG_LINES = [f"line {n}: all is well\n".encode() for n in range(1, 41)]


def _versioned(path: str) -> str:
    """A route path that also matches under Docker's version prefix (``/v1.43/...``)."""
    return "/{version:(?:v[0-9]+[.][0-9]+/)?}" + path.lstrip("/")


async def _ping(request: web.Request) -> web.Response:
    return web.Response(text="OK", headers={"Api-Version": API_VERSION})


async def _version(request: web.Request) -> web.Response:
    return web.json_response(
        {
            "Platform": {"Name": "restwright test engine"},
            "Version": "24.0.7",
            "ApiVersion": API_VERSION,
            "MinAPIVersion": "1.12",
            "Os": "linux",
            "Arch": "amd64",
        }
    )


async def _containers(request: web.Request) -> web.Response:
    everything = request.query.get("all") in ("1", "true", "True")
    found = [c for c in CONTAINERS if everything or c["State"] == "running"]
    if "limit" in request.query:
        found = found[: int(request.query["limit"])]
    return web.json_response(found)


async def _logs(request: web.Request) -> web.StreamResponse:
    if not any(c["Id"].startswith(request.match_info["id"]) for c in CONTAINERS):
        raise web.HTTPNotFound(
            text=f'{{"message": "No such container: {request.match_info["id"]}"}}',
            content_type="application/json",
        )
    tail = request.query.get("tail", "all")
    lines = LOG_LINES if tail == "all" else LOG_LINES[-int(tail) :]
    response = web.StreamResponse(headers={"Content-Type": "text/plain"})
    response.enable_chunked_encoding()
    await response.prepare(request)
    for line in lines:
        await response.write(line)
    await response.write_eof()
    return response


async def _stream(request: web.Request) -> web.StreamResponse:
    chunks = int(request.query.get("chunks", "8"))
    size = int(request.query.get("size", "4096"))
    response = web.StreamResponse(headers={"Content-Type": "application/octet-stream"})
    response.enable_chunked_encoding()
    await response.prepare(request)
    for n in range(chunks):
        await response.write(str(n % 10).encode() * size)
    await response.write_eof()
    return response


async def _upload(request: web.Request) -> web.Response:
    digest, size = hashlib.sha256(), 0
    async for chunk in request.content.iter_any():
        digest.update(chunk)
        size += len(chunk)
    chunked = "chunked" in request.headers.get("Transfer-Encoding", "").lower()
    return web.json_response({"size": size, "sha256": digest.hexdigest(), "chunked": chunked})


def unix_server(folder: Path) -> AppServer:
    """The server (not started) on ``folder / "docker.sock"``; ``.unix_path`` is that path."""
    seen: set[int] = set()
    protocols: list[object] = []  # kept alive so that ids are not reused

    @web.middleware
    async def count_connections(
        request: web.Request, handler: web.RequestHandler
    ) -> web.StreamResponse:
        if id(request.protocol) not in seen:
            seen.add(id(request.protocol))
            protocols.append(request.protocol)
        return await handler(request)

    async def connections(request: web.Request) -> web.Response:
        return web.json_response({"connections": len(seen)})

    app = web.Application(middlewares=[count_connections])
    app.router.add_get(_versioned("/_ping"), _ping)  # and HEAD
    app.router.add_get(_versioned("/version"), _version, allow_head=False)
    app.router.add_get(_versioned("/containers/json"), _containers, allow_head=False)
    app.router.add_get(_versioned("/containers/{id}/logs"), _logs, allow_head=False)
    app.router.add_get("/stream", _stream, allow_head=False)
    app.router.add_route("*", "/upload", _upload)
    app.router.add_get("/connections", connections, allow_head=False)
    return AppServer(app, name="unix-server", unix_path=folder / "docker.sock")
