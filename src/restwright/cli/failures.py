"""Exit codes by error class, and the one-line report of a failed command.

Why a table: scripts branch on ``$?``; a 404 (the request was wrong), a 503 (the server
failed) and a refused connection (the network) call for different reactions, so each class
of :mod:`restwright.errors` leaves with its own code (documented in ``docs/cli.md``).
The report is one line saying what failed, plus the server's own words when it answered;
the traceback is only shown with ``--debug``.
"""

from __future__ import annotations

import json
import sys
import traceback
from typing import IO, Any

import click

from ..errors import (
    ApiError,
    ClientError,
    InvalidRequestError,
    RestwrightError,
    SpecError,
    TransportError,
)

__all__ = [
    "EXIT_CLIENT_ERROR",
    "EXIT_DESCRIPTION",
    "EXIT_FAILURE",
    "EXIT_INTERRUPTED",
    "EXIT_NETWORK",
    "EXIT_SERVER_ERROR",
    "EXIT_USAGE",
    "CommandFailed",
    "DescriptionUnavailable",
    "exit_code_for",
    "failure_of",
]

EXIT_FAILURE = 1  # any other restwright error (OAuth 2, cassette, bulk...)
EXIT_USAGE = 2  # click's own code for a usage error; also requests that cannot be built
EXIT_DESCRIPTION = 3  # an API description or profile that cannot be read or used
EXIT_CLIENT_ERROR = 4  # the server answered 4xx
EXIT_SERVER_ERROR = 5  # the server answered 5xx
EXIT_NETWORK = 6  # no (complete) answer: connect, timeout, broken connection, bad framing
EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT, as shells report it)

DEBUG_KEY = "restwright.debug"


class DescriptionUnavailable(RestwrightError):
    """A SPEC_OR_PROFILE word names no readable description and no profile."""


def exit_code_for(exc: BaseException) -> int:
    """The documented exit code of ``exc``."""
    if isinstance(exc, ApiError):
        return EXIT_CLIENT_ERROR if isinstance(exc, ClientError) else EXIT_SERVER_ERROR
    if isinstance(exc, TransportError):
        return EXIT_NETWORK
    if isinstance(exc, (SpecError, DescriptionUnavailable)):
        return EXIT_DESCRIPTION
    if isinstance(exc, InvalidRequestError):
        return EXIT_USAGE
    return EXIT_FAILURE


def _summary(exc: RestwrightError) -> tuple[str, str | None]:
    """The readable line, and the server's message when there is one to add."""
    if isinstance(exc, ApiError):
        reason = exc.response.reason if exc.response is not None else ""
        line = f"{exc.status_code} {reason}".rstrip()
        if exc.request is not None:
            line += f" ({exc.request.method} {exc.request.url})"
        if exc.message and exc.message != reason:
            return line, exc.message
        # no words of its own (Kinto's 404: error, errno, details): show what it sent
        body = json.dumps(exc.body, ensure_ascii=False) if exc.body else None
        return line, body if body is None or len(body) <= 300 else body[:299] + "…"
    if isinstance(exc, TransportError):
        return f"network error ({type(exc).__name__}): {exc}", None
    if isinstance(exc, SpecError):
        return f"API description error: {exc}", None
    if isinstance(exc, DescriptionUnavailable):
        return str(exc), None
    return f"{type(exc).__name__}: {exc}" if type(exc) is not RestwrightError else str(exc), None


class CommandFailed(click.ClickException):
    """A restwright error met by a command, shown as one line (two with the server's
    message) on stderr; click exits with :attr:`exit_code`."""

    def __init__(self, exc: RestwrightError) -> None:
        line, self.server_message = _summary(exc)
        super().__init__(line)
        # click declares exit_code on the class; each failure carries its own
        self.exit_code = exit_code_for(exc)  # type: ignore[misc]

    def show(self, file: IO[Any] | None = None) -> None:
        stream = file if file is not None else sys.stderr
        click.echo(f"restwright: {self.format_message()}", file=stream)
        if self.server_message:
            click.echo(f"  server says: {self.server_message}", file=stream)


def failure_of(exc: RestwrightError, ctx: click.Context | None) -> CommandFailed:
    """The :class:`CommandFailed` for ``exc``; with ``--debug`` its traceback is printed
    first (on stderr)."""
    if ctx is not None and ctx.meta.get(DEBUG_KEY):
        traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
    return CommandFailed(exc)
