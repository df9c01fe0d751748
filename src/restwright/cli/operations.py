"""Operations of an API description from the command line.

``restwright call SPEC_OR_PROFILE OPERATION key=value ...`` calls an operation by
operationId or Python name; ``restwright SPEC_OR_PROFILE TAG OPERATION key=value ...`` by
its tag group and method name, exactly as the runtime client names them
(``restwright.from_openapi(...).repos.get``).  ``restwright SPEC`` lists the tags and
``restwright SPEC TAG`` the operations of one tag.

SPEC_OR_PROFILE is the path or http(s) URL of a description (loaded through the
description cache, so a large document costs milliseconds after its first use), or else
the name of a profile (:mod:`restwright.cli.profiles`) naming a description, a base URL
and credentials.

Items: ``key=value`` sets a parameter (converted to the type the document gives it:
``per_page=5`` is the integer 5, ``labels=a,b`` a list) or, when the operation has no
such parameter but a request body, a body field; ``key:=JSON`` gives a raw JSON value;
``Header:value`` an extra header; ``field@path`` a file field of a multipart body.
"""

from __future__ import annotations

import inspect
import json
import os
import typing
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from click.shell_completion import CompletionItem

from ..errors import RestwrightError
from .failures import DescriptionUnavailable
from .items import FILE, HEADER, RAW_JSON, BodyFile, raw_json, read_body, split_item
from .options import Settings, request_options
from .output import Output, ProgressReader, ProgressWriter, Tracker

if TYPE_CHECKING:
    from ..engine.models import Response
    from ..openapi.model import ApiDescription, Operation
    from ..openapi.runtime import OpenAPIClient

__all__ = ["call_command", "described_command"]

_CONTEXT = {"help_option_names": ["-h", "--help"]}


# -- where the description comes from -------------------------------------------------------


@dataclass
class Source:
    """A description (path or URL), and the profile that named it, if one did."""

    description: str
    profile: Any = None

    def client_options(self) -> dict[str, Any]:
        """The profile's client options (its secrets are read now, not before: listing
        the operations or completing a name never touches them)."""
        if self.profile is None:
            return {}
        options = dict(self.profile.client_options())
        if self.profile.base_url and "base_url" not in options:
            options["base_url"] = self.profile.base_url
        return options


def resolve_source(word: str) -> Source:
    """SPEC_OR_PROFILE: an existing file or an http(s) URL is a description; any other
    word is a profile's name."""
    if word.startswith(("http://", "https://")) or os.path.isfile(word):
        return Source(word)
    try:
        profiles = import_module(f"{__package__}.profiles")  # restwright profile add ...
    except ModuleNotFoundError as exc:
        if exc.name == f"{__package__}.profiles":
            raise DescriptionUnavailable(f"no such profile or description: {word!r}") from None
        raise
    try:
        profile = profiles.load_profile(word)
    except profiles.ProfileNotFound:
        raise DescriptionUnavailable(
            f"no such profile or description: {word!r}{_profile_hint(profiles, word)}"
        ) from None
    if not profile.description:
        raise DescriptionUnavailable(
            f"profile {word!r} names no API description (restwright profile add "
            f"{word} --description PATH_OR_URL --force)"
        )
    return Source(profile.description, profile)


def _profile_hint(profiles: Any, word: str) -> str:
    """``"; did you mean 'pets'?"`` over the profiles' names (none when they cannot be
    read: the error about ``word`` is the one to show)."""
    from .._suggest import did_you_mean

    try:
        names = list(profiles.load_profiles())
    except profiles.ProfileError:
        return ""
    return did_you_mean(word, names)


def load_description(word: str) -> tuple[ApiDescription, Source]:
    """The loaded description SPEC_OR_PROFILE names (from the description cache)."""
    from ..openapi.loader import load

    source = resolve_source(word)
    return load(source.description), source


