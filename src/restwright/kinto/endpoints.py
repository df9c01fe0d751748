"""Kinto endpoint paths (same names as ``kinto_http.endpoints.Endpoints``)."""

from __future__ import annotations

from typing import Any

from .exceptions import KintoException
from .utils import slugify

__all__ = ["Endpoints"]


class Endpoints:
    """Build the path of a named Kinto endpoint.

    Values are used as is when they are valid Kinto ids, percent-encoded as one path
    segment otherwise (see :func:`restwright.kinto.utils.slugify`).
    """

    endpoints: dict[str, str] = {
        "root": "{root}/",
        "batch": "{root}/batch",
        "permissions": "{root}/permissions",
        "buckets": "{root}/buckets",
        "bucket": "{root}/buckets/{bucket}",
        "history": "{root}/buckets/{bucket}/history",
        "groups": "{root}/buckets/{bucket}/groups",
        "group": "{root}/buckets/{bucket}/groups/{group}",
        "collections": "{root}/buckets/{bucket}/collections",
        "collection": "{root}/buckets/{bucket}/collections/{collection}",
        "records": "{root}/buckets/{bucket}/collections/{collection}/records",
        "record": "{root}/buckets/{bucket}/collections/{collection}/records/{id}",
        "attachment": "{root}/buckets/{bucket}/collections/{collection}/records/{id}/attachment",
        "changeset": "{root}/buckets/{bucket}/collections/{collection}/changeset",
    }

    def __init__(self, root: str = "") -> None:
        self._root = root

    def get(self, endpoint: str, **kwargs: Any) -> str:
        """The path of ``endpoint``; ``None`` and ``""`` count as missing (unlike kinto-http,
        ``0`` is an id: its README batch example writes ``{"id": idx}`` from ``range(100)``)."""
        values = {k: slugify(v) for k, v in kwargs.items() if v is not None and v != ""}
        try:
            return self.endpoints[endpoint].format(root=self._root, **values)
        except KeyError as e:
            msg = "Cannot get {endpoint} endpoint, {field} is missing"
            raise KintoException(msg.format(endpoint=endpoint, field=",".join(e.args))) from None
