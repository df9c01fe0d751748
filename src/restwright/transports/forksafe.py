"""Connection pools forget their connections in a forked child process.

A client created before ``fork()`` (multiprocessing's default start method on Linux, Celery
and gunicorn workers, ``concurrent.futures.ProcessPoolExecutor``) would otherwise hand the
parent's open sockets to the child: both processes would then write requests into one TCP
stream and read each other's responses.  The socket transports register here; in the child,
every registered pool is emptied (the sockets are dropped, not shut down, so the parent's
connections stay intact) and the child opens its own connections on first use.  No cost per
request: the work happens once, at fork time.
"""

from __future__ import annotations

import os
import weakref
from typing import Any

_pools: weakref.WeakSet[Any] = weakref.WeakSet()


def register(transport: Any) -> None:
    """Empty ``transport._idle`` (its pool of idle connections) in forked children."""
    _pools.add(transport)


def _forget_in_child() -> None:
    for transport in list(_pools):
        transport._idle = {}


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_forget_in_child)
