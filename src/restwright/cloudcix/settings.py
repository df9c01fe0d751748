"""CloudCIX settings: where the API is, read like cloudcix reads them.

A settings module named by ``CLOUDCIX_SETTINGS_MODULE`` (or ``DJANGO_SETTINGS_MODULE``;
``"package.module"`` or ``"package.module:attribute"``, e.g. ``"django.conf:settings"``)
supplies every upper-case ``CLOUDCIX_*`` name; environment variables of the same names
(``CLOUDCIX_API_URL``, ``CLOUDCIX_API_VERSION``, ``CLOUDCIX_API_V2_URL``) override it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from importlib import import_module
from typing import Any, NamedTuple

from ..errors import InvalidRequestError

__all__ = ["SETTINGS_VARIABLES", "Settings", "load_settings"]

SETTINGS_VARIABLES = ("CLOUDCIX_SETTINGS_MODULE", "DJANGO_SETTINGS_MODULE")


class Settings(NamedTuple):
    """The settings that place a service: ``api_url`` (``CLOUDCIX_API_URL``), ``api_version``
    (``CLOUDCIX_API_VERSION``: 1, or 2 for per-application hosts) and ``api_v2_url``
    (``CLOUDCIX_API_V2_URL``, defaults to ``api_url``); ``values`` holds every
    ``CLOUDCIX_*`` setting found."""

    api_url: str
    api_version: int = 1
    api_v2_url: str = ""
    values: Mapping[str, Any] = {}


def _module_values(spec: str) -> dict[str, Any]:
    module_name, _, attribute = spec.partition(":")
    try:
        source: Any = import_module(module_name)
    except ImportError as exc:
        raise InvalidRequestError(f"cannot import the CloudCIX settings {spec!r}: {exc}") from None
    if attribute:
        source = getattr(source, attribute)
    return {
        name: getattr(source, name)
        for name in dir(source)
        if name.isupper() and name.startswith("CLOUDCIX_")
    }


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """The CloudCIX settings from the settings module and the environment (see the module
    docstring); raises :class:`~restwright.errors.InvalidRequestError` without an API URL."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    spec = next((env[name] for name in SETTINGS_VARIABLES if env.get(name)), None)
    if spec:
        values.update(_module_values(spec))
    values.update({k: v for k, v in env.items() if k.startswith("CLOUDCIX_") and v})
    api_url = str(values.get("CLOUDCIX_API_URL") or "")
    if not api_url:
        raise InvalidRequestError(
            "CLOUDCIX_API_URL is not set: set it in the environment or in the module named "
            "by CLOUDCIX_SETTINGS_MODULE"
        )
    try:
        version = int(values.get("CLOUDCIX_API_VERSION") or 1)
    except ValueError:
        raise InvalidRequestError("CLOUDCIX_API_VERSION must be 1 or 2") from None
    return Settings(api_url, version, str(values.get("CLOUDCIX_API_V2_URL") or api_url), values)
