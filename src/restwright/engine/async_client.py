"""The async client: drives the shared pipeline with awaited calls."""

from __future__ import annotations

import asyncio
import inspect
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterable, Mapping
from contextlib import asynccontextmanager
from typing import IO, TYPE_CHECKING, Any, TypeVar

from ..errors import TransportError
from .auth import Blocking
from .base_client import BaseClient, BuildOptions, RequestOptions, download_target
from .models import Request, Response
from .pagination import PageRequest, PageSpec, page_items, walk
from .pipeline import CallHook, CloseResponse, ReadBody, Send, Sleep, exchange
from .retry import Retry

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .bulk import BulkResult, Progress

Item = TypeVar("Item")


class AsyncClient(BaseClient):
    """The asyncio twin of :class:`~restwright.Client`: same arguments, same methods,
    awaited. Hooks may be coroutine functions."""

    def _default_transport(self) -> Any:
        if self.dry_run:
            from ..transports.dry_run import DryRunTransport

            return DryRunTransport()
        from ..transports.async_socket import AsyncSocketTransport

        return AsyncSocketTransport(**self._transport_options)

    # -- the driver ----------------------------------------------------------------------
    async def _run(self, gen: Generator[Any, Any, Response]) -> Response:
        handle = self._transport.handle_async
        try:
            action = next(gen)
            while True:
                kind = type(action)
                if kind is Send:
                    try:
                        result = await handle(action.request, stream=action.stream)
                    except TransportError as exc:
                        action = gen.throw(exc)
                        continue
                    action = gen.send(result)
                elif kind is Sleep:
                    await asyncio.sleep(action.seconds)
                    action = gen.send(None)
                elif kind is CallHook:
                    outcome = action.func(action.arg)
                    if inspect.isawaitable(outcome):
                        await outcome
                    action = gen.send(None)
                elif kind is Blocking:
                    action = gen.send(await asyncio.to_thread(action.func, *action.args))
                elif kind is ReadBody:
                    await action.response.aread()
                    action = gen.send(None)
                elif kind is CloseResponse:
                    await action.response.aclose()
                    action = gen.send(None)
                else:  # pragma: no cover - the pipeline only yields the actions above
                    raise TypeError(f"unknown pipeline action {action!r}")
        except StopIteration as stop:
            result = stop.value
            assert isinstance(result, Response)
            return result

    async def send(self, request: Request, *, stream: bool = False) -> Response:
        """Send a request built with :meth:`build_request` through the whole pipeline."""
        return await self._run(exchange(self._policy, request, stream=stream))

    # -- requests ------------------------------------------------------------------------
    async def _call(
        self, request: Request, retry: Retry | None, idempotent: bool | None
    ) -> Response:
        return await self._run(exchange(self._policy, request, retry=retry, idempotent=idempotent))

    async def request(self, method: str, path: str, **kwargs: Unpack[RequestOptions]) -> Response:
        """Send a request; the keywords are :class:`~restwright.engine.base_client.RequestOptions`
        (those of :meth:`BaseClient.build_request`, plus ``retry`` and ``idempotent``).

        ``retry`` overrides the client's retry policy for this call; ``idempotent=True``
        vouches that the call may be repeated (a POST the API deduplicates), ``False``
        forbids any re-send once it may have reached the server.
        Raises an :class:`~restwright.errors.ApiError` subclass for 4xx/5xx answers.
        """
        return await self._call(*self._prepare_call("request", method, path, kwargs))

    async def get(self, path: str, **kwargs: Unpack[RequestOptions]) -> Response:
        """GET ``path`` (see :meth:`request`)."""
        return await self._call(*self._prepare_call("get", "GET", path, kwargs))

    async def post(self, path: str, **kwargs: Unpack[RequestOptions]) -> Response:
        """POST ``path`` (see :meth:`request`)."""
        return await self._call(*self._prepare_call("post", "POST", path, kwargs))

    async def put(self, path: str, **kwargs: Unpack[RequestOptions]) -> Response:
        """PUT ``path`` (see :meth:`request`)."""
        return await self._call(*self._prepare_call("put", "PUT", path, kwargs))

    async def patch(self, path: str, **kwargs: Unpack[RequestOptions]) -> Response:
        """PATCH ``path`` (see :meth:`request`)."""
        return await self._call(*self._prepare_call("patch", "PATCH", path, kwargs))

    async def delete(self, path: str, **kwargs: Unpack[RequestOptions]) -> Response:
        """DELETE ``path`` (see :meth:`request`)."""
        return await self._call(*self._prepare_call("delete", "DELETE", path, kwargs))

    async def head(self, path: str, **kwargs: Unpack[RequestOptions]) -> Response:
        """HEAD ``path`` (see :meth:`request`)."""
        return await self._call(*self._prepare_call("head", "HEAD", path, kwargs))

    async def options(self, path: str, **kwargs: Unpack[RequestOptions]) -> Response:
        """OPTIONS ``path`` (see :meth:`request`)."""
        return await self._call(*self._prepare_call("options", "OPTIONS", path, kwargs))

    @asynccontextmanager
    async def stream(
        self, method: str, path: str, **kwargs: Unpack[BuildOptions]
    ) -> AsyncIterator[Response]:
        """A response whose body is read as you iterate ``response.aiter_bytes()``."""
        request = self._build("stream", method, path, kwargs)
        response = await self._run(exchange(self._policy, request, stream=True))
        try:
            yield response
        finally:
            await response.aclose()

    async def download(
        self, path: str, to: str | os.PathLike[str] | IO[bytes], **kwargs: Unpack[BuildOptions]
    ) -> Response:
        """Stream a response body into a file (a path or an open binary file).

        A partial file is removed when the download fails.
        """
        async with self.stream("GET", path, **kwargs) as response:
            with download_target(to) as write:
                async for chunk in response.aiter_bytes():
                    write(chunk)
        return response

    def paginate(
        self,
        path: str,
        *,
        style: str | None = None,
        path_params: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
        headers: Any = None,
        max_pages: int | None = None,
        items_key: str | None = None,
        **style_options: Any,
    ) -> AsyncPages:
        """Iterate (``async for``) over the pages of a collection; ``.items()`` for items."""
        spec = self.page_spec(style, max_pages, items_key, style_options)
        return AsyncPages(self, spec, path, path_params, params, headers)

    # -- lifecycle -----------------------------------------------------------------------
    async def bulk(
        self,
        items: Iterable[Item],
        fn: Callable[[AsyncClient, Item], Awaitable[Any]],
        *,
        concurrency: int = 8,
        progress: bool | Progress | None = None,
        checkpoint: str | os.PathLike[str] | None = None,
        key: Callable[[Item], str] | None = None,
        executor: Any = None,
        chunk_size: int = 50,
    ) -> BulkResult[Item]:
        """Call ``fn(client, item)`` for every item, ``concurrency`` at a time; the result
        accounts for every item (see :mod:`restwright.engine.bulk` and ``docs/bulk.md``).

        ``progress``: ``True`` for a bar on stderr when it is a terminal, or a callback
        ``progress(done, total)``.  ``checkpoint``: a file of finished items' keys (``key(item)``,
        default its JSON text) so a killed job resumes without redoing them.  ``executor``:
        run the items in other processes (a ``concurrent.futures`` process pool, a Dask
        ``distributed.Client``...), ``chunk_size`` items per task, ``concurrency`` tasks in
        flight; each worker rebuilds this client once from its settings.
        """
        from .bulk import BulkOptions, prepare, run_on_executor

        options = BulkOptions(concurrency, progress, checkpoint, key, executor, chunk_size)
        run = prepare(self, items, fn, options)

        async def work() -> None:
            while True:
                found, item = run.next_item()
                if not found:
                    return
                try:
                    value = await fn(self, item)
                except Exception as exc:
                    run.failed(item, exc)
                else:
                    run.succeeded(item, value)

        try:
            if executor is None:
                await asyncio.gather(*(work() for _ in range(concurrency)))
            else:
                await asyncio.to_thread(
                    run_on_executor,
                    self,
                    run,
                    fn,
                    executor,
                    concurrency,
                    chunk_size=chunk_size,
                    is_async=True,
                )
        finally:
            run.close()
        return run.result

    async def aclose(self) -> None:
        if self._owns_transport:
            await self._transport.aclose()
        self._save_cookies()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


class AsyncPages:
    """The pages of a paginated collection (async): ``async for``, or :meth:`items`."""

    def __init__(
        self,
        client: AsyncClient,
        spec: PageSpec,
        path: str,
        path_params: Mapping[str, Any] | None,
        params: Mapping[str, Any] | None,
        headers: Any,
    ) -> None:
        self._client = client
        self._spec = spec
        self._path = client.build_request("GET", path, path_params=path_params).url
        self._params = params
        self._headers = headers

    async def __aiter__(self) -> AsyncIterator[Response]:
        walker = walk(self._spec, self._path, self._params)
        page: PageRequest = next(walker)
        while True:
            response = await self._client.get(page.path, params=page.params, headers=self._headers)
            yield response
            try:
                page = walker.send(response)
            except StopIteration:
                return

    async def items(self) -> AsyncIterator[Any]:
        """Every item of every page, in order."""
        async for response in self:
            for item in page_items(response.json(), self._spec.items_key):
                yield item
