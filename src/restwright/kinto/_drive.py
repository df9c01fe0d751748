"""The two thin executors of :mod:`restwright.kinto._core` operations: sync and async.

They only pass each call to the session (``request`` or ``download``) or wait (``SLEEP``),
send the result back into the operation, or throw the failure into it.  Everything else is
in the operations.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from typing import Any, TypeVar

from ._core import DOWNLOAD, SLEEP, Op, Page, PagedOp

T = TypeVar("T")

__all__ = ["adrive", "adrive_pages", "drive", "drive_pages"]


def drive(session: Any, op: Op[T]) -> T:
    """Run ``op`` with blocking calls to ``session``; return its result."""
    request = session.request
    try:
        method, endpoint, kwargs = next(op)
        while True:
            try:
                if method is DOWNLOAD:
                    result = session.download(endpoint, **kwargs)
                elif method is SLEEP:
                    time.sleep(kwargs["seconds"])
                    result = None
                else:
                    result = request(method, endpoint, **kwargs)
            except Exception as exc:
                method, endpoint, kwargs = op.throw(exc)
            else:
                method, endpoint, kwargs = op.send(result)
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]


async def adrive(session: Any, op: Op[T]) -> T:
    """Run ``op`` with awaited calls to ``session``; return its result."""
    request = session.request
    try:
        method, endpoint, kwargs = next(op)
        while True:
            try:
                if method is DOWNLOAD:
                    result = await session.download(endpoint, **kwargs)
                elif method is SLEEP:
                    import asyncio

                    await asyncio.sleep(kwargs["seconds"])
                    result = None
                else:
                    result = await request(method, endpoint, **kwargs)
            except Exception as exc:
                method, endpoint, kwargs = op.throw(exc)
            else:
                method, endpoint, kwargs = op.send(result)
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]


def drive_pages(session: Any, op: PagedOp) -> Iterator[Any]:
    """Run a paged operation with blocking calls; yield each page it hands over."""
    request = session.request
    try:
        item = next(op)
        while True:
            if type(item) is Page:
                yield item.body
                item = next(op)
                continue
            method, endpoint, kwargs = item  # type: ignore[misc]
            try:
                result = request(method, endpoint, **kwargs)
            except Exception as exc:
                item = op.throw(exc)
            else:
                item = op.send(result)
    except StopIteration:
        return


async def adrive_pages(session: Any, op: PagedOp) -> AsyncIterator[Any]:
    """Run a paged operation with awaited calls; yield each page it hands over."""
    request = session.request
    try:
        item = next(op)
        while True:
            if type(item) is Page:
                yield item.body
                item = next(op)
                continue
            method, endpoint, kwargs = item  # type: ignore[misc]
            try:
                result = await request(method, endpoint, **kwargs)
            except Exception as exc:
                item = op.throw(exc)
            else:
                item = op.send(result)
    except StopIteration:
        return
