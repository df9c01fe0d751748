"""Transports: the seam between the pipeline and the network.

``SocketTransport`` and ``AsyncSocketTransport`` are the defaults; ``HTTPXTransport`` and
``AsyncHTTPXTransport`` adapt httpx clients; ``DryRunTransport`` sends nothing;
``CassetteTransport`` records to and replays from a cassette file.
Submodules are imported on first use to keep ``import restwright`` fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .base import AsyncTransport, SyncTransport

if TYPE_CHECKING:
    from .async_socket import AsyncSocketTransport
    from .cassette import Cassette, CassetteTransport
    from .dry_run import DryRunTransport
    from .httpx_adapter import AsyncHTTPXTransport, HTTPXTransport
    from .sync_socket import SocketTransport

_LAZY = {
    "SocketTransport": ".sync_socket",
    "AsyncSocketTransport": ".async_socket",
    "DryRunTransport": ".dry_run",
    "Cassette": ".cassette",
    "CassetteTransport": ".cassette",
    "HTTPXTransport": ".httpx_adapter",
    "AsyncHTTPXTransport": ".httpx_adapter",
}

__all__ = [
    "AsyncHTTPXTransport",
    "AsyncSocketTransport",
    "AsyncTransport",
    "Cassette",
    "CassetteTransport",
    "DryRunTransport",
    "HTTPXTransport",
    "SocketTransport",
    "SyncTransport",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(module, __name__), name)
