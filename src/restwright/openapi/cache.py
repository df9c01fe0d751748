"""On-disk cache of normalized API descriptions.

Parsing and normalizing a large document costs far more than restoring it: GitHub's 13 MB
description takes ~0.3 s to parse and normalize, but a cache hit builds its model in a
few milliseconds.  Three things make a hit cheap:

* **Keys.**  An entry is keyed by a SHA-256 digest of the document's *bytes* (plus a
  version tag, the Python version and a fingerprint of the model's fields, so that an
  upgrade never reads an entry of another shape).  Dict sources are keyed by their
  canonical JSON (sorted keys); dicts that cannot be serialized, e.g. because they are
  cyclic, are simply not cached.  Hashing 13 MB still costs ~20 ms, so for a document
  *file* a small record (``openapi-<path tag>.stat``) remembers the digest together with
  the file's absolute path and ``(device, inode, size, mtime_ns, ctime_ns)``; while those
  are unchanged the digest is taken from the record and the file is not read at all.  Any
  write to the file changes its mtime and its ctime (which no program can set back on
  POSIX systems), a replaced file has another inode, so a changed document is re-hashed.
  A record is only written when the file did not change while it was hashed and was last
  modified more than :data:`RACY_SECONDS` ago: a write in the same timestamp tick as the
  hashing (coarse file system clocks) could otherwise go unnoticed, so such a file is
  simply hashed again at the next load.
* **Format.**  An entry is ``MAGIC`` + a :mod:`marshal` of plain tuples, not a pickle:
  loading it imports nothing and creates few objects.
* **Laziness.**  Each component schema and each operation is serialized on its own
  (:mod:`marshal`, or :mod:`pickle` for values marshal cannot hold, e.g. dict subclasses
  of a caller's dict).  A hit restores the operations' names, methods, paths and tags and
  the schema names only; an operation's other fields are decoded the first time one is
  read, a schema the first time it is looked up (:class:`~.model.SchemaMap`).  A client
  of a 1,200-operation API that calls one operation decodes one operation and the
  schemas its checks touch.  The price: a decoded schema is a copy private to its entry,
  so two component schemas that were one object in the source (YAML aliases) are two
  equal objects after a hit; references inside a component schema
  (``#/components/schemas/A/properties/b``) still resolve to the object inside ``A``.

Documents that reference other files are cached too: the entry records the digest of
each referenced document, and a hit is only used when the referring document sits at the
same location and every referenced document still has the same digest (re-reading them
is still far cheaper than parsing).

Entries and records are written atomically (temporary file + :func:`os.replace`), so a
concurrent reader sees either the old file or the new one.  An entry that cannot be read
or has the wrong shape is ignored and overwritten by the next load.  Old entries are
never deleted; remove the directory to reclaim the space.

The directory is ``cache_dir`` when given, else ``$RESTWRIGHT_CACHE_DIR``, else
``platformdirs.user_cache_dir("restwright")``, else ``~/.cache/restwright``.  Entries may
hold pickled values (see above), and unpickling runs code named by the data, so the
directory must only be writable by its owner (it is created with mode 0o700).
"""

from __future__ import annotations

import contextlib
import marshal
import os
import stat
import sys
import time
from collections.abc import Callable
from itertools import pairwise
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from ..engine.logs import get_logger
from .model import (
    HEAD_FIELDS,
    ApiDescription,
    MediaType,
    Operation,
    Parameter,
    RequestBody,
    ResponseSpec,
    SchemaMap,
    SecurityScheme,
    deferred_operations,
)

if TYPE_CHECKING:
    import hashlib

__all__ = [
    "CACHE_VERSION",
    "ENV_VAR",
    "RACY_SECONDS",
    "DescriptionCache",
    "default_cache_dir",
    "digest",
    "key_for_bytes",
    "key_for_dict",
    "key_for_file",
]

logger = get_logger(__name__)

CACHE_VERSION = "2"
"""Bump when normalization changes its output for the same document."""

ENV_VAR = "RESTWRIGHT_CACHE_DIR"

RACY_SECONDS = 2
"""A file modified this recently is not recorded by its stat data (it is re-hashed)."""

_FORMAT = "restwright-openapi-cache/2"
MAGIC = f"{_FORMAT}\n".encode()
"""The first bytes of an entry file; a :mod:`marshal` of the entry follows."""


