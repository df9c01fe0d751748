"""A case-insensitive, multi-valued header container.

HTTP header names are case-insensitive and may repeat (``Set-Cookie``, ``Link``).  The
container keeps the raw ``(name, value)`` list in arrival order (what goes on the wire) and
builds a lower-cased index only when first looked up, which keeps response parsing cheap.

A response's headers go further (:class:`ParsedHeaders`): they keep the head as the
transport received it and split it into pairs only when something reads them, so a call
whose caller never looks at a header (most JSON calls) never pays for splitting it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from typing import Union

from ..errors import InvalidRequestError

HeaderTypes = Union["Headers", Mapping[str, str], Iterable[tuple[str, str]], None]

_FORBIDDEN = frozenset("\r\n\0")


def check_header(name: str, value: str) -> None:
    """Refuse header names/values that could split or smuggle a header (CR, LF, NUL)."""
    if not name or _FORBIDDEN.intersection(name) or ":" in name or name != name.strip():
        raise InvalidRequestError(f"invalid header name {name!r}")
    if _FORBIDDEN.intersection(value):
        raise InvalidRequestError(f"header {name!r} has a CR, LF or NUL character in its value")


#: ``name`` -> what ``name in headers`` looks for in a lower-cased response head, for the
#: few names the pipeline asks for on every call (a dictionary read is a third of an
#: ``lru_cache`` call); a miss asks :func:`_head_key`.
_HEAD_KEYS: dict[str, str] = {}


def _head_key(name: str) -> str | None:
    """The key of a name not in ``_HEAD_KEYS`` yet (kept there, up to 256 names), or None
    for a name that no header of a parsed head can have."""
    if ":" in name or "\n" in name or "\r" in name:
        return None
    key = f"\r\n{name.lower()}:"
    if len(_HEAD_KEYS) < 256:
        _HEAD_KEYS[name] = key
    return key


#: ``_head_key(name)`` -> (the last line read for it, ``"\r\nName: value\r\n"``, and its
#: value): see :meth:`ParsedHeaders.get`.
_LAST_LINES: dict[str, tuple[str, str]] = {}


def head_field(head: str, lowered: str, key: str) -> str | None:
    """The value of the header whose ``key`` (``"\\r\\nname:"``, lower-case) is given, or
    None: ``head`` is a head llhttp accepted, each line ending with CRLF, and ``lowered``
    its lower-case copy (``lower()`` keeps latin-1 offsets)."""
    at = lowered.find(key)
    if at < 0:
        return None
    at += len(key)
    end = lowered.index("\r\n", at)
    value = head[at:end].strip(" \t")
    at = lowered.find(key, end)
    while at >= 0:  # a repeated name: one field, its values joined (RFC 9110 §5.3)
        at += len(key)
        end = lowered.index("\r\n", at)
        more = head[at:end].strip(" \t")
        value = f"{value}, {more}"
        at = lowered.find(key, end)
    return value


class Headers(MutableMapping[str, str]):
    """Case-insensitive header mapping; ``get_list`` returns every value of a name."""

    __slots__ = ("_index", "_items")

    def __init__(self, headers: HeaderTypes = None) -> None:
        self._index: dict[str, str] | None = None
        if headers is None:
            self._items: list[tuple[str, str]] = []
        elif isinstance(headers, Headers):
            self._items = list(headers._items)
        elif isinstance(headers, Mapping):
            self._items = [(str(k), str(v)) for k, v in headers.items()]
        else:
            self._items = [(str(k), str(v)) for k, v in headers]

    @classmethod
    def from_raw(cls, items: list[tuple[str, str]], index: dict[str, str] | None = None) -> Headers:
        """Wrap an already-built list (and, when known, its lower-cased ``index``) without
        copying."""
        obj = cls.__new__(cls)
        obj._items = items
        obj._index = index
        return obj

    def _lookup(self) -> dict[str, str]:
        index = self._index
        if index is None:
            index = {}
            for k, v in self._items:
                lk = k.lower()
                index[lk] = f"{index[lk]}, {v}" if lk in index else v
            self._index = index
        return index

    def __getitem__(self, name: str) -> str:
        return self._lookup()[name.lower()]

    def get(self, name: str, default: str | None = None) -> str | None:  # type: ignore[override]
        return self._lookup().get(name.lower(), default)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._lookup()

    def __setitem__(self, name: str, value: str) -> None:
        lname = name.lower()
        index = self._index
        if index is None:
            index = self._lookup()
        if lname in index:
            self._items = [(k, v) for k, v in self._items if k.lower() != lname]
        self._items.append((name, value))
        index[lname] = value

    def setdefault(self, name: str, default: str = "") -> str:
        if name in self:
            return self[name]
        self._items.append((name, default))
        self._index = None
        return default

    def add(self, name: str, value: str) -> None:
        """Append a value, keeping the existing ones (repeated header)."""
        self._items.append((name, value))
        self._index = None

    def __delitem__(self, name: str) -> None:
        lname = name.lower()
        kept = [(k, v) for k, v in self._items if k.lower() != lname]
        if len(kept) == len(self._items):
            raise KeyError(name)
        self._items = kept
        self._index = None

    def __iter__(self) -> Iterator[str]:
        seen: dict[str, str] = {}
        for k, _ in self._items:
            seen.setdefault(k.lower(), k)
        return iter(seen.values())

    def __len__(self) -> int:
        return len(self._lookup())

    def get_list(self, name: str) -> list[str]:
        """Every value of ``name``, in order (repeated headers are not joined)."""
        lname = name.lower()
        return [v for k, v in self._items if k.lower() == lname]

    def raw(self) -> list[tuple[str, str]]:
        """The ``(name, value)`` pairs as they are sent or were received."""
        return self._items

    def copy(self) -> Headers:
        # The index is built here, once, on the original: a client's default headers are
        # copied into every request, and each copy then starts with its index.
        obj = Headers.__new__(Headers)
        obj._items = list(self._items)
        index = self._index
        obj._index = dict(self._lookup() if index is None else index)
        return obj

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return self._lookup() == {str(k).lower(): v for k, v in other.items()}
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Headers({self._items!r})"


class ParsedHeaders(Headers):
    """The headers of a response head that a strict parser accepted, split on first use.

    ``head`` is the status line and the header lines, each ending with CRLF, without the
    blank line (latin-1 text); ``lowered`` is ``head.lower()``.  The pairs are made the
    first time anything reads them; until then ``name in headers`` is a substring search
    of ``lowered`` (exact: the parser refused whitespace before a colon, and names that
    are not tokens).  Every change goes through the pairs, so once they exist the search
    is never used again.  A subclass, so that :class:`Headers` itself keeps plain slots
    (and the interpreter's fast attribute access) for the request side.
    """

    __slots__ = ("_head", "_lowered", "_pairs")

    def __init__(self, head: str, lowered: str) -> None:
        self._index = None
        self._head = head
        self._lowered: str | None = lowered
        self._pairs: list[tuple[str, str]] | None = None

    @property
    def _items(self) -> list[tuple[str, str]]:
        pairs = self._pairs
        if pairs is None:
            pairs = []
            for line in self._head.split("\r\n")[1:-1]:
                key, _, value = line.partition(":")
                pairs.append((key, value.strip(" \t")))
            self._pairs = pairs
            self._lowered = None  # from now on the pairs (which may change) answer
        return pairs

    @_items.setter
    def _items(self, pairs: list[tuple[str, str]]) -> None:
        self._pairs = pairs
        self._lowered = None

    def __contains__(self, name: object) -> bool:
        lowered = self._lowered
        if lowered is None or not isinstance(name, str):
            return super().__contains__(name)
        key = _HEAD_KEYS.get(name) or _head_key(name)
        return key is not None and key in lowered

    def get(self, name: str, default: str | None = None) -> str | None:  # type: ignore[override]
        """One header read from the unsplit head (``Content-Type`` on a described call),
        so reading it does not split every other header.

        A server sends the same line for a name again and again (``Content-Type:
        application/json``), so the last line read for each name is kept, and a head
        that has that very line, once, answers its value from two substring tests: a
        fifth of the cost of finding the line and cutting the value out of it."""
        lowered = self._lowered
        if lowered is None:
            return super().get(name, default)
        key = _HEAD_KEYS.get(name) or _head_key(name)
        if key is None:
            return default
        head = self._head
        seen = _LAST_LINES.get(key)
        if seen is not None and seen[0] in head and lowered.count(key) == 1:
            return seen[1]
        value = head_field(head, lowered, key)
        if value is None:
            return default
        if len(_LAST_LINES) < 64 and lowered.count(key) == 1:
            at = lowered.find(key)
            _LAST_LINES[key] = (head[at : lowered.index("\r\n", at + 2) + 2], value)
        return value

    def __getitem__(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            raise KeyError(name)
        return value
