"""Streaming ``multipart/form-data`` bodies.

Files are given as a path, bytes, a binary file object, an iterator of bytes, or a
requests-style tuple ``(filename, content[, content_type])``.  Nothing is loaded whole into
memory: the body is produced part by part in chunks, and its length is computed up front
when every part has a known size (so servers that refuse chunked uploads still work).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from typing import Any

from ..errors import InvalidRequestError
from .file_bodies import FileBody, file_body


def _quote_param(value: str) -> str:
    # HTML5's escaping for form-data names/filenames (what browsers and httpx do).
    return value.replace("\\", "\\\\").replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


class _Part:
    __slots__ = ("head", "length", "source")

    def __init__(self, head: bytes, source: Any, length: int | None) -> None:
        self.head = head
        self.source = source  # bytes, a file body, or an iterator of bytes
        self.length = length

    @property
    def replayable(self) -> bool:
        """Whether the part can be produced again (for a retry or a redirect)."""
        return isinstance(self.source, bytes) or bool(getattr(self.source, "replayable", False))


def _file_part(name: str, spec: Any) -> _Part:
    filename: str | None = None
    content_type: str | None = None
    content = spec
    if isinstance(spec, tuple):
        if not 2 <= len(spec) <= 3:
            raise InvalidRequestError(
                f"file {name!r}: a tuple is (filename, content[, content_type])"
            )
        filename, content = spec[0], spec[1]
        content_type = spec[2] if len(spec) == 3 else None
    source: Any
    length: int | None
    if isinstance(content, (str, os.PathLike)) and not isinstance(content, bytes):
        try:
            source = FileBody(content)
        except InvalidRequestError as exc:  # not a file
            raise InvalidRequestError(f"file {name!r}: {exc}") from None
        filename = filename or os.path.basename(source.path)
        length = source.length
    elif isinstance(content, (bytes, bytearray, memoryview)):
        source, length = bytes(content), len(content)
    elif hasattr(content, "read"):
        filename = filename or os.path.basename(str(getattr(content, "name", "") or "")) or None
        source = file_body(content)
        length = source.length
    elif isinstance(content, Iterable) or hasattr(content, "__aiter__"):
        source, length = content, None
    else:
        raise InvalidRequestError(f"file {name!r}: unsupported content {type(content).__name__}")
    filename = filename or name
    if content_type is None:
        import mimetypes

        content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    head = (
        f'Content-Disposition: form-data; name="{_quote_param(name)}"; '
        f'filename="{_quote_param(filename)}"\r\nContent-Type: {content_type}\r\n\r\n'
    ).encode()
    return _Part(head, source, length)


def _field_part(name: str, value: Any) -> _Part:
    if isinstance(value, bool):
        value = "true" if value else "false"
    data = value if isinstance(value, bytes) else str(value).encode("utf-8")
    head = f'Content-Disposition: form-data; name="{_quote_param(name)}"\r\n\r\n'.encode()
    return _Part(head, data, len(data))


class MultipartStream:
    """A multipart body; iterate (sync) or async-iterate it to get the bytes."""

    def __init__(
        self,
        data: Mapping[str, Any] | None,
        files: Mapping[str, Any] | Iterable[tuple[str, Any]],
        boundary: str | None = None,
    ) -> None:
        self.boundary = boundary or os.urandom(16).hex()
        parts: list[_Part] = []
        for key, value in (data or {}).items():
            for v in value if isinstance(value, (list, tuple)) else [value]:
                parts.append(_field_part(key, v))
        items = files.items() if isinstance(files, Mapping) else files
        for key, spec in items:
            parts.append(_file_part(key, spec))
        self._parts = parts

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    @property
    def replayable(self) -> bool:
        """True when every part can be produced again, so the body can be re-sent."""
        return all(part.replayable for part in self._parts)

    @property
    def content_length(self) -> int | None:
        """Total size in bytes, or None when a part has no known size (sent chunked)."""
        total = 0
        sep = len(self.boundary) + 6  # --boundary\r\n ... \r\n
        for part in self._parts:
            if part.length is None:
                return None
            total += sep + len(part.head) + part.length
        return total + len(self.boundary) + 6  # --boundary--\r\n

    def _opening(self, part: _Part) -> bytes:
        return b"--" + self.boundary.encode() + b"\r\n" + part.head

    def _closing(self) -> bytes:
        return b"--" + self.boundary.encode() + b"--\r\n"

    def _iter_part(self, part: _Part) -> Iterator[bytes]:
        """The bytes of one part whose source can be read without awaiting."""
        yield self._opening(part)
        src = part.source
        if isinstance(src, bytes):
            yield src
        elif hasattr(src, "__aiter__") and not hasattr(src, "__iter__"):
            raise InvalidRequestError("an async iterator can only be uploaded by AsyncClient")
        else:
            for chunk in src:
                yield chunk.encode() if isinstance(chunk, str) else bytes(chunk)
        yield b"\r\n"

    def __iter__(self) -> Iterator[bytes]:
        for part in self._parts:
            yield from self._iter_part(part)
        yield self._closing()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for part in self._parts:
            if hasattr(part.source, "__aiter__"):
                yield self._opening(part)
                async for chunk in part.source:
                    yield chunk.encode() if isinstance(chunk, str) else bytes(chunk)
                yield b"\r\n"
            else:
                for chunk in self._iter_part(part):
                    yield chunk
        yield self._closing()
