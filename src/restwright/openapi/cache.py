"""On-disk cache of normalized API descriptions.

Parsing and normalizing a large document costs far more than reading it: GitHub's 13 MB
description takes ~0.3 s to parse and ~0.6 s to load in all, but only ~5 ms to read and
~10 ms to hash.  So the cache is keyed by a digest of the document's *bytes* (plus a
version tag and a fingerprint of the model's fields, so that a restwright upgrade never
reads an entry of another shape), and a hit skips parsing entirely.  Dict sources are
keyed by their canonical JSON (sorted keys); dicts that cannot be serialized, e.g. because
they are cyclic, are simply not cached.

An entry is a pickle of ``(format, base_uri, externals, description)``.  Documents that
reference other files are cached too: ``externals`` records the digest of each referenced
document, and a hit is only used when the referring document sits at the same location
and every referenced document still has the same digest (re-reading them is still far
cheaper than parsing).

Entries are written atomically (temporary file + :func:`os.replace`), so a concurrent
reader sees either the old entry or the new one.  An entry that cannot be read or
unpickled, or has the wrong shape, is ignored and overwritten by the next load.  Old
entries are never deleted; remove the directory to reclaim the space.

The directory is ``cache_dir`` when given, else ``$RESTWRIGHT_CACHE_DIR``, else
``platformdirs.user_cache_dir("restwright")``, else ``~/.cache/restwright``.  Unpickling
runs code named by the file, so the directory must only be writable by its owner (it is
created with mode 0o700).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import hashlib

from .model import (
    ApiDescription,
    MediaType,
    Operation,
    Parameter,
    RequestBody,
    ResponseSpec,
    SecurityScheme,
)

__all__ = [
    "CACHE_VERSION",
    "ENV_VAR",
    "DescriptionCache",
    "default_cache_dir",
    "digest",
    "key_for_bytes",
    "key_for_dict",
]

logger = logging.getLogger(__name__)

CACHE_VERSION = "1"
"""Bump when normalization changes its output for the same document."""

ENV_VAR = "RESTWRIGHT_CACHE_DIR"

_FORMAT = "restwright-openapi-cache/1"


def _fingerprint() -> bytes:
    classes = (MediaType, Parameter, RequestBody, ResponseSpec, SecurityScheme, Operation)
    shapes = [f"{cls.__name__}({','.join(cls.__match_args__)})" for cls in classes]
    shapes.append(f"ApiDescription({','.join(ApiDescription.__match_args__)})")
    return f"{_FORMAT}|{CACHE_VERSION}|{'|'.join(shapes)}".encode()


_KEY_PREFIX = _fingerprint()

# hashlib, pickle and tempfile are imported where they are used: together they cost
# several milliseconds, and ``import restwright.openapi`` should stay cheap.


def _sha256(data: bytes = b"") -> hashlib._Hash:
    import hashlib

    return hashlib.sha256(data)


def digest(data: bytes) -> str:
    """Digest of a document's bytes (SHA-256: ~1 GB/s with CPU support, collision-safe)."""
    return _sha256(data).hexdigest()


def key_for_bytes(data: bytes) -> str:
    """Cache key of a document given as bytes (file, URL or text)."""
    h = _sha256(_KEY_PREFIX)
    h.update(b"\0bytes\0")
    h.update(data)
    return h.hexdigest()


def key_for_file(path: Path) -> str:
    """Cache key of a document file, equal to :func:`key_for_bytes` of its content.

    Hashes in 1 MiB chunks, so a cache hit never holds the whole file in memory.
    Raises OSError when the path is not a readable regular file.
    """
    if not path.is_file():
        raise FileNotFoundError(str(path))
    h = _sha256(_KEY_PREFIX)
    h.update(b"\0bytes\0")
    buffer = bytearray(1 << 20)
    view = memoryview(buffer)
    with path.open("rb", buffering=0) as fh:
        while True:
            n = fh.readinto(buffer)
            if not n:
                break
            h.update(view[:n])
    return h.hexdigest()


def key_for_dict(document: Any) -> str | None:
    """Cache key of a document given as a dict, or ``None`` when it has no canonical JSON."""
    try:
        text = json.dumps(
            document,
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
            default=_json_default,
        )
    except (TypeError, ValueError, RecursionError):
        return None
    h = _sha256(_KEY_PREFIX)
    h.update(b"\0dict\0")
    h.update(text.encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def _json_default(value: Any) -> Any:
    # YAML-ish values a caller's dict may hold (dates, sets ...): keyed by type and repr.
    return {"<python>": f"{type(value).__qualname__}:{value!r}"}


def default_cache_dir() -> Path:
    """The cache directory used when ``load()`` is not given one."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    try:
        from platformdirs import user_cache_dir
    except ImportError:
        return Path.home() / ".cache" / "restwright"
    return Path(user_cache_dir("restwright"))


class DescriptionCache:
    """A directory of pickled :class:`ApiDescription` entries."""

    def __init__(self, directory: str | os.PathLike[str] | None = None) -> None:
        self._directory = Path(directory) if directory is not None else None

    @property
    def directory(self) -> Path:
        if self._directory is None:
            self._directory = default_cache_dir()
        return self._directory

    def path_for(self, key: str) -> Path:
        return self.directory / f"openapi-{key}.pickle"

    def get(
        self, key: str, *, base_uri: str, read: Callable[[str], bytes | None]
    ) -> ApiDescription | None:
        """Return the cached description for ``key``, or ``None`` (miss, stale, corrupt).

        ``read`` re-reads a referenced document (``None`` when it cannot).
        """
        import pickle

        path = self.path_for(key)
        try:
            blob = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            logger.warning("cannot read the cache entry %s: %s", path, exc)
            return None
        try:
            entry = pickle.loads(blob)
        except Exception as exc:  # any unpickling failure means "corrupt"
            logger.warning("ignoring the corrupt cache entry %s (%s)", path, exc)
            return None
        if not (
            isinstance(entry, tuple)
            and len(entry) == 4
            and entry[0] == _FORMAT
            and isinstance(entry[1], str)
            and isinstance(entry[2], dict)
            and isinstance(entry[3], ApiDescription)
        ):
            logger.warning("ignoring the cache entry %s: unexpected content", path)
            return None
        _, cached_base, externals, description = entry
        if externals:
            if cached_base != base_uri:
                return None
            for uri, expected in externals.items():
                data = read(uri)
                if data is None or digest(data) != expected:
                    logger.debug("cache entry %s is stale: %s changed", path, uri)
                    return None
        logger.debug("loaded the API description from the cache entry %s", path)
        result: ApiDescription = description
        return result

    def put(
        self,
        key: str,
        description: ApiDescription,
        *,
        base_uri: str,
        externals: dict[str, str],
    ) -> None:
        """Store ``description``; failures are logged, never raised (the cache is optional)."""
        import pickle
        import tempfile

        path = self.path_for(key)
        tmp: str | None = None
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".openapi-", suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                # Streamed: no second copy of a multi-megabyte pickle in memory.
                pickle.dump((_FORMAT, base_uri, dict(externals), description), fh, protocol=5)
            os.replace(tmp, path)
            tmp = None
            logger.debug("stored the API description in the cache entry %s", path)
        except Exception as exc:  # caching is best effort
            logger.warning("cannot write the cache entry %s: %s", path, exc)
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
