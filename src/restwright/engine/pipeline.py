"""The request pipeline, once for sync and async clients.

:func:`exchange` is a generator that owns every decision of a call: backoff waits, auth
(including auth flows that send requests of their own), hooks, redirects, retries, error
mapping and logging.  It performs no I/O: it *yields actions* (:class:`Send`,
:class:`Sleep`, ...) and receives their results.  ``Client`` and ``AsyncClient`` each
contain a tiny driver that executes those actions with blocking or awaited calls.  This
keeps the two clients behaviourally identical without duplicating any logic.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator
from typing import Any, NamedTuple, Union

from ..errors import TooManyRedirects, TransportError
from .auth import Auth, Blocking
from .cookies import CookieJar
from .headers import Headers
from .logs import DEBUG, get_logger
from .models import Request, Response, api_error
from .redaction import SENSITIVE_HEADERS
from .retry import Retry, parse_backoff, parse_retry_after
from .urls import Origin, join_url, split_url, without_params

logger = get_logger("restwright")


class Send(NamedTuple):
    """Send ``request`` through the transport; the result is a :class:`Response`."""

    request: Request
    stream: bool


class Sleep(NamedTuple):
    """Wait ``seconds`` before going on."""

    seconds: float


class CallHook(NamedTuple):
    """Call a user hook (awaited when it returns an awaitable)."""

    func: Callable[[Any], Any]
    arg: Any


class ReadBody(NamedTuple):
    """Read the rest of a streamed response (to build an error from it)."""

    response: Response


class CloseResponse(NamedTuple):
    """Release a streamed response that will not be read."""

    response: Response


Action = Union[Send, Sleep, CallHook, Blocking, ReadBody, CloseResponse]
Exchange = Generator[Action, Any, Response]

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

#: Redirects that keep the method and the body (RFC 9110 §15.4.8, §15.4.9).
BODY_KEEPING_REDIRECTS = frozenset({307, 308})


#: Statuses whose ``Retry-After`` holds back every request to the origin.
THROTTLE_STATUSES = frozenset({429, 503})


class BackoffState:
    """When each origin allows the next request (Kinto's ``Backoff`` header)."""

    def __init__(self) -> None:
        self.until: dict[Origin, float] = {}

    def wait_for(self, origin: Origin) -> float:
        deadline = self.until.get(origin)
        if deadline is None:
            return 0.0
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            del self.until[origin]
            return 0.0
        return remaining

    def note(self, origin: Origin, response: Response, retry: Retry) -> None:
        """Hold every request of this client to ``origin`` while the server asks: Kinto's
        ``Backoff``, or ``Retry-After`` on a 429/503 (when the retry policy respects it and
        does not force its own ``retry_after``).

        One worker meeting a throttled answer thus slows all the others (bulk work, threads
        sharing a client) instead of each of them hammering the server into its own 429.
        """
        seconds = parse_backoff(response.headers) or 0.0
        honoured = retry.respect_retry_after and retry.retry_after is None
        if response.status_code in THROTTLE_STATUSES and honoured:
            seconds = max(seconds, parse_retry_after(response.headers.get("retry-after")) or 0.0)
        seconds = min(seconds, retry.max_retry_after)
        if seconds > 0:
            until = time.monotonic() + seconds
            if until > self.until.get(origin, 0.0):
                self.until[origin] = until
            logger.info("server at %s asks to back off for %.1f s", origin, seconds)


class Policy(NamedTuple):
    """Everything the pipeline needs to know about a client, fixed at creation."""

    origin: Origin
    auth: Auth | None
    retry: Retry
    request_hooks: tuple[Callable[[Any], Any], ...]
    response_hooks: tuple[Callable[[Any], Any], ...]
    follow_redirects: bool
    max_redirects: int
    backoff: BackoffState
    cookies: CookieJar | None = None


def exchange(
    policy: Policy,
    request: Request,
    *,
    stream: bool = False,
    raise_for_status: bool = True,
    retry: Retry | None = None,
    idempotent: bool | None = None,
) -> Exchange:
    """Run one logical call; see the module docstring.

    ``retry`` overrides the client's policy for this call; ``idempotent`` says whether the
    call may be repeated once it may have reached the server (``None``: decided from the
    method and an ``Idempotency-Key`` header).
    """
    retry = policy.retry if retry is None else retry
    attempt = 0
    redirects = 0
    trusted = request.origin is policy.origin or request.origin == policy.origin
    auth = policy.auth
    if auth is not None and trusted:
        request.sensitive_headers = request.sensitive_headers | auth.sensitive_headers
        request.sensitive_params = request.sensitive_params | auth.sensitive_params
    while True:
        if policy.backoff.until:
            wait = policy.backoff.wait_for(request.origin)
            if wait > 0:
                yield Sleep(wait)
        try:
            if auth is None or not trusted:
                response = yield from _send(policy, request, stream)
            elif auth.is_simple:
                # Credentials go on a copy: the original stays clean for a retry or redirect.
                authed = request.copy()
                auth.apply(authed)
                response = yield from _send(policy, authed, stream)
            else:
                response = yield from _auth_flow(policy, auth, request, stream)
        except TransportError as exc:
            if attempt < retry.total and (
                not exc.request_sent or _may_resend(retry, request, idempotent)
            ):
                delay = retry.delay(attempt)
                attempt += 1
                logger.info(
                    "retrying %s %s in %.2f s after %s (retry %d of %d)",
                    request.method,
                    request.redacted_url,
                    delay,
                    type(exc).__name__,
                    attempt,
                    retry.total,
                )
                yield Sleep(delay)
                continue
            raise
        status = response.status_code
        if "backoff" in response.headers or (
            status in THROTTLE_STATUSES and "retry-after" in response.headers
        ):
            policy.backoff.note(request.origin, response, retry)

        if (
            status in REDIRECT_STATUSES
            and policy.follow_redirects
            and "location" in response.headers
            and _may_follow(retry, request, idempotent, status)
        ):
            redirects += 1
            if redirects > policy.max_redirects:
                if stream:
                    yield CloseResponse(response)
                raise TooManyRedirects(
                    f"more than {policy.max_redirects} redirects",
                    request=request,
                    response=response,
                )
            if stream:
                yield CloseResponse(response)
            request = _redirected(request, response)
            trusted = trusted and request.origin == policy.origin
            continue

        if (
            status in retry.statuses
            and attempt < retry.total
            and _may_resend(retry, request, idempotent)
        ):
            delay = retry.delay(attempt, response.headers)
            attempt += 1
            logger.info(
                "retrying %s %s in %.2f s after status %d (retry %d of %d)",
                request.method,
                request.redacted_url,
                delay,
                status,
                attempt,
                retry.total,
            )
            if stream:
                yield CloseResponse(response)
            yield Sleep(delay)
            continue

        if status >= 400 and raise_for_status:
            if stream:
                yield ReadBody(response)
            raise api_error(response)
        return response


def _may_follow(retry: Retry, request: Request, idempotent: bool | None, status: int) -> bool:
    """Whether a redirect is followed: always for GET and HEAD; for another method only a
    307/308 (which keep the method and the body), and only when the request may be sent
    again (an idempotent method or call, and a body that can be replayed: a PUT of a file
    goes on, a POST, or a PUT of a pipe, gets the 3xx back as is)."""
    if request.method in ("GET", "HEAD"):
        return True
    return status in BODY_KEEPING_REDIRECTS and _may_resend(retry, request, idempotent)


def _may_resend(retry: Retry, request: Request, idempotent: bool | None) -> bool:
    """Whether a request that may have reached the server can be sent again."""
    allowed = (
        retry.may_resend(request.method, request.headers) if idempotent is None else idempotent
    )
    if allowed and not request.replayable:
        # a consumed stream would go out empty or cut: say why the call stops here
        logger.info(
            "%s %s is not sent again: its body is a stream that can be sent only once",
            request.method,
            request.redacted_url,
        )
        return False
    return allowed


def _send(policy: Policy, request: Request, stream: bool) -> Exchange:
    """One request on the wire: the jar's cookies for it, hooks, the log line, and the
    cookies the answer sets (for every hop: auth flows, redirects, retries)."""
    jar = policy.cookies
    if jar:
        request = jar.prepare(request)
    for hook in policy.request_hooks:
        yield CallHook(hook, request)
    response: Response = yield Send(request, stream)
    if jar is not None and "set-cookie" in response.headers:
        jar.extract(response)
    if logger.isEnabledFor(DEBUG):
        logger.debug(
            "%s %s -> %d %s (%.1f ms)",
            request.method,
            request.redacted_url,
            response.status_code,
            response.reason,
            response._elapsed * 1000,
        )
    for hook in policy.response_hooks:
        yield CallHook(hook, response)
    return response


def _auth_flow(policy: Policy, auth: Auth, request: Request, stream: bool) -> Exchange:
    """Run the flow of ``auth`` (a login, a token refresh, a challenge) on a copy of
    ``request``: the original stays credential-free, so a retry or redirect starts clean.
    """
    flow = auth.auth_flow(request.copy())
    outgoing: Any = next(flow)
    while True:
        if isinstance(outgoing, Blocking):
            outgoing = flow.send((yield outgoing))
            continue
        outgoing.sensitive_headers |= auth.sensitive_headers
        # Only the caller's request is streamed: the flow's own exchanges (a login, a token
        # request) come back whole, since the flow reads them.
        own = outgoing.origin == request.origin and outgoing.target == request.target
        response = yield from _send(policy, outgoing, stream and own)
        try:
            outgoing = flow.send(response)
        except StopIteration:
            return response
        if stream and own:
            yield ReadBody(response)


def _redirected(request: Request, response: Response) -> Request:
    location = response.headers["location"]
    url = join_url(request.url, location)
    origin, target = split_url(url)
    headers = request.headers
    if origin != request.origin:  # never carry credentials to another origin
        headers = strip_credentials(headers, request.sensitive_headers)
        target = without_params(target, request.sensitive_params)
    content = None if response.status_code == 303 else request.content
    return Request(
        request.method,
        origin,
        target,
        headers,
        content,
        request.timeout,
        request.sensitive_headers,
        request.sensitive_params,
    )


def strip_credentials(headers: Headers, sensitive: frozenset[str]) -> Headers:
    """A copy of ``headers`` without credential headers (for requests to another origin)."""
    return Headers.from_raw(
        [
            (k, v)
            for k, v in headers.raw()
            if k.lower() not in SENSITIVE_HEADERS and k.lower() not in sensitive
        ]
    )
