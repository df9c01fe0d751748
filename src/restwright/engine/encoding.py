"""Turning Python values into request bodies: JSON and URL-encoded forms.

JSON accepts what API payloads are made of in real code: datetimes, dates, UUIDs,
Decimals, Enums, sets, dataclasses and pydantic models.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Mapping
from enum import Enum
from typing import Any

from ..errors import InvalidRequestError
from .urls import encode_query


def _default(value: Any) -> Any:
    _dt = sys.modules.get("datetime")
    if _dt is not None and isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return value.isoformat()
    # uuid, decimal and dataclasses are looked up, not imported: a value of their types can
    # only exist once its module is loaded, and importing them would slow `import restwright`.
    uuid = sys.modules.get("uuid")
    if uuid is not None and isinstance(value, uuid.UUID):
        return str(value)
    decimal = sys.modules.get("decimal")
    if decimal is not None and isinstance(value, decimal.Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} is not a JSON number")
        # Emitted as an exact number: a marker string replaced after encoding.
        return f"{_DECIMAL_MARK}{value}{_DECIMAL_MARK}"
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    dataclasses = sys.modules.get("dataclasses")
    if dataclasses is not None and dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    dump = getattr(value, "model_dump", None)  # pydantic v2
    if callable(dump):
        return dump(mode="json", by_alias=True, exclude_unset=True)
    as_dict = getattr(value, "dict", None)  # pydantic v1
    if callable(as_dict):
        return as_dict(by_alias=True, exclude_unset=True)
    if isinstance(value, bytes):
        raise TypeError("bytes are not JSON serializable: decode or base64-encode them")
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


_ENCODER = json.JSONEncoder(default=_default, ensure_ascii=False, separators=(",", ":"))
# A per-process nonce, so no string a caller sends can be mistaken for a Decimal marker.
_DECIMAL_MARK = f"\x00{os.urandom(6).hex()}\x00"
_ENCODED_MARK = json.dumps(_DECIMAL_MARK)[1:-1]
_DECIMAL_RE = re.compile(f'"{re.escape(_ENCODED_MARK)}([^"]*){re.escape(_ENCODED_MARK)}"')


def encode_json(value: Any) -> bytes:
    """Encode ``value`` as compact UTF-8 JSON (Decimals keep every digit)."""
    try:
        text = _ENCODER.encode(value)
    except (TypeError, ValueError) as exc:
        raise InvalidRequestError(f"cannot encode the JSON body: {exc}") from None
    if _ENCODED_MARK in text:
        text = _DECIMAL_RE.sub(r"\1", text)
    return text.encode("utf-8")


def encode_form(data: Mapping[str, Any]) -> bytes:
    """Encode a mapping as ``application/x-www-form-urlencoded``."""
    return encode_query(data).encode("ascii")
