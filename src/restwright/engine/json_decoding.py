"""Decoding JSON response bodies: orjson when it is installed, the standard library otherwise.

``Response.json()`` and the OpenAPI runtime client decode every JSON body they return, so
the decoder is much of what a call costs on a real-sized body.  Measured on GitHub's own
examples (CPU time, ``bench/openapi.py``'s bodies): the standard library takes 86 us for a
24 KB repository and 545 us for a page of 30; :func:`decode_json` with orjson 58 us and
392 us (orjson itself 36 us and 241 us, the long-integer check below the rest).
``pip install 'restwright[speedups]'`` installs orjson; it is imported at the first decode,
not with ``restwright`` (it costs ~20 ms to import).

orjson is used only where it gives the same values as :mod:`json`:

* it turns integers beyond 64 bits into floats, silently; a body holding a run of 19 or
  more digits (anywhere, strings included) is decoded by the standard library instead, so
  a big integer keeps every digit;
* it refuses ``NaN``/``Infinity``, a UTF-8 byte order mark and lone surrogates, which the
  standard library accepts: on any orjson error the standard library decides, and only
  its error reaches the caller.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

__all__ = ["decode_json", "json_decoder_name"]

_DECODER = json.JSONDecoder()
# Digits -> "0", everything else -> " ": a long integer becomes a run of "0" that
# ``bytes.__contains__`` finds in C.  orjson keeps integers in [-2**63, 2**64) exact; those
# have at most 19 digits plus the sign, so shorter runs are always safe.
_DIGITS = bytes(0x30 if 0x30 <= i <= 0x39 else 0x20 for i in range(256))
_LONG_RUN = b"0" * 19

_fast: Callable[[bytes], Any] | None = None
_resolved = False


def _fast_loads() -> Callable[[bytes], Any] | None:
    global _fast, _resolved
    if not _resolved:
        try:
            import orjson
        except ImportError:
            _fast = None
        else:
            _fast = orjson.loads
        _resolved = True
    return _fast


def decode_json(content: bytes) -> Any:
    """Decode a JSON body (UTF-8, RFC 8259; a BOM is tolerated); ``ValueError`` if invalid."""
    loads = _fast if _resolved else _fast_loads()
    if loads is not None and (len(content) < 19 or _LONG_RUN not in content.translate(_DIGITS)):
        try:
            return loads(content)
        except ValueError:
            pass  # NaN, a BOM, a lone surrogate ... or invalid: the standard library decides
    text = content.decode("utf-8")
    return _DECODER.decode(text[1:] if text[:1] == "\ufeff" else text)


def json_decoder_name() -> str:
    """``"orjson"`` or ``"json"``: the decoder :func:`decode_json` uses for plain bodies."""
    return "orjson" if _fast_loads() is not None else "json"
