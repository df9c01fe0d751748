"""MAX's login: a token from the OAuth2 server's password grant, asking on the terminal for
what is missing.

The login is written once, as *steps* (:func:`login_steps`): a generator that yields either
a :class:`~restwright.Blocking` call (the terminal prompt) or the result of an engine call
(a value with a sync client, an awaitable with an async one) and receives what it gives.
:func:`drive` runs the steps with plain calls, or as a coroutine that awaits the engine and
runs prompts in a worker thread, so the event loop never waits for a human.
"""

from __future__ import annotations

import asyncio
import getpass
import inspect
import sys
from collections.abc import Generator
from typing import Any

from ..engine.auth import Blocking
from ..engine.models import Response
from ..errors import InvalidRequestError

__all__ = ["LoginSteps", "ask_credentials", "drive", "login_steps", "request_password_token"]

#: What the login steps yield: a blocking call, or an engine result (maybe awaitable).
LoginSteps = Generator[Any, Any, str]


def drive(steps: Generator[Any, Any, Any], is_async: bool) -> Any:
    """Run ``steps`` to their return value (sync), or return a coroutine that does (async)."""
    if is_async:
        return _drive_async(steps)
    value: Any = None
    try:
        while True:
            step = steps.send(value)
            value = step.func(*step.args) if isinstance(step, Blocking) else step
    except StopIteration as done:
        return done.value


async def _drive_async(steps: Generator[Any, Any, Any]) -> Any:
    value: Any = None
    try:
        while True:
            step = steps.send(value)
            if isinstance(step, Blocking):
                value = await asyncio.to_thread(step.func, *step.args)
            elif inspect.isawaitable(step):
                value = await step
            else:
                value = step
    except StopIteration as done:
        return done.value


def ask_credentials(username: str | None, password: str | None) -> tuple[str, str]:
    """Ask on the terminal for what is missing (the password without echo, with
    :func:`getpass.getpass`); without a terminal, raise instead of waiting forever."""
    if not sys.stdin or not sys.stdin.isatty():
        raise InvalidRequestError(
            "login() needs a username and a password: pass them, or run on a terminal to be "
            "asked for them"
        )
    if username is None:
        username = input("Username: ").strip()
    if password is None:
        password = getpass.getpass(f"Password for {username}: ")
    return username, password


def request_password_token(
    oauth_client: Any,
    username: str,
    password: str,
    *,
    client_id: str,
    scope: str,
    grant_type: str = "password",
) -> Any:
    """The OAuth2 password-grant token request (RFC 6749 section 4.3.2), sent through the
    engine (``oauth_client`` is bound to the OAuth2 server): a form POST to ``/token``.

    The form's ``password`` field is masked wherever the request is shown; the request is
    never re-sent automatically (a POST).  Returns the response (an awaitable with an
    async client); an error status raises the engine's ``ApiError`` (``BadRequest`` with
    the server's ``error_description`` for a bad password).
    """
    form = {
        "grant_type": grant_type,
        "client_id": client_id,
        "scope": scope,
        "username": username,
        "password": password,
    }
    return oauth_client.post("/token", data=form)


def token_of(response: Response) -> str:
    """The token of a token response: ``access_token``, or legacy servers' ``oauth_token``."""
    body = response.json()
    token = body.get("access_token") or body.get("oauth_token") if isinstance(body, dict) else None
    if not isinstance(token, str) or not token:
        raise InvalidRequestError(
            f"the OAuth2 server answered without a token ({response.status_code})"
        )
    return token


def login_steps(max_client: Any, username: str | None, password: str | None) -> LoginSteps:
    """The steps of ``MaxClient.login`` (see the module docstring); returns the token."""
    if username is None or password is None:
        username, password = yield Blocking(ask_credentials, (username, password))
    oauth_server = max_client.known_oauth_server
    if oauth_server is None:
        info = yield max_client.server_info
        oauth_server = max_client.oauth_server_from(info)
    oauth_client = max_client.client.with_options(base_url=oauth_server, auth=None)
    response = yield request_password_token(
        oauth_client,
        username,
        password,
        client_id=max_client.client_id,
        scope=max_client.scope,
        grant_type=max_client.grant_type,
    )
    max_client.actor = username
    max_client.token = token_of(response)
    return str(max_client.token)
