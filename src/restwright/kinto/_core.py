"""The pure half of the Kinto clients, shared by :class:`Client` and :class:`AsyncClient`.

Every endpoint method is written once, here, as an *operation*: a generator that yields the
calls to make and receives their results, sans I/O.  A call is a ``(method, endpoint,
kwargs)`` tuple meant for ``session.request(method, endpoint, **kwargs)``, which returns
``(body, headers)`` (or, for :data:`DOWNLOAD`, ``session.download(url, **kwargs)``); a
failed call is thrown back into the generator, so ``if_not_exists``/``if_exists`` and
error translations are plain ``try``/``except`` blocks.  :class:`~restwright.kinto.Client`
and :class:`~restwright.kinto.AsyncClient` only add a driver (a loop calling the session,
with or without ``await``) and expose each operation under its kinto-http name.
"""

from __future__ import annotations

import contextlib
import json
import logging
import mimetypes
import os
import random
import uuid
from collections.abc import Callable, Generator
from typing import Any, TypeVar
from urllib.parse import urljoin

from .constants import DO_NOT_OVERWRITE
from .endpoints import Endpoints
from .exceptions import (
    BucketNotFound,
    CollectionNotFound,
    KintoException,
    make_error,
)
from .patch_type import BasicPatch, PatchType
from .utils import compute_sha256, quote, slugify

logger = logging.getLogger("restwright.kinto")

T = TypeVar("T")

#: ``(method, endpoint, kwargs)``: one call for ``session.request``.
Call = tuple[str, str, dict[str, Any]]
#: An operation: yields calls, receives ``(body, headers)``, returns the method's result.
Op = Generator[Call, Any, T]
#: A paginated operation also yields :class:`Page` items, to hand over to the caller.
PagedOp = Generator["Call | Page", Any, None]

#: Method marker of a call that streams ``endpoint`` (a URL) to a file.
DOWNLOAD = "__download__"
#: Method marker of a pause: the driver waits ``kwargs["seconds"]`` (a server asked for it).
SLEEP = "__sleep__"

_NO_KWARGS: dict[str, Any] = {}
_PERMISSION_ID_KEYS = ("bucket_id", "collection_id", "group_id", "record_id")


class Record(dict[str, Any]):
    """A record of ``get_records()``: a plain dict that remembers its bucket and collection
    (``kinto_parent``), used by ``update_record``/``patch_record`` when no collection is
    known otherwise."""

    __slots__ = ("kinto_parent",)

    def __init__(self, data: dict[str, Any], parent: tuple[str | None, str | None]) -> None:
        super().__init__(data)
        self.kinto_parent = parent


class Page:
    """A page of a paginated listing, yielded by paged operations for the caller."""

    __slots__ = ("body",)

    def __init__(self, body: Any) -> None:
        self.body = body


def status_of(exc: BaseException) -> int | None:
    """The HTTP status of a failed call (``None`` for failures without a response)."""
    status = getattr(exc, "status_code", None)
    if isinstance(status, int):
        return status
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None)
    return status if isinstance(status, int) else None


