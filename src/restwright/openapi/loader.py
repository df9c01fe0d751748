"""Reading API descriptions: sources, JSON/YAML parsing and ``$ref`` resolution.

:func:`load` is the entry point.  It turns whatever it was given (a path, an http(s) URL,
a dict, JSON or YAML text) into a parsed document and a base URI, consults the on-disk
cache (:mod:`.cache`), and hands the document to :mod:`.normalize`.

The :class:`Resolver` follows ``$ref``s.  Relative references resolve against the URI of
the document that contains them, as RFC 3986 says: a ``file:`` URI for documents read from
disk, the (final, after redirects) URL for fetched ones, and the current directory for
text and dict sources.  Structural references (parameters, request bodies, responses,
path items, security schemes) are followed while normalizing.  Schemas are not
dereferenced; :meth:`Resolver.link_schemas` walks them once to check that every
reference resolves, and records the target of each one that does not point straight at a
component schema, so that the model can resolve references later without the document.
References into other files are rewritten to absolute URIs during that walk (dicts given
by the caller are deep-copied first rather than modified).  A document fetched over HTTP
may reference other URLs but never local files.

Everything malformed surfaces as :class:`~restwright.errors.SpecError` naming a JSON
pointer; :func:`load` converts anything unexpected into one as well, because its contract
is "a description or a SpecError".
"""

from __future__ import annotations

import copy
import gc
import json
import logging
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

from ..errors import SpecError
from . import cache as _cache
from .model import ApiDescription

__all__ = [
    "DEFAULT_TIMEOUT",
    "MAX_DOCUMENT_BYTES",
    "Resolver",
    "Source",
    "format_pointer",
    "load",
    "parse_document",
    "read_source",
]

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 30.0
"""Seconds to wait for a URL document (and for each document it references)."""

MAX_DOCUMENT_BYTES = 128 * 1024 * 1024
"""Larger documents are refused rather than read into memory."""

Pointer = tuple[str | int, ...]

_MISSING: Any = object()

# Keys of a schema whose values are data, not schemas: a "$ref" inside them is not a
# reference.  "x-" extensions are skipped too (their content is undefined).
_DATA_KEYS = frozenset(
    {"example", "examples", "default", "enum", "const", "externalDocs", "xml", "discriminator"}
)
# Keys whose values map names to schemas (a property may be called "example" or "$ref").
_NAME_MAPS = frozenset(
    {"properties", "patternProperties", "definitions", "$defs", "dependentSchemas"}
)

# A run of non-ASCII bytes that does not follow a backslash (see parse_document).
_NON_ASCII_RUN = re.compile(rb"(?<!\\)[\x80-\xff]+")
_ESCAPE_ABOVE = 1024 * 1024
_LEADING_SPACE = re.compile(rb"\s*")


class _NeedsCopy(Exception):
    """A reference in a caller-owned dict must be rewritten: copy the dict and start over."""


class _RefProblem(Exception):
    """A ``$ref`` did not resolve; the caller knows where it was and raises SpecError."""

    def __init__(self, message: str, expected: str) -> None:
        super().__init__(message)
        self.message = message
        self.expected = expected


# -- pointers ---------------------------------------------------------------------------


def format_pointer(tokens: Pointer) -> str:
    """Return the RFC 6901 JSON pointer for ``tokens``: ``("paths", "/a")`` -> ``/paths/~1a``."""
    return "".join("/" + str(t).replace("~", "~0").replace("/", "~1") for t in tokens)


def _fragment_tokens(fragment: str) -> tuple[str, ...]:
    """Split a URI fragment holding a JSON pointer into unescaped tokens."""
    if not fragment:
        return ()
    if "%" in fragment:
        fragment = unquote(fragment)
    if not fragment.startswith("/"):
        raise _RefProblem(
            f"unsupported $ref fragment {fragment!r}",
            "a JSON pointer fragment such as '#/components/schemas/Name'",
        )
    return tuple(t.replace("~1", "/").replace("~0", "~") for t in fragment[1:].split("/"))


