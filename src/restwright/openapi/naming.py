"""Python names for the things an API description names freely.

Operation ids, parameter names and tags are arbitrary strings in a document (``getUserByID``,
``If-Match``, ``users.list``, ``$filter``); a client exposes them as Python identifiers.
Every rule here is deterministic and depends only on the document, so the same document
always yields the same names and code written against a client keeps working from one load
to the next.
"""

from __future__ import annotations

import functools
import keyword
import re
import unicodedata
from collections.abc import Iterable

__all__ = [
    "NameAllocator",
    "derived_operation_name",
    "member_names",
    "python_identifier",
    "snake_case",
]

# "IDs" / "URLs": an acronym followed by a plural "s" is one word ("ids"), not "i_ds".
_ACRONYM_PLURAL = re.compile(r"([A-Z]{2,})s(?=[A-Z]|[^A-Za-z]|$)")
# "HTTPResponse" -> "HTTP_Response": an upper-case run ends where a capitalised word starts.
_UPPER_RUN = re.compile(r"([A-Z]+)([A-Z][a-z])")
# "getUser" -> "get_User", "v2Users" -> "v2_Users".
_LOWER_UPPER = re.compile(r"([a-z0-9])([A-Z])")
_NON_WORD = re.compile(r"[\W_]+")
_NON_ASCII_WORD = re.compile(r"[^0-9A-Za-z_]+")

# Names a generated method or a ``**kwargs`` signature cannot take as-is.
_RESERVED = frozenset({"self", "cls"})


def snake_case(text: str) -> str:
    """Return ``text`` in snake_case: ``getUserByID`` -> ``get_user_by_id``.

    Punctuation and spaces become single underscores, leading and trailing underscores go
    (``_since`` -> ``since``), the result is lower case.  The result may be empty or start
    with a digit; :func:`python_identifier` makes it usable as a name.
    """
    s = _ACRONYM_PLURAL.sub(lambda m: m.group(1) + "S", text)
    s = _UPPER_RUN.sub(r"\1_\2", s)
    s = _LOWER_UPPER.sub(r"\1_\2", s)
    s = _NON_WORD.sub("_", s)
    return s.strip("_").lower()


@functools.lru_cache(maxsize=4096)
def python_identifier(text: str, *, fallback: str = "value") -> str:
    """Return a valid, non-keyword Python identifier derived from ``text``.

    ``If-Match`` -> ``if_match``, ``class`` -> ``class_``, ``2fa`` -> ``_2fa``, ``$`` ->
    ``fallback``.  Keywords (and ``self``/``cls``, which would clash with a method's own
    arguments) get a trailing underscore, the PEP 8 convention.  Memoized: documents
    repeat the same few hundred names thousands of times.
    """
    s = snake_case(text)
    if not s.isascii():
        # Python NFKC-normalises identifiers when it parses them; do the same so that a name
        # used in source code and the same name passed through ``**kwargs`` agree.
        s = unicodedata.normalize("NFKC", s)
    if s and not s.isidentifier():
        # Unicode "word" characters that are not identifier characters (e.g. superscripts).
        s = _NON_ASCII_WORD.sub("_", s).strip("_")
    if not s:
        s = fallback
    if s[0].isdigit():
        s = "_" + s
    if keyword.iskeyword(s) or s in _RESERVED:
        s += "_"
    return s


def derived_operation_name(method: str, path: str) -> str:
    """Name an operation that has no ``operationId`` from its method and path.

    ``GET /buckets/{bid}/collections`` -> ``get_buckets_bid_collections``.
    """
    return python_identifier(f"{method.lower()} {path}", fallback="operation")


def member_names(tag_name: str, names: Iterable[str]) -> dict[str, str]:
    """The method name of each operation of one tag group: ``{operation name: method}``.

    An operation name that repeats its tag drops it, as client libraries write it
    (``repos_get`` under tag ``repos`` -> ``client.repos.get``; operationIds ``repos/get``,
    ``repos-get`` and ``ReposGet`` all snake_case to ``repos_get``).  The long name stays
    when the short one would not be a plain identifier (``repos_import`` -> ``import`` is a
    keyword, ``repos_2fa`` starts with a digit) or when it collides with another operation
    of the group (its full name or another shortened one): then every claimant of that
    short name keeps its full name, so the outcome does not depend on document order.
    """
    names = list(names)
    prefix = f"{tag_name}_"
    wanted: dict[str, str] = {}
    for name in names:
        short = name[len(prefix) :] if name.startswith(prefix) else ""
        if short and short.isidentifier() and python_identifier(short) == short:
            wanted[name] = short
    claims: dict[str, int] = {}
    for short in wanted.values():
        claims[short] = claims.get(short, 0) + 1
    full = set(names)
    members: dict[str, str] = {}
    for name in names:
        member = wanted.get(name, name)
        unique = member == name or (claims[member] == 1 and member not in full)
        members[name] = member if unique else name
    return members


class NameAllocator:
    """Hands out unique names in call order, so the first claimant keeps the plain name.

    ``style="number"`` appends ``_2``, ``_3`` ... (operations: ``save_post``,
    ``save_post_2``); ``style="underscore"`` appends underscores (parameters: ``if_match``,
    ``if_match_``).  Because claims happen in document order, the outcome is stable.
    """

    __slots__ = ("_style", "_used")

    def __init__(self, style: str = "number") -> None:
        if style not in ("number", "underscore"):
            raise ValueError(f"unknown style {style!r}")
        self._style = style
        self._used: set[str] = set()

    def __contains__(self, name: object) -> bool:
        return name in self._used

    def claim(self, name: str) -> str:
        """Return ``name`` or the first free variant of it, and mark it used."""
        candidate = name
        n = 1
        while candidate in self._used:
            n += 1
            candidate = f"{name}_{n}" if self._style == "number" else candidate + "_"
        self._used.add(candidate)
        return candidate
