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

Conflicts: Kinto runs a chunk in one transaction and aborts it at each sub-request that
answers 409 (on PostgreSQL, "Integrity constraint violated, please retry" when writers
collide): the sub-requests before it answered 2xx but were rolled back.  kinto-http reports
those as successes.  restwright reports them (``.aborted``, and a 409 in ``.exceptions``,
``ignore_batch_4xx`` or not) -- or re-sends exactly them, see below.

Retries: kinto-http re-sends a whole batch after a server error.  restwright re-sends a
chunk (per ``retry=``) only when *every* sub-request in it is idempotent (GET, HEAD, PUT,
DELETE); a chunk holding a PATCH or POST is sent at most once, because re-sending it after
a lost answer could apply those changes twice.  After a 409 inside a chunk, only the
rolled-back sub-requests are re-sent (per ``retry=``, after ``Retry-After``), again only
when they are all idempotent.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any

from ..engine.headers import Headers
from ..engine.retry import IDEMPOTENT_METHODS, Retry
from ..errors import RestwrightError
from ._core import SLEEP, Op
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

#: A sub-response status after which Kinto aborts (rolls back) the whole chunk.
_ABORTS_CHUNK = 409


def _idempotent(chunk: list[dict[str, Any]]) -> bool:
    return all(r["method"] in IDEMPOTENT_METHODS for r in chunk)


