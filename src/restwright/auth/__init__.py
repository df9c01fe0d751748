"""Authentication for restwright clients: the engine's schemes and OAuth 2.

The simple schemes live in :mod:`restwright.engine.auth` (and stay importable from
``restwright``); OAuth 2 (:mod:`restwright.auth.oauth2`, on authlib) is imported on first
use, so ``import restwright.auth`` stays cheap and works without the ``oauth2`` extra.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_getattr
from ..engine.auth import (
    APIKeyAuth,
    Auth,
    AuthFlow,
    BasicAuth,
    BearerAuth,
    Blocking,
    FunctionAuth,
    HeaderAuth,
)

if TYPE_CHECKING:
    from .oauth2 import AuthorizationCode, ClientCredentials, OAuth2Grant, PasswordGrant

__all__ = [
    "APIKeyAuth",
    "Auth",
    "AuthFlow",
    "AuthorizationCode",
    "BasicAuth",
    "BearerAuth",
    "Blocking",
    "ClientCredentials",
    "FunctionAuth",
    "HeaderAuth",
    "OAuth2Grant",
    "PasswordGrant",
]

_LAZY = {
    "AuthorizationCode": ".oauth2",
    "ClientCredentials": ".oauth2",
    "OAuth2Grant": ".oauth2",
    "PasswordGrant": ".oauth2",
}

__getattr__ = lazy_getattr(__name__, globals(), _LAZY)
