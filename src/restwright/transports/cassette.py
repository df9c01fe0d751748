"""Record real exchanges to a cassette file, and replay them offline.

A :class:`Cassette` is a file of exchanges (JSON, or YAML for ``.yaml``/``.yml``), one entry
per request/response pair, written with the same redaction rules as logs: credential headers,
secret query parameters, secret JSON/form fields and ``Set-Cookie`` are stored masked, so a
cassette can be committed.  :class:`CassetteTransport` wraps any transport (restwright's own
socket transports by default): in recording modes it sends and writes down, in replay modes it
answers from the file and never touches the network.

Why not vcrpy: it works by patching the internals of ``http.client``, aiohttp, httpx and
friends, and restwright's socket transports are none of those.  restwright's transport seam is
two methods (``handle`` / ``handle_async``), so recording is a small wrapper around it, the
same for the sync and async clients, streamed bodies included.

Modes (vcrpy's names, same meaning):

``"once"`` (default)
    replay when the file exists, otherwise record it.
``"replay"``
    answer only from the file; a request with no recorded answer raises
    :class:`~restwright.errors.CassetteError` naming the closest recorded request.
``"record"``
    send everything and write a new file (the old one is replaced).
``"new_episodes"``
    replay what is recorded, send and append what is not.

Matching (``match_on``) compares the *masked* form of both requests, so secrets never decide
a match: ``"method"``, ``"url"`` (scheme, host, port and path), ``"query"`` (the decoded
pairs, order-insensitive) and ``"body"`` (JSON bodies compared as data, others byte for byte).
Each recorded exchange answers once, in order, so polling the same URL replays each answer.
"""

from __future__ import annotations

import base64
import contextlib
import difflib
import json
import logging
import threading
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from pathlib import Path
from typing import Any, Literal

from ..engine.headers import Headers
from ..engine.models import Request, Response
from ..engine.redaction import (
    MASK,
    SENSITIVE_FIELDS,
    SENSITIVE_HEADERS,
    mask_body,
    mask_headers,
)
from ..engine.urls import unquote_plus
from ..errors import CassetteError

logger = logging.getLogger("restwright")

Mode = Literal["once", "replay", "record", "new_episodes"]
MODES: tuple[str, ...] = ("once", "replay", "record", "new_episodes")
MATCH_FIELDS: tuple[str, ...] = ("method", "url", "query", "body")
Entry = dict[str, Any]


# -- the pure parts: entries and how requests are compared -------------------------------


def _encode_body(content: bytes) -> dict[str, str]:
    try:
        return {"text": content.decode("utf-8")}
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(content).decode("ascii")}


def _decode_body(body: dict[str, str]) -> bytes:
    if "base64" in body:
        return base64.b64decode(body["base64"])
    return body.get("text", "").encode("utf-8")


def request_entry(request: Request, body: bytes) -> Entry:
    """The stored (masked) form of a request whose body is ``body``."""
    masked = request.redacted()
    return {
        "method": request.method,
        "url": masked.url,
        "headers": [f"{name}: {value}" for name, value in masked.headers.raw()],
        "body": _encode_body(mask_body(body, request.headers.get("content-type")) if body else b""),
    }


def secret_values(request: Request) -> list[str]:
    """The credential strings a request carries (sensitive header values and their token
    part, sensitive query values), longest first: the cassette scrubs them wherever they
    appear, e.g. in a response that echoes the request."""
    found: set[str] = set()
    sensitive = SENSITIVE_HEADERS | request.sensitive_headers
    for name, value in request.headers.raw():
        if name.lower() in sensitive and value:
            found.add(value)
            found.add(value.partition(" ")[2].strip())
    if request.sensitive_params and "?" in request.target:
        for pair in request.target.partition("?")[2].split("&"):
            name, _, value = pair.partition("=")
            if unquote_plus(name) in request.sensitive_params and value:
                found.update({value, unquote_plus(value)})
    if isinstance(request.content, bytes):
        found.update(_secret_fields(request.content, request.headers.get("content-type")))
    return sorted((v for v in found if len(v) >= 4), key=len, reverse=True)


