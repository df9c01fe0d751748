"""``Client`` and ``AsyncClient``: kinto-http's API on restwright's engine.

Both expose the same methods, with kinto-http's names, parameters and defaults; on
:class:`AsyncClient` they are awaited (``batch()`` is an ``async with`` block and
``get_paginated_records()`` an ``async for`` iterable, also awaitable for a list).  Each
method is one shared operation of :class:`~restwright.kinto._core.ClientCore`, run by the
sync or async driver: the clients contain no request logic of their own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine, Generator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any, Concatenate, ParamSpec, TypeVar

from ._core import ClientCore, Op
from ._drive import adrive, adrive_pages, drive, drive_pages
from .batch import AsyncBatchSession, BatchSession
from .session import (
    _SESSION_OPTIONS,
    DEFAULT_TIMEOUT,
    AsyncSession,
    Session,
    check_session_args,
    coerce_auth,
)

__all__ = ["AsyncClient", "Client"]

P = ParamSpec("P")
T = TypeVar("T")


def _named(method: Callable[..., Any], op: Callable[..., Any]) -> None:
    name = op.__name__.removeprefix("_op_")
    method.__name__ = name
    method.__qualname__ = name
    method.__doc__ = op.__doc__
    method.__wrapped__ = op  # type: ignore[attr-defined]


def _sync(op: Callable[Concatenate[Any, P], Op[T]]) -> Callable[Concatenate[Client, P], T]:
    """The blocking method running ``op``."""

    def method(self: Client, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return drive(self.session, op(self, *args, **kwargs))

    _named(method, op)
    return method


def _async(
    op: Callable[Concatenate[Any, P], Op[T]],
) -> Callable[Concatenate[AsyncClient, P], Coroutine[Any, Any, T]]:
    """The coroutine method running ``op``."""

    async def method(self: AsyncClient, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return await adrive(self.session, op(self, *args, **kwargs))

    _named(method, op)
    return method


class _ClientBase(ClientCore):
    """Construction and cloning (the session class is the only difference)."""

    _session_class: type[Any] = Session

    def __init__(
        self,
        *,
        server_url: str | None = None,
        session: Any = None,
        auth: Any = None,
        bucket: str | None = "default",
        collection: str | None = None,
        retry: int = 0,
        retry_after: float | None = None,
        timeout: Any = DEFAULT_TIMEOUT,
        ignore_batch_4xx: bool = False,
        headers: dict[str, str] | None = None,
        dry_mode: bool = False,
    ) -> None:
        check_session_args(server_url, auth, session)
        if session is None:
            session = self._session_class(
                server_url=server_url,
                auth=coerce_auth(auth),
                retry=retry,
                retry_after=retry_after,
                timeout=timeout,
                headers=headers,
                dry_mode=dry_mode,
            )
        self.session = session
        self._init_core(bucket, collection, ignore_batch_4xx)

    def clone(self, **kwargs: Any) -> Any:
        """A client like this one with some arguments changed.

        Changing only ``bucket``/``collection`` shares the session; changing session
        options (``server_url``, ``auth``, ``retry``, ``timeout``...) derives a new session
        that still shares the connection pool when the server is the same.
        """
        options = {k: kwargs.pop(k) for k in _SESSION_OPTIONS if k in kwargs}
        if "session" not in kwargs:
            kwargs["session"] = self.session.derive(**options) if options else self.session
        kwargs.setdefault("bucket", self.bucket_name)
        kwargs.setdefault("collection", self.collection_name)
        kwargs.setdefault("ignore_batch_4xx", self._ignore_batch_4xx)
        return type(self)(**kwargs)

    def bulk(self, items: Any, fn: Callable[[Any, Any], Any], **options: Any) -> Any:
        """Call ``fn(client, item)`` for every item, ``concurrency`` at a time, with this
        Kinto client; the result accounts for every item (:meth:`restwright.Client.bulk`;
        awaited on :class:`AsyncClient`, where ``fn`` is a coroutine function).

        The workers share this client's session, so its connection pool and its back-off:
        a Kinto ``Backoff`` header (or a ``Retry-After`` on 429/503) seen by one worker
        holds them all.  An item can be one record (``fn`` creates it) or a chunk of
        records (``fn`` sends it in one ``batch()``; a failed chunk's
        :class:`~restwright.kinto.KintoBatchException` lists each failed, rolled back or
        unsent sub-request).  The work runs in this process: ``executor=`` is refused.
        """
        if options.get("executor") is not None:
            raise TypeError("Kinto bulk work runs in this process; executor= is not supported")
        engine = self.session.engine
        if engine is None:
            raise TypeError("this client's session has no engine (no server_url)")
        return engine.bulk(items, lambda _engine, item: fn(self, item), **options)


class Client(_ClientBase):
    """The Kinto client (sync), a drop-in replacement for ``kinto_http.Client``."""

    _session_class = Session

    @contextmanager
    def batch(self, **kwargs: Any) -> Iterator[Client]:
        """Collect requests in the block; send them to ``/batch`` when it ends.

        See :mod:`restwright.kinto.batch`.  ``batch.results()`` holds the sub-responses.
        """
        max_requests = drive(self.session, self._op_batch_max_requests())
        batch_session = BatchSession(
            self, batch_max_requests=max_requests, ignore_4xx_errors=self._ignore_batch_4xx
        )
        batch_client = self.clone(session=batch_session, **kwargs)
        batch_client.results = batch_session.results
        yield batch_client
        batch_session.send()
        batch_session.reset()

    def get_paginated_records(
        self, *, collection: str | None = None, bucket: str | None = None, **kwargs: Any
    ) -> Iterator[dict[str, Any]]:
        """Yield each page (a dict with ``data``) of the collection's records."""
        op = self._op_get_paginated_records(collection=collection, bucket=bucket, **kwargs)
        return drive_pages(self.session, op)

    def close(self) -> None:
        """Close the connections of the session (also done by ``with Client(...)``)."""
        close = getattr(self.session, "close", None)
        if close is not None:
            close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    server_info = _sync(ClientCore._op_server_info)
    create_bucket = _sync(ClientCore._op_create_bucket)
    update_bucket = _sync(ClientCore._op_update_bucket)
    patch_bucket = _sync(ClientCore._op_patch_bucket)
    get_buckets = _sync(ClientCore._op_get_buckets)
    get_bucket = _sync(ClientCore._op_get_bucket)
    delete_bucket = _sync(ClientCore._op_delete_bucket)
    delete_buckets = _sync(ClientCore._op_delete_buckets)
    get_groups = _sync(ClientCore._op_get_groups)
    create_group = _sync(ClientCore._op_create_group)
    update_group = _sync(ClientCore._op_update_group)
    patch_group = _sync(ClientCore._op_patch_group)
    get_group = _sync(ClientCore._op_get_group)
    delete_group = _sync(ClientCore._op_delete_group)
    delete_groups = _sync(ClientCore._op_delete_groups)
    get_collections = _sync(ClientCore._op_get_collections)
    create_collection = _sync(ClientCore._op_create_collection)
    update_collection = _sync(ClientCore._op_update_collection)
    patch_collection = _sync(ClientCore._op_patch_collection)
    get_collection = _sync(ClientCore._op_get_collection)
    delete_collection = _sync(ClientCore._op_delete_collection)
    delete_collections = _sync(ClientCore._op_delete_collections)
    get_records_timestamp = _sync(ClientCore._op_get_records_timestamp)
    get_records = _sync(ClientCore._op_get_records)
    get_permissions = _sync(ClientCore._op_get_permissions)
    get_record = _sync(ClientCore._op_get_record)
    create_record = _sync(ClientCore._op_create_record)
    update_record = _sync(ClientCore._op_update_record)
    patch_record = _sync(ClientCore._op_patch_record)
    delete_record = _sync(ClientCore._op_delete_record)
    delete_records = _sync(ClientCore._op_delete_records)
    get_history = _sync(ClientCore._op_get_history)
    purge_history = _sync(ClientCore._op_purge_history)
    add_attachment = _sync(ClientCore._op_add_attachment)
    download_attachment = _sync(ClientCore._op_download_attachment)
    remove_attachment = _sync(ClientCore._op_remove_attachment)
    get_changeset = _sync(ClientCore._op_get_changeset)
    request_review = _sync(ClientCore._op_request_review)
    decline_changes = _sync(ClientCore._op_decline_changes)
    approve_changes = _sync(ClientCore._op_approve_changes)
    rollback_changes = _sync(ClientCore._op_rollback_changes)


