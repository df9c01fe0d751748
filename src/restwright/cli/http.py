"""``restwright get|post|put|patch|delete|head URL [ITEMS]...``: one request to a URL.

Items are httpie's (:mod:`.items`); the request goes through the engine's whole pipeline
(auth bound to the URL's origin, retries, redirects, errors, dry run), so a command line
call behaves exactly as ``restwright.Client`` does.
"""

from __future__ import annotations

import json
import os
from typing import Any

import click

from ..engine.client import Client
from ..engine.file_bodies import FileBody
from ..engine.models import Request
from ..engine.urls import split_url
from .items import BodyFile, RequestItems, parse_items, read_body
from .options import Settings, request_options
from .output import Output

__all__ = [
    "delete_command",
    "get_command",
    "head_command",
    "patch_command",
    "post_command",
    "put_command",
    "send_to_url",
]


def absolute_url(url: str) -> str:
    """``url`` with ``http://`` in front when it has no scheme (``localhost:8000/x``)."""
    return url if url.startswith(("http://", "https://")) else f"http://{url}"


def _query(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """``q==a q==b`` → ``{"q": ["a", "b"]}`` (the engine repeats list values)."""
    query: dict[str, Any] = {}
    for key, value in pairs:
        if key in query:
            previous = query[key]
            query[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            query[key] = value
    return query


def _body_options(parts: RequestItems, body: bytes | BodyFile | None) -> dict[str, Any]:
    """The engine's body keywords for the items and ``--body``."""
    if body is not None:
        if parts.fields or parts.files:
            raise click.UsageError("give the body either as --body or as field items, not both")
        headers = {"Content-Type": "application/json"}
        if isinstance(body, BodyFile):  # streamed, and sent again whole after a reset or a 307
            return {"content": FileBody(body.path), "headers": headers}
        return {"content": body, "headers": headers}
    if parts.files:
        fields = {
            key: value if isinstance(value, str) else json.dumps(value)
            for key, value in parts.fields.items()
        }
        return {"data": fields, "files": parts.files}
    if parts.fields:
        return {"json": parts.fields}
    return {}


def build(client: Client, method: str, url: str, parts: RequestItems, body: Any) -> Request:
    """The request a verb command sends (nothing is sent)."""
    options = _body_options(parts, body)
    headers = dict(options.pop("headers", {}))
    headers.update({k: v for k, v in parts.headers.items() if v is not None})
    request = client.build_request(
        method, url, params=_query(parts.params) or None, headers=headers or None, **options
    )
    for name, value in parts.headers.items():
        if value is None and name in request.headers:
            del request.headers[name]
    return request


def _send(client: Client, request: Request, output: Output, stream: bool = False) -> Any:
    """Send ``request``; a streamed body (a file) is counted by an upload bar when one is
    drawn (the counted body stays as replayable as the one built: a retry or a 307 sends
    it again and the bar starts over)."""
    content = request.content
    if content is None or isinstance(content, bytes) or not output.draws_progress:
        return client.send(request, stream=stream)
    length = request.headers.get("content-length")
    with output.progress("upload", int(length) if length else None) as tracker:
        request.content = tracker.tracked(content)
        return client.send(request, stream=stream)


def download(client: Client, request: Request, output: Output, path: str) -> None:
    """Stream the answer to ``request`` into ``path`` (with a download bar)."""
    response = _send(client, request, output, stream=True)
    try:
        if output.settings.show_headers:
            output.headers(response)
        length = response.headers.get("content-length")
        with (
            output.progress(os.path.basename(path), int(length) if length else None) as tracker,
            open(path, "wb") as fh,
        ):
            for chunk in response.iter_bytes():
                fh.write(chunk)
                tracker.advance(len(chunk))
    finally:
        response.close()


def client_options(url: str, settings: Settings, profile_name: str | None) -> dict[str, Any]:
    """The engine client's options: the profile's (its base URL, auth, headers, retry,
    timeout), then the command line's; without a profile the base URL is the URL's
    origin, so credentials stay bound to it."""
    options: dict[str, Any] = {}
    if profile_name is not None:
        from .profiles import load_profile

        options = dict(load_profile(profile_name).client_options())
    if "base_url" not in options:
        if not url.startswith(("http://", "https://")):
            raise click.UsageError(f"{url!r} is a path: give a URL, or --profile with a base URL")
        options["base_url"] = str(split_url(url)[0])
    auth = settings.credential()
    if isinstance(auth, str):
        from ..engine.auth import BearerAuth

        auth = BearerAuth(auth)
    if auth is not None:
        options["auth"] = auth
    options.update(settings.client_options())
    return options


def send_to_url(
    method: str, url: str, items: tuple[str, ...], settings: Settings, profile_name: str | None
) -> None:
    """Run one verb command."""
    if profile_name is not None and "://" not in url:
        url = url if url.startswith("/") else f"/{url}"  # a path under the profile's base URL
    else:
        url = absolute_url(url)
    parts = parse_items(items)
    body = read_body(settings.body) if settings.body is not None else None
    output = Output(settings)
    options = client_options(url, settings, profile_name)
    with Client(options.pop("base_url"), **options) as client:
        if settings.all_pages and not settings.dry_run:
            if method != "GET" or body is not None or parts.fields or parts.files:
                raise click.UsageError("--all follows the pages of a GET without a body")
            query = _query(parts.params) or None
            output.all_items(client.paginate(url, params=query, headers=parts.headers).items())
            return
        request = build(client, method, url, parts, body)
        if settings.dry_run:
            output.curl(client.send(request).request)
        elif settings.output is not None:
            download(client, request, output, settings.output)
        else:
            output.response(_send(client, request, output))


def _verb_command(method: str) -> click.Command:
    @click.command(
        method.lower(),
        help=f"Send a {method} request to URL.\n\n"
        "ITEMS: a=b (JSON string field), n:=1 (raw JSON field), Header:value, q==v (query "
        "parameter), field@path (a file: the body becomes multipart/form-data).",
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    @click.argument("url")
    @click.argument("items", nargs=-1)
    @click.option(
        "--profile",
        "profile_name",
        metavar="NAME",
        help="Base URL, auth, headers, retry and timeout from a profile; URL may then be a "
        "path under its base URL (/items).",
    )
    @request_options
    def command(url: str, items: tuple[str, ...], profile_name: str | None, **options: Any) -> None:
        send_to_url(method, url, items, Settings.of(options), profile_name)

    return command


get_command = _verb_command("GET")
post_command = _verb_command("POST")
put_command = _verb_command("PUT")
patch_command = _verb_command("PATCH")
delete_command = _verb_command("DELETE")
head_command = _verb_command("HEAD")