def _tag_members(api: ApiDescription) -> dict[str, dict[str, Operation]]:
    """``{tag name: {method name: operation}}``, named as the runtime client names them
    (:func:`restwright.openapi.naming.member_names`)."""
    from ..openapi.naming import member_names

    members: dict[str, dict[str, Operation]] = {}
    for tag, operations in api.by_tag().items():
        names = member_names(tag, [op.name for op in operations])
        members[tag] = {names[op.name]: op for op in operations}
    return members


class DownloadLength:
    """A response hook that gives the ``-o`` progress bar its total: a described call's
    ``Content-Length`` is only known once the answer's head arrived."""

    def __init__(self) -> None:
        self.tracker: Tracker | None = None

    def __call__(self, response: Response) -> None:
        length = response.headers.get("content-length")
        if self.tracker is not None and length is not None and length.isdigit():
            self.tracker.expect(int(length))


def open_client(
    api: ApiDescription,
    source: Source,
    settings: Settings,
    base_url: str | None,
    download: DownloadLength | None = None,
) -> OpenAPIClient:
    """The runtime client of ``api`` with the profile's options, then the command line's
    (and ``download`` as a response hook, for ``-o``)."""
    from ..openapi.runtime import from_openapi

    settings.configure_logging()  # drift reports only with -v
    options = source.client_options()
    credential = settings.credential()
    if credential is not None:
        options["auth"] = credential
    options.update(settings.client_options())
    if base_url is not None:
        options["base_url"] = base_url
    if download is not None:
        options["hooks"] = {"response": [download]}
    return from_openapi(api, **options)


# -- arguments ------------------------------------------------------------------------------


def _without_none(annotation: Any) -> Any:
    if typing.get_origin(annotation) is typing.Union:
        rest = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(rest) == 1:
            return rest[0]
    return annotation


def convert(name: str, text: str, annotation: Any) -> Any:
    """``text`` as the type ``annotation`` (from the operation's signature) says."""
    kind = _without_none(annotation)
    origin = typing.get_origin(kind)
    try:
        if kind is bool:
            lowered = text.lower()
            if lowered not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError("expected true or false")
            return lowered in ("true", "1", "yes")
        if kind is int:
            return int(text)
        if kind is float:
            return float(text)
        if origin is list:
            (item,) = typing.get_args(kind) or (str,)
            return [convert(name, part, item) for part in text.split(",")] if text else []
        if origin is typing.Literal:
            for value in typing.get_args(kind):
                if str(value) == text:
                    return value
            return text
        if origin is dict or kind is dict:
            return json.loads(text)
    except ValueError as exc:
        raise click.BadParameter(f"{name}={text}: {exc}", param_hint="ITEMS") from None
    return text


@dataclass
class Call:
    """The keyword arguments of one operation call, read from items and ``--body``."""

    kwargs: dict[str, Any]
    headers: dict[str, str]


def arguments(
    op: Operation, fn: Callable[..., Any], items: tuple[str, ...], body_option: str | None
) -> Call:
    """Sort ``items`` into the parameters, body fields and headers of a call of ``op``
    (``fn`` is its method: its signature gives each parameter's type)."""
    from .._suggest import did_you_mean
    from ..openapi.runtime import ArgumentNames

    parameters = inspect.signature(fn).parameters
    body_name = ArgumentNames(op).body
    # a parameter by its Python name (per_page) or the document's (per-page, X-Request-ID)
    names = {p.python_name: p.python_name for p in op.parameters}
    names.update({p.name: p.python_name for p in op.parameters if p.name not in names})
    kwargs: dict[str, Any] = {}
    headers: dict[str, str] = {}
    fields: dict[str, Any] = {}
    for item in items:
        key, sep, value = split_item(item)
        name = names.get(key)
        if sep == HEADER:
            headers[key] = value
        elif name is not None and sep != FILE:
            annotation = parameters[name].annotation
            kwargs[name] = (
                raw_json(key, value) if sep == RAW_JSON else convert(key, value, annotation)
            )
        elif body_name is not None:
            if sep == RAW_JSON:
                fields[key] = raw_json(key, value)
            else:
                fields[key] = Path(os.path.expanduser(value)) if sep == FILE else value
        else:
            hint = did_you_mean(key, [p.python_name for p in op.parameters])
            raise click.BadParameter(
                f"{fn.__name__}() has no parameter {key!r}{hint}", param_hint="ITEMS"
            )
    if body_option is not None or fields:
        if body_name is None:
            raise click.UsageError(f"{fn.__name__}() takes no request body")
        kwargs[body_name] = _body(body_option, fields)
    return Call(kwargs, headers)


