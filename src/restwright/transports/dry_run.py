"""The dry-run transport: sends nothing, logs the request, answers ``200 {}``.

Used by ``dry_run=True`` so scripts can be rehearsed against production URLs: every request
is logged (redacted) at DEBUG on the ``restwright`` logger, with its curl equivalent.
"""

from __future__ import annotations

import logging

from ..engine.headers import Headers
from ..engine.models import Request, Response

logger = logging.getLogger("restwright")

#: The reason phrase of every dry-run answer (auth flows tell them from real ones by it).
DRY_RUN_REASON = "OK (dry run)"


class DryRunTransport:
    """Answers every request with a synthetic ``200`` whose JSON body is ``{}``."""

    def handle(self, request: Request, *, stream: bool = False) -> Response:
        logger.debug("dry run: %s", request.to_curl())
        headers = Headers.from_raw([("Content-Type", "application/json"), ("Content-Length", "2")])
        return Response(200, headers, b"{}", request=request, reason=DRY_RUN_REASON)

    async def handle_async(self, request: Request, *, stream: bool = False) -> Response:
        return self.handle(request, stream=stream)

    def close(self) -> None:
        """Nothing to release."""

    async def aclose(self) -> None:
        """Nothing to release."""