def _fingerprint() -> bytes:
    classes = (MediaType, Parameter, RequestBody, ResponseSpec, SecurityScheme, Operation)
    shapes = [f"{cls.__name__}({','.join(cls.__match_args__)})" for cls in classes]
    shapes.append(f"ApiDescription({','.join(ApiDescription.__match_args__)})")
    runtime = f"py{sys.version_info[0]}.{sys.version_info[1]}|marshal{marshal.version}"
    return f"{_FORMAT}|{CACHE_VERSION}|{runtime}|{'|'.join(shapes)}".encode()


_KEY_PREFIX = _fingerprint()

# hashlib, pickle and tempfile are imported where they are used: together they cost
# several milliseconds, and a cache hit needs none of them.


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
    import json

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


# -- file records: the digest of a file while its stat data stays the same -----------------

_FNV_OFFSET = 0xCBF29CE484222325
_FNV_PRIME = 0x100000001B3
_MASK64 = (1 << 64) - 1
_prefix_state: int | None = None


def _path_tag(name: str) -> str:
    """A short stable tag of an absolute path (64-bit FNV-1a; the record repeats the path)."""
    global _prefix_state
    h = _prefix_state
    if h is None:
        h = _FNV_OFFSET
        for byte in _KEY_PREFIX:
            h = ((h ^ byte) * _FNV_PRIME) & _MASK64
        _prefix_state = h
    for byte in os.fsencode(name):
        h = ((h ^ byte) * _FNV_PRIME) & _MASK64
    return f"{h:016x}"


def _identity(st: os.stat_result) -> bytes:
    return f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}".encode()


def _settled(st: os.stat_result) -> bool:
    """Whether the file was last changed long enough ago to be recorded by its stat data."""
    changed = max(st.st_mtime_ns, st.st_ctime_ns)
    return time.time_ns() - changed > RACY_SECONDS * 1_000_000_000


def _write_atomic(path: Path, *chunks: bytes) -> None:
    """Write ``chunks`` to ``path`` through a temporary file and :func:`os.replace`."""
    import tempfile

    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".openapi-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            for chunk in chunks:
                fh.write(chunk)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


# -- entries ---------------------------------------------------------------------------------


def _pack(value: Any) -> bytes:
    """``value`` serialized: ``b"m"`` + marshal, or ``b"p"`` + pickle when marshal cannot."""
    try:
        return b"m" + marshal.dumps(value)
    except ValueError:  # a type marshal does not know (dict subclass, date...), too deep
        import pickle

        return b"p" + pickle.dumps(value, protocol=5)


def _unpack(blob: bytes | memoryview) -> Any:
    kind = blob[0] if blob else 0
    if kind == 0x6D:  # b"m"
        return marshal.loads(memoryview(blob)[1:])
    if kind == 0x70:  # b"p"
        import pickle

        return pickle.loads(memoryview(blob)[1:])
    raise ValueError(f"unknown value encoding {kind!r}")


_PARAMETER_FIELDS = attrgetter(*Parameter.__match_args__)
_RESPONSE_FIELDS = attrgetter(*ResponseSpec.__match_args__)
_SCHEME_FIELDS = attrgetter(*SecurityScheme.__match_args__)
_HEAD_FIELDS = attrgetter(*HEAD_FIELDS)


def _pack_operation(op: Operation) -> bytes:
    """The fields :func:`~.model.deferred_operations` leaves for later, as plain data."""
    body = op.request_body
    return _pack(
        (
            op.tags,
            op.summary,
            op.description,
            op.deprecated,
            [_PARAMETER_FIELDS(p) for p in op.parameters],
            None
            if body is None
            else (
                body.required,
                {media: (m.schema, m.encoding) for media, m in body.content.items()},
                body.description,
            ),
            {status: _RESPONSE_FIELDS(r) for status, r in op.responses.items()},
            op.security,
            op.servers,
        )
    )


def _unpack_operation(blob: bytes | memoryview) -> tuple[Any, ...]:
    """The inverse of :func:`_pack_operation`, in the order of ``DEFERRED_FIELDS``."""
    tags, summary, description, deprecated, params, body, responses, security, servers = _unpack(
        blob
    )
    return (
        tags,
        summary,
        description,
        deprecated,
        [Parameter(*p) for p in params],
        None
        if body is None
        else RequestBody(body[0], {k: MediaType(*m) for k, m in body[1].items()}, body[2]),
        {status: ResponseSpec(*r) for status, r in responses.items()},
        security,
        servers,
    )


