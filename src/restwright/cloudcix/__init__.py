"""A CloudCIX client on restwright's engine, compatible with cloudcix's ``Client``.

::

    from restwright.cloudcix import Client

    address = Client("Membership", "Address/")        # CLOUDCIX_API_URL from the settings
    response = address.list(token=token, params={"search[name]": "CIX"})
    everything = address.get_all(token=token)          # every page

Differences from cloudcix, all on purpose: the token is redacted in logs, errors and curl
output and never sent to another origin; ``pk`` and URL ids are percent-encoded as one path
segment; idempotent calls are retried on 502/503/504 and connection failures (POST and
PATCH are never re-sent); ``get_all`` raises an :class:`~restwright.errors.ApiError` when a
page fails (cloudcix raised ``KeyError``); ``data=None`` sends no body (cloudcix sent
``null``).
"""

from __future__ import annotations

from .client import PAGE_LIMIT, PAGINATION, AsyncClient, Client, encode_params, service_location
from .settings import Settings, load_settings

__all__ = [
    "PAGE_LIMIT",
    "PAGINATION",
    "AsyncClient",
    "Client",
    "Settings",
    "encode_params",
    "load_settings",
    "service_location",
]
