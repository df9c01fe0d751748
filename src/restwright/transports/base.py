"""The transport protocols: the one seam between the pipeline and the network.

A transport turns one :class:`~restwright.engine.models.Request` into one
:class:`~restwright.engine.models.Response` (no retries, redirects or auth: those belong
to the pipeline). It raises :mod:`restwright.errors` transport errors, carrying the
request and ``request_sent`` so the pipeline can decide about retries.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from ..engine.models import Request, Response


@runtime_checkable
class SyncTransport(Protocol):
    def handle(self, request: Request, *, stream: bool = False) -> Response:
        """Send ``request``; with ``stream=True`` the body is left unread."""
        ...

    def close(self) -> None: ...


@runtime_checkable
class AsyncTransport(Protocol):
    async def handle_async(self, request: Request, *, stream: bool = False) -> Response:
        """Send ``request``; with ``stream=True`` the body is left unread."""
        ...

    async def aclose(self) -> None: ...
