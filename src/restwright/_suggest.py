""" "Did you mean ...?" hints for names a user typed wrong.

Why: a misspelled keyword, operation or body property is the most common first-hour
mistake; the error that names the closest valid spelling saves a trip to the docs.
"""

from __future__ import annotations

from collections.abc import Iterable


def did_you_mean(name: str, candidates: Iterable[str], *, limit: int = 3) -> str:
    """``"; did you mean 'params'?"`` for the closest of ``candidates``, else ``""``."""
    import difflib  # only imported when an error is being worded

    matches = difflib.get_close_matches(name, list(candidates), n=limit, cutoff=0.6)
    if not matches:
        return ""
    return "; did you mean " + " or ".join(repr(m) for m in matches) + "?"
