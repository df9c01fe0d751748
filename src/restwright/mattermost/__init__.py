"""A Mattermost client with matterapi's surface, generated from Mattermost's API document.

``SyncClient``/``AsyncClient`` (see :mod:`.client`), models in :mod:`.models`, typed errors in
:mod:`.errors`.  Everything is imported on first use: ``import restwright.mattermost`` costs
almost nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_getattr

if TYPE_CHECKING:
    from .client import AsyncClient, SyncClient

__all__ = ["AsyncClient", "SyncClient"]

__getattr__ = lazy_getattr(__name__, globals(), {"AsyncClient": ".client", "SyncClient": ".client"})