def _walk_pointer(document: Any, tokens: tuple[str, ...]) -> Any:
    node = document
    for token in tokens:
        if isinstance(node, dict):
            value = node.get(token, _MISSING)
            if value is _MISSING and token.isdigit():
                # YAML turns `200:` into an int key.
                value = node.get(int(token), _MISSING)
            if value is _MISSING:
                raise _RefProblem(f"$ref target has no member {token!r}", "an existing location")
            node = value
        elif isinstance(node, list):
            if not token.isdigit() or (len(token) > 1 and token[0] == "0"):
                raise _RefProblem(f"$ref token {token!r} is not an array index", "an index")
            index = int(token)
            if index >= len(node):
                raise _RefProblem(f"$ref index {index} is out of range", "an existing location")
            node = node[index]
        else:
            raise _RefProblem(
                f"$ref goes through a {type(node).__name__}", "a path through objects and arrays"
            )
    return node


def _locate(root: Any, target: Any) -> str | None:
    """Return the JSON pointer of ``target`` (by identity) inside ``root``, if found.

    Only used to build error messages, so the fast path never has to track pointers.
    """
    stack: list[tuple[Any, Pointer]] = [(root, ())]
    seen: set[int] = set()
    while stack:
        node, path = stack.pop()
        if node is target:
            return format_pointer(path)
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, dict):
            stack.extend(
                (v, (*path, str(k))) for k, v in node.items() if isinstance(v, dict | list)
            )
        elif isinstance(node, list):
            stack.extend((v, (*path, i)) for i, v in enumerate(node) if isinstance(v, dict | list))
    return None


# -- sources -----------------------------------------------------------------------------


class Source:
    """What :func:`read_source` produced: bytes (or a dict) plus where it came from."""

    __slots__ = ("base_uri", "data", "document", "label", "owned", "remote", "source_url")

    def __init__(
        self,
        *,
        base_uri: str,
        label: str,
        data: bytes | None = None,
        document: Any = None,
        source_url: str | None = None,
        owned: bool = True,
        remote: bool = False,
    ) -> None:
        self.data = data
        self.document = document
        self.base_uri = base_uri
        self.label = label
        self.source_url = source_url
        self.owned = owned
        self.remote = remote


def _cwd_uri() -> str:
    return Path(os.path.abspath(os.curdir)).as_uri().rstrip("/") + "/"


def _looks_like_url(text: str) -> bool:
    head = text[:8].lower()
    return head.startswith(("http://", "https://")) and not any(c.isspace() for c in text)


def read_source(source: Any, timeout: float = DEFAULT_TIMEOUT) -> Source:
    """Classify ``source`` and read its bytes (files, URLs) without parsing them.

    A ``str`` is a URL when it starts with ``http://``/``https://``, document text when
    it starts with ``{``/``[`` or spans several lines, and a path otherwise (or YAML text
    when no such file exists and it looks like ``key: value``).
    """
    if isinstance(source, Mapping):
        return Source(document=source, base_uri=_cwd_uri(), label="<dict>", owned=False)
    if isinstance(source, bytes | bytearray | memoryview):
        return Source(data=bytes(source), base_uri=_cwd_uri(), label="<bytes>")
    if isinstance(source, os.PathLike):
        return _read_path(Path(os.fspath(source)))
    if isinstance(source, str):
        text = source.strip()
        if _looks_like_url(text):
            data, final_url = fetch_url(text, timeout)
            return Source(
                data=data, base_uri=final_url, label=final_url, source_url=final_url, remote=True
            )
        if text[:5].lower() == "file:":
            return _read_path(_file_uri_to_path(text))
        if text[:1] in "{[" or "\n" in text:
            return Source(data=source.encode("utf-8"), base_uri=_cwd_uri(), label="<text>")
        path = Path(source)
        if ": " in text and not _exists(path):
            return Source(data=source.encode("utf-8"), base_uri=_cwd_uri(), label="<text>")
        return _read_path(path)
    raise TypeError(
        "source must be a path, an http(s) URL, a dict, or JSON/YAML text, "
        f"not {type(source).__name__}"
    )


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