def _secret_fields(content: bytes, content_type: str | None) -> Iterator[str]:
    """The values of secret fields (``password``, ``client_secret``...) of a JSON or form
    body."""
    ctype = (content_type or "").split(";", 1)[0].strip().lower()
    if ctype == "application/x-www-form-urlencoded":
        for pair in content.decode("latin-1").split("&"):
            name, _, value = pair.partition("=")
            if unquote_plus(name).lower() in SENSITIVE_FIELDS:
                yield unquote_plus(value)
    elif ctype == "application/json" or ctype.endswith("+json"):
        try:
            stack = [json.loads(content)]
        except ValueError:
            return
        while stack:
            value = stack.pop()
            if isinstance(value, dict):
                for key, item in value.items():
                    if key.lower() in SENSITIVE_FIELDS and isinstance(item, str):
                        yield item
                    else:
                        stack.append(item)
            elif isinstance(value, list):
                stack.extend(value)


def _scrub(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, MASK)
    return text


def response_entry(response: Response, body: bytes, secrets: list[str]) -> Entry:
    """The stored form of a response: ``Set-Cookie``, secret body fields and every
    ``secrets`` string (see :func:`secret_values`) masked."""
    stored = mask_body(body, response.headers.get("content-type"))
    if secrets and stored:
        with contextlib.suppress(UnicodeDecodeError):  # binary bodies are kept as they are
            stored = _scrub(stored.decode("utf-8"), secrets).encode("utf-8")
    headers = []
    for name, value in mask_headers(response.headers.raw(), frozenset()):
        if name.lower() == "content-length" and stored is not body:
            value = str(len(stored))  # masking changed the length
        headers.append(f"{name}: {_scrub(value, secrets)}")
    return {
        "status": response.status_code,
        "reason": response.reason,
        "http_version": response.http_version,
        "headers": headers,
        "body": _encode_body(stored),
    }


def _header_pairs(entry: Entry) -> list[tuple[str, str]]:
    """A stored entry's headers (``"Name: value"`` lines) as pairs."""
    pairs = []
    for line in entry["headers"]:
        name, _, value = str(line).partition(":")
        pairs.append((name.strip(), value.strip()))
    return pairs


def _content_type(entry: Entry) -> str:
    for name, value in _header_pairs(entry):
        if name.lower() == "content-type":
            return value.split(";", 1)[0].strip().lower()
    return ""


def match_key(entry: Entry, fields: Iterable[str]) -> tuple[Any, ...]:
    """What ``match_on`` compares, from a stored (masked) request entry."""
    url: str = entry["url"]
    base, _, query = url.partition("?")
    key: list[Any] = []
    for name in fields:
        if name == "method":
            key.append(entry["method"].upper())
        elif name == "url":
            key.append(base)
        elif name == "query":
            pairs = [pair.partition("=") for pair in query.split("&") if pair]
            key.append(tuple(sorted((unquote_plus(n), unquote_plus(v)) for n, _, v in pairs)))
        elif name == "body":
            raw = _decode_body(entry["body"])
            ctype = _content_type(entry)
            if raw and (ctype == "application/json" or ctype.endswith("+json")):
                try:
                    key.append(json.dumps(json.loads(raw), sort_keys=True))
                    continue
                except ValueError:
                    pass
            key.append(raw)
    return tuple(key)


def describe(entry: Entry) -> str:
    """One line naming a stored request (for errors and logs)."""
    body = _decode_body(entry["body"])
    shown = f" {body[:120]!r}" if body else ""
    return f"{entry['method']} {entry['url']}{shown}"


def _well_formed(entry: Any) -> bool:
    try:
        request, response = entry["request"], entry["response"]
        return all(k in request for k in ("method", "url", "headers", "body")) and all(
            k in response for k in ("status", "headers", "body")
        )
    except (TypeError, KeyError):
        return False


def check_options(mode: str, match_on: Iterable[str]) -> tuple[str, ...]:
    if mode not in MODES:
        raise ValueError(f"unknown cassette mode {mode!r}: use one of {', '.join(MODES)}")
    fields = tuple(match_on)
    unknown = [name for name in fields if name not in MATCH_FIELDS]
    if unknown:
        raise ValueError(f"unknown match_on fields {unknown}: use {', '.join(MATCH_FIELDS)}")
    return fields


