"""The sync client: drives the shared pipeline with blocking calls."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from contextlib import contextmanager
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


class Client(BaseClient):
    """A sync HTTP client for one API (see ``docs/engine.md``).

    >>> with Client("https://kinto.example/v1", auth=("user", "pass")) as api:
    ...     api.get("/buckets/{bucket}", path_params={"bucket": "main"}).json()
    """

    def _default_transport(self) -> Any:
        if self.dry_run:
            from ..transports.dry_run import DryRunTransport

            return DryRunTransport()
        from ..transports.sync_socket import SocketTransport

        return SocketTransport(**self._transport_options)

    # -- the driver ----------------------------------------------------------------------
    def _run(self, gen: Generator[Any, Any, Response]) -> Response:
        handle = self._transport.handle
        try:
            action = next(gen)
            while True:
                kind = type(action)
                if kind is Send:
                    try:
                        result = handle(action.request, stream=action.stream)
                    except TransportError as exc:
                        action = gen.throw(exc)
                        continue
                    action = gen.send(result)
                elif kind is Sleep:
                    time.sleep(action.seconds)
                    action = gen.send(None)
                elif kind is CallHook:
                    action.func(action.arg)
                    action = gen.send(None)
                elif kind is Blocking:
                    action = gen.send(action.func(*action.args))
                elif kind is ReadBody:
                    action.response.read()
                    action = gen.send(None)
                elif kind is CloseResponse:
                    action.response.close()
                    action = gen.send(None)
                else:  # pragma: no cover - the pipeline only yields the actions above
                    raise TypeError(f"unknown pipeline action {action!r}")
        except StopIteration as stop:
            result = stop.value
            assert isinstance(result, Response)
            return result

    def send(self, request: Request, *, stream: bool = False) -> Response:
        """Send a request built with :meth:`build_request` through the whole pipeline."""
        return self._run(exchange(self._policy, request, stream=stream))

    # -- requests ------------------------------------------------------------------------
    def _call(self, request: Request, retry: Retry | None, idempotent: bool | None) -> Response:
        return self._run(exchange(self._policy, request, retry=retry, idempotent=idempotent))

    def request(self, method: str, path: str, **kwargs: Unpack[RequestOptions]) -> Response:
        """Send a request; the keywords are :class:`~restwright.engine.base_client.RequestOptions`
        (those of :meth:`BaseClient.build_request`, plus ``retry`` and ``idempotent``).

        ``retry`` overrides the client's retry policy for this call; ``idempotent=True``
        vouches that the call may be repeated (a POST the API deduplicates), ``False``
        forbids any re-send once it may have reached the server.
        Raises an :class:`~restwright.errors.ApiError` subclass for 4xx/5xx answers.
        """
        return self._call(*self._prepare_call("request", method, path, kwargs))

    def get(self, path: str, **kwargs: Unpack[RequestOptions]) -> Response:
        """GET ``path`` (see :meth:`request`)."""
        return self._call(*self._prepare_call("get", "GET", path, kwargs))

    def post(self, path: str, **kwargs: Unpack[RequestOptions]) -> Response:
        """POST ``path`` (see :meth:`request`)."""
        return self._call(*self._prepare_call("post", "POST", path, kwargs))

    def put(self, path: str, **kwargs: Unpack[RequestOptions]) -> Response:
        """PUT ``path`` (see :meth:`request`)."""
        return self._call(*self._prepare_call("put", "PUT", path, kwargs))

    def patch(self, path: str, **kwargs: Unpack[RequestOptions]) -> Response:
        """PATCH ``path`` (see :meth:`request`)."""
        return self._call(*self._prepare_call("patch", "PATCH", path, kwargs))

    def delete(self, path: str, **kwargs: Unpack[RequestOptions]) -> Response:
        """DELETE ``path`` (see :meth:`request`)."""
        return self._call(*self._prepare_call("delete", "DELETE", path, kwargs))

    def head(self, path: str, **kwargs: Unpack[RequestOptions]) -> Response:
        """HEAD ``path`` (see :meth:`request`)."""
        return self._call(*self._prepare_call("head", "HEAD", path, kwargs))

    def options(self, path: str, **kwargs: Unpack[RequestOptions]) -> Response:
        """OPTIONS ``path`` (see :meth:`request`)."""
        return self._call(*self._prepare_call("options", "OPTIONS", path, kwargs))

    @contextmanager
    def stream(self, method: str, path: str, **kwargs: Unpack[BuildOptions]) -> Iterator[Response]:
        """A response whose body is read as you iterate ``response.iter_bytes()``."""
        request = self._build("stream", method, path, kwargs)
        response = self._run(exchange(self._policy, request, stream=True))
        try:
            yield response
        finally:
            response.close()

    def download(
        self, path: str, to: str | os.PathLike[str] | IO[bytes], **kwargs: Unpack[BuildOptions]
    ) -> Response:
        """Stream a response body into a file (a path or an open binary file).

        A partial file is removed when the download fails.
        """
        with self.stream("GET", path, **kwargs) as response, download_target(to) as write:
            for chunk in response.iter_bytes():
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
    ) -> Pages:
        """Iterate over the pages (responses) of a collection; ``.items()`` for items."""
        spec = self.page_spec(style, max_pages, items_key, style_options)
        return Pages(self, spec, path, path_params, params, headers)

    # -- lifecycle -----------------------------------------------------------------------
    def bulk(
        self,
        items: Iterable[Item],
        fn: Callable[[Client, Item], Any],
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
        from .bulk import BulkOptions, prepare, run_in_threads, run_on_executor

        options = BulkOptions(concurrency, progress, checkpoint, key, executor, chunk_size)
        run = prepare(self, items, fn, options)
        try:
            if executor is None:
                run_in_threads(self, run, fn, concurrency)
            else:
                run_on_executor(
                    self, run, fn, executor, concurrency, chunk_size=chunk_size, is_async=False
                )
        finally:
            run.close()
        return run.result

    def close(self) -> None:
        if self._owns_transport:
            self._transport.close()
        self._save_cookies()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Pages:
    """The pages of a paginated collection (sync). Iterate it, or call :meth:`items`."""

    def __init__(
        self,
        client: Client,
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

    def __iter__(self) -> Iterator[Response]:
        walker = walk(self._spec, self._path, self._params)
        page: PageRequest = next(walker)
        while True:
            response = self._client.get(page.path, params=page.params, headers=self._headers)
            yield response
            try:
                page = walker.send(response)
            except StopIteration:
                return

    def items(self) -> Iterator[Any]:
        """Every item of every page, in order."""
        for response in self:
            yield from page_items(response.json(), self._spec.items_key)
