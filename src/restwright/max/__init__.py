"""A MAX client on restwright's engine, compatible with maxclient 5.1 (rest-ish and rpc).

::

    from restwright.max import MaxClient

    client = MaxClient("https://max.example", oauth_server="https://oauth.example")
    client.setActor("carles.bruguera")
    client.setToken("NLfIgUgBgODd4sdAgDsFgdAffFigfBf0")
    client.people["carles.bruguera"].activities.get(qs={"limit": 1})
    client.getUser("carles.bruguera")          # (True, 200, {...})

Differences from maxclient, all on purpose:

* Navigation is checked against MAX's route table: a typo raises
  :class:`~restwright.errors.UnknownRouteError` naming the closest routes (maxclient returned
  an ``AttributeError`` object instead of raising it).
* Item names are percent-encoded as one path segment.
* A 404 raises :class:`~restwright.errors.NotFound` (a :data:`RequestError`) instead of
  returning ``None``; ``data=`` together with fields raises instead of dropping the fields;
  GET/HEAD with body fields raise (give the query as ``qs=``).
* TLS certificates are verified (maxclient sent everything with ``verify=False``).
* ``login()`` runs :class:`restwright.auth.oauth2.PasswordGrant` (only the password grant:
  no ``grant_type=`` option); a refusal raises :class:`~restwright.errors.OAuth2Error`
  instead of ``BadUsernameOrPasswordError``.
"""

from __future__ import annotations

from .auth import MaxAuth
from .client import (
    DEFAULT_CLIENT_ID,
    DEFAULT_MAX_SERVER,
    DEFAULT_SCOPE,
    AsyncMaxClient,
    MaxClient,
    RequestError,
    context_hash,
)
from .routes import MAX_DEFAULTS, MAX_ROUTES

__all__ = [
    "DEFAULT_CLIENT_ID",
    "DEFAULT_MAX_SERVER",
    "DEFAULT_SCOPE",
    "MAX_DEFAULTS",
    "MAX_ROUTES",
    "AsyncMaxClient",
    "MaxAuth",
    "MaxClient",
    "RequestError",
    "context_hash",
]
