"""The CloudCIX client: cloudcix's ``Client(application, service_uri)`` on the CRUD style.

Each client is one service of one application (``Client("Membership", "Address/")``);
its URL comes from the settings (:mod:`.settings`): ``{CLOUDCIX_API_URL}/{application}/
{version}/{service_uri}/`` for API version 1, ``{scheme}://{application}.{host}/
{service_uri}/`` (lower case) for version 2.  The token goes in ``X-Auth-Token``; lists are
pages of ``content`` with ``_metadata.total_records``, chosen by ``page`` (from 0) and
``limit``.  Calls return :class:`restwright.Response` objects, error statuses included,
as cloudcix returns ``requests`` responses.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from typing import Any

from ..engine.urls import split_url
from ..styles.crud import Service
from .settings import Settings, load_settings

__all__ = [
    "PAGE_LIMIT",
    "PAGINATION",
    "AsyncClient",
    "Client",
    "encode_params",
    "service_location",
]

#: How many items ``get_all`` asks for per page (cloudcix's figure).
PAGE_LIMIT = 100

#: CloudCIX's list pages, as engine pagination options.
PAGINATION = {
    "style": "page",
    "page_param": "page",
    "first_page": 0,
    "limit_param": "limit",
    "page_size": PAGE_LIMIT,
    "items_key": "content",
    "total_field": "_metadata.total_records",
}

_PLACEHOLDER = re.compile(r"(\{\w+\})")


def _lower_literals(path: str) -> str:
    """Lower-case a path but its ``{placeholders}`` (they name keyword arguments)."""
    return "".join(p if _PLACEHOLDER.fullmatch(p) else p.lower() for p in _PLACEHOLDER.split(path))


def encode_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Query parameters written as CloudCIX reads them (as cloudcix sends them): dates and
    times in ISO 8601, booleans ``true``/``false``, lists, tuples, sets and dicts as their
    Python text without spaces (``search[id__in]=[1,2]``)."""
    out: dict[str, Any] = {}
    for name, value in params.items():
        if isinstance(value, (datetime.date, datetime.time)):
            value = value.isoformat()
        elif isinstance(value, (list, tuple, set, frozenset, dict)):
            value = str(value).replace(" ", "")
        out[name] = value
    return out


def service_location(
    settings: Settings, application: str, service_uri: str, version: str = "v1"
) -> tuple[str, str]:
    """The base URL and the path template of a service (see the module docstring)."""
    service = service_uri.strip("/")
    if settings.api_version == 2:
        origin, target = split_url(settings.api_v2_url)
        scheme, _, host = str(origin).partition("://")
        base = f"{scheme}://{application}.{host}{target.rstrip('/')}".lower()
        return base, _lower_literals(f"/{service}/")
    return settings.api_url.rstrip("/"), f"/{application}/{version}/{service}/"


class Client(Service):
    """One CloudCIX service (sync).  ``version`` is the v1 URL's version part; ``settings``
    replaces the ones read from the environment; ``client`` is an engine client to use (its
    base URL must be the API's); other keyword arguments go to the engine client made here.
    """

    def __init__(
        self,
        application: str,
        service_uri: str,
        version: str = "v1",
        *,
        settings: Settings | None = None,
        client: Any = None,
        **client_options: Any,
    ) -> None:
        base_url, path = service_location(
            settings or load_settings(), application, service_uri, version
        )
        self.application = application
        self.service_uri = service_uri
        self.base_url = base_url
        engine = client if client is not None else self._new_engine_client(base_url, client_options)
        super().__init__(
            engine,
            path,
            token_header="X-Auth-Token",
            pagination=PAGINATION,
            raise_errors=False,
            own_client=client is None,
            encode_params=encode_params,
        )

    @staticmethod
    def _new_engine_client(base_url: str, options: dict[str, Any]) -> Any:
        from ..engine.client import Client as EngineClient

        return EngineClient(base_url, **options)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} [{self.base_url}{self.path}]>"


class AsyncClient(Client):
    """:class:`Client` on an :class:`restwright.AsyncClient`: every call is awaited; close
    it with ``await client.aclose()`` (or ``async with``)."""

    @staticmethod
    def _new_engine_client(base_url: str, options: dict[str, Any]) -> Any:
        from ..engine.async_client import AsyncClient as EngineAsyncClient

        return EngineAsyncClient(base_url, **options)
