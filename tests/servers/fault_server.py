"""A real HTTP/1.1 server that misbehaves on demand, for the engine's behaviour tests.

:class:`FaultServer` runs a low-level :class:`aiohttp.web.Server` in a background thread with
its own event loop, on ``127.0.0.1`` and a free port.  It records every request it receives
(:attr:`FaultServer.requests`: method, raw request-target, path, query, headers, body size
and SHA-256, client port, arrival time) so that tests assert on what really went over the wire.  Two
instances make two *origins*; :attr:`FaultServer.peer` points at the other one (redirects
and pagination links "to another origin" use it).

Endpoints (every method unless told; ``{x}`` is a path segment, ``?x=`` a query parameter):

``/echo[/anything]``
    JSON description of the request: ``method``, ``target`` (raw request-target), ``path``
    (raw, still percent-encoded), ``query_string``, ``query`` (list of ``[name, value]``),
    ``headers`` (list of ``[name, value]`` as received), ``body_size``, ``body_sha256``,
    ``body_text`` (when UTF-8) and ``body_b64``, ``json`` (when the body parses), ``form``
    (urlencoded bodies), ``parts`` (multipart bodies: ``name``, ``filename``,
    ``content_type``, ``headers``, ``size``, ``sha256``, ``text``), ``chunked``.
    ``?status=`` answers another status; ``?set_header=Name:Value`` (repeatable) adds
    response headers; ``?gzip=1`` compresses the answer (``Content-Encoding: gzip``);
    ``?then_close=1`` silently closes the connection 50 ms after answering.
``/status/{code}``
    That status with an error body; ``?style=`` ``kinto`` (default: ``code``, ``errno``,
    ``error``, ``message``), ``detail``, ``oauth`` (``error`` + ``error_description``),
    ``error`` (only ``error``), ``text`` (plain text), ``empty``.
``/flaky/{key}``
    Fails ``?fails=N`` times (per key) then answers ``200 {"attempts": n}``.  The failure
    is ``?status=`` (503) with ``?retry_after=`` (seconds, or ``date:S`` for an HTTP-date
    S seconds ahead) and ``?backoff=`` (Kinto ``Backoff`` header), or ``?fault=`` one of
    ``reset-before`` / ``reset-after-headers``.  ``?success_backoff=N`` adds ``Backoff: N``
    to the successful answer.
``/reset-before``
    Reads the request, then drops the connection before any response byte
    (``?mode=abort`` sends a TCP reset, ``close`` a FIN).
``/reset-after-headers``
    Sends headers announcing ``Content-Length: 1000`` and 100 body bytes, then aborts.
``/stall``
    Sleeps ``?seconds=`` (10) before answering (``?after=headers``: after sending the
    headers and a first body chunk).
``/bad-json/{kind}``
    ``invalid``: malformed JSON, ``truncated-json``: JSON cut in the middle (well framed),
    ``truncated-body``: ``Content-Length`` larger than what is sent before closing.
``/redirect/{code}?to=LOCATION``
    A redirect with that status (``to`` defaults to ``/echo``; ``to=peer:/path`` points at
    the other origin, ``to=self:/path`` is an absolute URL to this origin).
``/redirect-chain/{n}``
    ``n`` redirects (``?code=`` 302) in a row, then the echo.
``/pages/{style}``
    23 items (``?total=``) ``{"id": i, "name": "item-i"}`` in pages of 5 (``?size=``):
    ``link`` (RFC 8288 ``Link`` header, absolute URL), ``link-relative`` (relative
    reference), ``header`` (Kinto ``Next-Page`` header), ``next-url`` (``next`` field),
    ``next-url-nested`` (``links.next``, items under ``payload.entries``), ``cursor``
    (``next_cursor`` field / ``cursor`` parameter), ``offset`` (``offset``/``limit``
    parameters, items under ``items``), ``page`` (``page``/``per_page``, bare list body).
    ``?link_lines=1`` sends one ``Link`` header field per link.
    Next links keep the request's other query parameters (except those named in
    ``?drop=a,b``).  ``?cross_at=K`` makes the next link of page K point at the peer origin.
``/download``
    ``?size=`` bytes (see :func:`download_chunks`) generated on the fly; ``?mode=chunked``
    (default) or ``length``.
``/upload``
    Streams the request body (raw or multipart) and answers its size and SHA-256 (for
    multipart: per part), plus ``chunked`` and ``content_length``.
``/etag/{key}``
    A versioned JSON resource (``ETag: "v<N>"``); ``GET`` honours ``If-None-Match`` (304),
    ``PUT``/``PATCH``/``DELETE`` honour ``If-Match`` and ``If-None-Match: *`` (412).
``/raw/{name}``
    A canned response written on the socket, then a close: ``close-delimited`` (no
    ``Content-Length``, no chunking), ``http10`` (an HTTP/1.0 answer), ``early-hints``
    (``103 Early Hints`` then the final answer).  The JSON body is
    ``{"raw": true, "framing": "close"}``.
``/auth/login`` and ``/auth/protected``
    ``POST /auth/login`` with JSON ``{"username", "password"}`` answers ``{"token"}``;
    ``/auth/protected`` wants ``Authorization: Bearer <that token>`` (else 401).

This module imports nothing from pytest.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import email.parser
import email.policy
import email.utils
import gzip
import hashlib
import json
import random
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import formatdate
from http import HTTPStatus
from typing import Any

from aiohttp import web

__all__ = [
    "DOWNLOAD_BLOCK",
    "PAGE_SIZE",
    "TOTAL_ITEMS",
    "FaultServer",
    "Recorded",
    "download_chunks",
    "download_sha256",
    "parse_multipart",
]

TOTAL_ITEMS = 23
PAGE_SIZE = 5
DOWNLOAD_BLOCK = 64 * 1024
ECHO_MAX_BODY = 32 * 1024 * 1024
_TEXT_LIMIT = 4096


def download_chunks(size: int, seed: int = 0) -> Iterator[bytes]:
    """The body of ``/download?size=SIZE&seed=SEED``: 64 KiB blocks, each one distinct."""
    base = random.Random(seed).randbytes(DOWNLOAD_BLOCK)
    index = 0
    remaining = size
    while remaining > 0:
        n = min(DOWNLOAD_BLOCK, remaining)
        block = index.to_bytes(8, "big") + base[8:]
        yield block[:n]
        remaining -= n
        index += 1


def download_sha256(size: int, seed: int = 0) -> str:
    digest = hashlib.sha256()
    for chunk in download_chunks(size, seed):
        digest.update(chunk)
    return digest.hexdigest()


@dataclass
class Recorded:
    """One request as the server received it."""

    method: str
    target: str
    path: str
    query_string: str
    query: list[tuple[str, str]]
    headers: list[tuple[str, str]]
    peer_port: int
    arrived: float
    body_size: int = 0
    body_complete: bool = False
    body_sha256: str | None = None  # of the whole body, once it was read

    def header(self, name: str) -> str | None:
        values = self.header_list(name)
        return values[0] if values else None

    def header_list(self, name: str) -> list[str]:
        lname = name.lower()
        return [v for k, v in self.headers if k.lower() == lname]

    def query_list(self, name: str) -> list[str]:
        return [v for k, v in self.query if k == name]

    @property
    def is_absolute_form(self) -> bool:
        return "://" in self.target.split("?", 1)[0]


@dataclass
class _State:
    flaky: dict[str, int] = field(default_factory=dict)
    etags: dict[str, tuple[int, Any]] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)


def parse_multipart(body: bytes, content_type: str) -> list[dict[str, Any]]:
    """Parse a ``multipart/form-data`` body strictly (CRLF framing, closing delimiter)."""
    ctype = _parse_header_params("Content-Type", content_type)
    boundary = ctype.get_param("boundary")
    if not boundary or not isinstance(boundary, str):
        raise ValueError("multipart body without boundary")
    delimiter = b"\r\n--" + boundary.encode("latin-1")
    chunks = (b"\r\n" + body).split(delimiter)
    if len(chunks) < 2:
        raise ValueError("no multipart delimiter found")
    last = chunks[-1]
    if not last.startswith(b"--"):
        raise ValueError("multipart body without closing delimiter")
    parts = []
    for chunk in chunks[1:-1]:
        # after the delimiter: optional transport padding (spaces/tabs), then CRLF
        line_end = chunk.find(b"\r\n")
        if line_end < 0 or chunk[:line_end].strip(b" \t"):
            raise ValueError("bad multipart delimiter line")
        chunk = chunk[line_end + 2 :]
        head, sep, content = chunk.partition(b"\r\n\r\n")
        if not sep:
            if chunk.startswith(b"\r\n"):  # no headers at all
                head, content = b"", chunk[2:]
            else:
                raise ValueError("multipart part without header/body separator")
        message = email.parser.BytesHeaderParser(policy=email.policy.HTTP).parsebytes(
            head + b"\r\n\r\n"
        )
        disposition = message.get("Content-Disposition")
        name = filename = None
        if disposition is not None:
            params = _parse_header_params("Content-Disposition", str(disposition))
            name = params.get_param("name", header="content-disposition")
            filename = params.get_filename()
            if isinstance(name, tuple):  # RFC 2231
                name = email.utils.collapse_rfc2231_value(name)
        parts.append(
            {
                "name": name,
                "filename": filename,
                "content_type": message.get("Content-Type"),
                "headers": [[k, str(v)] for k, v in message.items()],
                "size": len(content),
                "sha256": hashlib.sha256(content).hexdigest(),
                "text": _maybe_text(content),
            }
        )
    return parts


def _parse_header_params(name: str, value: str) -> Any:
    return email.parser.HeaderParser().parsestr(f"{name}: {value}\r\n\r\n")


def _maybe_text(data: bytes) -> str | None:
    if len(data) > _TEXT_LIMIT:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        content_type="application/json",
        headers=headers,
    )


class FaultServer:
    """The misbehaving server; :meth:`start` it, read :attr:`requests`, :meth:`stop` it."""

    def __init__(self, name: str = "primary", port: int = 0) -> None:
        self.name = name
        self.port = port
        self.peer: FaultServer | None = None
        self._records: list[Recorded] = []
        self._lock = threading.Lock()
        self._state = _State()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.ServerRunner | None = None
        self._errors: list[BaseException] = []

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> FaultServer:
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._thread = threading.Thread(
            target=loop.run_forever, name=f"fault-server-{self.name}", daemon=True
        )
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), loop).result(10)
        return self

    async def _start(self) -> None:
        server = web.Server(self._handle)
        self._runner = web.ServerRunner(
            server, access_log=None, handle_signals=False, shutdown_timeout=0.5
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port, reuse_address=True)
        await site.start()
        sockets = site._server.sockets  # type: ignore[union-attr]
        self.port = sockets[0].getsockname()[1]

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        if self._runner is not None:
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(self._runner.cleanup(), loop).result(10)
        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(_cancel_other_tasks(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        if not thread.is_alive():
            loop.close()
        self._loop = self._thread = self._runner = None

    def __enter__(self) -> FaultServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what the tests read ----------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "") -> str:
        return self.base_url + path

    @property
    def origin(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def requests(self) -> list[Recorded]:
        with self._lock:
            return list(self._records)

    def requests_to(self, prefix: str) -> list[Recorded]:
        return [r for r in self.requests if r.path.startswith(prefix)]

    def wait_for_requests(self, prefix: str, count: int, *, settle: float = 0.0) -> list[Recorded]:
        """Requests to ``prefix`` once at least ``count`` arrived (or 10 s passed).

        A client that gave up on a read timeout can return before this server's thread has
        recorded the request it sent, on a loaded machine; ``settle`` waits that much longer so
        a request that should NOT have been sent has had time to show up.
        """
        deadline = time.monotonic() + 10.0
        while len(self.requests_to(prefix)) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(settle)
        return self.requests_to(prefix)

    def reset(self) -> None:
        """Forget recorded requests and per-key state (flaky counters, etags, tokens)."""
        with self._lock:
            self._records.clear()
            self._state = _State()
            self._errors.clear()

    @property
    def errors(self) -> list[BaseException]:
        """Unexpected exceptions raised by handlers (bugs of this server)."""
        with self._lock:
            return list(self._errors)

    # -- dispatch ---------------------------------------------------------------------------

    async def _handle(self, request: web.BaseRequest) -> web.StreamResponse:
        target = request.raw_path
        origin_form = target
        if "://" in target.split("?", 1)[0]:  # absolute-form (a proxy request)
            split = urllib.parse.urlsplit(target)
            origin_form = split.path + ("?" + split.query if split.query else "")
        raw_path, _, query_string = origin_form.partition("?")
        peer = request.transport.get_extra_info("peername") if request.transport else None
        record = Recorded(
            method=request.method,
            target=target,
            path=raw_path,
            query_string=query_string,
            query=urllib.parse.parse_qsl(query_string, keep_blank_values=True),
            headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.raw_headers],
            peer_port=peer[1] if peer else 0,
            arrived=time.monotonic(),
        )
        with self._lock:
            self._records.append(record)
        segments = raw_path.lstrip("/").split("/")
        endpoint = segments[0]
        handler = _ROUTES.get(endpoint)
        try:
            if handler is None:
                await self._read_body(request, record)
                return _json_response(
                    {
                        "code": 404,
                        "errno": 111,
                        "error": "Not Found",
                        "message": "no such endpoint",
                    },
                    status=404,
                )
            return await handler(self, request, record, segments[1:])
        except (asyncio.CancelledError, ConnectionError):
            raise
        except Exception as exc:
            with self._lock:
                self._errors.append(exc)
            raise

    async def _read_body(
        self, request: web.BaseRequest, record: Recorded, limit: int | None = None
    ) -> bytes:
        data = bytearray()
        while True:
            chunk = await request.content.readany()
            if not chunk:
                break
            data += chunk
            record.body_size += len(chunk)
            if limit is not None and len(data) > limit:
                raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=len(data))
        record.body_complete = True
        record.body_sha256 = hashlib.sha256(data).hexdigest()
        return bytes(data)

    async def _drain_body(self, request: web.BaseRequest, record: Recorded) -> str:
        digest = hashlib.sha256()
        while True:
            chunk = await request.content.readany()
            if not chunk:
                break
            digest.update(chunk)
            record.body_size += len(chunk)
        record.body_complete = True
        record.body_sha256 = digest.hexdigest()
        return record.body_sha256

    def _query(self, request: web.BaseRequest) -> dict[str, str]:
        return {k: v for k, v in request.query.items()}

    def _self_origin(self, request: web.BaseRequest) -> str:
        return f"http://{request.headers.get('Host', self.origin)}"

    # -- endpoints --------------------------------------------------------------------------

    async def _echo(
        self, request: web.BaseRequest, record: Recorded, rest: list[str]
    ) -> web.StreamResponse:
        body = await self._read_body(request, record, ECHO_MAX_BODY)
        ctype = request.headers.get("Content-Type", "")
        result: dict[str, Any] = {
            "server": self.name,
            "method": record.method,
            "target": record.target,
            "path": record.path,
            "query_string": record.query_string,
            "query": [list(p) for p in record.query],
            "headers": [list(h) for h in record.headers],
            "body_size": len(body),
            "body_sha256": hashlib.sha256(body).hexdigest(),
            "body_text": _maybe_text(body) if len(body) <= 1024 * 1024 else None,
            "body_b64": base64.b64encode(body).decode() if len(body) <= 1024 * 1024 else None,
            "chunked": "chunked" in request.headers.get("Transfer-Encoding", "").lower(),
            "content_length": request.headers.get("Content-Length"),
            "content_type": ctype or None,
            "json": None,
            "form": None,
            "parts": None,
            "parse_error": None,
        }
        mime = ctype.split(";", 1)[0].strip().lower()
        try:
            if mime == "application/json" or mime.endswith("+json"):
                result["json"] = json.loads(body.decode("utf-8"))
            elif mime == "application/x-www-form-urlencoded":
                result["form"] = [
                    list(p)
                    for p in urllib.parse.parse_qsl(
                        body.decode("ascii"), keep_blank_values=True, strict_parsing=bool(body)
                    )
                ]
            elif mime == "multipart/form-data":
                result["parts"] = parse_multipart(body, ctype)
        except (ValueError, UnicodeDecodeError) as exc:
            result["parse_error"] = f"{type(exc).__name__}: {exc}"
        query = request.query
        status = int(query.get("status", "200"))
        response = _json_response(result, status=status)
        if query.get("gzip"):
            assert response.body is not None
            response.body = gzip.compress(bytes(response.body))  # type: ignore[arg-type]
            response.headers["Content-Encoding"] = "gzip"
        for item in query.getall("set_header", []):
            name, _, value = item.partition(":")
            response.headers.add(name.strip(), value.strip())
        if query.get("then_close") and request.transport is not None:
            # drop the keep-alive connection *silently* once the answer is out (no
            # "Connection: close"): the client's pooled connection goes stale
            asyncio.get_running_loop().call_later(0.05, request.transport.close)
        return response

    async def _status(
        self, request: web.BaseRequest, record: Recorded, rest: list[str]
    ) -> web.StreamResponse:
        await self._read_body(request, record)
        code = int(rest[0]) if rest and rest[0].isdigit() else 500
        style = request.query.get("style", "kinto")
        try:
            reason = HTTPStatus(code).phrase
        except ValueError:
            reason = "Unknown"
        headers: dict[str, str] = {}
        if "retry_after" in request.query:
            headers["Retry-After"] = request.query["retry_after"]
        if code == 401:
            headers["WWW-Authenticate"] = 'Basic realm="fault"'
        if style == "kinto":
            body: Any = {
                "code": code,
                "errno": 100 + code % 100,
                "error": reason,
                "message": f"kinto says {code}",
            }
        elif style == "detail":
            body = {"detail": f"detail says {code}"}
        elif style == "oauth":
            body = {"error": "invalid_grant", "error_description": f"oauth says {code}"}
        elif style == "error":
            body = {"error": f"error says {code}"}
        elif style == "text":
            return web.Response(
                status=code, text=f"plain text says {code}", headers=headers, reason=reason
            )
        else:  # empty
            return web.Response(status=code, body=b"", headers=headers, reason=reason)
        response = _json_response(body, status=code, headers=headers)
        response.set_status(code, reason)
        return response

    async def _flaky(
        self, request: web.BaseRequest, record: Recorded, rest: list[str]
    ) -> web.StreamResponse:
        key = rest[0] if rest else "default"
        q = request.query
        with self._lock:
            attempt = self._state.flaky.get(key, 0) + 1
            self._state.flaky[key] = attempt
        fails = int(q.get("fails", "1"))
        if attempt <= fails:
            fault = q.get("fault")
            if fault == "reset-before":
                return await self._reset_before(request, record, [])
            if fault == "reset-after-headers":
                return await self._reset_after_headers(request, record, [])
            await self._read_body(request, record)
            status = int(q.get("status", "503"))
            headers: dict[str, str] = {}
            retry_after = q.get("retry_after")
            if retry_after is not None:
                if retry_after.startswith("date:"):
                    when = time.time() + float(retry_after[5:])
                    headers["Retry-After"] = formatdate(when, usegmt=True)
                else:
                    headers["Retry-After"] = retry_after
            if "backoff" in q:
                headers["Backoff"] = q["backoff"]
            body = {
                "code": status,
                "errno": 201,
                "error": HTTPStatus(status).phrase,
                "message": f"flaky failure {attempt}/{fails}",
            }
            return _json_response(body, status=status, headers=headers)
        await self._read_body(request, record)
        headers = {}
        if "success_backoff" in q:
            headers["Backoff"] = q["success_backoff"]
        return _json_response({"attempts": attempt, "method": request.method}, headers=headers)

    async def _reset_before(
        self, request: web.BaseRequest, record: Recorded, rest: list[str]
    ) -> web.StreamResponse:
        await self._read_body(request, record)
        transport = request.transport
        if transport is not None:
            if request.query.get("mode", "abort") == "close":
                transport.close()
            else:
                transport.abort()
        raise asyncio.CancelledError()  # nothing more to send on this connection

    async def _reset_after_headers(
        self, request: web.BaseRequest, record: Recorded, rest: list[str]
    ) -> web.StreamResponse:
        await self._read_body(request, record)
        response = web.StreamResponse(status=200)
        response.content_type = "application/octet-stream"
        response.content_length = 1000
        await response.prepare(request)
        await response.write(b"x" * 100)
        await asyncio.sleep(0.05)
        transport = request.transport
        if transport is not None:
            if request.query.get("mode", "abort") == "close":
                transport.close()
            else:
                transport.abort()
        raise asyncio.CancelledError()

    async def _stall(
        self, request: web.BaseRequest, record: Recorded, rest: list[str]
    ) -> web.StreamResponse:
        await self._read_body(request, record)
        seconds = float(request.query.get("seconds", "10"))
        if request.query.get("after") == "headers":
            response = web.StreamResponse(status=200)
            response.content_type = "application/octet-stream"
            response.content_length = 200
            await response.prepare(request)
            await response.write(b"y" * 100)
            await asyncio.sleep(seconds)
            await response.write(b"y" * 100)
            await response.write_eof()
            return response
        await asyncio.sleep(seconds)
        return _json_response({"stalled": seconds})

    async def _bad_json(
        self, request: web.BaseRequest, record: Recorded, rest: list[str]
    ) -> web.StreamResponse:
        await self._read_body(request, record)
        kind = rest[0] if rest else "invalid"
        if kind == "invalid":
            return web.Response(body=b"{'not': json,}", content_type="application/json")
        if kind == "truncated-json":
            return web.Response(body=b'{"items": [1, 2, {"a": "b', content_type="application/json")
        # truncated-body: announce 100 bytes, send 40, close the connection cleanly
        response = web.StreamResponse(status=200)
        response.content_type = "application/json"
        response.content_length = 100
        await response.prepare(request)
        await response.write(b'{"items": [' + b"1, " * 9 + b"2")
        await asyncio.sleep(0.05)
        if request.transport is not None:
            request.transport.close()
        raise asyncio.CancelledError()

    async def _redirect(
        self, request: web.BaseRequest, record: Recorded, rest: list[str]
    ) -> web.StreamResponse:
        await self._read_body(request, record)
        code = int(rest[0]) if rest and rest[0].isdigit() else 302
        location = request.query.get("to", "/echo")
        if location.startswith("peer:"):
            assert self.peer is not None, "no peer server configured"
            location = self.peer.base_url + location[5:]
        elif location.startswith("self:"):
            location = self.base_url + location[5:]
        return web.Response(
            status=code, headers={"Location": location}, text=f"redirecting to {location}"
        )

    async def _redirect_chain(
        self, request: web.BaseRequest, record: Recorded, rest: list[str]
    ) -> web.StreamResponse:
        n = int(rest[0]) if rest and rest[0].isdigit() else 0
        if n <= 0:
            return await self._echo(request, record, [])
        await self._read_body(request, record)
        code = int(request.query.get("code", "302"))
        location = f"/redirect-chain/{n - 1}"
        if record.query_string:
            location += "?" + record.query_string
        return web.Response(status=code, headers={"Location": location}, text="again")

    async def _pages(
        self, request: web.BaseRequest, record: Recorded, rest: list[str]
    ) -> web.StreamResponse:
        await self._read_body(request, record)
        style = rest[0] if rest else "link"
        q = request.query
        total = int(q.get("total", TOTAL_ITEMS))
        items = [{"id": i, "name": f"item-{i}"} for i in range(total)]
        cross_at = int(q.get("cross_at", "0"))
        origin = self._self_origin(request)
        path = record.path

        dropped = set(filter(None, q.get("drop", "").split(",")))

        def link(crossing: bool = False, **replace: Any) -> str:
            # cross_at is kept on the home origin, dropped once the walk moved to the peer
            pairs = [
                (k, v)
                for k, v in record.query
                if k not in replace and k not in dropped and not (crossing and k == "cross_at")
            ]
            pairs += [(k, str(v)) for k, v in replace.items()]
            # "," and ";" stay raw (legal in a query): Link parsers must not split on them
            return f"{path}?{urllib.parse.urlencode(pairs, safe=',;')}"

        if style in ("link", "link-relative", "header", "next-url", "next-url-nested"):
            size = int(q.get("size", PAGE_SIZE))
            page = int(q.get("page", "1"))
            chunk = items[(page - 1) * size : page * size]
            has_next = page * size < total
            next_url = None
            if has_next:
                target_origin = origin
                crossing = bool(cross_at and page == cross_at)
                if crossing:
                    assert self.peer is not None, "no peer server configured"
                    target_origin = self.peer.base_url
                relative = link(crossing, page=page + 1)
                next_url = (
                    relative
                    if style == "link-relative" and target_origin == origin
                    else target_origin + relative
                )
            headers: dict[str, str] = {}
            if style in ("link", "link-relative"):
                links = [f'<{origin}{link(page=1)}>; rel="first"']
                if page > 1:
                    links.append(f'<{origin}{link(page=page - 1)}>; rel="prev"')
                if next_url:
                    links.append(f'<{next_url}>; rel="next"; title="next page"')
                if q.get("link_lines"):  # one Link header field per link
                    response = _json_response({"data": chunk})
                    for value in links:
                        response.headers.add("Link", value)
                    return response
                headers["Link"] = ", ".join(links)
                return _json_response({"data": chunk}, headers=headers)
            if style == "header":
                if next_url:
                    headers["Next-Page"] = next_url
                headers["Total-Records"] = str(total)
                return _json_response({"data": chunk}, headers=headers)
            if style == "next-url":
                return _json_response({"results": chunk, "next": next_url, "count": total})
            return _json_response(
                {
                    "links": {"next": next_url, "self": link(page=page)},
                    "payload": {"entries": chunk},
                }
            )
        if style == "cursor":
            size = int(q.get("size", PAGE_SIZE))
            cursor = q.get("cursor")
            start = int(base64.urlsafe_b64decode(cursor.encode()).decode()[3:]) if cursor else 0
            chunk = items[start : start + size]
            nxt = start + size
            next_cursor = (
                base64.urlsafe_b64encode(f"at:{nxt}".encode()).decode() if nxt < total else None
            )
            return _json_response({"data": chunk, "next_cursor": next_cursor})
        if style == "offset":
            offset = int(q.get("offset", "0"))
            limit = int(q.get("limit", str(PAGE_SIZE)))
            return _json_response({"items": items[offset : offset + limit], "total": total})
        if style == "page":
            page = int(q.get("page", "1"))
            per_page = int(q.get("per_page", str(PAGE_SIZE)))
            return _json_response(items[(page - 1) * per_page : page * per_page])
        return _json_response({"error": f"unknown style {style}"}, status=400)

    async def _download(
        self, request: web.BaseRequest, record: Recorded, rest: list[str]
    ) -> web.StreamResponse:
        await self._read_body(request, record)
        size = int(request.query.get("size", str(1024 * 1024)))
        seed = int(request.query.get("seed", "0"))
        response = web.StreamResponse(status=200)
        response.content_type = "application/octet-stream"
        if request.query.get("mode", "chunked") == "length":
            response.content_length = size
        else:
            response.enable_chunked_encoding()
        await response.prepare(request)
        if request.method != "HEAD":
            for chunk in download_chunks(size, seed):
                await response.write(chunk)
        await response.write_eof()
        return response

    async def _upload(
        self, request: web.BaseRequest, record: Recorded, rest: list[str]
    ) -> web.StreamResponse:
        ctype = request.headers.get("Content-Type", "")
        result: dict[str, Any] = {
            "chunked": "chunked" in request.headers.get("Transfer-Encoding", "").lower(),
            "content_length": request.headers.get("Content-Length"),
            "content_type": ctype or None,
        }
        if ctype.lower().startswith("multipart/"):
            reader = await request.multipart()
            parts = []
            while True:
                part = await reader.next()
                if part is None:
                    break
                digest = hashlib.sha256()
                size = 0
                while True:
                    chunk = await part.read_chunk(DOWNLOAD_BLOCK)  # type: ignore[union-attr]
                    if not chunk:
                        break
                    digest.update(chunk)
                    size += len(chunk)
                parts.append(
                    {
                        "name": part.name,
                        "filename": part.filename,  # type: ignore[union-attr]
                        "content_type": part.headers.get("Content-Type"),
                        "size": size,
                        "sha256": digest.hexdigest(),
                    }
                )
            # the reader stops at the closing delimiter: drain any epilogue
            while await request.content.readany():
                pass
            record.body_size = request.content.total_bytes
            record.body_complete = True
            result["parts"] = parts
        else:
            result["sha256"] = await self._drain_body(request, record)
            result["size"] = record.body_size
        return _json_response(result)

    async def _etag(
        self, request: web.BaseRequest, record: Recorded, rest: list[str]
    ) -> web.StreamResponse:
        body = await self._read_body(request, record)
        key = rest[0] if rest else "default"
        with self._lock:
            version, data = self._state.etags.setdefault(key, (1, {"key": key, "value": 0}))
        current = f'"v{version}"'
        if_match = request.headers.get("If-Match")
        if_none_match = request.headers.get("If-None-Match")

        def matches(header: str) -> bool:
            tags = [t.strip() for t in header.split(",")]
            return "*" in tags or current in tags or f"W/{current}" in tags

        if request.method in ("GET", "HEAD"):
            if if_none_match is not None and matches(if_none_match):
                return web.Response(status=304, headers={"ETag": current})
            if if_match is not None and not matches(if_match):
                return _json_response(
                    {
                        "code": 412,
                        "errno": 114,
                        "error": "Precondition Failed",
                        "message": "Resource was modified meanwhile",
                    },
                    status=412,
                )
            return _json_response(data, headers={"ETag": current})
        if (if_match is not None and not matches(if_match)) or (
            if_none_match is not None and matches(if_none_match)
        ):
            return _json_response(
                {
                    "code": 412,
                    "errno": 114,
                    "error": "Precondition Failed",
                    "message": "Resource was modified meanwhile",
                },
                status=412,
                headers={"ETag": current},
            )
        if request.method == "DELETE":
            with self._lock:
                self._state.etags[key] = (version + 1, {"key": key, "deleted": True})
            return _json_response({"deleted": True}, headers={"ETag": f'"v{version + 1}"'})
        new_data = json.loads(body) if body else {}
        with self._lock:
            self._state.etags[key] = (version + 1, new_data)
        return _json_response(new_data, headers={"ETag": f'"v{version + 1}"'})

    async def _raw(
        self, request: web.BaseRequest, record: Recorded, rest: list[str]
    ) -> web.StreamResponse:
        """Canned responses written straight to the socket, then the connection closes."""
        await self._read_body(request, record)
        name = rest[0] if rest else ""
        transport = request.transport
        if transport is not None:
            transport.write(_RAW_RESPONSES[name])
            transport.close()
        raise asyncio.CancelledError()

    async def _auth(
        self, request: web.BaseRequest, record: Recorded, rest: list[str]
    ) -> web.StreamResponse:
        body = await self._read_body(request, record)
        action = rest[0] if rest else ""
        if action == "login" and request.method == "POST":
            try:
                creds = json.loads(body)
                username, password = creds["username"], creds["password"]
            except (ValueError, KeyError, TypeError):
                return _json_response({"code": 400, "message": "bad login body"}, status=400)
            if password != f"{username}-password":
                return _json_response({"code": 401, "message": "bad credentials"}, status=401)
            token = f"tok-{username}-{len(self._state.tokens) + 1}"
            with self._lock:
                self._state.tokens[token] = username
            return _json_response({"token": token})
        if action == "protected":
            header = request.headers.get("Authorization", "")
            scheme, _, token = header.partition(" ")
            user = self._state.tokens.get(token) if scheme == "Bearer" else None
            if user is None:
                return _json_response(
                    {
                        "code": 401,
                        "errno": 104,
                        "error": "Unauthorized",
                        "message": "Please authenticate yourself to use this endpoint.",
                    },
                    status=401,
                )
            return _json_response({"ok": True, "user": user})
        return _json_response({"code": 404, "message": "no such auth action"}, status=404)


_RAW_BODY = b'{"raw": true, "framing": "close"}'
_RAW_RESPONSES = {
    # no Content-Length, no chunking: the body ends when the connection closes
    "close-delimited": (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"
        + _RAW_BODY
    ),
    "http10": b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n" + _RAW_BODY,
    # an interim 103 Early Hints answer before the final one
    "early-hints": (
        b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
        b"Content-Length: %d\r\n\r\n" % len(_RAW_BODY) + _RAW_BODY
    ),
}


_ROUTES = {
    "echo": FaultServer._echo,
    "status": FaultServer._status,
    "flaky": FaultServer._flaky,
    "reset-before": FaultServer._reset_before,
    "reset-after-headers": FaultServer._reset_after_headers,
    "stall": FaultServer._stall,
    "bad-json": FaultServer._bad_json,
    "redirect": FaultServer._redirect,
    "redirect-chain": FaultServer._redirect_chain,
    "pages": FaultServer._pages,
    "download": FaultServer._download,
    "upload": FaultServer._upload,
    "etag": FaultServer._etag,
    "auth": FaultServer._auth,
    "raw": FaultServer._raw,
}


async def _cancel_other_tasks() -> None:
    """Cancel what is still running on the server loop (stalled handlers) and wait for it."""
    current = asyncio.current_task()
    tasks = [t for t in asyncio.all_tasks() if t is not current]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
