"""Helpers for the runtime-client tests."""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from typing import Any

from restwright.engine.headers import Headers
from restwright.engine.models import Request, Response


async def call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call an operation of a sync or async runtime client and return its result."""
    result = fn(*args, **kwargs)
    if inspect.isawaitable(result):
        result = await result
    return result


class Recorder:
    """A transport (sync and async) that records requests and answers canned responses.

    ``answer(status, body, content_type)`` sets what the next requests get; ``body`` may
    be bytes or a JSON-able value.  Request bodies that are streams are read whole.
    """

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.bodies: list[bytes] = []
        self.status = 200
        self.body: bytes = b"{}"
        self.content_type: str | None = "application/json"
        self.extra_headers: list[tuple[str, str]] = []
        self.queue: list[tuple[int, bytes, str | None]] = []

    def answer(
        self, status: int = 200, body: Any = None, content_type: str | None = "application/json"
    ) -> Recorder:
        self.status = status
        if isinstance(body, bytes):
            self.body = body
        else:
            self.body = b"" if body is None else json.dumps(body).encode()
        self.content_type = content_type
        return self

    def then(self, status: int, body: Any, content_type: str | None = "application/json") -> None:
        """Queue a one-off answer (served before the default one)."""
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.queue.append((status, data, content_type))

    @property
    def last(self) -> Request:
        return self.requests[-1]

    @property
    def last_body(self) -> bytes:
        return self.bodies[-1]

    def _record(self, request: Request, content: bytes) -> Response:
        self.requests.append(request)
        self.bodies.append(content)
        if self.queue:
            status, body, ctype = self.queue.pop(0)
        else:
            status, body, ctype = self.status, self.body, self.content_type
        raw = [("Content-Length", str(len(body)))]
        if ctype is not None:
            raw.append(("Content-Type", ctype))
        raw.extend(self.extra_headers)
        return Response(status, Headers.from_raw(raw), body, request=request, reason="X")

    def handle(self, request: Request, *, stream: bool = False) -> Response:
        content = request.content
        if content is None:
            data = b""
        elif isinstance(content, bytes):
            data = content
        else:
            data = b"".join(content)  # type: ignore[arg-type]
        return self._record(request, data)

    async def handle_async(self, request: Request, *, stream: bool = False) -> Response:
        content = request.content
        if content is None:
            data = b""
        elif isinstance(content, bytes):
            data = content
        elif hasattr(content, "__aiter__"):
            data = b"".join([chunk async for chunk in content])
        else:
            data = b"".join(content)  # type: ignore[arg-type]
        return self._record(request, data)

    def close(self) -> None:
        pass

    async def aclose(self) -> None:
        pass


class Forbidden:
    """A transport that fails the test if anything is sent."""

    def handle(self, request: Request, *, stream: bool = False) -> Response:
        raise AssertionError(f"nothing should have been sent, got {request!r}")

    async def handle_async(self, request: Request, *, stream: bool = False) -> Response:
        raise AssertionError(f"nothing should have been sent, got {request!r}")

    def close(self) -> None:
        pass

    async def aclose(self) -> None:
        pass
