"""A small HTTP/1.1 server whose answers are scripted per path and per request number.

Used where a test needs a server that changes its answers over time (one that starts to
break its API document after the twentieth response, say) or answers exact bytes
(JSON the standard library and orjson read differently)::

    with ScriptedServer() as server:
        server.script("/repos/hello", lambda n: (200, "application/json", body(n)))
        client = restwright.Client(server.base_url)

``n`` counts the requests to that path from 1.  Unscripted paths answer 404.  The server
runs on 127.0.0.1 on a free port in a daemon thread, keeps connections alive, and is shut
down when the ``with`` block exits.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Callable
from typing import Any

Answer = tuple[int, str, bytes]  # status, Content-Type, body

__all__ = ["Answer", "ScriptedServer"]


class ScriptedServer:
    def __init__(self) -> None:
        self._scripts: dict[str, Callable[[int], Answer]] = {}
        self.counts: dict[str, int] = {}
        self._lock = threading.Lock()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            wbufsize = 1 << 16  # head and body leave in one write (flushed per request)
            disable_nagle_algorithm = True

            def do_GET(self) -> None:
                status, ctype, body = server._answer(self.path.split("?", 1)[0])
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def script(self, path: str, answer: Callable[[int], Answer]) -> None:
        """Answer requests to ``path`` with ``answer(n)`` (``n``: 1 for the first one)."""
        with self._lock:
            self._scripts[path] = answer
            self.counts[path] = 0

    def _answer(self, path: str) -> Answer:
        with self._lock:
            answer = self._scripts.get(path)
            if answer is None:
                return 404, "text/plain", b"not scripted"
            self.counts[path] += 1
            n = self.counts[path]
        return answer(n)

    def __enter__(self) -> ScriptedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)
