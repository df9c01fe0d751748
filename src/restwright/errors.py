"""The exceptions restwright raises, in one place.

Every failure a user can meet maps to one class here, so that ``except`` clauses can be as
broad (:class:`RestwrightError`) or as narrow (:class:`PreconditionFailed`) as the caller
needs.  Exceptions that come from an exchange carry the request and, when the server
answered, the response; both are *redacted* copies, so printing, logging or pickling an
exception never reveals a credential.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .engine.models import Request, Response

__all__ = [
    "ApiError",
    "BadRequest",
    "BulkError",
    "CassetteError",
    "ClientCertificateError",
    "ClientError",
    "Conflict",
    "ConnectError",
    "DecodeError",
    "Forbidden",
    "InvalidRequestError",
    "LimitExceeded",
    "NotFound",
    "OAuth2Error",
    "PreconditionFailed",
    "ReadError",
    "RestwrightError",
    "ServerError",
    "SpecError",
    "SpecWarning",
    "TimeoutError",
    "TooManyRedirects",
    "TooManyRequests",
    "TransportError",
    "Unauthorized",
    "UnprocessableEntity",
    "ValidationError",
    "WriteError",
    "error_for_status",
]


class RestwrightError(Exception):
    """Base class of every exception raised by restwright."""

    def __init__(
        self,
        message: str = "",
        *,
        request: Request | None = None,
        response: Response | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.request = request.redacted() if request is not None else None
        self.response = response.redacted() if response is not None else None

    def __str__(self) -> str:
        if self.request is None:
            return self.message
        return f"{self.message} ({self.request.method} {self.request.url})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.__dict__))


def _rebuild(cls: type[RestwrightError], state: dict[str, Any]) -> RestwrightError:
    exc = cls.__new__(cls)
    Exception.__init__(exc, state.get("message", ""))
    exc.__dict__.update(state)
    return exc


class InvalidRequestError(RestwrightError, ValueError):
    """The request could not be built from what the caller gave (nothing was sent).

    Raised for header values with CR/LF, empty or missing path parameters, bodies that
    cannot be encoded, and similar mistakes.
    """


class OAuth2Error(RestwrightError):
    """An OAuth 2 step failed: the token endpoint refused a grant (a revoked refresh token,
    a wrong PKCE verifier, wrong credentials), a redirect came back with another ``state``
    or an ``error``, a login timed out, or a call needs a token nobody obtained yet.

    ``error`` is the OAuth 2 error code (``invalid_grant``, ``access_denied``...; restwright's
    own: ``state_mismatch``, ``login_required``, ``login_timeout``); ``status_code`` the
    token endpoint's status when it answered.  ``request`` (the token request, its secrets
    masked) and ``response`` are set when the token endpoint answered.
    """

    def __init__(
        self,
        message: str,
        *,
        error: str = "",
        status_code: int | None = None,
        request: Request | None = None,
        response: Response | None = None,
    ) -> None:
        super().__init__(message, request=request, response=response)
        self.error = error
        self.status_code = status_code


class ValidationError(InvalidRequestError):
    """An argument breaks what the API description documents (nothing was sent).

    ``parameter`` names the offending argument.
    """

    def __init__(self, message: str, *, parameter: str | None = None) -> None:
        super().__init__(message)
        self.parameter = parameter


class SpecError(RestwrightError):
    """An API description is malformed.

    ``pointer`` is the JSON pointer (RFC 6901) of the problem inside the document and
    ``expected`` says what was expected there.
    """

    def __init__(self, message: str, *, pointer: str = "", expected: str = "") -> None:
        text = message if not pointer else f"{message} at {pointer!r}"
        if expected:
            text = f"{text}: expected {expected}"
        super().__init__(text)
        self.pointer = pointer
        self.expected = expected


class SpecWarning(UserWarning):
    """Something in an API document, or in a call made against it, looks wrong but can
    still be used: a body key the document does not know, a part of the document that
    could not be understood and was left out.  A warning, not an error, so that a client
    keeps working against an imperfect document; filter it with :mod:`warnings`."""


class BulkError(RestwrightError):
    """Some items of a bulk run failed (:meth:`BulkResult.raise_for_failures`).

    ``failures`` holds every ``(item, exception)`` pair; ``succeeded`` counts the others.
    """

    def __init__(self, failures: list[tuple[Any, BaseException]], succeeded: int) -> None:
        first = failures[0][1] if failures else None
        super().__init__(
            f"{len(failures)} of {len(failures) + succeeded} items failed"
            + (f"; first: {type(first).__name__}: {first}" if first is not None else "")
        )
        self.failures = failures
        self.succeeded = succeeded


class CassetteError(RestwrightError):
    """A cassette (:mod:`restwright.transports.cassette`) cannot answer a request.

    Raised in replay modes for a request with no recorded answer left (the message names
    the closest recorded requests), and for a cassette file that cannot be read.  Never
    retried: replaying again would not find an answer either.
    """


class ClientCertificateError(RestwrightError, ValueError):
    """The client certificate given as ``cert=`` cannot be used (nothing was sent).

    Raised when the client (or transport) is built: a file that cannot be read, a file
    that is not PEM, a key that does not match the certificate, an encrypted key without
    its password or with a wrong one.  The message names the file, never the password.
    """


# -- transport ---------------------------------------------------------------------------


class TransportError(RestwrightError):
    """The exchange failed below HTTP: no (complete) response was received.

    ``request_sent`` tells whether any byte of the request may have reached the server;
    the retry logic uses it to decide whether a non-idempotent request may be re-sent.
    """

    def __init__(
        self,
        message: str = "",
        *,
        request: Request | None = None,
        response: Response | None = None,
        request_sent: bool = True,
    ) -> None:
        super().__init__(message, request=request, response=response)
        self.request_sent = request_sent


class ConnectError(TransportError):
    """The connection could not be established (nothing was sent)."""

    def __init__(
        self,
        message: str = "",
        *,
        request: Request | None = None,
        response: Response | None = None,
        request_sent: bool = False,
    ) -> None:
        super().__init__(message, request=request, response=response, request_sent=request_sent)


class TimeoutError(TransportError):
    """A connect, read or write timeout expired."""


class ReadError(TransportError):
    """The connection broke while the response was being received."""


class WriteError(TransportError):
    """The connection broke while the request was being sent."""


class DecodeError(TransportError):
    """The response could not be decoded (bad framing, truncated body, invalid JSON)."""


class LimitExceeded(DecodeError):
    """The response crossed one of the client's :class:`~restwright.Limits` (head size,
    header count, trailer size, interim responses, body size): it was refused, and the
    connection closed, before the server could make the client hold more."""


class TooManyRedirects(TransportError):
    """More redirects than allowed were met."""


# -- HTTP statuses ----------------------------------------------------------------------


class ApiError(RestwrightError):
    """The server answered with an error status (4xx or 5xx).

    ``message`` comes from the server's JSON error body when there is one (fields
    ``message``, ``error_description``, ``detail``, ``error`` ...), else from a short
    ``text/plain`` body, else it is the reason phrase.
    ``body`` holds the decoded JSON error body, or ``None``.
    """

    def __init__(
        self,
        status_code: int,
        request: Request | None,
        response: Response | None,
        message: str = "",
        *,
        body: Any = None,
    ) -> None:
        super().__init__(message, request=request, response=response)
        self.status_code = status_code
        self.body = body

    def __str__(self) -> str:
        base = f"{self.status_code} {self.message}".rstrip()
        if self.request is None:
            return base
        return f"{base} ({self.request.method} {self.request.url})"


class ClientError(ApiError):
    """A 4xx answer: the request was wrong."""


class ServerError(ApiError):
    """A 5xx answer: the server failed."""


class BadRequest(ClientError):
    """400 Bad Request."""


class Unauthorized(ClientError):
    """401 Unauthorized."""


class Forbidden(ClientError):
    """403 Forbidden."""


class NotFound(ClientError):
    """404 Not Found."""


class Conflict(ClientError):
    """409 Conflict."""


class PreconditionFailed(ClientError):
    """412 Precondition Failed (an ``If-Match``/``If-None-Match`` condition did not hold)."""


class UnprocessableEntity(ClientError):
    """422 Unprocessable Entity."""


class TooManyRequests(ClientError):
    """429 Too Many Requests."""


_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    412: PreconditionFailed,
    422: UnprocessableEntity,
    429: TooManyRequests,
}


def error_for_status(status_code: int) -> type[ApiError]:
    """Return the exception class that maps ``status_code`` (>= 400)."""
    cls = _BY_STATUS.get(status_code)
    if cls is not None:
        return cls
    return ServerError if status_code >= 500 else ClientError
