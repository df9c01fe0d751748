"""What :mod:`http.cookiejar` needs to judge restwright's requests and responses.

The standard library decides which cookie goes where (domain and path matching, ``Secure``,
expiry, deletion by a past ``Expires``/``Max-Age=0``), so none of that is written again
here.  Its jar talks to ``urllib.request`` objects; :class:`RequestView` and
:class:`ResponseView` show it a :class:`~restwright.Request` and a
:class:`~restwright.Response` in that shape.  :class:`OriginPolicy` adds the engine's rule
for secrets on top of the standard ones: a cookie is returned only to the origin (scheme,
host, port) that set it.

This module imports :mod:`http.cookiejar` (and with it ``urllib.request``, some 40 ms), so
:mod:`restwright.engine.cookies` loads it only once a client meets its first cookie.
"""

from __future__ import annotations

import http.cookiejar
import threading
from collections.abc import Sequence
from email.message import Message
from typing import Any

from .models import Request, Response
from .redaction import MASK

#: The non-standard cookie attribute that records the origin a cookie came from.
ORIGIN_ATTR = "restwright-origin"

#: Held while a :class:`~restwright.CookieJar` creates its standard jar (once, lazily).
CREATION_LOCK = threading.Lock()


class RequestView:
    """A :class:`~restwright.Request` as :mod:`http.cookiejar` reads a urllib request."""

    unverifiable = False

    def __init__(self, request: Request) -> None:
        origin = request.origin
        self.origin = str(origin)
        self.type = origin.scheme
        self.host = f"{origin.host}:{origin.port}"
        self.origin_req_host = origin.host
        self._url = f"{self.origin}{request.target}"
        self.cookie: str | None = None

    def get_full_url(self) -> str:
        return self._url

    def has_header(self, name: str) -> bool:
        return False  # the engine merges the jar's cookies with a Cookie header it has

    def get_header(self, name: str, default: str | None = None) -> str | None:
        return default

    def add_unredirected_header(self, name: str, value: str) -> None:
        if name.lower() == "cookie":
            self.cookie = value


class ResponseView:
    """A :class:`~restwright.Response`'s headers as :mod:`http.cookiejar` reads them."""

    def __init__(self, response: Response) -> None:
        self._message = Message()
        for name, value in response.headers.raw():
            if name.lower() in ("set-cookie", "set-cookie2"):
                self._message[name] = value

    def info(self) -> Message:
        return self._message


class OriginPolicy(http.cookiejar.DefaultCookiePolicy):
    """The standard rules, plus: a cookie bound to an origin goes back to that origin only.

    Browsers send a cookie to every port of its host; restwright treats cookies as the
    credentials they usually are, bound like ``auth=`` to one scheme, host and port.
    """

    def return_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        bound = cookie.get_nonstandard_attr(ORIGIN_ATTR)
        if bound is not None and bound != request.origin:
            return False
        return bool(super().return_ok(cookie, request))


class SecretCookie(http.cookiejar.Cookie):
    """A cookie whose ``repr``/``str`` mask its value (it is often a session credential)."""

    def __repr__(self) -> str:
        return f"<Cookie {self.name}={MASK} for {self.domain}{self.path}>"

    __str__ = __repr__


class FileJar(http.cookiejar.MozillaCookieJar):
    """The standard jar (Mozilla/Netscape cookie-file format) holding :class:`SecretCookie`."""

    def set_cookie(self, cookie: http.cookiejar.Cookie) -> None:
        if type(cookie) is http.cookiejar.Cookie:
            # Same layout, one method more: re-class instead of copying its 17 fields.
            cookie.__class__ = SecretCookie
        super().set_cookie(cookie)


def new_jar() -> FileJar:
    return FileJar(policy=OriginPolicy())


def received_cookies(
    jar: http.cookiejar.CookieJar, response: Response
) -> tuple[RequestView, Sequence[http.cookiejar.Cookie]]:
    """The cookies ``response`` sets, each bound to the origin of the request it answers."""
    view = RequestView(response.request)
    cookies = jar.make_cookies(ResponseView(response), view)  # type: ignore[arg-type]
    for cookie in cookies:
        cookie.set_nonstandard_attr(ORIGIN_ATTR, view.origin)
    return view, cookies


def cookie_header(jar: http.cookiejar.CookieJar, request: Request) -> str | None:
    """The ``Cookie`` header value the jar has for ``request`` (expired cookies dropped)."""
    view = RequestView(request)
    jar.add_cookie_header(view)  # type: ignore[arg-type]
    return view.cookie
