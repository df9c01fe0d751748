"""Limits: how much a server may make the client hold before the response is refused.

A hostile or broken server can send an endless head, thousands of headers, a huge trailer
section, a stream of ``100 Continue`` answers or a small gzip body that inflates to
gigabytes.  The socket transports check every one of these against :class:`Limits` and
raise :class:`~restwright.errors.LimitExceeded` as soon as one is crossed, so memory stays
bounded by the limits rather than by what the server sends.
"""

from __future__ import annotations

from typing import NamedTuple

KIB = 1024
MIB = 1024 * KIB


class Limits(NamedTuple):
    """Bounds on one response (``None`` disables a bound).

    ``max_head_size``: bytes of the status line and headers; ``max_headers``: header
    lines; ``max_trailer_size``: bytes of a chunked body's trailer section;
    ``max_interim_responses``: ``1xx`` answers before the final one; ``max_body_size``:
    bytes of a buffered (not streamed) body, after ``Content-Encoding`` is undone.
    """

    max_head_size: int | None = 64 * KIB
    max_headers: int | None = 100
    max_trailer_size: int | None = 64 * KIB
    max_interim_responses: int | None = 10
    max_body_size: int | None = 128 * MIB


DEFAULT_LIMITS = Limits()
