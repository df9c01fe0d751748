"""A small real HTTP server that answers Kinto's ``/batch`` the way Kinto on PostgreSQL does
when writers conflict -- on demand, so tests can make exact claims about what is re-sent.

Why not only the real Kinto?  Conflicts there come from timing (concurrent transactions on
one collection), so a test against it can check an invariant but not a precise sequence.
This server reproduces Kinto's documented batch behaviour (``kinto/core/views/batch.py``):
the sub-requests of one ``POST /batch`` share a transaction; a sub-request answering 409
aborts it -- everything before it in the chunk is rolled back -- and the ones after it run
in a fresh transaction that is committed at the end.  A 409 carries ``Retry-After``.

Endpoints (under ``/v1``): ``GET /v1/`` (server info with ``batch_max_requests``) and
``POST /v1/batch`` with ``PUT`` (``If-None-Match: *`` honoured), ``PATCH`` and ``GET`` of
``/buckets/b/collections/c/records/{id}`` sub-requests.

The plan, set per test: ``conflicts[id] = n`` makes the next ``n`` writes of that record
answer 409; ``refuse_batches = n`` answers the next ``n`` ``/batch`` requests with a whole
409 (nothing applied).  What tests read: :attr:`batches` (the sub-request ids of every
``/batch`` received, in order), :attr:`records` (the committed store) and :attr:`writes`
(how many committed writes each record got: 1 means it was applied exactly once).
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["ConflictingBatchServer", "conflicting_batch_server"]

BATCH_MAX_REQUESTS = 10


class ConflictingBatchServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.conflicts: dict[str, int] = {}
        self.refuse_batches = 0
        self.retry_after = "0"
        self.batches: list[list[str]] = []
        self.records: dict[str, dict[str, Any]] = {}
        self.writes: Counter[str] = Counter()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def run_batch(self, requests: list[dict[str, Any]]) -> tuple[int, Any]:
        """One ``/batch``: Kinto's transaction rules on a 409, see the module docstring."""
        with self.lock:
            self.batches.append([r["path"].rsplit("/", 1)[-1] for r in requests])
            if self.refuse_batches:
                self.refuse_batches -= 1
                return 409, _error(409, "Integrity constraint violated, please retry.")
            pending: dict[str, dict[str, Any]] = {}
            responses = []
            for request in requests:
                status, body = self._apply(request, pending)
                headers = {"Retry-After": self.retry_after} if status == 409 else {}
                if status == 409:
                    pending.clear()  # request.tm.abort(): the chunk so far is rolled back
                responses.append(
                    {"path": request["path"], "status": status, "body": body, "headers": headers}
                )
            for record_id, data in pending.items():
                self.records[record_id] = data
                self.writes[record_id] += 1
            return 200, {"responses": responses}

    def _apply(
        self, request: dict[str, Any], pending: dict[str, dict[str, Any]]
    ) -> tuple[int, Any]:
        record_id = request["path"].rsplit("/", 1)[-1]
        current = pending.get(record_id, self.records.get(record_id))
        method = request["method"]
        if method == "GET":
            return (200, {"data": current}) if current else (404, _error(404, "Not found"))
        if self.conflicts.get(record_id):
            self.conflicts[record_id] -= 1
            return 409, _error(409, "Integrity constraint violated, please retry.")
        data = dict((request.get("body") or {}).get("data") or {})
        if method == "PUT":
            if (request.get("headers") or {}).get("If-None-Match") == "*" and current:
                return 412, _error(412, "Resource was modified meanwhile")
            pending[record_id] = {**data, "id": record_id}
            return (200 if current else 201), {"data": pending[record_id]}
        if method == "PATCH":
            if not current:
                return 404, _error(404, "Not found")
            pending[record_id] = {**current, **data}
            return 200, {"data": pending[record_id]}
        return 405, _error(405, "Method not allowed")


def _error(code: int, message: str) -> dict[str, Any]:
    return {"code": code, "errno": 122 if code == 409 else 999, "error": "", "message": message}


class _Handler(BaseHTTPRequestHandler):
    server: ConflictingBatchServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _json(self, status: int, body: Any) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        if status == 409:
            self.send_header("Retry-After", self.server.retry_after)
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:
        if self.path.rstrip("/") == "/v1":
            settings = {"batch_max_requests": BATCH_MAX_REQUESTS, "readonly": False}
            self._json(200, {"project_name": "kinto", "settings": settings, "capabilities": {}})
        else:
            self._json(404, _error(404, "Not found"))

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        if self.path != "/v1/batch":
            self._json(404, _error(404, "Not found"))
            return
        self._json(*self.server.run_batch(body.get("requests") or []))


@contextmanager
def conflicting_batch_server() -> Iterator[ConflictingBatchServer]:
    """Run a :class:`ConflictingBatchServer` on 127.0.0.1 in a thread while the block runs."""
    server = ConflictingBatchServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
