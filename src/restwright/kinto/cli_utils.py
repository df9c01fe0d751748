"""Command-line helpers (same options as ``kinto_http.cli_utils``).

.. code-block:: python

    parser = argparse.ArgumentParser(description="Download records")
    cli_utils.set_parser_server_options(parser)
    args = parser.parse_args()
    cli_utils.setup_logger(logger, args)
    client = cli_utils.create_client_from_args(args)
"""

from __future__ import annotations

import argparse
import getpass
import logging
from typing import Any

from .auth import BearerTokenAuth
from .client import Client

__all__ = [
    "AuthAction",
    "add_parser_options",
    "create_client_from_args",
    "get_auth",
    "parse_auth",
    "set_parser_server_options",
    "setup_logger",
]


def get_auth(auth: str) -> tuple[str, ...]:
    """``user:password`` as a tuple; ask for the password when only a user is given."""
    parts: tuple[str, ...] = tuple(auth.split(":", 1))
    if len(parts) < 2:
        user = parts[0]
        password = getpass.getpass(f"Please enter a password for {user}: ")
        parts = (user, password)
    return parts


def create_client_from_args(args: argparse.Namespace) -> Client:
    """A :class:`~restwright.kinto.Client` from the parsed options."""
    return Client(
        server_url=args.server,
        auth=args.auth,
        bucket=getattr(args, "bucket", None),
        collection=getattr(args, "collection", None),
        retry=args.retry,
        retry_after=args.retry_after,
        ignore_batch_4xx=getattr(args, "ignore_batch_4xx", False),
    )


def parse_auth(value: str) -> Any:
    """``-a``'s value: ``"Bearer xyz"`` gives a :class:`BearerTokenAuth`, ``user:password``
    a tuple (only ``user``: the password is asked for)."""
    colon = value.find(":")
    space = value.find(" ")
    # "user:password with spaces" versus "Bearer token:with:colons"
    if space != -1 and (colon == -1 or space < colon):
        bearer_type, bearer_token = value.split(" ", 1)
        return BearerTokenAuth(token=bearer_token, type=bearer_type)
    return get_auth(value)


class AuthAction(argparse.Action):
    """``-a user:pass`` gives a tuple; ``-a "Bearer xyz"`` a :class:`BearerTokenAuth`."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        if values is None:
            return
        setattr(namespace, self.dest, parse_auth(values))


def add_parser_options(
    parser: argparse.ArgumentParser | None = None,
    default_server: str | None = None,
    default_auth: str | None = None,
    default_retry: int = 0,
    default_retry_after: int | None = None,
    default_ignore_batch_4xx: bool = False,
    default_bucket: str | None = None,
    default_collection: str | None = None,
    include_bucket: bool = True,
    include_collection: bool = True,
    **kwargs: Any,
) -> argparse.ArgumentParser:
    """Add the server options (``-s``, ``-a``, ``-b``, ``-c``, ``--retry``...) to ``parser``."""
    if parser is None:
        parser = argparse.ArgumentParser(**kwargs)

    parser.add_argument(
        "-s",
        "--server",
        help="The location of the remote server (with prefix)",
        type=str,
        default=default_server,
    )
    parser.add_argument(
        "-a",
        "--auth",
        help="BasicAuth credentials: `token:my-secret` or Authorization header: `Bearer token`",
        type=str,
        default=default_auth,
        action=AuthAction,
    )
    if include_bucket:
        parser.add_argument("-b", "--bucket", help="Bucket name.", type=str, default=default_bucket)
    if include_collection:
        parser.add_argument(
            "-c", "--collection", help="Collection name.", type=str, default=default_collection
        )
    parser.add_argument(
        "--retry", help="Number of retries when a request fails", type=int, default=default_retry
    )
    parser.add_argument(
        "--retry-after",
        help="Delay in seconds between retries when requests fail. (default: provided by server)",
        type=int,
        default=default_retry_after,
    )
    parser.add_argument(
        "--ignore-batch-4xx",
        help="Do not fail on 4xx errors in batch requests.",
        default=default_ignore_batch_4xx,
        action="store_true",
        dest="ignore_batch_4xx",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_const",
        const=logging.INFO,
        dest="verbosity",
        help="Show all messages.",
    )
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_const",
        const=logging.CRITICAL,
        dest="verbosity",
        help="Show only critical errors.",
    )
    parser.add_argument(
        "-D",
        "--debug",
        action="store_const",
        const=logging.DEBUG,
        dest="verbosity",
        help="Show all messages, including debug messages.",
    )
    return parser


#: kinto-http's older name, used in its README.
set_parser_server_options = add_parser_options


def setup_logger(logger: logging.Logger, args: argparse.Namespace) -> None:
    """Log to stderr, at the level chosen with ``-v``/``-q``/``-D``."""
    logger.addHandler(logging.StreamHandler())
    if getattr(args, "verbosity", None):
        logger.setLevel(args.verbosity)