def _rolled_back_count(responses: list[dict[str, Any]]) -> int:
    """How many leading sub-requests Kinto rolled back: up to and with the last 409."""
    for index in range(len(responses) - 1, -1, -1):
        if responses[index].get("status") == _ABORTS_CHUNK:
            return index + 1
    return 0


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
        self._answers: dict[int, tuple[Any, Any]] = {}
        self._offsets: list[int] = [0]
        #: Sub-requests that answered 2xx in a chunk the server then aborted (not applied).
        self.aborted: list[RequestDict] = []

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
            query = "&".join(f"{k}={v}" for k, v in _quote_items(encode_params(params)).items())
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
        """The queued sub-requests, cut into chunks of ``batch_max_requests``; the state of
        a previous sending is forgotten."""
        pending = [list(c) for c in chunks(self._build_requests(), self.batch_max_requests)]
        self._answers = {}
        self.aborted = []
        self._offsets = [0]
        for chunk in pending:
            self._offsets.append(self._offsets[-1] + len(chunk))
        return pending

    @property
    def _results(self) -> list[tuple[Any, Any]]:
        """The answered chunks' ``(body, headers)``, in request order."""
        return [self._answers[number] for number in sorted(self._answers)]

    @staticmethod
    def _chunk_kwargs(chunk: list[dict[str, Any]]) -> dict[str, Any]:
        # A chunk may be re-sent (retry=) only when every sub-request is idempotent.
        return {"payload": {"requests": chunk}, "idempotent": _idempotent(chunk)}

    def _responses(self, chunk: list[dict[str, Any]], body: Any) -> list[dict[str, Any]]:
        """The chunk's sub-responses, one per sub-request (else the batch is unusable)."""
        if self.dry_mode:
            body.setdefault("responses", [{"status": 200, "body": {}} for _ in chunk])
        responses: list[dict[str, Any]] = body.get("responses") or []
        if len(responses) != len(chunk):
            raise KintoBatchException(
                [KintoException(f"Batch answered {len(responses)} of {len(chunk)} requests")],
                self._results,
            )
        return responses

    def _conflict_delay(self, conflict: dict[str, Any], attempt: int) -> float:
        """Seconds before re-send number ``attempt`` (1-based) of what a 409 sub-response
        rolled back: the engine's retry delay (``retry_after`` if forced, else the 409's
        ``Retry-After`` or ``Backoff``, else a jittered exponential backoff)."""
        policy = Retry(retry_after=getattr(self.session, "retry_after", None))
        return policy.delay(attempt - 1, Headers(conflict.get("headers") or {}))

    def _absorb(
        self,
        number: int,
        chunk: list[dict[str, Any]],
        body: Any,
        headers: Any,
        errors: list[BaseException],
        rolled_back: frozenset[int] = frozenset(),
    ) -> bool:
        """Record chunk ``number``'s answer (``body["responses"]``, one per sub-request, as
        checked by the caller); collect its failed sub-requests into ``errors``.

        ``rolled_back``: positions in the chunk that answered 2xx but were undone by a 409
        after them; they are reported whatever ``ignore_batch_4xx`` says.  Returns True
        when a sub-request failed on the server side (5xx).
        """
        server_error = False
        for position, (request, response) in enumerate(zip(chunk, body["responses"], strict=True)):
            status = response.get("status", 0)
            resp_body = response.get("body") or {}
            line = (self._offsets[number] + position, request["method"], request["path"], status)
            if 200 <= status < 400 and position not in rolled_back:
                logger.debug("Batch #%d: %s %s - %d", *line)
                continue
            if 200 <= status < 400:
                logger.warning("Batch #%d: %s %s - %d, then rolled back by a 409", *line)
                self.aborted.append(RequestDict(request))
                message = (
                    f"{status}, then rolled back: a later sub-request of the same chunk got "
                    "a 409, and the server aborted the chunk's transaction there"
                )
                status = _ABORTS_CHUNK
            else:
                message = resp_body.get("message", "") if isinstance(resp_body, dict) else ""
                logger.warning("Batch #%d: %s %s - %d %s", *line, message)
                if status < 500 and self._ignore_4xx_errors:
                    continue
                message = f"{status} - {resp_body}"
            errors.append(
                make_error(
                    KintoException,
                    message,
                    request=RequestDict(request),
                    response=ResponseDict(response),
                    status_code=status,
                    body=resp_body,
                )
            )
            server_error = server_error or status >= 500
        self._answers[number] = (body, headers)
        return server_error

    def _op_send(self) -> Op[list[tuple[Any, Any]]]:
        """Send the whole queue, chunk after chunk."""
        pending = self._pending()
        errors: list[BaseException] = []
        yield from self._op_send_chunks(pending, list(range(len(pending))), errors)
        return self._results

    def _op_send_chunks(
        self,
        pending: list[list[dict[str, Any]]],
        numbers: list[int],
        errors: list[BaseException],
        answered: dict[int, tuple[Any, Any]] | None = None,
    ) -> Op[None]:
        """Send the chunks ``numbers`` of ``pending`` one after another, then raise
        :class:`KintoBatchException` if anything failed.

        Kinto aborts a chunk's transaction at each sub-request answering 409 (on
        PostgreSQL, concurrent writers get "Integrity constraint violated, please
        retry"): what came before the last 409 is rolled back, what came after it is
        applied.  So the rolled-back sub-requests alone are re-sent, up to ``retry=``
        times, after the delay the server asks for -- only when they are all idempotent,
        so that no change can be applied twice.

        ``answered``: chunks already sent (by the parallel phase) with their answer; they
        are re-sent only where rolled back, once at once (the conflicting writers were
        this batch's own chunks, all finished) plus ``retry=`` times.  A 5xx sub-response
        or a failed ``/batch`` request stops the sending: later chunks are reported unsent
        (or with their first answer, when they have one).
        """
        endpoint = self.endpoints.get("batch")
        retries = max(0, int(getattr(self.session, "nb_retry", 0) or 0))
        answered = answered or {}
        unsent: list[dict[str, Any]] = []
        stopped = False
        for position, number in enumerate(numbers):
            chunk = pending[number]
            answer = answered.get(number)
            if stopped and answer is None:
                unsent.extend(chunk)
                continue
            # Stopped: a chunk answered in the parallel phase keeps that first answer.
            allowed = 0 if stopped else retries + (answer is not None)
            final: list[dict[str, Any]] = [{}] * len(chunk)
            todo = list(range(len(chunk)))
            attempt = 0
            while True:
                sending = [chunk[i] for i in todo]
                if answer is None:
                    try:
                        answer = yield ("POST", endpoint, self._chunk_kwargs(sending))
                    except RestwrightError as exc:
                        later = [
                            r
                            for n in numbers[position + 1 :]
                            if n not in answered
                            for r in pending[n]
                        ]
                        raise self._outer_error(exc, errors, later, sending) from exc
                body, headers = answer
                responses = self._responses(sending, body)
                cut = _rolled_back_count(responses)
                for i, response in zip(todo, responses, strict=True):
                    final[i] = response
                redo = todo[:cut]
                if not redo or attempt >= allowed or not _idempotent([chunk[i] for i in redo]):
                    break
                attempt += 1
                logger.info("Batch chunk %d: re-sending %d rolled-back sub-request(s)", number, cut)
                free = attempt == 1 and number in answered
                delay = 0.0 if free else self._conflict_delay(responses[cut - 1], attempt)
                if delay > 0:
                    yield (SLEEP, "", {"seconds": delay})
                todo, answer = redo, None
            undone = frozenset(i for i in redo if 200 <= final[i].get("status", 0) < 400)
            merged = {**body, "responses": final}
            stopped = self._absorb(number, chunk, merged, headers, errors, undone) or stopped
        if errors or unsent:
            raise self._batch_error(errors, unsent)

    def _batch_error(
        self, errors: list[BaseException], unsent: list[dict[str, Any]] | None = None
    ) -> KintoBatchException:
        exc = KintoBatchException(errors, self._results, unsent)
        exc.aborted = list(self.aborted)
        return exc

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
        batch_exc.aborted = list(self.aborted)
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
        depend on each other (records with distinct ids, say). Concurrent chunks can
        conflict on the server (Kinto on PostgreSQL answers 409 "please retry" and rolls
        the chunk back): such a chunk, or one whose ``/batch`` request got a 409, is
        re-sent once the others have finished, one at a time, if all its sub-requests are
        idempotent; otherwise it is reported.  Every chunk is attempted; failures are
        reported together, in request order.
        """
        from ._drive import adrive

        if parallel <= 1:
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
        answered: dict[int, tuple[Any, Any]] = {}
        numbers: list[int] = []
        failed: list[dict[str, Any]] = []
        outer: RestwrightError | None = None
        for number, (chunk, answer) in enumerate(zip(pending, answers, strict=True)):
            if not isinstance(answer, BaseException):
                answered[number] = answer
            elif not isinstance(answer, RestwrightError):
                raise answer
            elif _idempotent(chunk) and getattr(answer, "status_code", None) == _ABORTS_CHUNK:
                pass  # the whole /batch was refused, nothing applied: send it again below
            else:
                outer = outer or answer
                failed.extend(chunk)
                continue
            numbers.append(number)
        errors: list[BaseException] = []
        try:
            await adrive(self.session, self._op_send_chunks(pending, numbers, errors, answered))
        except KintoBatchException as exc:
            if outer is not None:  # keep what the parallel phase already lost
                exc.exceptions = [*exc.exceptions, outer]
                exc.failed = [*failed, *getattr(exc, "failed", [])]  # type: ignore[attr-defined]
            raise
        if outer is not None:
            raise self._outer_error(outer, errors, [], failed) from outer
        return self._results
