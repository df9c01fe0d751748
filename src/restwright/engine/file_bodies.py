"""Request bodies read from files: a path, or a binary file object.

Why objects rather than generators: a generator is spent by the first attempt, so a request
whose body is one can be neither retried after a connection reset nor sent on after a
307/308.  :class:`FileBody` (a path) opens the file again for each attempt, and
:class:`FileObjectBody` (a seekable file object) seeks back to where its content began;
both say ``replayable = True``, which :attr:`Request.replayable` reads.  A file object
that cannot seek (a pipe, a socket, standard input) becomes a :class:`StreamBody`: sent
once, never silently re-sent.  Every one of them is read ``CHUNK`` bytes at a time, never
whole, and knows its length when it can (so it goes with a ``Content-Length``, not chunked).
"""

from __future__ import annotations

import io
import os
import stat
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Iterator
from typing import IO, Any

from ..errors import InvalidRequestError

__all__ = [
    "CHUNK",
    "FileBody",
    "FileContent",
    "FileObjectBody",
    "StreamBody",
    "file_body",
    "read_chunks",
    "remaining_size",
]

CHUNK = 64 * 1024


def remaining_size(fh: Any) -> int | None:
    """Bytes left in ``fh`` when it is a binary regular file (so its body goes with a
    ``Content-Length``, not chunked); ``None`` for pipes, sockets, in-memory readers and
    text readers (whose encoded size is not their size on disk)."""
    if isinstance(fh, io.TextIOBase):
        return None
    try:
        status = os.fstat(fh.fileno())
        if not stat.S_ISREG(status.st_mode):
            return None
        return max(status.st_size - int(fh.tell()), 0)
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is both
        return None


def read_chunks(fh: IO[bytes], size: int | None = None) -> Iterator[bytes]:
    """``fh`` read ``CHUNK`` bytes at a time, never whole (a text reader's chunks encoded):
    to its end, or exactly ``size`` bytes, the ``Content-Length`` the request announced.

    Why exactly: a file that grew since its length was taken (a log being written) would
    put bytes after the announced end, which the server reads as the start of the next
    request on the connection; they are left out.  A file that shrank cannot fill the
    announced length: that raises (the transport's ``WriteError``, the connection closed)
    rather than leave the server waiting for bytes that never come.
    """
    left = size
    while left is None or left > 0:
        chunk = fh.read(CHUNK if left is None else min(CHUNK, left))
        if not chunk:
            break
        if left is not None:
            left -= len(chunk)
        yield chunk if isinstance(chunk, bytes) else chunk.encode()
    if left:
        raise ValueError(
            f"the file ended {left} bytes before the Content-Length of {size}: it shrank "
            "while it was sent"
        )


class FileContent(ABC):
    """A request body read from a file (the base of the three kinds): ``length`` is its
    ``Content-Length`` (``None``: unknown, sent chunked), ``replayable`` whether it can be
    sent again.  Async iteration reads the same 64 KiB chunks (a local file's reads do not
    stall an event loop the way a network read would)."""

    __slots__ = ()

    replayable: bool
    length: int | None

    @abstractmethod
    def __iter__(self) -> Iterator[bytes]:
        """The body's chunks, from its start (each body reads its own source)."""

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self:
            yield chunk


class FileBody(FileContent):
    """The file at ``path``, opened and read again each time the body is sent."""

    replayable = True

    __slots__ = ("length", "path")

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        if not os.path.isfile(self.path):
            raise InvalidRequestError(f"no such file {os.path.basename(self.path)!r}")
        #: The size when the body is built: the request's ``Content-Length``.
        self.length = os.path.getsize(self.path)

    def __iter__(self) -> Iterator[bytes]:
        with open(self.path, "rb") as fh:
            yield from read_chunks(fh, self.length)

    def __repr__(self) -> str:
        return f"<FileBody {os.path.basename(self.path)!r} ({self.length} bytes)>"


class FileObjectBody(FileContent):
    """A seekable file object's content from where it stood when the body was built: each
    send seeks back there first.  The caller keeps the file open (and closes it)."""

    replayable = True

    __slots__ = ("file", "length", "start")

    def __init__(self, file: IO[bytes], start: int) -> None:
        self.file = file
        self.start = start
        self.length = remaining_size(file)

    def __iter__(self) -> Iterator[bytes]:
        self.file.seek(self.start)
        return read_chunks(self.file, self.length)

    def __repr__(self) -> str:
        return f"<FileObjectBody from byte {self.start} ({self.length} bytes)>"


class StreamBody(FileContent):
    """A file object that cannot seek back (a pipe, a socket, standard input): its content
    goes out once, so a request carrying it is never re-sent (see ``Request.replayable``)."""

    replayable = False

    __slots__ = ("file", "length")

    def __init__(self, file: IO[bytes]) -> None:
        self.file = file
        self.length = remaining_size(file)

    def __iter__(self) -> Iterator[bytes]:
        return read_chunks(self.file, self.length)

    def __repr__(self) -> str:
        return "<StreamBody (sent once)>"


def _start_of(file: Any) -> int | None:
    """Where a file object stands, when it can seek back there; else ``None``."""
    try:
        return int(file.tell()) if file.seekable() else None
    except (AttributeError, OSError, ValueError):
        return None


def file_body(source: str | os.PathLike[str] | IO[bytes]) -> FileContent:
    """The body for a path (a :class:`FileBody`) or a binary file object (replayed from
    where it stands when it can seek, else sent once)."""
    if isinstance(source, (str, os.PathLike)):
        return FileBody(source)
    start = _start_of(source)
    return StreamBody(source) if start is None else FileObjectBody(source, start)
