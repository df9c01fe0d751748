"""A Kinto client on restwright's engine, compatible with kinto-http 11.x.

Switch by changing one import::

    import restwright.kinto as kinto_http

    client = kinto_http.Client(server_url="http://localhost:8888/v1", auth=("user", "pass"))
    records = client.get_records(bucket="default", collection="todos")

Same classes, methods, parameters and exceptions as kinto-http; plus an asyncio client with
every endpoint (batches included), restwright's retries, timeouts and credential hygiene,
and exceptions that are also :mod:`restwright.errors` classes.

Differences from kinto-http, all on purpose:

* Safety: a PATCH/POST (or a batch chunk holding one) is never re-sent automatically;
  ``timeout`` defaults to 5 s connect / 30 s read (``None``: no limit); a ``Backoff``
  header delays the next requests instead of raising; no credential goes to another origin
  (attachment files); a downloaded attachment is checked against its size and SHA-256 before
  it replaces the target file.  See :mod:`restwright.kinto.session` and
  :mod:`restwright.kinto.batch`.
* Completeness: plural deletes (``delete_records()``...) and ``purge_history()`` follow
  ``Next-Page`` (kinto-http stops after the server's first page, leaving objects behind);
  ``get_permissions()`` reads every page; a failed batch lists the sub-requests it did not
  send; the async client has ``batch()`` and an ``async for`` ``get_paginated_records()``.
* Ids: a value that is not a valid Kinto id is percent-encoded as one path segment instead of
  being slugified (which can make two ids address one object); ``0`` is a valid id; a
  numeric ``data["id"]`` is sent as a string.
* kinto-http's README runs unchanged: ``id`` may be passed positionally to the single-object
  methods; ``update_*(data=obj)`` accepts a whole ``{"data", "permissions"}`` object; records
  of ``get_records()`` remember their bucket and collection for ``update_record(data=r)``;
  every ``get_permissions()`` entry has all of ``bucket_id``/``collection_id``/``group_id``/
  ``record_id`` (``None`` when not applicable).
* Logging only: batch sub-responses are logged at DEBUG (failures at WARNING), never printed.
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
