"""Building request targets safely: origins, path templates, query strings.

Path parameters are percent-encoded as exactly one path segment, so no value (``..``,
``a/b``, ``?x``, ``#f``, ``%2F``) can change which resource a request addresses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any, NamedTuple, Union

from ..errors import InvalidRequestError

QueryTypes = Union[Mapping[str, Any], Iterable[tuple[str, Any]], None]

_DEFAULT_PORTS = {"http": 80, "https": 443}


# urllib.parse costs ~5 ms to import; it is loaded when a URL first needs it.
def quote(text: str, safe: str = "/") -> str:
    from urllib.parse import quote

    return quote(text, safe=safe)


def unquote_plus(text: str) -> str:
    from urllib.parse import unquote_plus

    return unquote_plus(text)


def join_url(base: str, url: str) -> str:
    """Resolve ``url`` (a Location, a next link) against ``base``."""
    from urllib.parse import urljoin

    return urljoin(base, url)


_UNRESERVED = re.compile(r"[A-Za-z0-9_~-][A-Za-z0-9_.~-]*")
#: A match when a text is its own encoding as a path segment (unreserved characters, not
#: ``.`` or ``..``): what :func:`encode_segment` returns unchanged.
plain_segment = _UNRESERVED.fullmatch
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
_PATH_SAFE = "/?=&:@!$'()*+,;%-._~"
_PATH_CHARS = re.compile(r"[A-Za-z0-9/?=&:@!$'()*+,;%._~-]*")
#: A match when a path written by the caller needs no quoting: what
#: :func:`expand_path` returns unchanged (a template without placeholders).
plain_path = _PATH_CHARS.fullmatch


class Origin(NamedTuple):
    """Scheme, host and port: the unit of trust for credentials and of connection pooling."""

    scheme: str
    host: str
    port: int

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        if _DEFAULT_PORTS.get(self.scheme) == self.port:
            return f"{self.scheme}://{host}"
        return f"{self.scheme}://{host}:{self.port}"


def split_url(url: str) -> tuple[Origin, str]:
    """Split an absolute http(s) URL into its origin and request target (path + query).

    User info (``user:pass@``) is refused: credentials belong in ``auth=``, where they are
    redacted, not in URLs that end up in logs.
    """
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise InvalidRequestError(f"invalid URL {url!r}: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise InvalidRequestError(f"URL must be absolute http:// or https://, got {url!r}")
    if not parts.hostname:
        raise InvalidRequestError(f"URL has no host: {url!r}")
    if parts.username is not None or parts.password is not None:
        raise InvalidRequestError("credentials in the URL are refused; pass auth= instead")
    if any(c in url for c in "\r\n\0 \t"):
        raise InvalidRequestError("URL contains whitespace or control characters")
    target = parts.path or "/"
    if parts.query:
        target = f"{target}?{parts.query}"
    return Origin(scheme, parts.hostname.lower(), port or _DEFAULT_PORTS[scheme]), target


def encode_segment(name: str, value: Any) -> str:
    """Percent-encode ``value`` as a single path segment (``/``, ``.``/``..``, ``%`` included)."""
    if value is None:
        raise InvalidRequestError(f"path parameter {name!r} is None")
    text = value if isinstance(value, str) else _scalar(value)
    if not text:
        raise InvalidRequestError(f"path parameter {name!r} is empty")
    if text == ".":
        return "%2E"
    if text == "..":
        return "%2E%2E"
    if _UNRESERVED.fullmatch(text):
        return text
    return quote(text, safe="")


def _encode_literal(text: str) -> str:
    """Quote what may not appear in a request target (spaces, CR/LF, non-ASCII) in a path
    written by the caller, leaving its structure (``/``, ``?``, ``&``, ``%XX``) alone."""
    return text if plain_path(text) else quote(text, safe=_PATH_SAFE)


@lru_cache(maxsize=1024)
def _template_parts(template: str) -> tuple[str, ...]:
    """Split ``/a/{x}/b`` into ``('/a/', 'x', '/b')``: literals (already encoded) at even
    indexes, placeholder names at odd ones."""
    parts = _PLACEHOLDER.split(template)
    return tuple(_encode_literal(p) if i % 2 == 0 else p for i, p in enumerate(parts))


def expand_path(template: str, path_params: Mapping[str, Any] | None) -> str:
    """Fill ``{name}`` placeholders of ``template`` with encoded ``path_params``; characters
    that cannot appear in a request target are percent-encoded in the literal parts."""
    if plain_path(template):
        # A literal path with nothing to quote and no placeholder (the OpenAPI runtime's
        # paths, ``f"/users/{uid}"``): one C-level match, where the cache below misses for
        # every new id.
        return template
    parts = _template_parts(template)
    if len(parts) == 1:
        return parts[0]
    params = path_params or {}
    out = []
    for i, part in enumerate(parts):
        if i % 2 == 0:
            out.append(part)
        else:
            if part not in params:
                raise InvalidRequestError(f"missing path parameter {part!r} for {template!r}")
            out.append(encode_segment(part, params[part]))
    return "".join(out)


def _scalar(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if hasattr(value, "value") and not isinstance(value, (int, float)):  # Enum members
        return _scalar(value.value)
    return str(value)


def _quote_query(text: str) -> str:
    return text if _UNRESERVED.fullmatch(text) else quote(text, safe="")


def encode_query(params: QueryTypes) -> str:
    """Encode query parameters: lists repeat the key, bools are true/false, None is dropped."""
    if not params:
        return ""
    items = params.items() if isinstance(params, Mapping) else params
    out = []
    for key, value in items:
        if value is None:
            continue
        qkey = _quote_query(str(key))
        if isinstance(value, (list, tuple, set, frozenset)):
            for v in value:
                if v is not None:
                    out.append(f"{qkey}={_quote_query(_scalar(v))}")
        else:
            out.append(f"{qkey}={_quote_query(_scalar(value))}")
    return "&".join(out)


def join_target(base_path: str, path: str, query: str) -> str:
    """Append ``path`` to the client's base path and add the encoded query."""
    if path:
        target = base_path + path if path[0] == "/" else f"{base_path}/{path}"
    else:
        target = base_path or "/"
    if query:
        target = f"{target}&{query}" if "?" in target else f"{target}?{query}"
    return target


def without_params(target: str, names: frozenset[str]) -> str:
    """``target`` with every query parameter named in ``names`` removed."""
    if not names or "?" not in target:
        return target
    path, _, query = target.partition("?")
    kept = [p for p in query.split("&") if unquote_plus(p.partition("=")[0]) not in names]
    return f"{path}?{'&'.join(kept)}" if kept else path


def with_param(target: str, name: str, value: Any) -> str:
    """``target`` with query parameter ``name`` set to ``value`` (replacing any copies)."""
    target = without_params(target, frozenset({name}))
    pair = encode_query({name: value})
    return f"{target}&{pair}" if "?" in target else f"{target}?{pair}"