class _AsyncPages:
    """``get_paginated_records()`` of the async client: ``async for page in ...``, or
    ``await`` it for the list of pages (what kinto-http's async client returned)."""

    def __init__(self, pages: AsyncIterator[dict[str, Any]]) -> None:
        self._pages = pages

    def __aiter__(self) -> AsyncIterator[dict[str, Any]]:
        return self._pages

    def __await__(self) -> Generator[Any, None, list[dict[str, Any]]]:
        return self._collect().__await__()

    async def _collect(self) -> list[dict[str, Any]]:
        return [page async for page in self._pages]


class AsyncClient(_ClientBase):
    """The Kinto client (asyncio): the same methods as :class:`Client`, awaited."""

    _session_class = AsyncSession

    @asynccontextmanager
    async def batch(self, *, parallel: int = 1, **kwargs: Any) -> AsyncIterator[AsyncClient]:
        """``async with client.batch() as batch:`` (kinto-http has no async batch).

        ``parallel=N`` sends up to N chunks at once (see
        :meth:`restwright.kinto.batch.AsyncBatchSession.send`: for independent sub-requests).
        It pays only when the server applies chunks concurrently: a single-process Kinto
        does not, and on PostgreSQL concurrent chunks into one collection conflict (they
        are re-sent, which costs the server more than it saves -- see bench/README.md).
        """
        max_requests = await adrive(self.session, self._op_batch_max_requests())
        batch_session = AsyncBatchSession(
            self, batch_max_requests=max_requests, ignore_4xx_errors=self._ignore_batch_4xx
        )
        batch_client = self.clone(session=batch_session, **kwargs)
        batch_client.results = batch_session.results
        yield batch_client
        await batch_session.send(parallel=parallel)
        batch_session.reset()

    def get_paginated_records(
        self, *, collection: str | None = None, bucket: str | None = None, **kwargs: Any
    ) -> _AsyncPages:
        """``async for page in client.get_paginated_records(): ...``"""
        op = self._op_get_paginated_records(collection=collection, bucket=bucket, **kwargs)
        return _AsyncPages(adrive_pages(self.session, op))

    async def aclose(self) -> None:
        """Close the connections of the session (also done by ``async with``)."""
        aclose = getattr(self.session, "aclose", None)
        if aclose is not None:
            await aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    server_info = _async(ClientCore._op_server_info)
    create_bucket = _async(ClientCore._op_create_bucket)
    update_bucket = _async(ClientCore._op_update_bucket)
    patch_bucket = _async(ClientCore._op_patch_bucket)
    get_buckets = _async(ClientCore._op_get_buckets)
    get_bucket = _async(ClientCore._op_get_bucket)
    delete_bucket = _async(ClientCore._op_delete_bucket)
    delete_buckets = _async(ClientCore._op_delete_buckets)
    get_groups = _async(ClientCore._op_get_groups)
    create_group = _async(ClientCore._op_create_group)
    update_group = _async(ClientCore._op_update_group)
    patch_group = _async(ClientCore._op_patch_group)
    get_group = _async(ClientCore._op_get_group)
    delete_group = _async(ClientCore._op_delete_group)
    delete_groups = _async(ClientCore._op_delete_groups)
    get_collections = _async(ClientCore._op_get_collections)
    create_collection = _async(ClientCore._op_create_collection)
    update_collection = _async(ClientCore._op_update_collection)
    patch_collection = _async(ClientCore._op_patch_collection)
    get_collection = _async(ClientCore._op_get_collection)
    delete_collection = _async(ClientCore._op_delete_collection)
    delete_collections = _async(ClientCore._op_delete_collections)
    get_records_timestamp = _async(ClientCore._op_get_records_timestamp)
    get_records = _async(ClientCore._op_get_records)
    get_permissions = _async(ClientCore._op_get_permissions)
    get_record = _async(ClientCore._op_get_record)
    create_record = _async(ClientCore._op_create_record)
    update_record = _async(ClientCore._op_update_record)
    patch_record = _async(ClientCore._op_patch_record)
    delete_record = _async(ClientCore._op_delete_record)
    delete_records = _async(ClientCore._op_delete_records)
    get_history = _async(ClientCore._op_get_history)
    purge_history = _async(ClientCore._op_purge_history)
    add_attachment = _async(ClientCore._op_add_attachment)
    download_attachment = _async(ClientCore._op_download_attachment)
    remove_attachment = _async(ClientCore._op_remove_attachment)
    get_changeset = _async(ClientCore._op_get_changeset)
    request_review = _async(ClientCore._op_request_review)
    decline_changes = _async(ClientCore._op_decline_changes)
    approve_changes = _async(ClientCore._op_approve_changes)
    rollback_changes = _async(ClientCore._op_rollback_changes)
