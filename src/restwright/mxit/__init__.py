"""The Mxit API client: ``Mxit`` (sync) and ``AsyncMxit`` (async), with the names and
parameters of the ``mxit`` package (``from restwright.mxit import Mxit,
CONTACT_LIST_FILTER``).  See ``docs/oauth2.md`` (section "Mxit")."""

from __future__ import annotations

from .client import API_ENDPOINT, AUTH_ENDPOINT, AsyncMxit, Mxit
from .services import CONTACT_LIST_FILTER

__all__ = ["API_ENDPOINT", "AUTH_ENDPOINT", "CONTACT_LIST_FILTER", "AsyncMxit", "Mxit"]
