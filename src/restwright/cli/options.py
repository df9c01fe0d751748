"""The options every request-making command shares, gathered into :class:`Settings`.

Why one place: ``restwright get URL``, ``restwright call SPEC OP`` and
``restwright SPEC TAG OP`` print, page, authenticate and log the same way; the options are
declared once (:func:`request_options`) and read once (:meth:`Settings.of`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import click

from .failures import DEBUG_KEY

__all__ = ["Settings", "request_options"]

F = TypeVar("F", bound=Callable[..., Any])


def _set_debug(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    if value or os.environ.get("RESTWRIGHT_DEBUG"):
        ctx.meta[DEBUG_KEY] = True
    return value


_OPTIONS = (
    click.option(
        "--body",
        "body",
        metavar="JSON|@FILE",
        help="The request body: JSON text, @FILE (its bytes, streamed) or @- (standard input).",
    ),
    click.option(
        "-a",
        "--auth",
        "auth",
        metavar="USER[:PASS]",
        help="HTTP Basic credentials; without :PASS the password is asked for (not echoed).",
    ),
    click.option(
        "--token",
        "token",
        metavar="env:NAME",
        help="A bearer token (or the description's API key) read from environment variable "
        "NAME; never taken literally, so it stays out of shell history.",
    ),
    click.option("--timeout", type=float, help="Seconds to connect, send and read."),
    click.option("--retry", type=int, help="Retries of idempotent requests (default 2)."),
    click.option(
        "--all",
        "all_pages",
        is_flag=True,
        help="Follow pagination: print every item of every page, one JSON line each.",
    ),
    click.option("--table", is_flag=True, help="Print a list of objects as a table."),
    click.option("--raw", is_flag=True, help="Print the body exactly as received."),
    click.option(
        "--headers", "show_headers", is_flag=True, help="Print the status line and headers first."
    ),
    click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, writable=True),
        help="Stream the response body into this file (with a progress bar on a terminal).",
    ),
    click.option(
        "--dry-run",
        is_flag=True,
        help="Print the request as a curl command (credentials masked) and send nothing.",
    ),
    click.option("-v", "--verbose", count=True, help="Log more (-v: info, -vv: debug) on stderr."),
    click.option("-q", "--quiet", is_flag=True, help="Log errors only, no progress bars."),
    click.option(
        "--debug",
        is_flag=True,
        is_eager=True,
        callback=_set_debug,
        help="Show the traceback of a failure.",
    ),
)


def request_options(func: F) -> F:
    """Add the shared options to a command (they arrive as keyword arguments)."""
    for option in reversed(_OPTIONS):
        func = option(func)
    return func


@dataclass(frozen=True)
class Settings:
    """What the shared options asked for."""

    body: str | None
    auth: str | None
    token: str | None
    timeout: float | None
    retry: int | None
    all_pages: bool
    table: bool
    raw: bool
    show_headers: bool
    output: str | None
    dry_run: bool
    verbose: int
    quiet: bool
    debug: bool

    @classmethod
    def of(cls, options: dict[str, Any]) -> Settings:
        """Read the shared options out of a command's keyword arguments (removing them)
        and set up logging as ``-v``/``-q`` ask."""
        names = cls.__dataclass_fields__
        settings = cls(**{name: options.pop(name) for name in list(names)})
        if settings.verbose or settings.quiet:
            settings.configure_logging()
        return settings

    def configure_logging(self) -> None:
        """Log levels (``-v``: INFO, ``-vv``: DEBUG, ``-q``: errors only) and a handler on
        stderr; drift reports only with ``-v``.  Not called for a plain ``get URL``, which
        then never imports :mod:`logging` (the engine's loggers are lazy)."""
        import logging

        level = logging.WARNING
        if self.quiet:
            level = logging.ERROR
        elif self.verbose == 1:
            level = logging.INFO
        elif self.verbose > 1:
            level = logging.DEBUG
        logger = logging.getLogger("restwright")
        logger.setLevel(level)
        # where a server and its description disagree is news for -v, not for every call
        drift = logging.getLogger("restwright.openapi.drift")
        drift.setLevel(logging.NOTSET if self.verbose else logging.ERROR)
        if not logger.handlers:
            handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(logging.Formatter("restwright: %(levelname)s: %(message)s"))
            logger.addHandler(handler)

    def credential(self) -> Any:
        """The credential given on the command line: a ``(user, password)`` pair, a
        token string, or ``None``."""
        if self.auth is not None and self.token is not None:
            raise click.UsageError("give either --auth or --token, not both")
        if self.auth is not None:
            user, sep, password = self.auth.partition(":")
            if not sep:
                password = click.prompt(f"password for {user}", hide_input=True, err=True)
            return (user, password)
        if self.token is not None:
            kind, sep, name = self.token.partition(":")
            if not sep or kind != "env" or not name:
                raise click.BadParameter(
                    "name the environment variable holding the token: --token env:NAME "
                    "(a token typed on the command line stays in the shell's history)",
                    param_hint="--token",
                )
            value = os.environ.get(name)
            if not value:
                raise click.BadParameter(
                    f"environment variable {name} is not set", param_hint="--token"
                )
            return value
        return None

    def client_options(self) -> dict[str, Any]:
        """The engine options these settings set (``timeout``, ``retry``, ``dry_run``)."""
        options: dict[str, Any] = {}
        if self.timeout is not None:
            options["timeout"] = self.timeout
        if self.retry is not None:
            options["retry"] = self.retry
        if self.dry_run:
            options["dry_run"] = True
        return options
