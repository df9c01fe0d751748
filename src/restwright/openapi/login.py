"""The token a login operation answers, for ``client.with_login(...)``.

Why: APIs that log in with a user name and password hand the session token back in
different places (Mattermost: a ``Token`` response header; many others: a ``token`` or
``access_token`` JSON field).  Finding it is the same few lines in every script; here they
are written once, and never put the token into an error message.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..engine.models import Response
from ..engine.pagination import dig
from ..errors import DecodeError, InvalidRequestError

__all__ = ["login_token"]

_HEADERS = ("Token",)
_FIELDS = ("token", "access_token")


def login_token(response: Response, header: str | None = None, field: str | None = None) -> str:
    """The token in ``response``: header ``header``, else JSON field ``field`` (dotted),
    else a ``Token`` header, a ``token`` or an ``access_token`` field.

    :class:`~restwright.errors.InvalidRequestError` when there is none.
    """
    headers = (header,) if header else () if field else _HEADERS
    for name in headers:
        value = response.headers.get(name)
        if value:
            return value
    fields = (field,) if field else () if header else _FIELDS
    if fields:
        try:
            body = response.json() if response.content else None
        except DecodeError:
            body = None
        for name in fields:
            value = dig(body, name) if isinstance(body, Mapping) else None
            if isinstance(value, str) and value:
                return value
    where = [f"header {h!r}" for h in headers] + [f"JSON field {f!r}" for f in fields]
    raise InvalidRequestError(
        f"the login answer ({response.status_code}) carries no token (looked for "
        f"{', '.join(where)}); name it with token_header= or token_field="
    )