def _body(body_option: str | None, fields: dict[str, Any]) -> Any:
    """``--body`` (JSON, or a file: its JSON, or its path for a raw upload) merged with
    the body fields given as items."""
    if body_option is None:
        return fields
    given = read_body(body_option)
    if isinstance(given, BodyFile):
        path = Path(given.path)
        try:
            body: Any = json.loads(path.read_bytes())
        except ValueError:
            body = path  # not JSON: the file itself is the (raw) body
    else:
        body = json.loads(given)
    if fields:
        if not isinstance(body, dict):
            raise click.UsageError("body fields given as items need --body to be a JSON object")
        body = {**body, **fields}
    return body


def run_operation(
    client: OpenAPIClient,
    op: Operation,
    fn: Callable[..., Any],
    items: tuple[str, ...],
    settings: Settings,
    download: DownloadLength | None = None,
) -> None:
    """Call ``fn`` (the method of ``op`` on ``client``) as the items and settings say
    (``download``: the hook :func:`open_client` was given, which sizes the ``-o`` bar)."""
    from ..openapi.runtime import ArgumentNames

    call = arguments(op, fn, items, settings.body)
    extras = ArgumentNames(op).extras  # the runtime's own keywords, as this op names them
    kwargs = call.kwargs
    if call.headers:
        kwargs[extras["headers"]] = call.headers
    output = Output(settings)
    if settings.all_pages and not settings.dry_run:
        output.all_items(client.paginate(fn, **kwargs))
        return
    kwargs[extras["return_response"]] = True
    body_name = ArgumentNames(op).body
    uploads = _files_of(kwargs.get(body_name)) if body_name else []
    if settings.dry_run:
        output.curl(fn(**kwargs).request)
    elif uploads:
        assert body_name is not None
        total = sum(os.path.getsize(path) for path in uploads)
        with ExitStack() as opened, output.progress("upload", total) as tracker:

            def counted(path: Path) -> ProgressReader:
                return ProgressReader(opened.enter_context(path.open("rb")), tracker)

            body = kwargs[body_name]
            if isinstance(body, Path):
                kwargs[body_name] = counted(body)
            else:
                kwargs[body_name] = {
                    k: counted(v) if isinstance(v, Path) else v for k, v in body.items()
                }
            response = fn(**kwargs)
        output.response(response)
    elif settings.output is not None:
        path = settings.output
        with output.progress(os.path.basename(path), None) as tracker, open(path, "wb") as fh:
            if download is not None:
                download.tracker = tracker
            kwargs[extras["download_to"]] = ProgressWriter(fh, tracker)
            response = fn(**kwargs)
        if settings.show_headers:
            output.headers(response)
    else:
        output.response(fn(**kwargs))


def _files_of(body: Any) -> list[Path]:
    """The files a body sends: a raw file body, or the file fields of a multipart body."""
    if isinstance(body, Path):
        return [body]
    if isinstance(body, dict):
        return [value for value in body.values() if isinstance(value, Path)]
    return []


# -- listings -------------------------------------------------------------------------------


def _summary(op: Operation) -> str:
    text = (op.summary or "").strip().splitlines()
    return text[0] if text else ""


def list_tags(api: ApiDescription) -> None:
    members = _tag_members(api)
    width = max((len(tag) for tag in members), default=0)
    for tag, ops in members.items():
        click.echo(f"{tag.ljust(width)}  {len(ops)} operation{'s' if len(ops) != 1 else ''}")


def list_operations(api: ApiDescription, tag: str) -> None:
    ops = _tag_members(api)[tag]
    width = max((len(name) for name in ops), default=0)
    for name, op in ops.items():
        click.echo(f"{name.ljust(width)}  {op.method.upper()} {op.path}  {_summary(op)}".rstrip())


