"""MAX's login: a token from the OAuth2 server's password grant
(:class:`restwright.auth.oauth2.PasswordGrant`), asking on the terminal for what is
missing.

The login is written once, as *steps* (:func:`login_steps`): a generator that yields either
a :class:`~restwright.Blocking` call (the terminal prompt) or the result of an engine call
(a value with a sync client, an awaitable with an async one) and receives what it gives.
:func:`drive` runs the steps with plain calls, or as a coroutine that awaits the engine and
runs prompts in a worker thread, so the event loop never waits for a human.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Generator
from typing import Any

from ..engine.auth import Blocking
from ..engine.models import Request, Response
from ..errors import ApiError

__all__ = ["LoginSteps", "drive", "login_steps", "token_answer"]

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


def token_answer(oauth_client: Any, request: Request, is_async: bool) -> Any:
    """Send a token request through the engine and give its answer, error statuses
    included: the grant reads a refusal itself (and raises ``OAuth2Error`` with the
    server's ``error`` and ``error_description``)."""
    if is_async:

        async def answer() -> Response:
            try:
                response: Response = await oauth_client.send(request)
            except ApiError as exc:
                return _refusal(exc)
            return response

        return answer()
    try:
        sync_response: Response = oauth_client.send(request)
    except ApiError as exc:
        return _refusal(exc)
    return sync_response


def _refusal(exc: ApiError) -> Response:
    if exc.response is None:  # pragma: no cover - an ApiError always carries its answer
        raise exc
    return exc.response


def login_steps(max_client: Any, username: str | None, password: str | None) -> LoginSteps:
    """The steps of ``MaxClient.login`` (see the module docstring); returns the token.

    The OAuth2 password grant is :class:`restwright.auth.oauth2.PasswordGrant` (the token
    request, the terminal prompts, the token response and its errors): its auth flow
    authorizes a stand-in request that is never sent, and the token it puts there becomes
    MAX's ``X-Oauth-Token``.
    """
    from ..auth.oauth2 import PasswordGrant

    oauth_server = max_client.known_oauth_server
    if oauth_server is None:
        info = yield max_client.server_info
        oauth_server = max_client.oauth_server_from(info)
    grant = PasswordGrant(
        f"{oauth_server}/token",
        max_client.client_id,
        username,
        password,
        scopes=max_client.scope,
    )
    oauth_client = max_client.client.with_options(base_url=oauth_server, auth=None)
    stand_in = Request.from_url("GET", f"{max_client.url}/")
    flow = grant.auth_flow(stand_in)
    step = next(flow)
    while step is not stand_in:
        if isinstance(step, Blocking):
            result = yield step  # the terminal prompt
        else:
            result = yield token_answer(oauth_client, step, max_client.is_async)
        step = flow.send(result)
    flow.close()
    _, _, token = stand_in.headers["Authorization"].partition(" ")
    max_client.actor = grant.username
    max_client.token = token
    return token
