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

import codecs
import gc
import json
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

from ..engine.logs import get_logger
from ..errors import SpecError
from . import cache as _cache
from .model import ApiDescription
from .ref_policy import AllowRefs, RefPolicy, file_uri_to_path

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

logger = get_logger(__name__)

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
_SCALARS = frozenset({str, int, float, bool, type(None)})

# Documents above this size are decoded with non-ASCII characters escaped (see
# parse_document); smaller ones keep their bytes for the YAML fallback.
_ESCAPE_ABOVE = 1024 * 1024
_LEADING_SPACE = re.compile(rb"\s*")
_ESCAPE_HANDLER = "restwright-json-escape"


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
    """What :func:`read_source` produced: bytes, a file or a dict, plus where it came from.

    A file is not read up front: a cache hit only needs its digest, which
    :meth:`.cache.DescriptionCache.file_key` takes from the file's cache record, or
    computes in chunks without holding the whole file.
    """

    __slots__ = (
        "base_uri",
        "data",
        "document",
        "label",
        "owned",
        "path",
        "source_url",
    )

    def __init__(
        self,
        *,
        base_uri: str,
        label: str,
        data: bytes | None = None,
        path: Path | None = None,
        document: Any = None,
        source_url: str | None = None,
        owned: bool = True,
    ) -> None:
        self.data = data
        self.path = path
        self.document = document
        self.base_uri = base_uri
        self.label = label
        self.source_url = source_url
        self.owned = owned


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
            return Source(data=data, base_uri=final_url, label=final_url, source_url=final_url)
        if text[:5].lower() == "file:":
            return _read_path(file_uri_to_path(text))
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
    try:
        uri = Path(os.path.abspath(path)).as_uri()
    except ValueError as exc:  # e.g. an embedded NUL
        raise SpecError(f"invalid path {str(path)!r}: {exc}", expected="a file path") from None
    return Source(path=path, base_uri=uri, label=str(path))


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
    the collector would otherwise traverse the growing heap again and again (a third of
    the parse time).  The switch is process-wide, so other threads also run without
    cyclic collection for those few hundred milliseconds; reference counting still frees
    everything that is not in a cycle.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _escape_non_ascii(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: turn one UTF-8 sequence into a JSON ``\\uXXXX`` escape.

    Registered for the ASCII decoder, which calls it only at non-ASCII bytes, so a big
    document is decoded at full C speed.  Right after a backslash the character is kept
    as it is (an escape there would change the meaning); the string is then wider but
    still correct.  Invalid UTF-8 raises UnicodeDecodeError.
    """
    if not isinstance(error, UnicodeDecodeError):
        raise error
    data, start = error.object, error.start
    lead = data[start]
    size = 2 if 0xC2 <= lead <= 0xDF else 3 if 0xE0 <= lead <= 0xEF else 4
    end = start + size
    try:
        char = data[start:end].decode("utf-8")
    except UnicodeDecodeError:
        raise UnicodeDecodeError("utf-8", data, start, start + 1, "invalid UTF-8") from None
    if start and data[start - 1] == 0x5C:
        return char, end
    code = ord(char)
    if code < 0x10000:
        return f"\\u{code:04x}", end
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}", end


codecs.register_error(_ESCAPE_HANDLER, _escape_non_ascii)


def parse_document(data: bytes, label: str = "<document>") -> Any:
    """Parse JSON or YAML bytes; anything malformed raises SpecError.

    See :func:`_parse` for the details.
    """
    return _parse([data], label)[0]


def _parse(box: list[bytes], label: str) -> tuple[Any, bool]:
    """Parse JSON or YAML bytes; return the document and whether it came from JSON.

    The bytes come in a one-item list that is emptied here, so that this frame holds the
    only reference and can free them before the (memory-hungry) parse.

    A document whose first character is ``{`` or ``[`` is JSON (stdlib :mod:`json`), with
    a YAML fallback for small flow-style YAML; everything else is YAML.

    Memory matters for big JSON documents.  A single emoji makes Python store a decoded
    string with 4 bytes per character (52 MB for GitHub's 13 MB document), so large
    documents are decoded with non-ASCII characters turned into ``\\uXXXX`` escapes,
    which JSON decodes to the same strings, and the text stays at one byte per character.
    """
    data = box.pop()
    try:
        encoding = json.detect_encoding(data)
    except Exception:  # only bytes reach here; be safe anyway
        encoding = "utf-8"
    if encoding == "utf-8-sig":
        data = data[3:]
        encoding = "utf-8"
    if encoding == "utf-8":
        start = _LEADING_SPACE.match(data).end()  # type: ignore[union-attr]  # always matches
        looks_json = data[start : start + 1] in (b"{", b"[")
    else:
        looks_json = data.decode(encoding, "replace").lstrip()[:1] in ("{", "[")
    escaped = looks_json and encoding == "utf-8" and len(data) > _ESCAPE_ABOVE
    try:
        text = data.decode("ascii", _ESCAPE_HANDLER) if escaped else data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise SpecError(f"{label} is not valid {encoding} text: {exc}") from None
    del data
    json_error: ValueError | None = None
    if looks_json:
        try:
            with _gc_paused():
                document = json.loads(text)
            return document, True
        except RecursionError:
            raise SpecError(f"{label} is nested too deeply") from None
        except ValueError as exc:
            if escaped:
                raise SpecError(f"{label} is not valid JSON: {exc}", expected="JSON") from None
            json_error = exc
    return _parse_yaml(text, label, json_error), False


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


def _parse_source(source: Source) -> tuple[Any, bool]:
    """Parse ``source``'s bytes, dropping the source's reference to them first.

    Returns the document and whether it is known to be a tree (parsed from JSON): no
    shared or cyclic containers, which lets the schema walk skip its visited set.
    """
    if source.data is None and source.path is not None:
        source.data = read_file(source.path)
    if source.data is None:
        return source.document, False
    box, source.data = [source.data], None
    return _parse(box, source.label)


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
        timeout: float = DEFAULT_TIMEOUT,
        allow_refs: AllowRefs = None,
    ) -> None:
        self.root = root
        self.root_uri = root_uri
        self.policy = RefPolicy(root_uri, allow_refs)
        self.externals: dict[str, str] = {}
        self.schemas: dict[str, Any] = {}
        self.schema_prefix = "#/components/schemas/"
        self._owned = owned
        self._timeout = timeout
        self.root_is_tree = False  # set by the loader when the root was parsed from JSON
        self._documents: dict[str, Any] = {root_uri: root}
        self._rewrites: dict[tuple[str, str], str] = {}
        self._resolved: dict[tuple[str, str], tuple[Any, str, tuple[str, ...]]] = {}
        self._strings: dict[str, str] = {}

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
        key = (base, ref)
        resolved = self._resolved.get(key)
        if resolved is None:
            try:
                resolved = self._resolved[key] = self._resolve(ref, base)
            except _RefProblem as problem:
                self.fail(problem.message, base, (*where, "$ref"), problem.expected)
        return resolved

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
        refusal = self.policy.refusal(uri)
        if refusal is not None:
            raise _RefProblem(
                f"the reference to {uri} is refused: {refusal} (allow it with "
                "load(..., allow_refs=[...]))",
                "a reference the loading policy allows",
            )
        try:
            if scheme in ("http", "https"):
                data, _ = fetch_url(uri, self._timeout)
            elif scheme == "file":
                data = read_file(file_uri_to_path(uri))
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
        its ``schemas`` dict.  The walk is iterative and, unless the document came from
        JSON (a tree), remembers the containers it has seen, so recursive schemas and even
        cyclic Python structures (YAML aliases, caller dicts) terminate.
        """
        pending: dict[str, list[Any]] = {}
        seen_roots: set[int] = set()
        for node, base, is_map in roots:
            if id(node) in seen_roots:
                continue
            seen_roots.add(id(node))
            nodes = pending.setdefault(base, [])
            if is_map and isinstance(node, dict):
                nodes.extend(v for v in node.values() if isinstance(v, dict | list))
            elif isinstance(node, dict | list):
                nodes.append(node)
        table: dict[str, Any] = {}
        direct: set[str] = set()
        visited: set[int] = set()
        while pending:
            base, stack = pending.popitem()
            self._walk(stack, base, table, direct, pending, visited)
        self._check_alias_loops(table, direct)
        return table

    def _walk(
        self,
        stack: list[Any],
        base: str,
        table: dict[str, Any],
        direct: set[str],
        pending: dict[str, list[Any]],
        visited: set[int],
    ) -> None:
        """Walk the schemas in ``stack`` (all from document ``base``).

        The hot loop of a cold load (GitHub: ~200,000 nodes), hence the exact-type checks
        (with an isinstance fallback for dict/list subclasses) and the local names.  In
        documents the loader owns, equal string values are also made one object: JSON
        parsers share keys but not values, and sharing ~90,000 values ("string",
        "object", repeated descriptions) makes the model smaller and the cache entry
        ~25% smaller and twice as fast to unpickle.
        """
        tree = self.root_is_tree and base == self.root_uri
        strings = self._strings if (self._owned or base != self.root_uri) else None
        data_keys, name_maps, scalars = _DATA_KEYS, _NAME_MAPS, _SCALARS
        pop, push = stack.pop, stack.append
        while stack:
            node = pop()
            if not tree:
                if id(node) in visited:
                    continue
                visited.add(id(node))
            if type(node) is not dict and not isinstance(node, dict):
                for i, value in enumerate(node):
                    kind = type(value)
                    if kind is str:
                        if strings is not None:
                            shared = strings.setdefault(value, value)
                            if shared is not value:
                                node[i] = shared
                    elif (
                        kind is dict
                        or kind is list
                        or (kind not in scalars and isinstance(value, dict | list))
                    ):
                        push(value)
                continue
            if "$ref" in node:
                found = self._link_ref(node, base, table, direct)
                if found is not None:
                    target, uri = found
                    if uri == base:
                        push(target)
                    else:
                        pending.setdefault(uri, []).append(target)
            for key, value in node.items():
                kind = type(value)
                if kind is str:
                    # Replacing the value of an existing key is safe while iterating.
                    if strings is not None:
                        shared = strings.setdefault(value, value)
                        if shared is not value:
                            node[key] = shared
                    continue
                if not (
                    kind is dict
                    or kind is list
                    or (kind not in scalars and isinstance(value, dict | list))
                ):
                    continue
                if key in data_keys or (key.__class__ is str and key[:2] == "x-"):
                    continue
                if key in name_maps and isinstance(value, dict):
                    for item in value.values():
                        kind = type(item)
                        if (
                            kind is dict
                            or kind is list
                            or (kind not in scalars and isinstance(item, dict | list))
                        ):
                            push(item)
                else:
                    push(value)

    def _link_ref(
        self,
        node: dict[Any, Any],
        base: str,
        table: dict[str, Any],
        direct: set[str],
    ) -> tuple[Any, str] | None:
        """Check (and rewrite if needed) ``node``'s reference; return a target to walk."""
        ref = node["$ref"]
        if not isinstance(ref, str):
            self._fail_at(node, base, "$ref must be a string", "a URI reference")
        if ref[:1] == "#" and base == self.root_uri:
            if ref in table or ref in direct:
                return None
            prefix = self.schema_prefix
            if ref.startswith(prefix) and "/" not in ref[len(prefix) :]:
                name = ref[len(prefix) :]
                if "~" in name or "%" in name:
                    name = unquote(name).replace("~1", "/").replace("~0", "~")
                if name in self.schemas:
                    direct.add(ref)
                    return None
            try:
                target = _walk_pointer(self.root, _fragment_tokens(ref[1:]))
            except _RefProblem as problem:
                self._fail_at(node, base, problem.message, problem.expected)
            table[ref] = target
            return (target, base) if isinstance(target, dict | list) else None
        found: tuple[Any, str] | None = None
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
                if isinstance(target, dict | list):
                    found = (target, uri)
        if new_ref != ref:
            if base == self.root_uri and not self._owned:
                raise _NeedsCopy
            node["$ref"] = new_ref
        return found

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
    allow_refs: AllowRefs = None,
) -> ApiDescription:
    """Load and normalize an API description (Swagger 2.0, OpenAPI 3.0 or 3.1).

    ``source`` is a filesystem path (``str`` or :class:`~pathlib.Path`), an http(s) URL, a
    dict, or JSON/YAML text (``str`` or ``bytes``).  With ``cache`` (the default) the
    normalized model is stored on disk, keyed by a digest of the document's bytes, and
    the next load of the same bytes skips parsing (see :mod:`.cache`; ``cache_dir``
    overrides the location).  ``timeout`` bounds each HTTP fetch.  ``$ref``s may only read
    documents that belong with this one (same directory tree, or same origin); ``allow_refs``
    widens that (``"any"``, or URL prefixes and directories; see :mod:`.ref_policy`).

    Raises :class:`~restwright.errors.SpecError` for anything wrong with the document or
    with getting it, and ``TypeError`` for a ``source`` of an unsupported type.
    """
    if not isinstance(source, Mapping | str | bytes | bytearray | memoryview | os.PathLike):
        raise TypeError(
            "source must be a path, an http(s) URL, a dict, or JSON/YAML text, "
            f"not {type(source).__name__}"
        )
    try:
        return _load(source, cache, cache_dir, timeout, allow_refs)
    except (SpecError, MemoryError):
        raise
    except Exception as exc:  # the contract is "a description or SpecError"
        logger.debug("unexpected error while loading an API description", exc_info=True)
        raise SpecError(
            f"unexpected error while loading the description ({type(exc).__name__}: {exc})",
            expected="a well-formed API description",
        ) from exc


def _load(
    source: Any,
    use_cache: bool,
    cache_dir: str | os.PathLike[str] | None,
    timeout: float,
    allow_refs: AllowRefs = None,
) -> ApiDescription:
    src = read_source(source, timeout)
    store = _cache.DescriptionCache(cache_dir) if use_cache else None
    key = None
    if store is not None:
        key = _source_key(src, store)
        if key is not None:
            with _gc_paused():
                read = _reader(RefPolicy(src.base_uri, allow_refs), timeout)
                hit = store.get(key, base_uri=src.base_uri, read=read)
            if hit is not None:
                if hit.source_url != src.source_url:
                    hit = replace(hit, source_url=src.source_url)
                return hit
    if src.path is not None:
        src.data = read_file(src.path)
        if store is not None:
            # Key the entry by the bytes actually parsed, in case the file just changed.
            key = _cache.key_for_bytes(src.data)
    document, is_tree = _parse_source(src)
    try:
        description, externals = _build(document, src, src.owned, is_tree, timeout, allow_refs)
    except _NeedsCopy:
        logger.debug("copying the caller's dict to rewrite its external references")
        import copy

        try:
            document = copy.deepcopy(document)
        except RecursionError:
            raise SpecError("the document is nested too deeply") from None
        description, externals = _build(document, src, True, False, timeout, allow_refs)
    # Free the parsed document before pickling: the model keeps what it needs.
    del document
    src.document = None
    if store is not None and key is not None:
        store.put(key, description, base_uri=src.base_uri, externals=externals)
    return description


def _source_key(src: Source, store: _cache.DescriptionCache) -> str | None:
    if src.path is not None:
        try:
            return store.file_key(src.path)
        except (OSError, ValueError):
            return None  # reading it again reports the problem as a SpecError
    if src.data is not None:
        return _cache.key_for_bytes(src.data)
    return _cache.key_for_dict(src.document)


def _build(
    document: Any,
    src: Source,
    owned: bool,
    is_tree: bool,
    timeout: float,
    allow_refs: AllowRefs = None,
) -> tuple[ApiDescription, dict[str, str]]:
    """Normalize ``document``; return the model and the digests of referenced documents."""
    from .normalize import normalize

    resolver = Resolver(
        document,
        src.base_uri,
        owned=owned,
        timeout=timeout,
        allow_refs=allow_refs,
    )
    resolver.root_is_tree = is_tree
    with _gc_paused():
        description = normalize(document, resolver, source_url=src.source_url)
    return description, resolver.externals


def _reader(policy: RefPolicy, timeout: float) -> Any:
    """Return the function the cache uses to re-read a referenced document (only what the
    policy allows: a refused one reads as changed, so the full load reports it)."""

    def read(uri: str) -> bytes | None:
        scheme = urlsplit(uri).scheme.lower()
        if policy.refusal(uri) is not None:
            return None
        try:
            if scheme in ("http", "https"):
                return fetch_url(uri, timeout)[0]
            if scheme == "file":
                return read_file(file_uri_to_path(uri))
        except SpecError:
            return None
        return None

    return read
