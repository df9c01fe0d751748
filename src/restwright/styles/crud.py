"""The CRUD-service style: one collection URL and the six verbs every REST service has.

``Service(client, "Address/{address_id}/Link/")`` gives ``create``, ``read``, ``update``
(PUT), ``partial_update`` (PATCH), ``delete``, ``list``, ``head`` and ``get_all`` (every
item of every page), with cloudcix's signatures: ``token=`` (sent as an auth header, so it is
redacted and never leaves the API's origin), ``data=`` (the JSON body), ``params=`` (the
query) and ``**url_ids`` filling the other placeholders of the path.  Other keyword
arguments (``headers=``, ``timeout=``, ``retry=``, ``idempotency_key=`` ...) go to the
engine's ``request()``.  Calls return :class:`restwright.Response` objects; on an
:class:`~restwright.AsyncClient` they return awaitables.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Mapping
from typing import Any

from ..engine.auth import HeaderAuth
from ..engine.models import Response
from ..errors import ApiError

__all__ = ["Service"]

_PLACEHOLDERS = re.compile(r"\{(\w+)\}")
_PK = "_service_pk_"


class Service:
    """The CRUD verbs over one collection of an engine client (see the module docstring).

    ``client_or_base_url`` is an engine client (sync or async) or a base URL (a
    :class:`~restwright.Client` is then made and owned: close the service when done);
    ``own_client=True`` makes the service close a client it was given.
    ``token_header`` carries the per-call ``token=`` (``"X-Auth-Token"``, CloudCIX's).
    ``pagination`` holds the :meth:`~restwright.Client.paginate` options ``get_all`` walks
    with.  ``encode_params`` rewrites ``params=`` before the engine encodes them (an API's
    own way of writing lists or dates).  ``raise_errors=False`` returns error responses
    instead of raising, as ``requests``-based clients did.
    """

    def __init__(
        self,
        client_or_base_url: Any,
        path: str,
        *,
        token_header: str = "X-Auth-Token",
        pagination: Mapping[str, Any] | None = None,
        raise_errors: bool = True,
        own_client: bool = False,
        encode_params: Callable[[Any], Any] | None = None,
        **client_options: Any,
    ) -> None:
        if isinstance(client_or_base_url, str):
            from ..engine.client import Client

            self.client: Any = Client(client_or_base_url, **client_options)
            self._owns_client = True
        else:
            self.client = client_or_base_url
            self._owns_client = own_client
        self.path = path
        self._item_path = f"{path}{{{_PK}}}/" if path.endswith("/") else f"{path}/{{{_PK}}}"
        self._placeholders = frozenset(_PLACEHOLDERS.findall(path))
        self.token_header = token_header
        self.pagination = dict(pagination or {})
        self.raise_errors = raise_errors
        self.encode_params = encode_params
        self._is_async = inspect.iscoroutinefunction(self.client.request)

    # -- the verbs ------------------------------------------------------------------------
    def create(
        self, token: str | None = None, data: Any = None, params: Any = None, **kwargs: Any
    ) -> Any:
        """POST ``data`` to the collection."""
        return self._send("POST", None, token, data, params, kwargs)

    def read(self, pk: Any, token: str | None = None, params: Any = None, **kwargs: Any) -> Any:
        """GET the item ``pk``."""
        return self._send("GET", pk, token, None, params, kwargs)

    def update(
        self,
        pk: Any,
        token: str | None = None,
        data: Any = None,
        params: Any = None,
        **kwargs: Any,
    ) -> Any:
        """PUT ``data`` on the item ``pk``."""
        return self._send("PUT", pk, token, data, params, kwargs)

    def partial_update(
        self,
        pk: Any,
        token: str | None = None,
        data: Any = None,
        params: Any = None,
        **kwargs: Any,
    ) -> Any:
        """PATCH the item ``pk`` with ``data`` (fields not sent are left alone)."""
        return self._send("PATCH", pk, token, data, params, kwargs)

    def delete(self, pk: Any, token: str | None = None, params: Any = None, **kwargs: Any) -> Any:
        """DELETE the item ``pk``."""
        return self._send("DELETE", pk, token, None, params, kwargs)

    def list(self, token: str | None = None, params: Any = None, **kwargs: Any) -> Any:
        """GET one page of the collection (filtered by ``params``)."""
        return self._send("GET", None, token, None, params, kwargs)

    def head(
        self, token: str | None = None, pk: Any = None, params: Any = None, **kwargs: Any
    ) -> Any:
        """HEAD the item ``pk``, or the collection when ``pk`` is None."""
        return self._send("HEAD", pk, token, None, params, kwargs)

    def get_all(self, token: str | None = None, params: Any = None, **kwargs: Any) -> Any:
        """Every item of every page of the collection, as a list (see ``pagination``)."""
        client, path_params, options = self._prepare(token, kwargs)
        pages = client.paginate(
            self.path,
            path_params=path_params,
            params=self._params(params),
            headers=options.pop("headers", None),
            **{**self.pagination, **options},
        )
        if self._is_async:
            return _collect(pages.items())
        return list(pages.items())

    # -- plumbing -------------------------------------------------------------------------
    def _prepare(
        self, token: str | None, kwargs: dict[str, Any]
    ) -> tuple[Any, dict[str, Any], dict[str, Any]]:
        """The client for this call (with the token as its auth), the path parameters and
        the remaining request options."""
        client = self.client
        if token:
            client = client.with_options(auth=HeaderAuth(self.token_header, token))
        path_params = {k: kwargs.pop(k) for k in list(kwargs) if k in self._placeholders}
        return client, path_params, kwargs

    def _send(
        self,
        method: str,
        pk: Any,
        token: str | None,
        data: Any,
        params: Any,
        kwargs: dict[str, Any],
    ) -> Any:
        client, path_params, options = self._prepare(token, kwargs)
        path = self.path
        if pk is not None:
            path_params[_PK] = pk
            path = self._item_path
        if data is not None:
            options["json"] = data
        options.update(path_params=path_params, params=self._params(params))
        if self._is_async:
            return self._send_async(client, method, path, options)
        try:
            return client.request(method, path, **options)
        except ApiError as exc:
            return self._error_response(exc)  # or re-raises

    def _params(self, params: Any) -> Any:
        return self.encode_params(params) if self.encode_params and params else params

    async def _send_async(
        self, client: Any, method: str, path: str, options: dict[str, Any]
    ) -> Response:
        try:
            response: Response = await client.request(method, path, **options)
        except ApiError as exc:
            return self._error_response(exc)
        return response

    def _error_response(self, exc: ApiError) -> Response:
        """The error answer, when errors are returned; else the error goes on."""
        if self.raise_errors or exc.response is None:
            raise exc
        return exc.response

    # -- lifecycle ------------------------------------------------------------------------
    def close(self) -> None:
        """Close the (sync) client this service owns."""
        if self._owns_client:
            self.client.close()

    async def aclose(self) -> None:
        """Close the (async) client this service owns."""
        if self._owns_client:
            await self.client.aclose()

    def __enter__(self) -> Service:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> Service:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"<Service {self.path!r} on {self.client!r}>"


async def _collect(items: Any) -> list[Any]:
    return [item async for item in items]
