"""``restwright kinto ...``: buckets, collections and records of a Kinto server from the
terminal, on :class:`restwright.kinto.Client`.

The server options are those of kinto-http's ``cli_utils`` (``-s/--server``, ``-a/--auth``,
``-b/--bucket``, ``-c/--collection``, ``--retry``, ``--retry-after``, ``-v/-q/-D``), so a
script's options carry over; ``--profile NAME`` takes the server, auth, headers, retry and
timeout from a profile (:mod:`.profiles`) instead, and an option given beside it wins.

Output is JSON: one object per line for listings (``--all`` follows every page, printing
each page as it arrives), one object for the other commands.  ``--dry-run`` sends nothing
and prints each request as a curl command, credentials masked.  A failure is one line on
stderr (what failed and the server's message) with the exit code of its error class
(:func:`restwright.cli.failures.exit_code_for`, the table of every command);
``-D/--debug`` shows the traceback instead.

Start-up stays cheap: this module imports click only; the Kinto client is imported when a
command runs.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from ..kinto import Client

__all__ = ["kinto_group"]

F = TypeVar("F", bound=Callable[..., Any])


def describe_failure(exc: BaseException) -> str:
    """One line: the status, the server's own words (Kinto's ``error``, ``message`` and the
    object ``details`` name), and the request that failed."""
    status = getattr(exc, "status_code", None)
    body = getattr(exc, "body", None)
    words = _server_words(body) if isinstance(body, dict) else None
    if status is not None and words:
        line = f"{status} {words}"
    else:
        line = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    request = getattr(exc, "request", None)
    url = getattr(request, "url", None)
    if url and str(url) not in line:
        line = f"{line} ({request.method} {url})"  # type: ignore[union-attr]
    return " ".join(line.split())  # one line, whatever the server wrote


def _server_words(body: dict[str, Any]) -> str | None:
    """``Not Found (record 'r1')``, ``Precondition Failed: Resource was modified meanwhile``."""
    error, message = body.get("error"), body.get("message")
    words = ": ".join(str(part) for part in (error, message) if part)
    details = body.get("details")
    if isinstance(details, dict) and details.get("resource_name") and "id" in details:
        words = f"{words} ({details['resource_name']} {details['id']!r})"
    return words or None


@dataclass(frozen=True)
class KintoOptions:
    """What the ``kinto`` group was given; each command builds its client from it."""

    server: str | None
    auth: str | None
    bucket: str | None
    collection: str | None
    retry: int | None
    retry_after: float | None
    timeout: float | None
    profile: str | None
    dry_run: bool
    debug: bool

    def client(self, bucket: str | None, collection: str | None) -> Client:
        """The Kinto client for a command (its own ``-b``/``-c`` win over the group's)."""
        from ..kinto import Client
        from ..kinto.session import DEFAULT_TIMEOUT, Session, coerce_auth, engine_options

        settings = self._profile_settings()
        if self.server is not None:
            settings["server_url"] = self.server
        if self.auth is not None:
            settings["auth"] = _parse_auth(self.auth)
        for key in ("retry", "retry_after", "timeout"):
            if getattr(self, key) is not None:
                settings[key] = getattr(self, key)
        if settings.get("server_url") is None:
            raise click.UsageError("no server: give -s/--server URL or --profile NAME")
        settings["auth"] = coerce_auth(settings.get("auth"))
        settings.setdefault("timeout", DEFAULT_TIMEOUT)
        target: dict[str, Any] = {"bucket": bucket or self.bucket or "default"}
        target["collection"] = collection or self.collection
        if not self.dry_run:
            return Client(**settings, **target)
        # Dry run: the engine answers every request itself; a request hook prints it first.
        import restwright

        options = engine_options(
            settings["auth"],
            settings.get("headers"),
            settings.get("retry", 0),
            settings.get("retry_after"),
            settings["timeout"],
            dry_mode=True,
        )
        engine = restwright.Client(
            settings["server_url"], hooks={"request": [_echo_curl]}, **options
        )
        return Client(session=Session(engine=engine, dry_mode=True, **settings), **target)

    def _profile_settings(self) -> dict[str, Any]:
        """The profile's settings as Kinto client arguments (its auth only if -a is not
        given, so that a secret that is not needed is not read)."""
        if self.profile is None:
            return {}
        from .profiles import load_profile

        profile = load_profile(self.profile)
        if self.auth is not None:
            profile = replace(profile, auth=None)
        options = profile.client_options()
        settings = {"server_url": options.pop("base_url", None)}
        settings.update(options)
        return settings


def _parse_auth(value: str) -> Any:
    from ..kinto.cli_utils import parse_auth

    return parse_auth(value)


def _echo_curl(request: Any) -> None:
    click.echo(request.to_curl())


class KintoGroup(click.Group):
    """Shows a failure of any command below it as one ``Error:`` line on stderr and exits
    with its code; ``-D/--debug`` lets the exception (and its traceback) through instead."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            from ..errors import RestwrightError
            from .failures import exit_code_for

            options = ctx.find_object(KintoOptions)
            if options is not None and options.debug:
                raise
            if isinstance(exc, RestwrightError):
                click.echo(f"Error: {describe_failure(exc)}", err=True)
                ctx.exit(exit_code_for(exc))
            name = type(exc).__name__
            click.echo(f"Error: unexpected {name}: {exc} (-D shows the traceback)", err=True)
            ctx.exit(1)


@click.group("kinto", cls=KintoGroup)
@click.option("-s", "--server", help="The location of the remote server (with prefix).")
@click.option(
    "-a",
    "--auth",
    help="BasicAuth credentials `user:password` (only `user`: asked for), or an "
    "Authorization header `Bearer token`.",
)
@click.option("-b", "--bucket", help="Bucket name (default: the server's default bucket).")
@click.option("-c", "--collection", help="Collection name.")
@click.option("--retry", type=click.IntRange(min=0), help="Number of retries when a request fails.")
@click.option(
    "--retry-after",
    type=click.FloatRange(min=0),
    help="Delay in seconds between retries (default: as the server asks).",
)
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), help="Seconds.")
@click.option("--profile", help="Take server, auth, headers, retry, timeout from a profile.")
@click.option("--dry-run", is_flag=True, help="Send nothing; print each request as curl.")
@click.option("-v", "--verbose", "verbosity", flag_value=logging.INFO, help="Show all messages.")
@click.option("-q", "--quiet", "verbosity", flag_value=logging.CRITICAL, help="Only critical.")
@click.option(
    "-D", "--debug", "verbosity", flag_value=logging.DEBUG, help="Debug messages, tracebacks."
)
@click.pass_context
def kinto_group(ctx: click.Context, /, verbosity: int | None, **options: Any) -> None:
    """Buckets, collections and records of a Kinto server (kinto-http's options)."""
    ctx.obj = KintoOptions(debug=verbosity == logging.DEBUG, **options)
    if verbosity is not None:
        logger = logging.getLogger("restwright")
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(verbosity)


# -- shared pieces of the commands ---------------------------------------------------------


def _target_options(*, collection: bool) -> Callable[[F], F]:
    """``-b``/``-c`` on a command too (``restwright kinto records list -b x -c y``)."""

    def decorate(func: F) -> F:
        if collection:
            func = click.option("-c", "--collection", help="Collection name.")(func)
        return click.option("-b", "--bucket", help="Bucket name.")(func)

    return decorate


_listing_options = [
    click.option("--all", "all_pages", is_flag=True, help="Follow every page (JSON lines)."),
    click.option("--limit", type=click.IntRange(min=1), help="Objects per page."),
]


def _listing(func: F) -> F:
    for option in reversed(_listing_options):
        func = option(func)
    return func


_data_options = [
    click.argument("items", nargs=-1),
    click.option("--data", "data_source", metavar="JSON|@FILE", help="JSON, or @file (@-: stdin)."),
]


def _with_data(func: F) -> F:
    for option in reversed(_data_options):
        func = option(func)
    return func


def _client(ctx: click.Context, bucket: str | None, collection: str | None = None) -> Client:
    options = ctx.find_object(KintoOptions)
    if options is None:  # pragma: no cover - every command runs under kinto_group
        raise click.UsageError("run the commands through `restwright kinto`")
    client = options.client(bucket, collection)
    ctx.call_on_close(client.close)
    return client


def _records_client(ctx: click.Context, bucket: str | None, collection: str | None) -> Client:
    client = _client(ctx, bucket, collection)
    if client.collection_name is None:
        raise click.UsageError("no collection: give -c/--collection NAME")
    return client


def _dry_run(ctx: click.Context) -> bool:
    options = ctx.find_object(KintoOptions)
    return options is not None and options.dry_run


def _print(ctx: click.Context, obj: Any) -> None:
    """One JSON object on stdout (indented on a terminal); nothing in a dry run, where the
    answers are made up."""
    if _dry_run(ctx):
        return
    indent = 2 if sys.stdout.isatty() else None
    click.echo(json.dumps(obj, indent=indent, ensure_ascii=False))


def _print_lines(ctx: click.Context, pages: Iterable[list[Any]]) -> None:
    """JSON lines, each page written out as soon as it arrived.  A reader that goes away
    (``| head``) ends the command quietly."""
    try:
        for page in pages:
            if not _dry_run(ctx):
                sys.stdout.write("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in page))
                sys.stdout.flush()
    except BrokenPipeError:
        # Python would complain again when it flushes stdout at exit: point it at /dev/null.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        ctx.exit(0)


def _page_params(all_pages: bool, limit: int | None) -> dict[str, Any]:
    params: dict[str, Any] = {"pages": float("inf") if all_pages else 1}
    if limit is not None:
        params["_limit"] = limit
    return params


def parse_data(items: tuple[str, ...], data_source: str | None) -> dict[str, Any]:
    """The object given as ``--data JSON|@file`` and ``key=value`` / ``key:=json`` items
    (the items win)."""
    data: dict[str, Any] = {}
    if data_source is not None:
        if data_source.startswith("@"):
            name = data_source[1:]
            try:
                text = sys.stdin.read() if name == "-" else Path(name).read_text("utf-8")
            except OSError as exc:
                message = f"cannot read {name}: {exc.strerror}"
                raise click.BadParameter(message, param_hint="--data") from None
        else:
            text = data_source
        parsed = _json_value(text, "--data")
        if not isinstance(parsed, dict):
            raise click.BadParameter("the data must be a JSON object", param_hint="--data")
        data.update(parsed)
    for item in items:
        key, raw, value = item.partition(":=")
        if raw and "=" not in key:
            data[key] = _json_value(value, item)
            continue
        key, eq, value = item.partition("=")
        if not (eq and key):
            raise click.BadParameter(f"{item!r} is not key=value or key:=json", param_hint="ITEMS")
        data[key] = value
    return data


def _json_value(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise click.BadParameter(f"not JSON: {exc}", param_hint=repr(where)) from None


# -- buckets -------------------------------------------------------------------------------


@kinto_group.group("buckets")
def buckets_group() -> None:
    """Buckets."""


@buckets_group.command("list")
@_listing
@click.pass_context
def list_buckets(ctx: click.Context, all_pages: bool, limit: int | None) -> None:
    """The buckets these credentials can read (JSON lines)."""
    client = _client(ctx, None)
    _print_lines(ctx, [client.get_buckets(**_page_params(all_pages, limit))])


# -- collections ---------------------------------------------------------------------------


@kinto_group.group("collections")
def collections_group() -> None:
    """Collections of a bucket."""


@collections_group.command("list")
@_target_options(collection=False)
@_listing
@click.pass_context
def list_collections(
    ctx: click.Context, bucket: str | None, all_pages: bool, limit: int | None
) -> None:
    """The collections of the bucket (JSON lines)."""
    client = _client(ctx, bucket)
    _print_lines(ctx, [client.get_collections(**_page_params(all_pages, limit))])


@collections_group.command("create")
@click.argument("collection_id")
@_target_options(collection=False)
@_with_data
@click.option("--if-not-exists", is_flag=True, help="Succeed if it exists already.")
@click.pass_context
def create_collection(
    ctx: click.Context,
    collection_id: str,
    bucket: str | None,
    items: tuple[str, ...],
    data_source: str | None,
    if_not_exists: bool,
) -> None:
    """Create the collection COLLECTION_ID (its data from ITEMS: key=value, key:=json)."""
    data = parse_data(items, data_source) or None
    client = _client(ctx, bucket)
    _print(ctx, client.create_collection(id=collection_id, data=data, if_not_exists=if_not_exists))


@collections_group.command("delete")
@click.argument("collection_id")
@_target_options(collection=False)
@click.option("--if-exists", is_flag=True, help="Succeed if it does not exist.")
@click.pass_context
def delete_collection(
    ctx: click.Context, collection_id: str, bucket: str | None, if_exists: bool
) -> None:
    """Delete the collection COLLECTION_ID and every record in it."""
    client = _client(ctx, bucket)
    _print(ctx, client.delete_collection(id=collection_id, if_exists=if_exists))


# -- records -------------------------------------------------------------------------------


@kinto_group.group("records")
def records_group() -> None:
    """Records of a collection."""


@records_group.command("list")
@_target_options(collection=True)
@_listing
@click.option("--sort", help="Sort by these fields (e.g. -last_modified,title).")
@click.pass_context
def list_records(
    ctx: click.Context,
    bucket: str | None,
    collection: str | None,
    all_pages: bool,
    limit: int | None,
    sort: str | None,
) -> None:
    """The records of the collection (JSON lines; --all: every page, as they arrive)."""
    client = _records_client(ctx, bucket, collection)
    params: dict[str, Any] = {}
    if limit is not None:
        params["_limit"] = limit
    if sort is not None:
        params["_sort"] = sort
    pages = client.get_paginated_records(**params)
    _print_lines(ctx, _records_of(pages, all_pages))


def _records_of(pages: Iterator[dict[str, Any]], all_pages: bool) -> Iterator[list[Any]]:
    for page in pages:
        yield page.get("data", [])
        if not all_pages:
            return


@records_group.command("get")
@click.argument("record_id")
@_target_options(collection=True)
@click.pass_context
def get_record(
    ctx: click.Context, record_id: str, bucket: str | None, collection: str | None
) -> None:
    """The record RECORD_ID (``data`` and ``permissions``)."""
    client = _records_client(ctx, bucket, collection)
    _print(ctx, client.get_record(id=record_id))


@records_group.command("create")
@click.option("--id", "record_id", help="The record's id (default: one the server makes).")
@_target_options(collection=True)
@_with_data
@click.option("--if-not-exists", is_flag=True, help="Succeed if it exists already.")
@click.pass_context
def create_record(
    ctx: click.Context,
    record_id: str | None,
    bucket: str | None,
    collection: str | None,
    items: tuple[str, ...],
    data_source: str | None,
    if_not_exists: bool,
) -> None:
    """Create a record from ITEMS (key=value, key:=json) and/or --data."""
    data = parse_data(items, data_source)
    client = _records_client(ctx, bucket, collection)
    _print(ctx, client.create_record(id=record_id, data=data, if_not_exists=if_not_exists))


@records_group.command("update")
@click.argument("record_id")
@_target_options(collection=True)
@_with_data
@click.option("--merge", is_flag=True, help="Change only the fields given (PATCH).")
@click.pass_context
def update_record(
    ctx: click.Context,
    record_id: str,
    bucket: str | None,
    collection: str | None,
    items: tuple[str, ...],
    data_source: str | None,
    merge: bool,
) -> None:
    """Replace the record RECORD_ID by ITEMS/--data (--merge: change only those fields)."""
    data = parse_data(items, data_source)
    client = _records_client(ctx, bucket, collection)
    if merge:
        _print(ctx, client.patch_record(id=record_id, data=data))
    else:
        _print(ctx, client.update_record(id=record_id, data=data))


@records_group.command("delete")
@click.argument("record_id")
@_target_options(collection=True)
@click.option("--if-exists", is_flag=True, help="Succeed if it does not exist.")
@click.pass_context
def delete_record(
    ctx: click.Context,
    record_id: str,
    bucket: str | None,
    collection: str | None,
    if_exists: bool,
) -> None:
    """Delete the record RECORD_ID."""
    client = _records_client(ctx, bucket, collection)
    _print(ctx, client.delete_record(id=record_id, if_exists=if_exists))
