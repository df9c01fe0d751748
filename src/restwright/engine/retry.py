"""When to retry a request, and how long to wait first.

The policy is pure (no sleeping, no I/O): the pipeline asks it whether an outcome is
retryable and for how long to wait, so sync and async clients share it and tests can
check delays without a clock.
"""

from __future__ import annotations

import time
from typing import NamedTuple, Union

from .headers import Headers

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})

RetryTypes = Union["Retry", int, None]


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or HTTP-date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime  # rare path: keep it off import time

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def parse_backoff(headers: Headers) -> float | None:
    """Seconds from Kinto's ``Backoff`` header: the server asks clients to slow down."""
    value = headers.get("backoff")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


class Retry(NamedTuple):
    """Retry policy.

    ``total``: how many retries at most (0 disables). ``statuses``: response statuses worth a
    retry. ``backoff``/``max_backoff``: exponential backoff with full jitter.
    ``respect_retry_after``: wait what ``Retry-After``/``Backoff`` ask (capped by
    ``max_retry_after``). ``retry_after``: a forced delay overriding all of the above.
    ``methods``: methods retried after the request may have reached the server (requests
    carrying an ``Idempotency-Key`` header are retried whatever their method).
    """

    total: int = 2
    statuses: tuple[int, ...] = (429, 502, 503, 504)
    backoff: float = 0.5
    max_backoff: float = 30.0
    respect_retry_after: bool = True
    retry_after: float | None = None
    max_retry_after: float = 300.0
    methods: frozenset[str] = IDEMPOTENT_METHODS

    @classmethod
    def of(cls, value: RetryTypes) -> Retry:
        if isinstance(value, Retry):
            return value
        if value is None or value is False:
            return NO_RETRY
        if isinstance(value, int):
            return cls(total=value)
        raise TypeError(f"retry must be a Retry, an int or None, not {type(value).__name__}")

    def with_total(self, total: int) -> Retry:
        return self._replace(total=total)

    def may_resend(self, method: str, headers: Headers) -> bool:
        """Whether a request that may have reached the server can be sent again."""
        return method in self.methods or "idempotency-key" in headers

    def delay(self, attempt: int, headers: Headers | None = None) -> float:
        """Seconds to wait before retry number ``attempt`` (0-based)."""
        if self.retry_after is not None:
            return self.retry_after
        if headers is not None and self.respect_retry_after:
            asked = parse_retry_after(headers.get("retry-after"))
            if asked is None:
                asked = parse_backoff(headers)
            if asked is not None:
                return min(asked, self.max_retry_after)
        import random

        ceiling = min(self.max_backoff, self.backoff * (2**attempt))
        return random.uniform(0.0, ceiling)


NO_RETRY = Retry(total=0)