def _schema_tokens(description: ApiDescription, ref: str) -> tuple[str, list[str]] | None:
    """``(name, tokens)`` when ``ref`` points inside component schema ``name``."""
    prefix = description.schema_ref_prefix
    if not ref.startswith(prefix):
        return None
    rest = ref[len(prefix) :]
    if "%" in rest:
        rest = unquote(rest)
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in rest.split("/")]
    return tokens[0], tokens[1:]


def _locate_in_schema(description: ApiDescription, ref: str, target: Any) -> Any:
    """The keys leading from a component schema to ``target`` (``ref``'s), or ``None``."""
    found = _schema_tokens(description, ref)
    if found is None or found[0] not in description.schemas:
        return None
    name, tokens = found
    node = description.schemas[name]
    keys: list[Any] = []
    for token in tokens:
        if isinstance(node, dict):
            key: Any = token
            if key not in node and token.isdigit() and int(token) in node:
                key = int(token)  # YAML turns `200:` into an int key
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            key = int(token)
        else:
            return None
        try:
            node = node[key]
        except (KeyError, IndexError):
            return None
        keys.append(key)
    return (name, keys) if node is target else None


def _encode(
    description: ApiDescription, base_uri: str, externals: dict[str, str]
) -> tuple[tuple[Any, ...], list[bytes]]:
    """The marshal-able index of an entry and its values (see :func:`_decode`)."""
    head = (
        description.title,
        description.version,
        description.openapi_version,
        description.servers,
        description.security,
        description.description,
        description.schema_ref_prefix,
        description.source_url,
    )
    schemes = {name: _SCHEME_FIELDS(s) for name, s in description.security_schemes.items()}
    # Targets inside a component schema are stored as a path into it, so that they stay
    # the very objects found inside that schema once it is decoded.
    inside: dict[str, Any] = {}
    direct: dict[str, Any] = {}
    for ref, target in description.ref_targets.items():
        where = _locate_in_schema(description, ref, target)
        if where is not None:
            inside[ref] = where
        else:
            direct[ref] = target
    targets = (tuple(description.ref_targets), direct, inside)
    ops = description.operations
    names = tuple(description.schemas)
    values = [_pack_operation(op) for op in ops]
    values += [_pack(description.schemas[name]) for name in names]
    bounds = [0]
    for value in values:
        bounds.append(bounds[-1] + len(value))
    index = (
        _FORMAT,
        base_uri,
        dict(externals),
        _pack(head),
        _pack(schemes),
        _pack(targets),
        # one column per head field: no tuple per operation to create when loading
        _pack(tuple(zip(*(_HEAD_FIELDS(op) for op in ops), strict=True)) or ((),) * 6),
        names,
        tuple(bounds),
    )
    return index, values


def _decode(index: tuple[Any, ...], values: memoryview) -> ApiDescription:
    """The lazy :class:`ApiDescription` of an entry: ``index`` and the ``values`` it indexes.

    Value ``i`` is ``values[bounds[i]:bounds[i + 1]]``: the operations in document order,
    then the schemas in the order of ``names``.  Only the values of the description's
    head, security schemes and reference targets are decoded here.
    """
    (_, _, _, head, schemes, targets, heads, names, bounds) = index
    count = len(bounds) - 1
    n_ops = count - len(names)
    heads = _unpack(heads)
    if (
        n_ops < 0
        or len(heads) != 6
        or any(len(column) != n_ops for column in heads)
        or bounds[0] != 0
        or bounds[-1] != len(values)
        or any(a > b for a, b in pairwise(bounds))
    ):
        raise ValueError("the index does not match the values")

    def value(i: int) -> Any:
        return _unpack(values[bounds[i] : bounds[i + 1]])

    def operation(i: int) -> tuple[Any, ...]:
        return _unpack_operation(values[bounds[i] : bounds[i + 1]])

    title, version, openapi_version, servers, security, description, prefix, source = _unpack(head)
    schemas = SchemaMap(dict(zip(names, range(n_ops, count), strict=True)), value)
    order, direct, inside = _unpack(targets)
    ref_targets: dict[str, Any] = {}
    for ref in order:
        if ref in inside:
            name, keys = inside[ref]
            node = schemas[name]
            for key in keys:
                node = node[key]
            ref_targets[ref] = node
        else:
            ref_targets[ref] = direct[ref]
    return ApiDescription(
        title=title,
        version=version,
        openapi_version=openapi_version,
        servers=servers,
        operations=deferred_operations(heads, operation, range(n_ops)),
        schemas=schemas,
        security_schemes={name: SecurityScheme(*f) for name, f in _unpack(schemes).items()},
        security=security,
        description=description,
        ref_targets=ref_targets,
        schema_ref_prefix=prefix,
        source_url=source,
    )