def _tag_of(api: ApiDescription, tag: str) -> str:
    """The tag group ``tag`` names (its Python name, or the document's own tag)."""
    from .._suggest import did_you_mean

    members = _tag_members(api)
    if tag in members:
        return tag
    for op in api.operations:
        if op.tag == tag:
            return op.tag_name
    raise click.UsageError(
        f"the description has no tag {tag!r}{did_you_mean(tag, members)} "
        "(`restwright SPEC` lists them)"
    )


# -- completion -----------------------------------------------------------------------------


def _completing(ctx: click.Context) -> ApiDescription | None:
    word = ctx.params.get("source")
    if not word:
        return None
    try:
        return load_description(word)[0]
    except Exception:  # completion must never break the shell: offer nothing instead
        return None


def complete_source(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """The profiles whose names start with ``incomplete``, else the files (descriptions)."""
    try:
        profiles = import_module(f"{__package__}.profiles")
        names = [name for name in profiles.load_profiles() if name.startswith(incomplete)]
    except Exception:  # no profiles module, or a config file that cannot be read: files
        names = []
    return [CompletionItem(name) for name in names] or [CompletionItem(incomplete, type="file")]


def complete_tag(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    api = _completing(ctx)
    if api is None:
        return []
    return [CompletionItem(tag) for tag in _tag_members(api) if tag.startswith(incomplete)]


def complete_member(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    api = _completing(ctx)
    tag = ctx.params.get("tag")
    if api is None or not tag:
        return []
    ops = _tag_members(api).get(tag, {})
    return [
        CompletionItem(name, help=_summary(op))
        for name, op in ops.items()
        if name.startswith(incomplete)
    ]


def complete_operation(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """Python names of the operations, and the document's operationIds (``call`` takes
    both)."""
    api = _completing(ctx)
    if api is None:
        return []
    found: dict[str, str] = {}
    for op in api.operations:
        for name in (op.name, op.operation_id):
            if name and name.startswith(incomplete):
                found.setdefault(name, _summary(op))
    return [CompletionItem(name, help=summary) for name, summary in found.items()]


def _operation_for_completion(ctx: click.Context, api: ApiDescription) -> Operation | None:
    tag, member = ctx.params.get("tag"), ctx.params.get("member")
    if tag and member:
        return _tag_members(api).get(tag, {}).get(member)
    name = ctx.params.get("operation")
    if name:
        try:
            return api.operation(name)
        except KeyError:
            return None
    return None


def complete_items(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """``name=`` for each parameter of the operation, and each top-level field of its
    JSON body."""
    api = _completing(ctx)
    op = None if api is None else _operation_for_completion(ctx, api)
    if api is None or op is None:
        return []
    names = [p.python_name for p in op.parameters]
    body = op.request_body
    if body is not None:
        for media in body.content.values():
            schema = api.resolve(media.schema) if media.schema is not None else None
            if isinstance(schema, dict):
                names += [str(key) for key in schema.get("properties") or {}]
            break
    given = {item.split("=", 1)[0] for item in ctx.params.get("items") or ()}
    return [
        CompletionItem(f"{name}=")
        for name in dict.fromkeys(names)
        if name.startswith(incomplete) and name not in given
    ]


# -- the commands ---------------------------------------------------------------------------


_WORDS_KEY = "restwright.operation_words"


class _OperationCommand(click.Command):
    """A command naming an operation: its ``--help`` ends with the operation's own
    documentation (parameters, body, responses) when the words before it name one."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if "--help" in args or "-h" in args:
            ctx.meta[_WORDS_KEY] = [a for a in args if not a.startswith("-")]
        return super().parse_args(ctx, args)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_help(ctx, formatter)
        doc = _operation_doc(ctx.meta.get(_WORDS_KEY) or [], by_tag=self.name != "call")
        if doc:
            formatter.write_paragraph()
            for line in doc.splitlines():
                formatter.write(f"  {line}\n" if line else "\n")


def _operation_doc(words: list[str], by_tag: bool) -> str | None:
    """The runtime's docstring of the operation ``words`` name (SPEC TAG OPERATION, or
    SPEC OPERATION for ``call``), without its paragraph on Python-only keywords."""
    from ..openapi.runtime import ArgumentNames, build_docstring

    if len(words) < (3 if by_tag else 2):
        return None
    try:
        api = load_description(words[0])[0]
        op = _tag_members(api)[words[1]][words[2]] if by_tag else api.operation(words[1])
    except (RestwrightError, KeyError):
        return None  # the help of the command itself is all there is to show
    doc = build_docstring(api, op, ArgumentNames(op))
    return doc.split("\n\nAlso takes ", 1)[0]


class _DescribedCommand(_OperationCommand):
    """The command run for ``restwright SPEC_OR_PROFILE ...``: the main group hands it
    every word, the first one included, so its usage line names SPEC_OR_PROFILE once."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        return super().make_context(self.name, args, parent=parent, **extra)

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        pieces = super().collect_usage_pieces(ctx)
        return pieces[:1] + pieces[2:]  # [OPTIONS], then what follows SPEC_OR_PROFILE


_BASE_URL = click.option(
    "--base-url", help="The API's base URL (default: the description's server)."
)


@click.command(
    "call",
    cls=_OperationCommand,
    context_settings=_CONTEXT,
    help="Call OPERATION (an operationId or its Python name) of the API description or "
    "profile SPEC_OR_PROFILE.\n\nITEMS: key=value (a parameter, or a body field), "
    "key:=JSON, Header:value, field@path.",
)
@click.argument("source", metavar="SPEC_OR_PROFILE", shell_complete=complete_source)
@click.argument("operation", shell_complete=complete_operation)
@click.argument("items", nargs=-1, shell_complete=complete_items)
@_BASE_URL
@request_options
def call_command(
    source: str, operation: str, items: tuple[str, ...], base_url: str | None, **options: Any
) -> None:
    settings = Settings.of(options)
    api, resolved = load_description(source)
    try:
        op = api.operation(operation)
    except KeyError:
        from .._suggest import did_you_mean

        hint = did_you_mean(operation, [op.name for op in api.operations])
        raise click.UsageError(f"the description has no operation {operation!r}{hint}") from None
    download = DownloadLength() if settings.output is not None else None
    with open_client(api, resolved, settings, base_url, download) as client:
        run_operation(client, op, client.operation(operation), items, settings, download)


@click.command(
    "SPEC_OR_PROFILE",
    cls=_DescribedCommand,
    context_settings=_CONTEXT,
    help="Call an operation by its tag and name, as the runtime client names them "
    "(client.TAG.OPERATION).  Without OPERATION: the operations of TAG; without TAG: "
    "the tags.\n\nITEMS: key=value (a parameter, or a body field), key:=JSON, "
    "Header:value, field@path.",
)
@click.argument("source", metavar="SPEC_OR_PROFILE", shell_complete=complete_source)
@click.argument("tag", required=False, shell_complete=complete_tag)
@click.argument("member", metavar="[OPERATION]", required=False, shell_complete=complete_member)
@click.argument("items", nargs=-1, shell_complete=complete_items)
@_BASE_URL
@request_options
def described_command(
    source: str,
    tag: str | None,
    member: str | None,
    items: tuple[str, ...],
    base_url: str | None,
    **options: Any,
) -> None:
    settings = Settings.of(options)
    api, resolved = load_description(source)
    if tag is None:
        list_tags(api)
        return
    tag = _tag_of(api, tag)
    if member is None:
        list_operations(api, tag)
        return
    members = _tag_members(api)[tag]
    op = members.get(member) or next((o for o in members.values() if o.name == member), None)
    if op is None:
        from .._suggest import did_you_mean

        raise click.UsageError(
            f"tag {tag!r} has no operation {member!r}{did_you_mean(member, members)} "
            f"(`restwright SPEC {tag}` lists them)"
        )
    download = DownloadLength() if settings.output is not None else None
    with open_client(api, resolved, settings, base_url, download) as client:
        run_operation(client, op, getattr(client.tag(tag), member), items, settings, download)
