"""Run one test body against ``restwright.Client`` and ``restwright.AsyncClient``.

:class:`Api` wraps either client behind the same *blocking* methods.  For the async kind
every coroutine runs to completion on a real event loop that lives in a helper thread
(:class:`LoopThread`), so the async client is exercised exactly as an application would
use it (one long-lived loop, pooled connections bound to it).
"""

from __future__ import annotations

import contextlib
import hashlib
import tracemalloc
from collections.abc import Iterator
from typing import Any

try:
    from tests.servers.fault_server import (
        PAGE_SIZE,
        TOTAL_ITEMS,
        FaultServer,
        Recorded,
        download_chunks,
        download_sha256,
    )
    from tests.servers.loops import LoopThread
    from tests.servers.processes import free_port
except ImportError:
    from servers.fault_server import (  # type: ignore[no-redef]
        PAGE_SIZE,
        TOTAL_ITEMS,
        FaultServer,
        Recorded,
        download_chunks,
        download_sha256,
    )
    from servers.loops import LoopThread  # type: ignore[no-redef]
    from servers.processes import free_port  # type: ignore[no-redef]

__all__ = [
    "PAGE_SIZE",
    "TOTAL_ITEMS",
    "Api",
    "FaultServer",
    "LoopThread",
    "Recorded",
    "download_chunks",
    "download_sha256",
    "echo_header",
    "echo_headers",
    "free_port",
    "traced_peak",
]


class Api:
    """The same blocking surface over a sync or an async restwright client."""

    def __init__(self, kind: str, client: Any, runner: LoopThread | None) -> None:
        self.kind = kind
        self.raw = client
        self._runner = runner

    @property
    def is_async(self) -> bool:
        return self.kind == "async"

    def run(self, value: Any) -> Any:
        """Await ``value`` on the loop (async kind); return it unchanged (sync kind)."""
        if self.is_async:
            assert self._runner is not None
            return self._runner.run(value)
        return value

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        return self.run(getattr(self.raw, name)(*args, **kwargs))

    def request(self, method: str, path: str, **kw: Any) -> Any:
        return self._call("request", method, path, **kw)

    def get(self, path: str, **kw: Any) -> Any:
        return self._call("get", path, **kw)

    def post(self, path: str, **kw: Any) -> Any:
        return self._call("post", path, **kw)

    def put(self, path: str, **kw: Any) -> Any:
        return self._call("put", path, **kw)

    def patch(self, path: str, **kw: Any) -> Any:
        return self._call("patch", path, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self._call("delete", path, **kw)

    def head(self, path: str, **kw: Any) -> Any:
        return self._call("head", path, **kw)

    def options(self, path: str, **kw: Any) -> Any:
        return self._call("options", path, **kw)

    def download(self, path: str, to: Any, **kw: Any) -> Any:
        return self._call("download", path, to=to, **kw)

    def pages(self, path: str, **kw: Any) -> list[Any]:
        """Every page of ``client.paginate(path, **kw)``."""
        if not self.is_async:
            return list(self.raw.paginate(path, **kw))

        async def collect() -> list[Any]:
            return [page async for page in self.raw.paginate(path, **kw)]

        return self.run(collect())

    def items(self, path: str, **kw: Any) -> list[Any]:
        """Every item of ``client.paginate(path, **kw).items()``."""
        if not self.is_async:
            return list(self.raw.paginate(path, **kw).items())

        async def collect() -> list[Any]:
            return [item async for item in self.raw.paginate(path, **kw).items()]

        return self.run(collect())

    def stream_read(self, method: str, path: str, **kw: Any) -> tuple[Any, int, str]:
        """Open ``client.stream(...)``, read the body chunk by chunk: (response, size, sha256)."""
        digest = hashlib.sha256()
        if not self.is_async:
            size = 0
            with self.raw.stream(method, path, **kw) as response:
                for chunk in response.iter_bytes():
                    digest.update(chunk)
                    size += len(chunk)
            return response, size, digest.hexdigest()

        async def read() -> tuple[Any, int, str]:
            size = 0
            async with self.raw.stream(method, path, **kw) as response:
                async for chunk in response.aiter_bytes():
                    digest.update(chunk)
                    size += len(chunk)
            return response, size, digest.hexdigest()

        return self.run(read())

    def stream_partial(self, method: str, path: str, nbytes: int, **kw: Any) -> tuple[Any, int]:
        """Open ``client.stream(...)``, read about ``nbytes`` then leave the block early."""
        if not self.is_async:
            got = 0
            with self.raw.stream(method, path, **kw) as response:
                for chunk in response.iter_bytes():
                    got += len(chunk)
                    if got >= nbytes:
                        break
            return response, got

        async def read() -> tuple[Any, int]:
            got = 0
            async with self.raw.stream(method, path, **kw) as response:
                async for chunk in response.aiter_bytes():
                    got += len(chunk)
                    if got >= nbytes:
                        break
            return response, got

        return self.run(read())

    def with_options(self, **kw: Any) -> Api:
        return Api(self.kind, self.raw.with_options(**kw), self._runner)

    def clone(self, **kw: Any) -> Api:
        return Api(self.kind, self.raw.clone(**kw), self._runner)

    def close(self) -> None:
        if self.is_async:
            self.run(self.raw.__aexit__(None, None, None))
        else:
            self.raw.__exit__(None, None, None)

    def __repr__(self) -> str:
        return f"<Api {self.kind} {self.raw!r}>"


def echo_headers(echo: dict[str, Any], name: str) -> list[str]:
    """Every value of header ``name`` the echo endpoint received."""
    lname = name.lower()
    return [v for k, v in echo["headers"] if k.lower() == lname]


def echo_header(echo: dict[str, Any], name: str) -> str | None:
    values = echo_headers(echo, name)
    return values[0] if values else None


@contextlib.contextmanager
def traced_peak() -> Iterator[dict[str, int]]:
    """Measure the peak of Python memory allocations (every thread) inside the block.

    Yields a dict that holds ``peak`` (bytes above the level at entry) afterwards.
    """
    result: dict[str, int] = {}
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    tracemalloc.reset_peak()
    baseline, _ = tracemalloc.get_traced_memory()
    try:
        yield result
    finally:
        _, peak = tracemalloc.get_traced_memory()
        if not was_tracing:
            tracemalloc.stop()
        result["peak"] = peak - baseline
