"""Bulk work: one function per item over a client, bounded concurrency, nothing lost.

``client.bulk(items, fn, concurrency=8)`` calls ``fn(client, item)`` for every item (threads
for :class:`~restwright.Client`, tasks for :class:`~restwright.AsyncClient`, which awaits
``fn``).  Workers pull items one at a time, so 100,000 items never become 100,000 pending
futures.  They share the client, hence its connection pool and its per-origin back-off: a
``Retry-After`` (on 429/503) or ``Backoff`` answer seen by one worker holds every worker of
that origin (see :class:`restwright.engine.pipeline.BackoffState`).

The :class:`BulkResult` accounts for every item: each one either succeeded (with ``fn``'s
value) or failed (with its exception); ``retry_failed()`` runs the failed ones again.  With
``checkpoint=PATH`` the key of every finished item is appended to a file as it finishes, so a
job that was killed resumes without redoing them.  This module holds the parts shared by the
sync and async drivers; the drivers live in ``client.py`` / ``async_client.py``.
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Generic, NamedTuple, TypeVar

from ..errors import BulkError

logger = logging.getLogger("restwright")

Item = TypeVar("Item")
Progress = Callable[[int, "int | None"], None]


def default_key(item: Any) -> str:
    """The checkpoint key of an item: its JSON text (keys sorted), else its ``repr``."""
    try:
        return json.dumps(item, sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError):
        return repr(item)


class BulkResult(Generic[Item]):
    """What became of every item of a bulk run.

    ``succeeded``: ``(item, value)`` pairs; ``failed``: ``(item, exception)`` pairs;
    ``skipped``: how many items the checkpoint said were already done.  ``ok`` is true when
    nothing failed; :meth:`raise_for_failures` raises :class:`~restwright.errors.BulkError`
    listing every failure; :meth:`retry_failed` runs the failed items again with the same
    client, function and options (awaitable for async clients).
    """

    def __init__(self, rerun: Callable[[list[Item]], Any]) -> None:
        self.succeeded: list[tuple[Item, Any]] = []
        self.failed: list[tuple[Item, BaseException]] = []
        self.skipped = 0
        self._rerun = rerun

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def failed_items(self) -> list[Item]:
        return [item for item, _ in self.failed]

    def retry_failed(self) -> Any:
        """Run the failed items again; returns a new result (awaitable for async clients)."""
        return self._rerun(self.failed_items)

    def raise_for_failures(self) -> BulkResult[Item]:
        if self.failed:
            raise BulkError(self.failed, len(self.succeeded))
        return self

    def __len__(self) -> int:
        return len(self.succeeded) + len(self.failed)

    def __repr__(self) -> str:
        skipped = f", {self.skipped} skipped" if self.skipped else ""
        return f"<BulkResult {len(self.succeeded)} succeeded, {len(self.failed)} failed{skipped}>"


class Checkpoint:
    """A file of the keys of finished items, one JSON string per line, appended as they
    finish (one ``write`` per line on an ``O_APPEND`` descriptor, so a kill loses at most
    the line being written, and a torn last line is ignored on reading)."""

    def __init__(self, path: str | os.PathLike[str], key: Callable[[Any], str]) -> None:
        self.path = Path(path)
        self.key = key
        self.done: set[str] = set()
        if self.path.is_file():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                try:
                    self.done.add(json.loads(line))
                except ValueError:
                    continue  # a line torn by a kill
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def finished(self, item: Any) -> None:
        os.write(self._fd, (json.dumps(self.key(item)) + "\n").encode("utf-8"))

    def close(self) -> None:
        os.close(self._fd)


class ProgressReport:
    """Progress of a run: a rich bar on stderr when it is a terminal (and rich is
    installed), or calls of a user callback ``progress(done, total)``."""

    def __init__(self, progress: bool | Progress | None, total: int | None) -> None:
        self.total = total
        self.done = 0
        self._callback: Progress | None = None
        self._bar: Any = None
        self._task: Any = None
        if callable(progress):
            self._callback = progress
        elif progress and sys.stderr.isatty():
            try:
                from rich.console import Console
                from rich.progress import Progress as RichProgress
            except ImportError:
                logger.debug("progress bar wanted but rich is not installed")
            else:
                self._bar = RichProgress(console=Console(stderr=True), transient=False)
                self._bar.start()
                self._task = self._bar.add_task("bulk", total=total)

    def advance(self) -> None:
        self.done += 1
        if self._callback is not None:
            self._callback(self.done, self.total)
        if self._bar is not None:
            self._bar.update(self._task, advance=1)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()


class BulkRun(Generic[Item]):
    """The bookkeeping of one run, shared by the sync and async drivers (thread-safe)."""

    def __init__(
        self,
        items: Iterable[Item],
        result: BulkResult[Item],
        *,
        progress: bool | Progress | None,
        checkpoint: str | os.PathLike[str] | None,
        key: Callable[[Any], str] | None,
    ) -> None:
        self.result = result
        total = len(items) if hasattr(items, "__len__") else None  # type: ignore[arg-type]
        self._checkpoint = Checkpoint(checkpoint, key or default_key) if checkpoint else None
        self._progress = ProgressReport(progress, total)
        self._items = iter(items)
        self._lock = threading.Lock()

    def next_item(self) -> tuple[bool, Any]:
        """``(True, item)`` for the next item to do, ``(False, None)`` when there is none."""
        with self._lock:
            for item in self._items:
                if (
                    self._checkpoint is not None
                    and self._checkpoint.key(item) in self._checkpoint.done
                ):
                    self.result.skipped += 1
                    continue
                return True, item
            return False, None

    def pending(self) -> Iterator[Item]:
        while True:
            found, item = self.next_item()
            if not found:
                return
            yield item

    def succeeded(self, item: Item, value: Any) -> None:
        with self._lock:
            self.result.succeeded.append((item, value))
            if self._checkpoint is not None:
                self._checkpoint.finished(item)
            self._progress.advance()

    def failed(self, item: Item, error: BaseException) -> None:
        logger.info("bulk item failed: %r: %s", item, error)
        with self._lock:
            self.result.failed.append((item, error))
            self._progress.advance()

    def close(self) -> None:
        self._progress.close()
        if self._checkpoint is not None:
            self._checkpoint.close()
        logger.info("bulk run done: %r", self.result)


# -- the sync driver: threads sharing one client --------------------------------------------


def _run_threads(work: Callable[[], None], workers: int, stop: threading.Event) -> None:
    """Run ``work`` in ``workers`` threads until each returns; on Ctrl-C (or any exception
    here) set ``stop`` so they take nothing new, wait for the work in flight, and re-raise."""
    threads = [
        threading.Thread(target=work, name=f"restwright-bulk-{i}", daemon=True)
        for i in range(workers)
    ]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            while thread.is_alive():
                thread.join(0.25)  # a bare join() would not let Ctrl-C through
    except BaseException:
        stop.set()
        for thread in threads:
            thread.join()
        raise


def run_in_threads(
    client: Any, run: BulkRun[Any], fn: Callable[[Any, Any], Any], workers: int
) -> None:
    """``workers`` threads pull items and call ``fn(client, item)`` until none is left.

    A ``BaseException`` in a worker (``SystemExit``...) is recorded as that item's failure,
    stops the others from taking new items, and is raised again here once they are done.
    """
    stop = threading.Event()
    fatal: list[BaseException] = []

    def work() -> None:
        while not stop.is_set():
            found, item = run.next_item()
            if not found:
                return
            try:
                value = fn(client, item)
            except Exception as exc:
                run.failed(item, exc)
            except BaseException as exc:
                run.failed(item, exc)
                fatal.append(exc)
                stop.set()
            else:
                run.succeeded(item, value)

    _run_threads(work, workers, stop)
    if fatal:
        raise fatal[0]


# -- other processes: a process pool, Dask, anything with submit(fn, *args).result() ----------

_WORKER_CLIENTS: dict[bytes, Any] = {}


def _worker_client(blob: bytes) -> Any:
    """The client of this worker process, rebuilt once from its pickled settings."""
    client = _WORKER_CLIENTS.get(blob)
    if client is None:
        client = _WORKER_CLIENTS[blob] = pickle.loads(blob)
    return client


def run_chunk(
    blob: bytes, fn: Callable[[Any, Any], Any], items: list[Any], is_async: bool
) -> list[tuple[bool, Any]]:
    """Run ``fn`` on each item of a chunk, in a worker process: ``(ok, value or error)``."""
    if is_async:
        import asyncio

        async def run_all() -> list[tuple[bool, Any]]:
            async with pickle.loads(blob) as client:  # an async client belongs to one loop
                out: list[tuple[bool, Any]] = []
                for item in items:
                    try:
                        out.append((True, await fn(client, item)))
                    except Exception as exc:
                        out.append((False, exc))
                return out

        return asyncio.run(run_all())
    client = _worker_client(blob)
    out: list[tuple[bool, Any]] = []
    for item in items:
        try:
            out.append((True, fn(client, item)))
        except Exception as exc:
            out.append((False, exc))
    return out


def _chunks(run: BulkRun[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in run.pending():
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def run_on_executor(
    client: Any,
    run: BulkRun[Any],
    fn: Callable[[Any, Any], Any],
    executor: Any,
    workers: int,
    *,
    chunk_size: int,
    is_async: bool,
) -> None:
    """Spread the items over ``executor`` in chunks, ``workers`` chunks in flight.

    Each worker process rebuilds the client once from its pickle (clients pickle their
    options, never sockets).  A chunk whose task fails as a whole (a worker lost, a result
    that does not pickle) marks each of its items failed with that error: nothing is dropped.
    """
    blob = pickle.dumps(client)
    dask = type(executor).__module__.split(".", 1)[0] == "distributed"
    extra = {"pure": False} if dask else {}  # Dask would otherwise reuse a cached result
    chunks = _chunks(run, chunk_size)
    lock = threading.Lock()
    stop = threading.Event()

    def take() -> list[Any] | None:
        with lock:
            return None if stop.is_set() else next(chunks, None)

    def work() -> None:
        while (chunk := take()) is not None:
            try:
                outcomes = executor.submit(run_chunk, blob, fn, chunk, is_async, **extra).result()
                if len(outcomes) != len(chunk):
                    raise RuntimeError(f"a worker answered {len(outcomes)} of {len(chunk)} items")
            except Exception as exc:
                outcomes = [(False, exc)] * len(chunk)
            for item, (ok, value) in zip(chunk, outcomes, strict=True):
                if ok:
                    run.succeeded(item, value)
                else:
                    run.failed(item, value)

    _run_threads(work, workers, stop)


class BulkOptions(NamedTuple):
    """The options of ``client.bulk`` (the same for the sync and async clients)."""

    concurrency: int = 8
    progress: bool | Progress | None = None
    checkpoint: str | os.PathLike[str] | None = None
    key: Callable[[Any], str] | None = None
    executor: Any = None
    chunk_size: int = 50


def prepare(
    client: Any, items: Iterable[Item], fn: Callable[..., Any], options: BulkOptions
) -> BulkRun[Item]:
    """Check the options and start the bookkeeping of one ``client.bulk`` call."""
    for name in ("concurrency", "chunk_size"):
        value = getattr(options, name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name} must be a positive integer, not {value!r}")
    if not callable(fn):
        raise TypeError(f"fn must be callable as fn(client, item), not {fn!r}")
    result: BulkResult[Item] = BulkResult(
        lambda failed: client.bulk(failed, fn, **options._asdict())
    )
    return BulkRun(
        items, result, progress=options.progress, checkpoint=options.checkpoint, key=options.key
    )


__all__ = [
    "BulkOptions",
    "BulkResult",
    "BulkRun",
    "Checkpoint",
    "ProgressReport",
    "default_key",
    "prepare",
    "run_chunk",
    "run_in_threads",
    "run_on_executor",
]
