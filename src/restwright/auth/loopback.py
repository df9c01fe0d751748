"""A one-shot HTTP listener on 127.0.0.1 that catches the browser's redirect after a login.

Native apps receive OAuth 2 redirects on the loopback interface on a port of their choice
(RFC 8252 section 7.3).  :class:`LoopbackListener` binds ``127.0.0.1`` on a random port,
serves until one request under its path arrives, hands that request's target to a
``parse`` callable (which returns the result or raises), shows the browser a short page,
and stops.  Both :meth:`restwright.auth.oauth2.AuthorizationCode.login_in_browser` and
:class:`restwright.kinto.BrowserOAuth` use it.

The standard library's ``http.server`` is enough here: one GET, once, on loopback.
"""

from __future__ import annotations

import threading
import webbrowser
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, Generic, TypeVar

from ..engine.logs import get_logger

__all__ = ["LoginTimeout", "LoopbackListener", "open_and_wait"]

logger = get_logger(__name__)

T = TypeVar("T")

_DONE = b"<html><body><h1>Login successful</h1>You can close this page.</body></html>"
_FAILED = b"<html><body><h1>Login failed</h1>You can close this page.</body></html>"


class LoginTimeout(Exception):
    """No redirect reached the listener in time (callers map it to their own error)."""


class _Server(HTTPServer):
    listener: LoopbackListener[Any]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        # The request line holds the authorization code: never log it.
        logger.debug("login listener: %s", self.command)

    def do_GET(self) -> None:
        listener = self.server.listener
        if not self.path.startswith(listener.path) or listener.done.is_set():
            self._answer(404, b"")
            return
        try:
            listener.result = listener.parse(self.path)
        except Exception as exc:
            listener.error = exc
            self._answer(200, _FAILED)  # a page for the user; the caller gets the error
        else:
            self._answer(200, _DONE)
        listener.done.set()

    def _answer(self, status: int, page: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(page)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(page)


class LoopbackListener(Generic[T]):
    """Serve on ``http://127.0.0.1:<random port><path>`` until one redirect arrives.

    Use as a context manager; :attr:`url` is the redirect URI to give the login page, and
    :meth:`wait` returns what ``parse(target)`` returned (or raises what it raised, or
    :class:`LoginTimeout`).
    """

    def __init__(self, parse: Callable[[str], T], path: str = "/") -> None:
        self.parse = parse
        self.path = path if path.startswith("/") else "/" + path
        self.done = threading.Event()
        self.result: T | None = None
        self.error: BaseException | None = None
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.listener = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="restwright-login", daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{self.path}"

    def __enter__(self) -> LoopbackListener[T]:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def wait(self, timeout: float) -> T:
        if not self.done.wait(timeout):
            raise LoginTimeout(f"no login within {timeout:.0f} seconds")
        if self.error is not None:
            raise self.error
        return self.result  # type: ignore[return-value]


def open_and_wait(
    listener: LoopbackListener[T],
    url: str,
    timeout: float,
    open_browser: Callable[[str], Any] | None = None,
) -> T:
    """Show ``url`` (in the browser by default) and wait for ``listener``'s redirect."""
    logger.info("opening the browser to log in: %s", url.split("?", 1)[0])
    (open_browser or webbrowser.open)(url)
    return listener.wait(timeout)
