"""The kinds of PATCH a Kinto server understands (same classes as ``kinto_http.patch_type``).

A PATCH request is interpreted according to its content type, which applies to the whole
body: changes to the resource's ``data`` and to its ``permissions``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["BasicPatch", "JSONPatch", "MergePatch", "PatchType"]


class PatchType:
    """Base class of a PATCH request body with its content type."""

    content_type: str = ""
    body: Any = None


class _DataPatch(PatchType):
    """A patch made of optional ``data`` and ``permissions`` parts."""

    def __init__(
        self, data: dict[str, Any] | None = None, permissions: dict[str, Any] | None = None
    ) -> None:
        self.data = data
        self.permissions = permissions

    @property
    def body(self) -> dict[str, Any]:
        ret: dict[str, Any] = {}
        if self.data is not None:
            ret["data"] = self.data
        if self.permissions is not None:
            ret["permissions"] = self.permissions
        return ret

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.data!r}, permissions={self.permissions!r})"


class BasicPatch(_DataPatch):
    """An "attribute merge" PATCH: top-level attributes replace those of the object."""

    content_type = "application/json"


class MergePatch(_DataPatch):
    """A JSON merge patch (RFC 7396): objects merge recursively, ``None`` removes a field.

    Merge semantics on permissions may not work on every server (Kinto issue #1322).
    """

    content_type = "application/merge-patch+json"


class JSONPatch(PatchType):
    """A JSON Patch (RFC 6902): a list of operations applied in order.

    Paths are written as if applied at the root of an object with ``data`` and
    ``permissions`` fields, e.g. ``/data/title`` or ``/permissions/read/fxa:alice``.
    """

    content_type = "application/json-patch+json"

    def __init__(self, operations: list[dict[str, Any]]) -> None:
        self.body = operations

    def __repr__(self) -> str:
        return f"JSONPatch({self.body!r})"
