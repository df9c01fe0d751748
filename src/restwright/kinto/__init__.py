"""A Kinto client on restwright's engine, compatible with kinto-http 11.x.

Switch by changing one import::

    import restwright.kinto as kinto_http

    client = kinto_http.Client(server_url="http://localhost:8888/v1", auth=("user", "pass"))
    records = client.get_records(bucket="default", collection="todos")

Same classes, methods, parameters and exceptions as kinto-http; plus an asyncio client with
every endpoint (batches included), restwright's retries, timeouts and credential hygiene,
and exceptions that are also :mod:`restwright.errors` classes.  What differs on purpose is
listed in :mod:`restwright.kinto.session` and :mod:`restwright.kinto.batch`.
"""

from __future__ import annotations

import logging

from .auth import BearerTokenAuth, TokenAuth
from .client import AsyncClient, Client
from .endpoints import Endpoints
from .exceptions import (
    BackoffException,
    BucketNotFound,
    CollectionNotFound,
    KintoBatchException,
    KintoException,
)
from .login import BrowserOAuth
from .session import DEFAULT_TIMEOUT, AsyncSession, Session, create_session

logger = logging.getLogger("restwright.kinto")

__all__ = (
    "DEFAULT_TIMEOUT",
    "AsyncClient",
    "AsyncSession",
    "BackoffException",
    "BearerTokenAuth",
    "BrowserOAuth",
    "BucketNotFound",
    "Client",
    "CollectionNotFound",
    "Endpoints",
    "KintoBatchException",
    "KintoException",
    "Session",
    "TokenAuth",
    "create_session",
)