class DescriptionCache:
    """A directory of cached :class:`ApiDescription` entries (and file records)."""

    def __init__(self, directory: str | os.PathLike[str] | None = None) -> None:
        self._directory = Path(directory) if directory is not None else None

    @property
    def directory(self) -> Path:
        if self._directory is None:
            self._directory = default_cache_dir()
        return self._directory

    def path_for(self, key: str) -> Path:
        return self.directory / f"openapi-{key}.entry"

    def record_for(self, path: str) -> Path:
        """The record of the document file at the absolute ``path``."""
        return self.directory / f"openapi-{_path_tag(path)}.stat"

    def file_key(self, path: str | os.PathLike[str]) -> str:
        """The cache key of a document file: :func:`key_for_file`, usually without reading it.

        The digest comes from the file's record when the record names this path and the
        file's stat data are still those recorded; otherwise the file is hashed and, once
        it has settled (see the module docstring), recorded.  Raises OSError when the path
        is not a readable regular file.
        """
        name = os.path.abspath(path)
        st = os.stat(name)
        if not stat.S_ISREG(st.st_mode):
            raise FileNotFoundError(name)
        expected = os.fsencode(name) + b"\0" + _identity(st) + b"\0"
        record = self.record_for(name)
        try:
            with open(record, "rb") as fh:
                data = fh.read(len(expected) + 65)
        except OSError:
            data = b""
        if len(data) == len(expected) + 64 and data.startswith(expected):
            key = data[len(expected) :]
            if key.isalnum() and key.isascii():
                return key.decode("ascii")
        key_text = key_for_file(Path(name))
        if _settled(st) and _identity(os.stat(name)) == _identity(st):
            try:
                _write_atomic(record, expected + key_text.encode("ascii"))
            except OSError as exc:  # the record is an optimization
                logger.debug("cannot write the cache record %s: %s", record, exc)
        return key_text

    def get(
        self, key: str, *, base_uri: str, read: Callable[[str], bytes | None]
    ) -> ApiDescription | None:
        """Return the cached description for ``key``, or ``None`` (miss, stale, corrupt).

        ``read`` re-reads a referenced document (``None`` when it cannot).
        """
        path = self.path_for(key)
        try:
            blob = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            logger.warning("cannot read the cache entry %s: %s", path, exc)
            return None
        try:
            if not blob.startswith(MAGIC):
                raise ValueError("not an entry of this format")
            view = memoryview(blob)
            start = len(MAGIC) + 8
            size = int.from_bytes(view[len(MAGIC) : start], "little")
            index = marshal.loads(view[start : start + size])
            if not (
                type(index) is tuple
                and len(index) == 9
                and index[0] == _FORMAT
                and type(index[1]) is str
                and type(index[2]) is dict
                and all(type(b) is bytes for b in index[3:7])
                and type(index[7]) is tuple
                and type(index[8]) is tuple
            ):
                raise ValueError("unexpected content")
        except Exception as exc:  # any decoding failure means "corrupt"
            logger.warning("ignoring the corrupt cache entry %s (%s)", path, exc)
            return None
        cached_base, externals = index[1], index[2]
        if externals:
            if cached_base != base_uri:
                return None
            for uri, expected in externals.items():
                data = read(uri)
                if data is None or digest(data) != expected:
                    logger.debug("cache entry %s is stale: %s changed", path, uri)
                    return None
        try:
            description = _decode(index, view[start + size :])
        except Exception as exc:
            logger.warning("ignoring the corrupt cache entry %s (%s)", path, exc)
            return None
        logger.debug("loaded the API description from the cache entry %s", path)
        return description

    def put(
        self,
        key: str,
        description: ApiDescription,
        *,
        base_uri: str,
        externals: dict[str, str],
    ) -> None:
        """Store ``description``; failures are logged, never raised (the cache is optional)."""
        path = self.path_for(key)
        try:
            index, values = _encode(description, base_uri, externals)
            data = marshal.dumps(index)
            _write_atomic(path, MAGIC, len(data).to_bytes(8, "little"), data, *values)
            logger.debug("stored the API description in the cache entry %s", path)
        except Exception as exc:  # caching is best effort
            logger.warning("cannot write the cache entry %s: %s", path, exc)