def _read_path(path: Path) -> Source:
    data = read_file(path)
    uri = Path(os.path.abspath(path)).as_uri()
    return Source(data=data, base_uri=uri, label=str(path))


def _file_uri_to_path(uri: str) -> Path:
    if os.name == "nt":  # pragma: no cover - drive letters and UNC names need the helper
        from urllib.request import url2pathname

        return Path(url2pathname(urlsplit(uri).path))
    return Path(unquote(urlsplit(uri).path))


def read_file(path: Path) -> bytes:
    """Read a document file; missing, unreadable or non-regular files raise SpecError."""
    try:
        if not path.is_file():
            raise SpecError(f"cannot read {str(path)!r}: no such file", expected="a document")
        with path.open("rb") as fh:
            data = fh.read(MAX_DOCUMENT_BYTES + 1)
    except (OSError, ValueError) as exc:
        raise SpecError(f"cannot read {str(path)!r}: {exc}", expected="a readable file") from exc
    if len(data) > MAX_DOCUMENT_BYTES:
        raise SpecError(f"{str(path)!r} is larger than {MAX_DOCUMENT_BYTES} bytes")
    return data


def fetch_url(url: str, timeout: float = DEFAULT_TIMEOUT) -> tuple[bytes, str]:
    """GET ``url`` with :mod:`urllib.request`; return the body and the final URL.

    Imported lazily: ``urllib.request`` costs more to import than everything else here.
    """
    import http.client
    import urllib.error
    import urllib.request

    request = urllib.request.Request(
        url,
        headers={
            "Accept": "application/json, application/yaml;q=0.9, */*;q=0.8",
            "User-Agent": "restwright-openapi",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data = response.read(MAX_DOCUMENT_BYTES + 1)
            final_url = response.geturl() or url
    except urllib.error.HTTPError as exc:
        exc.close()
        raise SpecError(
            f"cannot fetch {url}: HTTP {exc.code} {exc.reason}", expected="a reachable document"
        ) from None
    except (OSError, ValueError, http.client.HTTPException) as exc:
        raise SpecError(f"cannot fetch {url}: {exc}", expected="a reachable document") from exc
    if len(data) > MAX_DOCUMENT_BYTES:
        raise SpecError(f"{url} is larger than {MAX_DOCUMENT_BYTES} bytes")
    return data, final_url


# -- parsing -----------------------------------------------------------------------------

_yaml_loader: Any = None


def _yaml_loader_class() -> Any:
    """The fastest safe YAML loader, minus timestamp resolution.

    ``yaml.CSafeLoader`` (libyaml) when PyYAML was built with it, else the pure-Python
    ``SafeLoader``.  Timestamps stay strings so that a YAML document means the same as
    its JSON twin (``date: 2024-01-01`` is a string in JSON).  Imported lazily:
    ``import restwright.openapi`` should not pay for PyYAML.
    """
    global _yaml_loader
    if _yaml_loader is None:
        try:
            import yaml
        except ImportError:  # pragma: no cover - pyyaml is a dependency of the extra
            raise SpecError(
                "YAML documents need PyYAML: pip install 'restwright[openapi]'"
            ) from None
        base = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
        loader: Any = type("_RestwrightYamlLoader", (base,), {})
        loader.yaml_implicit_resolvers = {
            first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
            for first, resolvers in base.yaml_implicit_resolvers.items()
        }
        _yaml_loader = loader
    return _yaml_loader


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic GC while building large trees of fresh containers.

    Parsing a 13 MB document allocates ~250,000 dicts and lists, none of them garbage;
    the collector would otherwise traverse the growing heap again and again.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _escape_run(match: re.Match[bytes]) -> bytes:
    try:
        text = match.group().decode("utf-8")
    except UnicodeDecodeError:
        return match.group()  # left alone; the decode below reports it
    return json.dumps(text)[1:-1].encode("ascii")


def parse_document(data: bytes, label: str = "<document>") -> Any:
    """Parse JSON or YAML bytes; anything malformed raises SpecError.

    A document whose first character is ``{`` or ``[`` is JSON (stdlib :mod:`json`), with
    a YAML fallback for small flow-style YAML; everything else is YAML.

    Memory matters for big JSON documents.  A single emoji makes Python store a decoded
    string with 4 bytes per character (52 MB for GitHub's 13 MB document), so non-ASCII
    characters are turned into ``\\uXXXX`` escapes first, which JSON decodes to the same
    strings, and the string stays at one byte per character.
    """
    try:
        encoding = json.detect_encoding(data)
    except Exception:  # only bytes reach here; be safe anyway
        encoding = "utf-8"
    if encoding == "utf-8-sig":
        data = data[3:]
        encoding = "utf-8"
    start = _LEADING_SPACE.match(data).end()  # type: ignore[union-attr]  # always matches
    head = data[start : start + 1] if encoding == "utf-8" else b""
    looks_json = head in (b"{", b"[") or (
        encoding != "utf-8" and data.decode(encoding, "replace").lstrip()[:1] in ("{", "[")
    )
    escaped = False
    if looks_json and encoding == "utf-8" and len(data) > _ESCAPE_ABOVE and not data.isascii():
        data = _NON_ASCII_RUN.sub(_escape_run, data)
        escaped = True
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise SpecError(f"{label} is not valid {encoding} text: {exc}") from None
    del data
    if looks_json:
        try:
            with _gc_paused():
                return json.loads(text)
        except RecursionError:
            raise SpecError(f"{label} is nested too deeply") from None
        except ValueError as exc:
            if escaped:
                raise SpecError(f"{label} is not valid JSON: {exc}", expected="JSON") from None
            json_error: ValueError | None = exc
    else:
        json_error = None
    return _parse_yaml(text, label, json_error)


def _parse_yaml(text: str, label: str, json_error: ValueError | None) -> Any:
    loader = _yaml_loader_class()
    import yaml

    try:
        with _gc_paused():
            return yaml.load(text, Loader=loader)  # a SafeLoader subclass
    except RecursionError:
        raise SpecError(f"{label} is nested too deeply") from None
    except Exception as exc:  # any parser failure means a malformed document
        if json_error is not None:
            raise SpecError(f"{label} is not valid JSON: {json_error}", expected="JSON") from None
        problem = " ".join(str(exc).split())
        raise SpecError(f"{label} is not valid YAML: {problem}", expected="YAML") from None


def _parse_source(source: Source) -> Any:
    """Parse ``source``'s bytes, dropping the source's reference to them first."""
    if source.data is None:
        return source.document
    data, source.data = source.data, None
    return parse_document(data, source.label)


# -- references -------------------------------------------------------------------------


class Resolver:
    """Resolves ``$ref``s across the root document and the documents it references.

    ``externals`` maps the URI of every other document that was read to the digest of its
    bytes; the cache uses it to tell whether an entry is still valid.
    """

    def __init__(
        self,
        root: Any,
        root_uri: str,
        *,
        owned: bool = True,
        remote: bool = False,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.root = root
        self.root_uri = root_uri
        self.externals: dict[str, str] = {}
        self.schemas: dict[str, Any] = {}
        self.schema_prefix = "#/components/schemas/"
        self._owned = owned
        self._remote = remote
        self._timeout = timeout
        self._documents: dict[str, Any] = {root_uri: root}
        self._rewrites: dict[tuple[str, str], str] = {}

    # structural references --------------------------------------------------------------

    def fail(self, message: str, base: str, pointer: Pointer | str, expected: str = "") -> NoReturn:
        """Raise SpecError at ``pointer`` of the document ``base``."""
        if base != self.root_uri:
            message = f"{message} (in {base})"
        if not isinstance(pointer, str):
            pointer = format_pointer(pointer)
        raise SpecError(message, pointer=pointer, expected=expected)

    def resolve(self, ref: str, base: str, where: Pointer) -> tuple[Any, str, tuple[str, ...]]:
        """Resolve ``ref`` found at ``where`` in document ``base``.

        Returns the target, the URI of the document holding it and its pointer tokens.
        """
        try:
            return self._resolve(ref, base)
        except _RefProblem as problem:
            self.fail(problem.message, base, (*where, "$ref"), problem.expected)

    def follow(self, node: Any, base: str, where: Pointer) -> tuple[Any, str, Pointer]:
        """Follow ``node``'s ``$ref`` chain to a non-reference node (structural objects)."""
        seen: set[tuple[str, tuple[str, ...]]] | None = None
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if not isinstance(ref, str):
                self.fail("$ref must be a string", base, (*where, "$ref"), "a URI reference")
            target, target_base, tokens = self.resolve(ref, base, where)
            if seen is None:
                seen = set()
            location = (target_base, tokens)
            if location in seen:
                self.fail("circular $ref", base, (*where, "$ref"), "a chain ending in an object")
            seen.add(location)
            node, base, where = target, target_base, tokens
        return node, base, where

    def _resolve(self, ref: str, base: str) -> tuple[Any, str, tuple[str, ...]]:
        if ref[:1] == "#" and base == self.root_uri:
            uri, fragment = self.root_uri, ref[1:]
        else:
            try:
                uri, fragment = urldefrag(urljoin(base, ref))
            except ValueError as exc:
                raise _RefProblem(f"malformed $ref {ref!r}: {exc}", "a URI reference") from None
        tokens = _fragment_tokens(fragment)
        document = self.document(uri)
        return _walk_pointer(document, tokens), uri, tokens

    def document(self, uri: str) -> Any:
        """Return the parsed document at ``uri``, reading it on first use."""
        document = self._documents.get(uri, _MISSING)
        if document is not _MISSING:
            return document
        scheme = urlsplit(uri).scheme.lower()
        try:
            if scheme in ("http", "https"):
                data, _ = fetch_url(uri, self._timeout)
            elif scheme == "file":
                if self._remote:
                    raise _RefProblem(
                        f"a document fetched over HTTP may not reference the local file {uri}",
                        "an http(s) reference",
                    )
                data = read_file(_file_uri_to_path(uri))
            else:
                raise _RefProblem(f"cannot fetch {uri!r}", "a relative, file: or http(s) URI")
            self.externals[uri] = _cache.digest(data)
            document = parse_document(data, uri)
        except SpecError as exc:
            raise _RefProblem(f"cannot load the referenced document: {exc}", "a document") from None
        self._documents[uri] = document
        logger.debug("loaded referenced document %s", uri)
        return document

    # schemas --------------------------------------------------------------------------------

    def link_schemas(self, roots: list[tuple[Any, str, bool]]) -> dict[str, Any]:
        """Check every ``$ref`` reachable from the schema ``roots``; return the ref table.

        ``roots`` are ``(node, base_uri, is_name_map)``.  The result maps every reference
        string (after rewriting external ones to absolute URIs) to its target, except
        plain ``#/components/schemas/Name`` references, which the model resolves through
        its ``schemas`` dict.  The walk is iterative and remembers the containers it has
        seen, so recursive schemas and even cyclic Python structures terminate.
        """
        stack = [r for r in roots if isinstance(r[0], dict | list)]
        visited: set[int] = set()
        table: dict[str, Any] = {}
        direct: set[str] = set()
        data_keys, name_maps = _DATA_KEYS, _NAME_MAPS
        while stack:
            node, base, is_map = stack.pop()
            if id(node) in visited:
                continue
            visited.add(id(node))
            if isinstance(node, list):
                stack.extend((v, base, False) for v in node if isinstance(v, dict | list))
                continue
            if is_map:
                stack.extend((v, base, False) for v in node.values() if isinstance(v, dict | list))
                continue
            ref = node.get("$ref", _MISSING)
            if ref is not _MISSING:
                self._link_ref(node, ref, base, stack, table, direct)
            for key, value in node.items():
                if (
                    isinstance(value, dict | list)
                    and key not in data_keys
                    and not (key.__class__ is str and key.startswith("x-"))
                ):
                    stack.append((value, base, key in name_maps))
        self._check_alias_loops(table, direct)
        return table

    def _link_ref(
        self,
        node: dict[Any, Any],
        ref: Any,
        base: str,
        stack: list[tuple[Any, str, bool]],
        table: dict[str, Any],
        direct: set[str],
    ) -> None:
        if not isinstance(ref, str):
            self._fail_at(node, base, "$ref must be a string", "a URI reference")
        if ref[:1] == "#" and base == self.root_uri:
            if ref in table or ref in direct:
                return
            prefix = self.schema_prefix
            if ref.startswith(prefix) and "/" not in ref[len(prefix) :]:
                name = ref[len(prefix) :]
                if "~" in name or "%" in name:
                    name = unquote(name).replace("~1", "/").replace("~0", "~")
                if name in self.schemas:
                    direct.add(ref)
                    return
            try:
                target = _walk_pointer(self.root, _fragment_tokens(ref[1:]))
            except _RefProblem as problem:
                self._fail_at(node, base, problem.message, problem.expected)
            table[ref] = target
            stack.append((target, base, False))
            return
        new_ref = self._rewrites.get((base, ref))
        if new_ref is None:
            try:
                target, uri, _ = self._resolve(ref, base)
            except _RefProblem as problem:
                self._fail_at(node, base, problem.message, problem.expected)
            fragment = urldefrag(ref)[1] if "#" in ref else ""
            if uri == self.root_uri:
                new_ref = "#" + fragment
            else:
                new_ref = f"{uri}#{fragment}" if fragment else uri
            self._rewrites[(base, ref)] = new_ref
            if new_ref not in table:
                table[new_ref] = target
                stack.append((target, uri, False))
        if new_ref != ref:
            if base == self.root_uri and not self._owned:
                raise _NeedsCopy
            node["$ref"] = new_ref

    def _check_alias_loops(self, table: dict[str, Any], direct: set[str]) -> None:
        """Reject references that only lead to other references, round in a circle."""
        prefix = self.schema_prefix

        def target_of(ref: str) -> Any:
            target = table.get(ref, _MISSING)
            if target is _MISSING and ref in direct:
                name = ref[len(prefix) :]
                if "~" in name or "%" in name:
                    name = unquote(name).replace("~1", "/").replace("~0", "~")
                target = self.schemas.get(name, _MISSING)
            return target

        good: set[str] = set()
        for start in [*table, *direct]:
            chain: list[str] = []
            in_chain: set[str] = set()
            ref = start
            while ref not in good:
                if ref in in_chain:
                    base = self.root_uri if ref[:1] == "#" else ref.partition("#")[0]
                    self._fail_at(target_of(ref), base, f"circular $ref {ref!r}", "a schema")
                chain.append(ref)
                in_chain.add(ref)
                target = target_of(ref)
                if not (isinstance(target, dict) and isinstance(target.get("$ref"), str)):
                    break
                ref = target["$ref"]
                if ref not in table and ref not in direct:
                    break
            good.update(chain)

    def _fail_at(self, node: Any, base: str, message: str, expected: str) -> NoReturn:
        """Raise SpecError for ``node``, searching the document for its pointer."""
        pointer = _locate(self._documents.get(base, self.root), node) or ""
        if isinstance(node, dict) and "$ref" in node:
            pointer += "/$ref"
        self.fail(message, base, pointer, expected)


# -- entry point ---------------------------------------------------------------------------


def load(
    source: Any,
    *,
    cache: bool = True,
    cache_dir: str | os.PathLike[str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> ApiDescription:
    """Load and normalize an API description (Swagger 2.0, OpenAPI 3.0 or 3.1).

    ``source`` is a filesystem path (``str`` or :class:`~pathlib.Path`), an http(s) URL, a
    dict, or JSON/YAML text (``str`` or ``bytes``).  With ``cache`` (the default) the
    normalized model is stored on disk, keyed by a digest of the document's bytes, and
    the next load of the same bytes skips parsing (see :mod:`.cache`; ``cache_dir``
    overrides the location).  ``timeout`` bounds each HTTP fetch.

    Raises :class:`~restwright.errors.SpecError` for anything wrong with the document or
    with getting it, and ``TypeError`` for a ``source`` of an unsupported type.
    """
    if not isinstance(source, Mapping | str | bytes | bytearray | memoryview | os.PathLike):
        raise TypeError(
            "source must be a path, an http(s) URL, a dict, or JSON/YAML text, "
            f"not {type(source).__name__}"
        )
    try:
        return _load(source, cache, cache_dir, timeout)
    except (SpecError, MemoryError):
        raise
    except Exception as exc:  # the contract is "a description or SpecError"
        logger.debug("unexpected error while loading an API description", exc_info=True)
        raise SpecError(
            f"unexpected error while loading the description ({type(exc).__name__}: {exc})",
            expected="a well-formed API description",
        ) from exc


def _load(
    source: Any, use_cache: bool, cache_dir: str | os.PathLike[str] | None, timeout: float
) -> ApiDescription:
    src = read_source(source, timeout)
    store = _cache.DescriptionCache(cache_dir) if use_cache else None
    key = None
    if store is not None:
        key = (
            _cache.key_for_bytes(src.data)
            if src.data is not None
            else _cache.key_for_dict(src.document)
        )
        if key is not None:
            with _gc_paused():
                hit = store.get(key, base_uri=src.base_uri, read=_reader(src.remote, timeout))
            if hit is not None:
                if hit.source_url != src.source_url:
                    hit = replace(hit, source_url=src.source_url)
                return hit
    document = _parse_source(src)
    try:
        description, resolver = _build(document, src, src.owned, timeout)
    except _NeedsCopy:
        logger.debug("copying the caller's dict to rewrite its external references")
        try:
            document = copy.deepcopy(document)
        except RecursionError:
            raise SpecError("the document is nested too deeply") from None
        description, resolver = _build(document, src, True, timeout)
    if store is not None and key is not None:
        store.put(
            key,
            description,
            base_uri=src.base_uri,
            externals=resolver.externals,
        )
    return description


def _build(
    document: Any, src: Source, owned: bool, timeout: float
) -> tuple[ApiDescription, Resolver]:
    from .normalize import normalize

    resolver = Resolver(document, src.base_uri, owned=owned, remote=src.remote, timeout=timeout)
    with _gc_paused():
        description = normalize(document, resolver, source_url=src.source_url)
    return description, resolver


def _reader(remote: bool, timeout: float) -> Any:
    """Return the function the cache uses to re-read a referenced document."""

    def read(uri: str) -> bytes | None:
        scheme = urlsplit(uri).scheme.lower()
        try:
            if scheme in ("http", "https"):
                return fetch_url(uri, timeout)[0]
            if scheme == "file" and not remote:
                return read_file(_file_uri_to_path(uri))
        except SpecError:
            return None
        return None

    return read
