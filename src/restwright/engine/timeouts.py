"""Timeouts: how long to wait to connect, between bytes when reading or writing, and in
total for one attempt."""

from __future__ import annotations

import time
from typing import NamedTuple, Union

from ..errors import TimeoutError

TimeoutTypes = Union["Timeout", float, int, tuple[float | None, float | None], None]


class Timeout(NamedTuple):
    """``connect``: seconds to open a connection; ``read``: seconds to wait for each piece
    of the response; ``write``: seconds to wait for the server to take each piece of the
    request; ``total``: seconds for one attempt, from connecting to the last byte of a
    buffered body (or to the head of a streamed one), so a server dripping one byte at a
    time cannot hold a call forever.  Each retry gets a fresh ``total``.  ``None``
    disables a limit."""

    connect: float | None = 5.0
    read: float | None = 30.0
    write: float | None = 30.0
    total: float | None = None

    @classmethod
    def of(cls, value: TimeoutTypes) -> Timeout:
        """Build a Timeout from what users write: a number (connect, read and write; no
        total), a (connect, read) pair, or None."""
        if isinstance(value, Timeout):
            return value
        if value is None:
            return NO_TIMEOUT
        if isinstance(value, tuple):
            if len(value) != 2:
                raise ValueError("a timeout tuple is (connect, read)")
            return cls(value[0], value[1], value[1])
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return cls(float(value), float(value), float(value))
        raise TypeError(f"invalid timeout {value!r}")


NO_TIMEOUT = Timeout(None, None, None, None)
DEFAULT_TIMEOUT = Timeout()


class Deadline:
    """The end of one attempt under ``Timeout.total``: each wait of the transports is cut
    to the time left, and a wait with no time left raises :class:`TimeoutError`."""

    __slots__ = ("_at", "_total")

    def __init__(self, total: float | None) -> None:
        self._total = total
        self._at = None if total is None else time.monotonic() + total

    @classmethod
    def start(cls, total: float | None) -> Deadline:
        """The deadline of an attempt starting now (a shared one when there is no total)."""
        return NO_DEADLINE if total is None else cls(total)

    def explain(self, message: str) -> str:
        """``message`` for a wait that timed out, unless the total is what ran out."""
        if self._at is not None and time.monotonic() >= self._at:
            return self._expired()
        return message

    def _expired(self) -> str:
        return f"the total timeout of {self._total} s expired"

    def bound(self, timeout: float | None) -> float | None:
        """``timeout``, or the time left when that is shorter."""
        at = self._at
        if at is None:
            return timeout
        left = at - time.monotonic()
        if left <= 0:
            raise TimeoutError(self._expired())
        return left if timeout is None or left < timeout else timeout


NO_DEADLINE = Deadline(None)
