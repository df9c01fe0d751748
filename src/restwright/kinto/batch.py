"""Batch sessions: collect sub-requests, send them to ``/batch`` in chunks, read results.

Inside ``with client.batch() as batch:`` (``async with`` for :class:`AsyncClient`) every
endpoint method of ``batch`` only queues its request.  When the block ends without an
exception, the queue is sent to the server's ``/batch`` endpoint in chunks of the server's
``batch_max_requests`` (read once from the server info and cached), and ``batch.results()``
returns every sub-response's body, in order.

Failures: if a sub-request answers 4xx (unless ``ignore_batch_4xx``) or 5xx,
:class:`~restwright.kinto.KintoBatchException` is raised after the chunks are sent, with one
exception per failed sub-request (``.exceptions``) and every sub-response (``.results``).
A 5xx sub-response, or a failure of the ``/batch`` request itself, stops the sending: the
sub-requests of the following chunks are listed in ``.unsent``; nothing is dropped silently.

Retries: kinto-http re-sends a whole batch after a server error.  restwright re-sends a
chunk (per ``retry=``) only when *every* sub-request in it is idempotent (GET, HEAD, PUT,
DELETE); a chunk holding a PATCH or POST is sent at most once, because re-sending it after
a lost answer could apply those changes twice.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any

from ..errors import RestwrightError
from ._core import Op
from .exceptions import (
    KintoBatchException,
    KintoException,
    RequestDict,
    ResponseDict,
    make_error,
)
from .session import encode_params
from .utils import chunks

logger = logging.getLogger("restwright.kinto.batch")

__all__ = ["AsyncBatchSession", "BatchSession"]

_IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE"})


class _BatchQueue:
    """The queue, its encoding and the sending operation (shared by sync and async)."""

    def __init__(
        self, client: Any, batch_max_requests: int = 0, ignore_4xx_errors: bool = False
    ) -> None:
        self.session = client.session
        self.endpoints = client.endpoints
        self.server_url = getattr(self.session, "server_url", None)
        self.auth = getattr(self.session, "auth", None)
        self.dry_mode = getattr(self.session, "dry_mode", False)
        self.batch_max_requests = batch_max_requests
        self._ignore_4xx_errors = ignore_4xx_errors
        self.requests: list[tuple[str, str, Any, dict[str, str] | None]] = []
        self._results: list[tuple[Any, Any]] = []
        self._absorbed = 0

    def _enqueue(
        self,
        method: str,
        endpoint: str,
        data: Any = None,
        permissions: Any = None,
        payload: Any = None,
        headers: dict[str, str] | None = None,
        params: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> tuple[Any, Any]:
        if kwargs.get("files") is not None:
            raise KintoException("File uploads cannot be part of a batch")
        if isinstance(payload, list):
            body: Any = payload
        else:
            body = dict(payload) if payload else {}
            if data is not None:
                body["data"] = data
            if permissions is not None:
                if hasattr(permissions, "as_dict"):
                    permissions = permissions.as_dict()
                body["permissions"] = permissions
        if params:
            query = "&".join(
                f"{k}={v}" for k, v in _quote_items(encode_params(params)).items()
            )
            endpoint = f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
        self.requests.append((method.upper(), endpoint, body, dict(headers) if headers else None))
        # What a session returns: (body, headers). Placeholders, read results() later.
        return defaultdict(dict), defaultdict(dict)

    def reset(self) -> None:
        """Forget the queued requests."""
        self.requests = []

    def _build_requests(self) -> list[dict[str, Any]]:
        built: list[dict[str, Any]] = []
        prefix = (self.server_url or "").rstrip("/")
        for method, url, body, headers in self.requests:
            path = url[len(prefix) :] if prefix and url.startswith(prefix) else url
            request: dict[str, Any] = {"method": method, "path": path}
            request["body"] = body
            if headers is not None:
                request["headers"] = headers
            built.append(request)
        return built

    def _pending(self) -> list[list[dict[str, Any]]]:
        """The queued sub-requests, cut into chunks of ``batch_max_requests``."""
        self._results = []
        self._absorbed = 0
        return [list(c) for c in chunks(self._build_requests(), self.batch_max_requests)]

    @staticmethod
    def _chunk_kwargs(chunk: list[dict[str, Any]]) -> dict[str, Any]:
        # A chunk may be re-sent (retry=) only when every sub-request is idempotent.
        return {
            "payload": {"requests": chunk},
            "idempotent": all(r["method"] in _IDEMPOTENT for r in chunk),
        }

    def _absorb(
        self,
        chunk: list[dict[str, Any]],
        body: Any,
        headers: Any,
        errors: list[BaseException],
        unsent: list[dict[str, Any]],
    ) -> bool:
        """Record one chunk's answer; collect failed sub-requests into ``errors``.

        Returns True when a sub-request failed on the server side (5xx).
        """
        if self.dry_mode:
            body.setdefault("responses", [{"status": 200, "body": {}} for _ in chunk])
        responses = body.get("responses") or []
        if len(responses) != len(chunk):
            raise KintoBatchException(
                [KintoException(f"Batch answered {len(responses)} of {len(chunk)} requests")],
                self._results,
                unsent,
            )
        server_error = False
        for request, response in zip(chunk, responses, strict=True):
            status = response.get("status", 0)
            resp_body = response.get("body") or {}
            index = self._absorbed
            self._absorbed += 1
            if 200 <= status < 400:
                logger.debug(
                    "Batch #%d: %s %s - %d", index, request["method"], request["path"], status
                )
                continue
            message = resp_body.get("message", "") if isinstance(resp_body, dict) else ""
            logger.warning(
                "Batch #%d: %s %s - %d %s",
                index, request["method"], request["path"], status, message,
            )
            if status >= 500 or not self._ignore_4xx_errors:
                errors.append(
                    make_error(
                        KintoException,
                        f"{status} - {resp_body}",
                        request=RequestDict(request),
                        response=ResponseDict(response),
                        status_code=status,
                        body=resp_body,
                    )
                )
            server_error = server_error or status >= 500
        self._results.append((body, headers))
        return server_error

    def _op_send(self) -> Op[list[tuple[Any, Any]]]:
        """Send the queue chunk after chunk; raise :class:`KintoBatchException` on failures."""
        pending = self._pending()
        endpoint = self.endpoints.get("batch")
        errors: list[BaseException] = []
        for number, chunk in enumerate(pending):
            unsent = [r for later in pending[number + 1 :] for r in later]
            try:
                body, headers = yield ("POST", endpoint, self._chunk_kwargs(chunk))
            except RestwrightError as exc:
                raise self._outer_error(exc, errors, unsent, chunk) from exc
            if self._absorb(chunk, body, headers, errors, unsent):
                raise KintoBatchException(errors, self._results, unsent)
        if errors:
            raise KintoBatchException(errors, self._results)
        return self._results

    def _outer_error(
        self,
        exc: RestwrightError,
        errors: list[BaseException],
        unsent: list[dict[str, Any]],
        failed: list[dict[str, Any]],
    ) -> KintoBatchException:
        """The ``/batch`` request itself failed: report it with what was (not) sent."""
        batch_exc = make_error(KintoBatchException, None, cause=exc)
        assert isinstance(batch_exc, KintoBatchException)
        batch_exc.exceptions = [*errors, exc]
        batch_exc.results = self._results
        batch_exc.unsent = unsent
        batch_exc.failed = failed  # type: ignore[attr-defined]
        message = "\n".join(str(e) for e in batch_exc.exceptions)
        if unsent:
            message += f"\n{len(unsent)} sub-request(s) not sent"
        batch_exc.message = message
        batch_exc.args = (message,)
        return batch_exc

    def results(self) -> list[Any]:
        """The body of every sub-response, in the order of the requests."""
        bodies: list[Any] = []
        for chunk_body, _ in self._results:
            bodies.extend(r.get("body") for r in chunk_body.get("responses", []))
        return bodies


def _quote_items(params: dict[str, str]) -> dict[str, str]:
    from urllib.parse import quote

    return {quote(k, safe=""): quote(v, safe=",") for k, v in params.items()}


class BatchSession(_BatchQueue):
    """The session of a sync batch client: ``request()`` queues, :meth:`send` sends."""

    def request(
        self,
        method: str,
        endpoint: str,
        data: Any = None,
        permissions: Any = None,
        payload: Any = None,
        **kwargs: Any,
    ) -> tuple[Any, Any]:
        return self._enqueue(method, endpoint, data, permissions, payload, **kwargs)

    def send(self) -> list[tuple[Any, Any]]:
        """Send the queued requests (through the real session)."""
        from ._drive import drive

        return drive(self.session, self._op_send())


class AsyncBatchSession(_BatchQueue):
    """The session of an async batch client: ``await request()`` queues."""

    async def request(
        self,
        method: str,
        endpoint: str,
        data: Any = None,
        permissions: Any = None,
        payload: Any = None,
        **kwargs: Any,
    ) -> tuple[Any, Any]:
        return self._enqueue(method, endpoint, data, permissions, payload, **kwargs)

    async def send(self, parallel: int = 1) -> list[tuple[Any, Any]]:
        """Send the queued requests (through the real session).

        ``parallel > 1`` sends up to that many chunks at once. The server may then apply
        chunks in any order, so use it only when sub-requests of different chunks do not
        depend on each other (records with distinct ids, say). Every chunk is attempted;
        failures are reported together, in request order.
        """
        if parallel <= 1:
            from ._drive import adrive

            return await adrive(self.session, self._op_send())
        import asyncio

        pending = self._pending()
        endpoint = self.endpoints.get("batch")
        gate = asyncio.Semaphore(parallel)

        async def post(chunk: list[dict[str, Any]]) -> tuple[Any, Any]:
            async with gate:
                result: tuple[Any, Any] = await self.session.request(
                    "POST", endpoint, **self._chunk_kwargs(chunk)
                )
                return result

        answers = await asyncio.gather(*(post(c) for c in pending), return_exceptions=True)
        errors: list[BaseException] = []
        failed: list[dict[str, Any]] = []
        outer: RestwrightError | None = None
        for chunk, answer in zip(pending, answers, strict=True):
            if isinstance(answer, RestwrightError):
                outer = outer or answer
                failed.extend(chunk)
            elif isinstance(answer, BaseException):
                raise answer
            else:
                self._absorb(chunk, answer[0], answer[1], errors, [])
        if outer is not None:
            raise self._outer_error(outer, errors, [], failed) from outer
        if errors:
            raise KintoBatchException(errors, self._results)
        return self._results
