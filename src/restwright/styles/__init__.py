"""Client styles built on the engine: how calls are written, never how they are sent.

* :mod:`.navigation` - :class:`Resource`: ``api.people["bob"].activities.get()``;
* :mod:`.routes` - :class:`RouteMap`: the URL templates that check navigation;
* :mod:`.crud` - :class:`Service`: ``create``/``read``/``update``/``delete``/``list``/``get_all``.

Every call goes through the engine client's pipeline, so auth, retries, pagination, hooks,
redaction, dry run and async work the same in every style.
"""

from __future__ import annotations

from .crud import Service
from .navigation import Resource
from .routes import Route, RouteMap

__all__ = ["Resource", "Route", "RouteMap", "Service"]
