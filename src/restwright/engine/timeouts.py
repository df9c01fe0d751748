"""Timeouts: how long to wait to connect and between bytes when reading or writing."""

from __future__ import annotations

from typing import NamedTuple, Union

TimeoutTypes = Union["Timeout", float, int, tuple[float | None, float | None], None]


class Timeout(NamedTuple):
    """``connect``: seconds to open a connection; ``read``: seconds to wait for data
    (also used when writing). ``None`` disables a limit."""

    connect: float | None = 5.0
    read: float | None = 30.0

    @classmethod
    def of(cls, value: TimeoutTypes) -> Timeout:
        """Build a Timeout from what users write: a number, a (connect, read) pair or None."""
        if isinstance(value, Timeout):
            return value
        if value is None:
            return NO_TIMEOUT
        if isinstance(value, tuple):
            if len(value) != 2:
                raise ValueError("a timeout tuple is (connect, read)")
            return cls(value[0], value[1])
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return cls(float(value), float(value))
        raise TypeError(f"invalid timeout {value!r}")


NO_TIMEOUT = Timeout(None, None)
DEFAULT_TIMEOUT = Timeout(5.0, 30.0)