class Cassette:
    """A file of recorded exchanges, and the bookkeeping of which were replayed.

    ``path``: ``.json`` (default) or ``.yaml``/``.yml`` (needs PyYAML).  Nothing is written
    until :meth:`save` (the transport's ``close()`` saves too), and only when something was
    recorded.  Thread-safe: one cassette may serve a client shared by threads.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        mode: Mode = "once",
        match_on: Iterable[str] = MATCH_FIELDS,
    ) -> None:
        self.path = Path(path)
        self.match_on = check_options(mode, match_on)
        exists = self.path.is_file()
        self.mode: Mode = mode
        self.entries: list[Entry] = self._load() if exists and mode != "record" else []
        self._used = [False] * len(self.entries)
        self._lock = threading.Lock()
        self._dirty = False
        #: Whether a request without a recorded answer is sent to the network.
        self.records = mode in ("record", "new_episodes") or (mode == "once" and not exists)
        #: Whether recorded answers are used at all.
        self.replays = mode != "record"

    def _load(self) -> list[Entry]:
        try:
            text = self.path.read_text(encoding="utf-8")
            if self.path.suffix in (".yaml", ".yml"):
                import yaml

                data = yaml.safe_load(text)
            else:
                data = json.loads(text)
        except Exception as exc:  # OSError, JSON or YAML errors (yaml is imported lazily)
            raise CassetteError(f"cannot read cassette {self.path}: {exc}") from exc
        entries = data.get("interactions") if isinstance(data, dict) else None
        if not isinstance(entries, list) or not all(_well_formed(e) for e in entries):
            raise CassetteError(f"cannot read cassette {self.path}: not a restwright cassette")
        return entries

    def transport(self, inner: Any = None) -> CassetteTransport:
        """A transport recording to / replaying from this cassette (``inner`` sends)."""
        return CassetteTransport(self, inner)

    def play(self, request: Entry) -> Entry | None:
        """The first unused recorded response matching ``request`` (then marked used)."""
        if not self.replays:
            return None
        key = match_key(request, self.match_on)
        with self._lock:
            for index, entry in enumerate(self.entries):
                if not self._used[index] and match_key(entry["request"], self.match_on) == key:
                    self._used[index] = True
                    return dict(entry["response"])
        return None

    def record(self, request: Entry, response: Entry) -> None:
        with self._lock:
            self.entries.append({"request": request, "response": response})
            self._used.append(True)
            self._dirty = True

    def miss(self, request: Request, entry: Entry) -> CassetteError:
        """The error for a request the cassette cannot answer, naming the closest ones."""
        with self._lock:
            recorded = [describe(e["request"]) for e in self.entries]
            exhausted = any(
                match_key(e["request"], self.match_on) == match_key(entry, self.match_on)
                for e in self.entries
            )
        wanted = describe(entry)
        if exhausted:
            detail = "every recorded answer to it was already replayed"
        else:
            close = difflib.get_close_matches(wanted, recorded, n=3, cutoff=0.0)
            detail = "closest recorded: " + "; ".join(close) if close else "the cassette is empty"
        return CassetteError(
            f"no recorded answer in {self.path} (mode {self.mode!r}, matching on "
            f"{', '.join(self.match_on)}) for {wanted}: {detail}",
            request=request,
        )

    def save(self) -> None:
        """Write the cassette when something new was recorded (atomically)."""
        with self._lock:
            if not self._dirty:
                return
            data = {"restwright_cassette": 1, "interactions": self.entries}
            if self.path.suffix in (".yaml", ".yml"):
                import yaml

                text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
            else:
                text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
            self.path.parent.mkdir(parents=True, exist_ok=True)
            partial = self.path.with_name(self.path.name + ".partial")
            partial.write_text(text, encoding="utf-8")
            partial.replace(self.path)
            self._dirty = False
        logger.debug("cassette saved: %s (%d exchanges)", self.path, len(self.entries))

    def __enter__(self) -> Cassette:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.save()

    def __repr__(self) -> str:
        return f"<Cassette {str(self.path)!r} mode={self.mode!r} entries={len(self.entries)}>"


# -- replayed bodies -----------------------------------------------------------------------

CHUNK = 64 * 1024


class _ReplayStream:
    """A recorded body served as a stream, for ``stream=True`` calls (sync and async)."""

    def __init__(self, body: bytes) -> None:
        self._chunks = [body[i : i + CHUNK] for i in range(0, len(body), CHUNK)]

    def __iter__(self) -> Iterator[bytes]:
        yield from self._chunks

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self._chunks:
            yield chunk

    def close(self) -> None:
        self._chunks = []

    async def aclose(self) -> None:
        self._chunks = []


def replayed_response(request: Request, entry: Entry, *, stream: bool) -> Response:
    body = _decode_body(entry["body"])
    headers = Headers.from_raw(_header_pairs(entry))
    return Response(
        int(entry["status"]),
        headers,
        None if stream else body,
        request=request,
        reason=str(entry.get("reason", "")),
        http_version=str(entry.get("http_version", "HTTP/1.1")),
        stream=_ReplayStream(body) if stream else None,
    )


def _with_body(request: Request, body: bytes) -> Request:
    """``request`` with its (consumed) streamed body replaced by the bytes it held."""
    copy = request.copy()
    copy.content = body
    return copy


# -- the transport -------------------------------------------------------------------------


class CassetteTransport:
    """A transport answering from a :class:`Cassette`, and recording through ``inner``.

    ``inner`` is the transport that really sends (default: restwright's socket transport,
    sync or async as the client calls); it is only created when something must be sent.
    Streamed request bodies are read whole to be matched or recorded, and streamed responses
    are recorded whole: keep cassettes for exchanges of a reasonable size.
    """

    def __init__(self, cassette: Cassette, inner: Any = None) -> None:
        self.cassette = cassette
        self._owns_inner = inner is None
        self._sync_inner: Any = inner
        self._async_inner: Any = inner

    def _sender(self, *, is_async: bool) -> Any:
        if is_async:
            if self._async_inner is None:
                from .async_socket import AsyncSocketTransport

                self._async_inner = AsyncSocketTransport()
            return self._async_inner
        if self._sync_inner is None:
            from .sync_socket import SocketTransport

            self._sync_inner = SocketTransport()
        return self._sync_inner

    def _answer(self, request: Request, *, stream: bool) -> tuple[Entry, Response | None]:
        """The stored form of ``request`` (its body already buffered), and the recorded
        answer to it, if any; raises when nothing is recorded and nothing may be sent."""
        entry = request_entry(request, request.content or b"")  # type: ignore[arg-type]
        recorded = self.cassette.play(entry)
        if recorded is not None:
            logger.debug("cassette replay: %s", describe(entry))
            return entry, replayed_response(request, recorded, stream=stream)
        if not self.cassette.records:
            raise self.cassette.miss(request, entry)
        return entry, None

    def _recorded(self, entry: Entry, response: Response, body: bytes, *, stream: bool) -> Response:
        """Record a live exchange; the caller gets the real (unmasked) answer, streamed again
        when it asked for a stream (the body was read whole to be recorded)."""
        self.cassette.record(entry, response_entry(response, body, secret_values(response.request)))
        if not stream:
            return response
        return Response(
            response.status_code,
            response.headers,
            None,
            request=response.request,
            reason=response.reason,
            http_version=response.http_version,
            stream=_ReplayStream(body),
            elapsed=response.elapsed.total_seconds(),
        )

    def handle(self, request: Request, *, stream: bool = False) -> Response:
        if request.content is not None and not isinstance(request.content, bytes):
            request = _with_body(request, b"".join(request.content))  # type: ignore[arg-type]
        entry, answer = self._answer(request, stream=stream)
        if answer is not None:
            return answer
        response: Response = self._sender(is_async=False).handle(request, stream=stream)
        return self._recorded(entry, response, response.read(), stream=stream)

    async def handle_async(self, request: Request, *, stream: bool = False) -> Response:
        content = request.content
        if isinstance(content, AsyncIterable):
            request = _with_body(request, b"".join([chunk async for chunk in content]))
        elif content is not None and not isinstance(content, bytes):
            request = _with_body(request, b"".join(content))
        entry, answer = self._answer(request, stream=stream)
        if answer is not None:
            return answer
        response: Response = await self._sender(is_async=True).handle_async(request, stream=stream)
        return self._recorded(entry, response, await response.aread(), stream=stream)

    def close(self) -> None:
        self.cassette.save()
        if self._owns_inner and self._sync_inner is not None:
            self._sync_inner.close()

    async def aclose(self) -> None:
        self.cassette.save()
        if self._owns_inner and self._async_inner is not None:
            await self._async_inner.aclose()


__all__ = ["MATCH_FIELDS", "MODES", "Cassette", "CassetteTransport"]