class ClientCore:
    """State and operations common to the sync and async Kinto clients (no I/O)."""

    session: Any

    def _init_core(
        self,
        bucket: str | None,
        collection: str | None,
        ignore_batch_4xx: bool,
    ) -> None:
        self.endpoints = Endpoints()
        self.bucket_name = bucket
        self.collection_name = collection
        self._ignore_batch_4xx = ignore_batch_4xx
        self._records_timestamp: dict[str, str] = {}
        self._record_prefixes: dict[tuple[str | None, str | None], str] = {}
        #: Set on the client a ``batch()`` block yields: returns the sub-responses' bodies.
        self.results: Callable[[], list[Any]] | None = None

    # -- endpoints and headers ---------------------------------------------------------

    def get_endpoint(
        self,
        name: str,
        *,
        bucket: str | None = None,
        group: str | None = None,
        collection: str | None = None,
        id: str | None = None,
    ) -> str:
        """The path of the endpoint ``name`` (defaults: the client's bucket/collection)."""
        return self._get_endpoint(name, bucket=bucket, group=group, collection=collection, id=id)

    def _get_endpoint(
        self,
        name: str,
        *,
        bucket: str | None = None,
        group: str | None = None,
        collection: str | None = None,
        id: str | None = None,
    ) -> str:
        return self.endpoints.get(
            name,
            bucket=bucket or self.bucket_name,
            collection=collection or self.collection_name,
            group=group,
            id=id,
        )

    def _record_endpoint(self, id: Any, bucket: str | None, collection: str | None) -> str:
        """``_get_endpoint("record", ...)``, with the collection's path cached (hot path)."""
        if id is None or id == "":
            return self._get_endpoint("record", id=id, bucket=bucket, collection=collection)
        key = (bucket or self.bucket_name, collection or self.collection_name)
        prefix = self._record_prefixes.get(key)
        if prefix is None:
            prefix = self._get_endpoint("records", bucket=key[0], collection=key[1]) + "/"
            if len(self._record_prefixes) > 256:
                self._record_prefixes.clear()
            self._record_prefixes[key] = prefix
        return prefix + slugify(id)

    @staticmethod
    def _get_cache_headers(
        safe: bool, data: dict[str, Any] | None = None, if_match: Any = None
    ) -> dict[str, str] | None:
        """``If-Match`` for a safe write: from ``if_match`` or ``data["last_modified"]``."""
        if if_match is None and data is not None and data.get("last_modified"):
            if_match = data["last_modified"]
        if safe and if_match is not None:
            return {"If-Match": quote(if_match)}
        return None

    @staticmethod
    def _string_id(data: Any) -> Any:
        """Kinto ids are strings: ``{"id": 7}`` is sent as ``{"id": "7"}`` (kinto-http sends
        the number, which the server refuses as not matching the URL's id)."""
        if isinstance(data, dict) and "id" in data and not isinstance(data["id"], str):
            if data["id"] is None:
                return {k: v for k, v in data.items() if k != "id"}
            return {**data, "id": str(data["id"])}
        return data

    @staticmethod
    def _unwrap_object(id: str | None, data: Any, permissions: Any) -> tuple[Any, Any]:
        """Accept a whole object (``{"data": {...}, "permissions": {...}}``, what ``get_*``
        returns) as ``data`` when no ``id`` is given, as kinto-http's README does with
        ``client.update_record(data=client.get_record(...))``."""
        if (
            id is None
            and isinstance(data, dict)
            and isinstance(data.get("data"), dict)
            and "id" in data["data"]
            and set(data) <= {"data", "permissions"}
        ):
            if permissions is None:
                permissions = data.get("permissions")
            data = data["data"]
        return data, permissions

    def _record_parent(
        self, record: Any, bucket: str | None, collection: str | None
    ) -> tuple[str | None, str | None]:
        """Where to write ``record`` when neither the call nor the client says which
        collection: where it was read from (records of ``get_records`` remember it), so
        that kinto-http's README loop ``client.update_record(data=record)`` works."""
        if collection is None and self.collection_name is None:
            parent = getattr(record, "kinto_parent", None)
            if parent is not None:
                return bucket or parent[0], parent[1]
        return bucket, collection

    @staticmethod
    def _extract_original_info(
        original: dict[str, Any] | None, id: str | None, if_match: Any
    ) -> tuple[str | None, Any]:
        """The id and timestamp to use, falling back on those of the ``original`` object."""
        if original:
            id = id or original.get("id")
            if_match = if_match or original.get("last_modified")
        return id, if_match

    def __repr__(self) -> str:
        if self.collection_name:
            endpoint = self._get_endpoint(
                "collection", bucket=self.bucket_name, collection=self.collection_name
            )
        elif self.bucket_name:
            endpoint = self._get_endpoint("bucket", bucket=self.bucket_name)
        else:
            endpoint = self._get_endpoint("root")
        server_url = getattr(self.session, "server_url", None) or ""
        absolute = server_url.rstrip("/") + "/" + endpoint.lstrip("/")
        return f"<Kinto{type(self).__name__} {absolute}>"

    # -- generic operations ---------------------------------------------------------------

    def _op_paginated(
        self,
        /,
        endpoint: str,
        *,
        if_none_match: str | None = None,
        pages: float | None = None,
        **params: Any,
    ) -> Op[list[Any]]:
        """Every object of a listing, merging pages (deduplicated by id, in order)."""
        headers = {"If-None-Match": quote(if_none_match)} if if_none_match is not None else None
        if pages is None:
            pages = 1 if "_limit" in params else float("inf")
        records: dict[Any, Any] = {}
        kwargs: dict[str, Any] = {"params": params}
        if headers is not None:
            kwargs["headers"] = headers
        first = True
        while True:
            body, resp_headers = yield ("GET", endpoint, kwargs)
            if first:
                # The collection timestamp, for get_records_timestamp().
                self._records_timestamp[endpoint] = (resp_headers.get("ETag") or "").strip('"')
                first = False
            if not body:
                break
            for obj in body["data"]:
                records[obj["id"]] = obj
            pages -= 1
            next_page = resp_headers.get("Next-Page") if pages > 0 else None
            if not next_page:
                break
            endpoint = next_page
            kwargs = {"headers": headers} if headers is not None else _NO_KWARGS
        return list(records.values())

    def _op_pages(
        self, /, endpoint: str, *, if_none_match: str | None = None, **params: Any
    ) -> PagedOp:
        """Each page of a listing (the raw body, with ``data``), one after the other."""
        headers = {"If-None-Match": quote(if_none_match)} if if_none_match is not None else None
        kwargs: dict[str, Any] = {"params": params}
        if headers is not None:
            kwargs["headers"] = headers
        while True:
            body, resp_headers = yield ("GET", endpoint, kwargs)
            if body:
                yield Page(body)
            next_page = resp_headers.get("Next-Page")
            if not next_page:
                return
            endpoint = next_page
            kwargs = {"headers": headers} if headers is not None else _NO_KWARGS

    def _op_patch(
        self,
        /,
        endpoint: str,
        patch: PatchType | None,
        safe: bool = True,
        if_match: Any = None,
        data: dict[str, Any] | None = None,
        permissions: dict[str, Any] | None = None,
    ) -> Op[dict[str, Any]]:
        if not patch:
            # Before kinto-http 9.1, ``data``/``permissions`` were passed as dicts.
            patch = BasicPatch(data=data, permissions=permissions)
        if not isinstance(patch, PatchType):
            raise TypeError(f"couldn't understand patch body {patch}")
        headers = self._get_cache_headers(safe, if_match=if_match) or {}
        headers["Content-Type"] = patch.content_type
        body: dict[str, Any]
        body, _ = yield ("PATCH", endpoint, {"payload": patch.body, "headers": headers})
        return body

    def _op_put(
        self,
        /,
        endpoint: str,
        data: Any,
        permissions: Any,
        headers: dict[str, str] | None,
    ) -> Op[dict[str, Any]]:
        kwargs: dict[str, Any] = {}
        if data is not None:
            kwargs["data"] = self._string_id(data)
        if permissions is not None:
            kwargs["permissions"] = permissions
        if headers is not None:
            kwargs["headers"] = headers
        body: dict[str, Any]
        body, _ = yield ("PUT", endpoint, kwargs)
        return body

    def _op_delete(self, /, endpoint: str, safe: bool, if_match: Any) -> Op[Any]:
        headers = self._get_cache_headers(safe, if_match=if_match)
        body, _ = yield ("DELETE", endpoint, {"headers": headers} if headers else _NO_KWARGS)
        if getattr(self.session, "dry_mode", False):
            return body  # the dry run's made-up answer, as the create_*() methods return it
        return body["data"]

    def _op_delete_all(
        self, /, endpoint: str, safe: bool, if_match: Any, params: dict[str, Any] | None = None
    ) -> Op[Any]:
        """DELETE on a plural endpoint, following ``Next-Page``.

        Kinto paginates plural deletions too: with ``paginate_by`` set, one DELETE removes
        one page and answers a ``Next-Page`` link for the rest (kinto-http stops after the
        first page, leaving objects behind).  ``If-Match`` guards the first request only:
        the following ones see the timestamp our own deletions produced.
        """
        headers = self._get_cache_headers(safe, if_match=if_match)
        kwargs: dict[str, Any] = {"headers": headers} if headers else {}
        if params:
            kwargs["params"] = params
        deleted: list[Any] = []
        while True:
            body, resp_headers = yield ("DELETE", endpoint, kwargs)
            if not body:
                return body
            deleted.extend(body["data"])
            next_page = resp_headers.get("Next-Page")
            if not next_page:
                return deleted
            endpoint, kwargs = next_page, _NO_KWARGS

    def _op_create_if_not_exists(self, /, create: Op[T], get: Callable[[], Op[T]]) -> Op[T]:
        try:
            return (yield from create)
        except KintoException as e:
            if status_of(e) != 412:
                raise
        # The 412 error holds the existing object, but not its permissions: read it.
        return (yield from get())

    def _op_delete_if_exists(self, /, delete: Op[Any], forbidden_ok: bool = False) -> Op[Any]:
        try:
            return (yield from delete)
        except KintoException as e:
            status = status_of(e)
            if status == 404 or (forbidden_ok and status == 403):
                return None
            raise

    @staticmethod
    def _reword_403(e: KintoException, what: str) -> KintoException:
        if status_of(e) == 403:
            msg = (
                "Unauthorized. Please check that the bucket exists and that you have the "
                f"permission to create or write on this {what}."
            )
            return make_error(KintoException, msg, cause=e)
        return e

    # -- server ---------------------------------------------------------------------------

    def _op_server_info(self, /) -> Op[dict[str, Any]]:
        cache = _shared_cache(self.session)
        info = cache.get("server_info")
        if info is not None:
            return info  # type: ignore[no-any-return]
        body, _ = yield ("GET", self._get_endpoint("root"), _NO_KWARGS)
        if body and not getattr(self.session, "dry_mode", False):
            cache["server_info"] = body
        return body  # type: ignore[no-any-return]

    def _op_batch_max_requests(self, /) -> Op[int]:
        if getattr(self.session, "dry_mode", False):
            return 999999
        info = yield from self._op_server_info()
        return int(info.get("settings", {}).get("batch_max_requests") or 0)

    # -- buckets --------------------------------------------------------------------------

    def _op_create_bucket(
        self,
        /,
        id: str | None = None,
        *,
        data: dict[str, Any] | None = None,
        permissions: dict[str, Any] | None = None,
        safe: bool = True,
        if_not_exists: bool = False,
    ) -> Op[dict[str, Any]]:
        if id is None and data:
            id = data.get("id", None)
        if if_not_exists:
            return (
                yield from self._op_create_if_not_exists(
                    self._op_create_bucket(id=id, data=data, permissions=permissions, safe=safe),
                    lambda: self._op_get_bucket(id=id),
                )
            )
        endpoint = self._get_endpoint("bucket", bucket=id)
        logger.info("Create bucket %r", id or self.bucket_name)
        headers = DO_NOT_OVERWRITE if safe else None
        return (yield from self._op_put(endpoint, data, permissions, headers))

    def _op_update_bucket(
        self,
        /,
        id: str | None = None,
        *,
        data: dict[str, Any] | None = None,
        permissions: dict[str, Any] | None = None,
        safe: bool = True,
        if_match: Any = None,
    ) -> Op[dict[str, Any]]:
        data, permissions = self._unwrap_object(id, data, permissions)
        if id is None and data:
            id = data.get("id", None)
        endpoint = self._get_endpoint("bucket", bucket=id)
        logger.info("Update bucket %r", id or self.bucket_name)
        headers = self._get_cache_headers(safe, data, if_match)
        return (yield from self._op_put(endpoint, data, permissions, headers))

    def _op_patch_bucket(
        self,
        /,
        id: str | None = None,
        *,
        changes: PatchType | None = None,
        data: dict[str, Any] | None = None,
        original: dict[str, Any] | None = None,
        permissions: dict[str, Any] | None = None,
        safe: bool = True,
        if_match: Any = None,
    ) -> Op[dict[str, Any]]:
        """PATCH a bucket with ``changes`` (a :mod:`~restwright.kinto.patch_type` object);
        ``original`` (or ``data``) may give the id and the ``last_modified`` to check."""
        id, if_match = self._extract_original_info(original or data, id, if_match)
        endpoint = self._get_endpoint("bucket", bucket=id)
        logger.info("Patch bucket %r", id or self.bucket_name)
        return (
            yield from self._op_patch(
                endpoint, changes, data=data, permissions=permissions, safe=safe, if_match=if_match
            )
        )

    def _op_get_buckets(self, /, **kwargs: Any) -> Op[list[dict[str, Any]]]:
        return (yield from self._op_paginated(self._get_endpoint("buckets"), **kwargs))

    def _op_get_bucket(self, /, id: str | None = None, **kwargs: Any) -> Op[dict[str, Any]]:
        endpoint = self._get_endpoint("bucket", bucket=id)
        logger.info("Get bucket %r", id or self.bucket_name)
        try:
            body, _ = yield ("GET", endpoint, {"params": kwargs} if kwargs else _NO_KWARGS)
        except KintoException as e:
            if status_of(e) == 401:
                msg = (
                    "Unauthorized. Please authenticate or make sure the bucket "
                    "can be read anonymously."
                )
                raise make_error(KintoException, msg, cause=e) from None
            if status_of(e) is None:
                raise
            raise make_error(BucketNotFound, id or self.bucket_name, cause=e) from None
        return body  # type: ignore[no-any-return]

    def _op_delete_bucket(
        self,
        /,
        id: str | None = None,
        *,
        safe: bool = True,
        if_match: Any = None,
        if_exists: bool = False,
    ) -> Op[Any]:
        if if_exists:
            return (
                yield from self._op_delete_if_exists(
                    self._op_delete_bucket(id=id, safe=safe, if_match=if_match),
                    forbidden_ok=True,
                )
            )
        endpoint = self._get_endpoint("bucket", bucket=id)
        logger.info("Delete bucket %r", id or self.bucket_name)
        return (yield from self._op_delete(endpoint, safe, if_match))

    def _op_delete_buckets(self, /, *, safe: bool = True, if_match: Any = None) -> Op[Any]:
        logger.info("Delete buckets")
        return (yield from self._op_delete_all(self._get_endpoint("buckets"), safe, if_match))

    # -- groups ---------------------------------------------------------------------------

    def _op_get_groups(
        self, /, *, bucket: str | None = None, **kwargs: Any
    ) -> Op[list[dict[str, Any]]]:
        endpoint = self._get_endpoint("groups", bucket=bucket)
        return (yield from self._op_paginated(endpoint, **kwargs))

    def _op_create_group(
        self,
        /,
        id: str | None = None,
        *,
        bucket: str | None = None,
        data: dict[str, Any] | None = None,
        permissions: dict[str, Any] | None = None,
        safe: bool = True,
        if_not_exists: bool = False,
    ) -> Op[dict[str, Any]]:
        if id is None and data:
            id = data.get("id", None)
        if id is None:
            raise KeyError("Please provide a group id")
        if if_not_exists:
            group_id = id
            return (
                yield from self._op_create_if_not_exists(
                    self._op_create_group(
                        id=id, bucket=bucket, data=data, permissions=permissions, safe=safe
                    ),
                    lambda: self._op_get_group(id=group_id, bucket=bucket),
                )
            )
        endpoint = self._get_endpoint("group", bucket=bucket, group=id)
        logger.info("Create group %r in bucket %r", id, bucket or self.bucket_name)
        headers = DO_NOT_OVERWRITE if safe else None
        try:
            return (yield from self._op_put(endpoint, data, permissions, headers))
        except KintoException as e:
            raise self._reword_403(e, "group") from None

    def _op_update_group(
        self,
        /,
        id: str | None = None,
        *,
        bucket: str | None = None,
        data: dict[str, Any] | None = None,
        permissions: dict[str, Any] | None = None,
        safe: bool = True,
        if_match: Any = None,
    ) -> Op[dict[str, Any]]:
        data, permissions = self._unwrap_object(id, data, permissions)
        if id is None and data:
            id = data.get("id", None)
        if id is None:
            raise KeyError("Please provide a group id")
        endpoint = self._get_endpoint("group", bucket=bucket, group=id)
        logger.info("Update group %r in bucket %r", id, bucket or self.bucket_name)
        headers = self._get_cache_headers(safe, data, if_match)
        return (yield from self._op_put(endpoint, data, permissions, headers))

    def _op_patch_group(
        self,
        /,
        id: str | None = None,
        *,
        bucket: str | None = None,
        changes: PatchType | None = None,
        data: dict[str, Any] | None = None,
        original: dict[str, Any] | None = None,
        permissions: dict[str, Any] | None = None,
        safe: bool = True,
        if_match: Any = None,
    ) -> Op[dict[str, Any]]:
        """PATCH a group with ``changes``; see :meth:`patch_bucket`."""
        id, if_match = self._extract_original_info(original or data, id, if_match)
        endpoint = self._get_endpoint("group", bucket=bucket, group=id)
        logger.info("Patch group %r in bucket %r", id, bucket or self.bucket_name)
        return (
            yield from self._op_patch(
                endpoint, changes, data=data, permissions=permissions, safe=safe, if_match=if_match
            )
        )

    def _op_get_group(self, /, id: str, *, bucket: str | None = None) -> Op[dict[str, Any]]:
        endpoint = self._get_endpoint("group", bucket=bucket, group=id)
        logger.info("Get group %r in bucket %r", id, bucket or self.bucket_name)
        body, _ = yield ("GET", endpoint, _NO_KWARGS)
        return body  # type: ignore[no-any-return]

    def _op_delete_group(
        self,
        /,
        id: str,
        *,
        bucket: str | None = None,
        safe: bool = True,
        if_match: Any = None,
        if_exists: bool = False,
    ) -> Op[Any]:
        if if_exists:
            return (
                yield from self._op_delete_if_exists(
                    self._op_delete_group(id=id, bucket=bucket, safe=safe, if_match=if_match)
                )
            )
        endpoint = self._get_endpoint("group", bucket=bucket, group=id)
        logger.info("Delete group %r in bucket %r", id, bucket or self.bucket_name)
        return (yield from self._op_delete(endpoint, safe, if_match))

    def _op_delete_groups(
        self, /, *, bucket: str | None = None, safe: bool = True, if_match: Any = None
    ) -> Op[Any]:
        logger.info("Delete groups in bucket %r", bucket or self.bucket_name)
        endpoint = self._get_endpoint("groups", bucket=bucket)
        return (yield from self._op_delete_all(endpoint, safe, if_match))

    # -- collections ----------------------------------------------------------------------

    def _op_get_collections(
        self, /, *, bucket: str | None = None, **kwargs: Any
    ) -> Op[list[dict[str, Any]]]:
        endpoint = self._get_endpoint("collections", bucket=bucket)
        return (yield from self._op_paginated(endpoint, **kwargs))

    def _op_create_collection(
        self,
        /,
        id: str | None = None,
        *,
        bucket: str | None = None,
        data: dict[str, Any] | None = None,
        permissions: dict[str, Any] | None = None,
        safe: bool = True,
        if_not_exists: bool = False,
    ) -> Op[dict[str, Any]]:
        if id is None and data:
            id = data.get("id", None)
        if if_not_exists:
            return (
                yield from self._op_create_if_not_exists(
                    self._op_create_collection(
                        id=id, bucket=bucket, data=data, permissions=permissions, safe=safe
                    ),
                    lambda: self._op_get_collection(id=id, bucket=bucket),
                )
            )
        endpoint = self._get_endpoint("collection", bucket=bucket, collection=id)
        logger.info(
            "Create collection %r in bucket %r",
            id or self.collection_name,
            bucket or self.bucket_name,
        )
        headers = DO_NOT_OVERWRITE if safe else None
        try:
            return (yield from self._op_put(endpoint, data, permissions, headers))
        except KintoException as e:
            raise self._reword_403(e, "collection") from None

    def _op_update_collection(
        self,
        /,
        id: str | None = None,
        *,
        bucket: str | None = None,
        data: dict[str, Any] | None = None,
        permissions: dict[str, Any] | None = None,
        safe: bool = True,
        if_match: Any = None,
    ) -> Op[dict[str, Any]]:
        data, permissions = self._unwrap_object(id, data, permissions)
        if id is None and data:
            id = data.get("id", None)
        endpoint = self._get_endpoint("collection", bucket=bucket, collection=id)
        logger.info(
            "Update collection %r in bucket %r",
            id or self.collection_name,
            bucket or self.bucket_name,
        )
        headers = self._get_cache_headers(safe, data, if_match)
        return (yield from self._op_put(endpoint, data, permissions, headers))

    def _op_patch_collection(
        self,
        /,
        id: str | None = None,
        *,
        bucket: str | None = None,
        changes: PatchType | None = None,
        data: dict[str, Any] | None = None,
        original: dict[str, Any] | None = None,
        permissions: dict[str, Any] | None = None,
        safe: bool = True,
        if_match: Any = None,
    ) -> Op[dict[str, Any]]:
        """PATCH a collection with ``changes``; see :meth:`patch_bucket`."""
        id, if_match = self._extract_original_info(original or data, id, if_match)
        endpoint = self._get_endpoint("collection", bucket=bucket, collection=id)
        logger.info(
            "Patch collection %r in bucket %r",
            id or self.collection_name,
            bucket or self.bucket_name,
        )
        return (
            yield from self._op_patch(
                endpoint, changes, data=data, permissions=permissions, safe=safe, if_match=if_match
            )
        )

    def _op_get_collection(
        self, /, id: str | None = None, *, bucket: str | None = None, **kwargs: Any
    ) -> Op[dict[str, Any]]:
        endpoint = self._get_endpoint("collection", bucket=bucket, collection=id)
        logger.info(
            "Get collection %r in bucket %r",
            id or self.collection_name,
            bucket or self.bucket_name,
        )
        try:
            body, _ = yield ("GET", endpoint, {"params": kwargs} if kwargs else _NO_KWARGS)
        except KintoException as e:
            if status_of(e) == 404:
                raise make_error(CollectionNotFound, id or self.collection_name, cause=e) from None
            raise
        return body  # type: ignore[no-any-return]

    def _op_delete_collection(
        self,
        /,
        id: str | None = None,
        *,
        bucket: str | None = None,
        safe: bool = True,
        if_match: Any = None,
        if_exists: bool = False,
    ) -> Op[Any]:
        if if_exists:
            return (
                yield from self._op_delete_if_exists(
                    self._op_delete_collection(id=id, bucket=bucket, safe=safe, if_match=if_match)
                )
            )
        endpoint = self._get_endpoint("collection", bucket=bucket, collection=id)
        logger.info(
            "Delete collection %r in bucket %r",
            id or self.collection_name,
            bucket or self.bucket_name,
        )
        return (yield from self._op_delete(endpoint, safe, if_match))

    def _op_delete_collections(
        self, /, *, bucket: str | None = None, safe: bool = True, if_match: Any = None
    ) -> Op[Any]:
        logger.info("Delete collections in bucket %r", bucket or self.bucket_name)
        endpoint = self._get_endpoint("collections", bucket=bucket)
        return (yield from self._op_delete_all(endpoint, safe, if_match))

    # -- records --------------------------------------------------------------------------

    def _op_get_records_timestamp(
        self, /, *, collection: str | None = None, bucket: str | None = None
    ) -> Op[str]:
        endpoint = self._get_endpoint("records", bucket=bucket, collection=collection)
        if endpoint not in self._records_timestamp:
            _, headers = yield ("HEAD", endpoint, _NO_KWARGS)
            self._records_timestamp[endpoint] = (headers.get("ETag") or "").strip('"')
        return self._records_timestamp[endpoint]

    def _op_get_records(
        self, /, *, collection: str | None = None, bucket: str | None = None, **kwargs: Any
    ) -> Op[list[dict[str, Any]]]:
        """Every record (pages merged); filters, ``_sort``, ``_limit``, ``_since``... are
        sent as query parameters; ``pages=`` bounds how many pages are fetched."""
        endpoint = self._get_endpoint("records", bucket=bucket, collection=collection)
        records = yield from self._op_paginated(endpoint, **kwargs)
        parent = (bucket or self.bucket_name, collection or self.collection_name)
        return [Record(r, parent) for r in records]

    def _op_get_paginated_records(
        self, /, *, collection: str | None = None, bucket: str | None = None, **kwargs: Any
    ) -> PagedOp:
        endpoint = self._get_endpoint("records", bucket=bucket, collection=collection)
        yield from self._op_pages(endpoint, **kwargs)

    def _op_get_permissions(
        self, /, exclude_resource_names: list[str] | tuple[str, ...] | None = None, **kwargs: Any
    ) -> Op[list[dict[str, Any]]]:
        endpoint = self._get_endpoint("permissions")
        params = dict(kwargs.pop("params", None) or {})
        params.setdefault("_sort", "id")
        if exclude_resource_names:
            params["exclude_resource_name"] = ",".join(exclude_resource_names)
        kwargs["params"] = params
        entries: list[dict[str, Any]] = []
        while True:
            body, headers = yield ("GET", endpoint, kwargs)
            if not body:
                return entries
            for entry in body["data"]:
                # Every entry has every id key (None when it does not apply), so that code
                # like ``p["collection_id"] == "x"`` (kinto-http's README) works on buckets.
                for key in _PERMISSION_ID_KEYS:
                    entry.setdefault(key, None)
                entries.append(entry)
            # The listing is paginated like any other: read every page.
            next_page = headers.get("Next-Page")
            if not next_page:
                return entries
            endpoint, kwargs = next_page, {k: v for k, v in kwargs.items() if k != "params"}

    def _op_get_record(
        self,
        /,
        id: str,
        *,
        collection: str | None = None,
        bucket: str | None = None,
        **kwargs: Any,
    ) -> Op[dict[str, Any]]:
        endpoint = self._record_endpoint(id, bucket, collection)
        logger.debug(
            "Get record with id %r from collection %r in bucket %r",
            id,
            collection or self.collection_name,
            bucket or self.bucket_name,
        )
        body, _ = yield ("GET", endpoint, {"params": kwargs} if kwargs else _NO_KWARGS)
        return body  # type: ignore[no-any-return]

    def _op_create_record(
        self,
        /,
        id: str | None = None,
        *,
        bucket: str | None = None,
        collection: str | None = None,
        data: dict[str, Any] | None = None,
        permissions: dict[str, Any] | None = None,
        safe: bool = True,
        if_not_exists: bool = False,
    ) -> Op[dict[str, Any]]:
        id = id or (data.get("id", None) if data else None)
        if if_not_exists:
            record_id = id or str(uuid.uuid4())
            return (
                yield from self._op_create_if_not_exists(
                    self._op_create_record(
                        id=record_id,
                        bucket=bucket,
                        collection=collection,
                        data=data,
                        permissions=permissions,
                        safe=safe,
                    ),
                    lambda: self._op_get_record(id=record_id, bucket=bucket, collection=collection),
                )
            )
        id = id or str(uuid.uuid4())
        endpoint = self._record_endpoint(id, bucket, collection)
        logger.info(
            "Create record with id %r in collection %r in bucket %r",
            id,
            collection or self.collection_name,
            bucket or self.bucket_name,
        )
        headers = DO_NOT_OVERWRITE if safe else None
        try:
            return (yield from self._op_put(endpoint, data, permissions, headers))
        except KintoException as e:
            if status_of(e) == 403:
                msg = (
                    "Unauthorized. Please check that the collection exists and that you have "
                    "the permission to create or write on this collection record."
                )
                raise make_error(KintoException, msg, cause=e) from None
            raise

    def _op_update_record(
        self,
        /,
        id: str | None = None,
        *,
        collection: str | None = None,
        bucket: str | None = None,
        data: dict[str, Any] | None = None,
        permissions: dict[str, Any] | None = None,
        safe: bool = True,
        if_match: Any = None,
    ) -> Op[dict[str, Any]]:
        data, permissions = self._unwrap_object(id, data, permissions)
        id = id or (data.get("id") if data else None)
        if id is None:
            raise KeyError("Unable to update a record, need an id.")
        bucket, collection = self._record_parent(data, bucket, collection)
        endpoint = self._record_endpoint(id, bucket, collection)
        logger.info(
            "Update record with id %r in collection %r in bucket %r",
            id,
            collection or self.collection_name,
            bucket or self.bucket_name,
        )
        headers = self._get_cache_headers(safe, data, if_match)
        return (yield from self._op_put(endpoint, data, permissions, headers))

    def _op_patch_record(
        self,
        /,
        id: str | None = None,
        *,
        collection: str | None = None,
        bucket: str | None = None,
        changes: PatchType | None = None,
        data: dict[str, Any] | None = None,
        original: dict[str, Any] | None = None,
        permissions: dict[str, Any] | None = None,
        safe: bool = True,
        if_match: Any = None,
    ) -> Op[dict[str, Any]]:
        """PATCH a record with ``changes``; see :meth:`patch_bucket`."""
        id, if_match = self._extract_original_info(original or data, id, if_match)
        if id is None:
            raise KeyError("Unable to patch record, need an id.")
        bucket, collection = self._record_parent(original or data, bucket, collection)
        endpoint = self._record_endpoint(id, bucket, collection)
        logger.info(
            "Patch record with id %r in collection %r in bucket %r",
            id,
            collection or self.collection_name,
            bucket or self.bucket_name,
        )
        return (
            yield from self._op_patch(
                endpoint, changes, data=data, permissions=permissions, safe=safe, if_match=if_match
            )
        )

    def _op_delete_record(
        self,
        /,
        id: str,
        *,
        collection: str | None = None,
        bucket: str | None = None,
        safe: bool = True,
        if_match: Any = None,
        if_exists: bool = False,
    ) -> Op[Any]:
        if if_exists:
            return (
                yield from self._op_delete_if_exists(
                    self._op_delete_record(
                        id=id, collection=collection, bucket=bucket, safe=safe, if_match=if_match
                    )
                )
            )
        endpoint = self._record_endpoint(id, bucket, collection)
        logger.info(
            "Delete record with id %r from collection %r in bucket %r",
            id,
            collection or self.collection_name,
            bucket or self.bucket_name,
        )
        return (yield from self._op_delete(endpoint, safe, if_match))

    def _op_delete_records(
        self,
        /,
        *,
        collection: str | None = None,
        bucket: str | None = None,
        safe: bool = True,
        if_match: Any = None,
    ) -> Op[Any]:
        endpoint = self._get_endpoint("records", bucket=bucket, collection=collection)
        logger.info(
            "Delete records from collection %r in bucket %r",
            collection or self.collection_name,
            bucket or self.bucket_name,
        )
        return (yield from self._op_delete_all(endpoint, safe, if_match))

    # -- history --------------------------------------------------------------------------

    def _op_get_history(
        self, /, *, bucket: str | None = None, **kwargs: Any
    ) -> Op[list[dict[str, Any]]]:
        endpoint = self._get_endpoint("history", bucket=bucket)
        logger.info("Get history from bucket %r", bucket or self.bucket_name)
        return (yield from self._op_paginated(endpoint, **kwargs))

    def _op_purge_history(
        self,
        /,
        *,
        bucket: str | None = None,
        safe: bool = True,
        if_match: Any = None,
        **kwargs: Any,
    ) -> Op[list[dict[str, Any]]]:
        endpoint = self._get_endpoint("history", bucket=bucket)
        logger.info("Purge history of bucket %r", bucket or self.bucket_name)
        return (yield from self._op_delete_all(endpoint, safe, if_match, kwargs))  # type: ignore[no-any-return]

    # -- attachments (kinto-attachment) ---------------------------------------------------

    def _op_add_attachment(
        self,
        /,
        id: str,
        filepath: str | os.PathLike[str],
        filename: str | None = None,
        bucket: str | None = None,
        collection: str | None = None,
        data: dict[str, Any] | None = None,
        permissions: dict[str, Any] | None = None,
        mimetype: str | None = None,
    ) -> Op[dict[str, Any]]:
        """Upload ``filepath`` as the attachment of record ``id`` (streamed, not loaded)."""
        path = os.fspath(filepath)
        filename = filename or os.path.basename(path)
        if mimetype is None:
            mimetype, _ = mimetypes.guess_type(path)
        endpoint = self._get_endpoint("attachment", id=id, bucket=bucket, collection=collection)
        with open(path, "rb") as file:
            body, _ = yield (
                "POST",
                endpoint,
                {
                    "data": json.dumps(data) if data is not None else None,
                    "permissions": json.dumps(permissions) if permissions is not None else None,
                    "files": [
                        (
                            "attachment",
                            (filename, file, mimetype or "application/octet-stream"),
                        )
                    ],
                },
            )
        return body  # type: ignore[no-any-return]

    def _op_remove_attachment(
        self,
        /,
        id: str,
        bucket: str | None = None,
        collection: str | None = None,
    ) -> Op[Any]:
        endpoint = self._get_endpoint("attachment", id=id, bucket=bucket, collection=collection)
        body, _ = yield ("DELETE", endpoint, _NO_KWARGS)
        return body

    def _op_download_attachment(
        self,
        /,
        record: dict[str, Any],
        filepath: str | os.PathLike[str] | None = None,
        save_metadata: bool = False,
        overwrite: bool = False,
        chunk_size: int = 8 * 1024,
    ) -> Op[str]:
        """Download the attachment of ``record`` to ``filepath`` and return the path.

        ``filepath`` defaults to the attachment's file name (in the current directory); a
        directory receives the file under that name.  An existing file with the expected
        size and SHA-256 is kept (unless ``overwrite``).  The file is streamed to a
        temporary name, checked against the record's ``size``/``hash`` and then moved into
        place, so a partial or corrupted download never replaces a good file.  The file
        server usually is another origin: no credential is sent to it.
        """
        if "attachment" not in record:
            raise ValueError("Specified record has no attachment")
        attachment = record["attachment"]
        server_info = yield from self._op_server_info()
        base_url = server_info["capabilities"]["attachments"]["base_url"]
        url = urljoin(base_url.rstrip("/") + "/", attachment["location"].lstrip("/"))

        path: str
        if filepath is None:
            path = os.path.basename(attachment["filename"])
        else:
            path = os.fspath(filepath)
            if os.path.isdir(path):
                path = os.path.join(path, os.path.basename(attachment["filename"]))

        if os.path.exists(path) and not overwrite:
            if _matches(path, attachment):
                logger.info("Attachment %r is already up-to-date", path)
                return path
            logger.info("Attachment %r exists but is outdated, re-downloading", path)

        folder = os.path.dirname(path)
        if folder:
            os.makedirs(folder, exist_ok=True)
        partial = f"{path}.{uuid.uuid4().hex[:8]}.part"
        try:
            yield (DOWNLOAD, url, {"to": partial})
            expected_size = attachment.get("size")
            if expected_size is not None and os.path.getsize(partial) != expected_size:
                raise KintoException(
                    f"Attachment {url} has {os.path.getsize(partial)} bytes, "
                    f"expected {expected_size}"
                )
            expected_hash = attachment.get("hash")
            if expected_hash and compute_sha256(partial) != expected_hash:
                raise KintoException(f"Attachment {url} does not match its SHA-256 hash")
            os.replace(partial, path)
        finally:
            if os.path.exists(partial):
                os.unlink(partial)

        if save_metadata:
            with open(path + ".meta.json", "w") as meta_file:
                json.dump(record, meta_file)
        return path

    # -- changesets and review workflow (kinto-remote-settings) ---------------------------

    def _op_get_changeset(
        self,
        /,
        bucket: str | None = None,
        collection: str | None = None,
        bust_cache: bool = False,
        **kwargs: Any,
    ) -> Op[Any]:
        kwargs.setdefault(
            "_expected", random.randint(999999000000, 999999999999) if bust_cache else 0
        )
        endpoint = self._get_endpoint("changeset", bucket=bucket, collection=collection)
        body, _ = yield ("GET", endpoint, {"params": kwargs})
        return body

    def _op_review(
        self,
        /,
        fields: dict[str, Any],
        id: str | None = None,
        bucket: str | None = None,
        **kwargs: Any,
    ) -> Op[dict[str, Any]]:
        data = {**kwargs.pop("data", {}), **fields}
        return (yield from self._op_patch_collection(id=id, bucket=bucket, data=data, **kwargs))

    def _op_request_review(
        self, /, message: str, id: str | None = None, bucket: str | None = None, **kwargs: Any
    ) -> Op[dict[str, Any]]:
        fields = {"status": "to-review", "last_editor_comment": message}
        return (yield from self._op_review(fields, id, bucket, **kwargs))

    def _op_decline_changes(
        self, /, message: str, id: str | None = None, bucket: str | None = None, **kwargs: Any
    ) -> Op[dict[str, Any]]:
        fields = {"status": "work-in-progress", "last_reviewer_comment": message}
        return (yield from self._op_review(fields, id, bucket, **kwargs))

    def _op_approve_changes(
        self, /, id: str | None = None, bucket: str | None = None, **kwargs: Any
    ) -> Op[dict[str, Any]]:
        return (yield from self._op_review({"status": "to-sign"}, id, bucket, **kwargs))

    def _op_rollback_changes(
        self, /, message: str, id: str | None = None, bucket: str | None = None, **kwargs: Any
    ) -> Op[dict[str, Any]]:
        fields = {"status": "to-rollback", "last_editor_comment": message}
        return (yield from self._op_review(fields, id, bucket, **kwargs))


def _matches(path: str, attachment: dict[str, Any]) -> bool:
    size = attachment.get("size")
    if size is not None and os.path.getsize(path) != size:
        return False
    expected = attachment.get("hash")
    return not expected or compute_sha256(path) == expected


def _shared_cache(session: Any) -> dict[str, Any]:
    """A dict shared by every client using ``session`` (server info is cached there)."""
    cache = getattr(session, "_kinto_cache", None)
    if cache is None:
        cache = {}
        with contextlib.suppress(AttributeError):  # a session that refuses attributes
            session._kinto_cache = cache
    return cache
