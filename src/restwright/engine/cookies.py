"""The cookie jar a client keeps between calls (session logins, CSRF tokens).

Like ``requests.Session`` and ``httpx.Client``, a client stores the cookies servers set and
sends them back.  Which cookie goes where is the standard library's business
(:mod:`http.cookiejar`: domain and path matching, ``Secure`` only over https, expiry,
deletion by ``Max-Age=0``); restwright adds one rule of its own, the one it applies to every
credential: a cookie goes back only to the origin (scheme, host, port) that set it, so a
redirect, a next-page link or an attachment URL on another origin never carries it.

The decisions are made by the shared pipeline (:func:`restwright.engine.pipeline.exchange`
calls :meth:`CookieJar.prepare` before and :meth:`CookieJar.extract` after each exchange),
once for the sync and async clients.  :mod:`http.cookiejar` imports ``urllib.request``
(some 40 ms), so it is loaded only when the first cookie arrives.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, Union

from ..errors import InvalidRequestError
from .headers import Headers, check_header
from .models import Request, Response
from .redaction import MASK
from .urls import Origin, split_url

if TYPE_CHECKING:
    import http.cookiejar

    from .cookie_rules import FileJar

#: What ``cookies=`` takes: a jar (shared), a mapping of names to values, an
#: ``http.cookiejar.CookieJar`` (copied), ``None``/``True`` (a new jar) or ``False`` (none).
CookieTypes = Union["CookieJar", Mapping[str, str], "http.cookiejar.CookieJar", bool, None]

# A cookie file keeps what curl and browsers keep (domain, path, Secure, expiry); the origin
# a cookie is bound to goes in comment lines of its own, which those programs skip.
_ORIGIN_LINE = "# restwright-origin\t"
_NEVER = float("inf")
_MEMO_SIZE = 256  # origins and paths remembered (APIs with ids in paths would grow it)


class CookieJar:
    """The cookies of one or more clients: read them, clear them, keep them in a file.

    ``path``: a Mozilla/Netscape cookie file (the format of curl's ``-c``/``-b``), read now
    when it exists and written by :meth:`save` and when a client using the jar is closed.
    Without it nothing touches the disk.  Iterating gives :class:`http.cookiejar.Cookie`
    objects (to read: change the jar through its methods, which keep its answers fresh);
    their ``repr`` and the jar's mask the values.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = None if path is None else os.fspath(path)
        self._empty()
        if self.path is not None and os.path.exists(self.path):
            self.load()

    def _empty(self) -> None:
        self._jar: FileJar | None = None
        # The standard library's answer (the Cookie header) per origin and path, until the
        # jar's cookies change or the first one expires: matching costs ~35 us a request.
        self._memo: dict[tuple[Origin, str], str | None] = {}
        self._memo_until = _NEVER
        self._signature: list[tuple[Any, ...]] = []

    def _changed(self) -> None:
        """Forget the memoized answers if what decides them changed: a cookie's value or
        scope, not merely its expiry (a server rolling a session's expiry on every
        response keeps the answers; the new first expiry is noted)."""
        from .cookie_rules import ORIGIN_ATTR

        cookies = list(self)
        signature = [
            (
                c.domain,
                c.path,
                c.name,
                c.value,
                c.secure,
                c.port,
                c.version,
                c.get_nonstandard_attr(ORIGIN_ATTR),
            )
            for c in cookies
        ]
        if signature != self._signature:
            self._memo = {}  # a new dict: a lookup still running fills the old one
            self._signature = signature
        expiries = [c.expires for c in cookies if c.expires is not None]
        self._memo_until = min(expiries, default=_NEVER)

    def _rules(self) -> FileJar:
        """The standard library jar behind this one, created on first use."""
        jar = self._jar
        if jar is None:
            from .cookie_rules import CREATION_LOCK, new_jar

            with CREATION_LOCK:
                if self._jar is None:
                    self._jar = new_jar()
                jar = self._jar
        return jar

    # -- the pipeline's side --------------------------------------------------------------
    def prepare(self, request: Request) -> Request:
        """``request``, or a copy of it carrying the jar's cookies for its URL.

        A ``Cookie`` header the request already has (``cookies=`` of the call, a cookie
        API key) is kept, and a name it already sends is not sent twice.
        """
        key = (request.origin, request.target.partition("?")[0])
        if self._memo_until <= time.time():  # a cookie expired: drop it, ask again
            self._rules().clear_expired_cookies()
            self._changed()
        memo = self._memo
        try:
            header = memo[key]
        except KeyError:
            from .cookie_rules import cookie_header

            header = cookie_header(self._rules(), request)
            if len(memo) >= _MEMO_SIZE:
                memo.clear()
            memo[key] = header
        return with_cookie_header(request, header) if header else request

    def extract(self, response: Response) -> None:
        """Keep the cookies ``response`` sets, bound to the origin that sent them."""
        from .cookie_rules import received_cookies

        jar = self._rules()
        view, cookies = received_cookies(jar, response)
        for cookie in cookies:
            jar.set_cookie_if_ok(cookie, view)  # type: ignore[arg-type]
        self._changed()

    # -- reading and changing -------------------------------------------------------------
    def set(self, name: str, value: str, url: str, *, path: str = "/") -> None:
        """Add a cookie as if the server at ``url`` had set it (bound to its origin)."""
        if not name or any(c in name for c in "=; \t,") or ";" in value + path:
            raise InvalidRequestError(
                f"invalid cookie {name!r}: no '=', ';' or blanks in a name, no ';' in a value"
            )
        check_header("Cookie", f"{name}={value}; Path={path}")
        origin, target = split_url(url)
        request = Request("GET", origin, target)
        headers = Headers([("Set-Cookie", f"{name}={value}; Path={path}")])
        self.extract(Response(200, headers, request=request))

    def _named(self, name: str) -> http.cookiejar.Cookie | None:
        return next((cookie for cookie in self if cookie.name == name), None)

    def get(self, name: str, default: str | None = None) -> str | None:
        """The value of the cookie called ``name`` (the first one, if several origins set
        one), or ``default``."""
        cookie = self._named(name)
        return default if cookie is None else cookie.value

    def __getitem__(self, name: str) -> str | None:
        cookie = self._named(name)
        if cookie is None:
            raise KeyError(name)
        return cookie.value

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._named(name) is not None

    def __iter__(self) -> Iterator[http.cookiejar.Cookie]:
        return iter(()) if self._jar is None else iter(self._jar)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __bool__(self) -> bool:
        # Asked before every request: an untouched jar answers without a generator.
        return self._jar is not None and any(True for _ in self._jar)

    def clear(self) -> None:
        """Forget every cookie (the file, if any, is rewritten on the next save)."""
        if self._jar is not None:
            self._jar.clear()
            self._changed()

    # -- the cookie file -----------------------------------------------------------------
    def save(self) -> None:
        """Write the jar to its file, session cookies included; the file is made 0600."""
        if self.path is None:
            raise ValueError("this jar has no file: create it as CookieJar(path)")
        from .cookie_rules import ORIGIN_ATTR

        fd = os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
        os.chmod(self.path, 0o600)  # an older file may have had wider rights
        jar = self._rules()
        jar.save(self.path, ignore_discard=True)
        with open(self.path, "a", encoding="utf-8") as fh:
            for cookie in jar:
                origin = cookie.get_nonstandard_attr(ORIGIN_ATTR)
                if origin:
                    fh.write(
                        f"{_ORIGIN_LINE}{cookie.domain}\t{cookie.path}\t{cookie.name}\t{origin}\n"
                    )

    def load(self) -> None:
        """Read the jar's file (a cookie file written by restwright, curl or a browser).

        Cookies of a file restwright did not write are bound to no origin: they follow the
        standard rules only (host or domain, path, ``Secure``, expiry).  Session cookies
        are read too (curl writes them with an expiry of 0).
        """
        if self.path is None:
            raise ValueError("this jar has no file: create it as CookieJar(path)")
        from .cookie_rules import ORIGIN_ATTR

        jar = self._rules()
        jar.load(self.path, ignore_discard=True, ignore_expires=True)
        for cookie in jar:
            if cookie.expires == 0:  # curl's mark of a session cookie, not the year 1970
                cookie.expires, cookie.discard = None, True
        jar.clear_expired_cookies()
        origins: dict[tuple[str, str, str], str] = {}
        with open(self.path, encoding="utf-8") as fh:
            for line in fh:
                if line.startswith(_ORIGIN_LINE):
                    domain, path, name, origin = line[len(_ORIGIN_LINE) :].rstrip("\n").split("\t")
                    origins[domain, path, name] = origin
        for cookie in jar:
            bound = origins.get((cookie.domain, cookie.path, cookie.name))
            if bound is not None:
                cookie.set_nonstandard_attr(ORIGIN_ATTR, bound)
        self._changed()

    # -- copies ---------------------------------------------------------------------------
    def __getstate__(self) -> dict[str, Any]:
        """Pickled: the cookies (the standard jar, its lock and policy are rebuilt).

        Not the file: a copy in another process (a worker of a process pool) must not
        overwrite the file its parent keeps.
        """
        return {"cookies": list(self)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.path = None
        self._empty()
        self._adopt(state["cookies"])

    def _adopt(self, cookies: Any) -> None:
        import copy

        jar = self._rules()
        for cookie in cookies:
            jar.set_cookie(copy.copy(cookie))
        self._changed()

    def __repr__(self) -> str:
        shown = ", ".join(f"{c.name}={MASK} for {c.domain}{c.path}" for c in self)
        where = f" file={self.path!r}" if self.path else ""
        return f"<CookieJar{where} [{shown}]>"


def with_cookie_header(request: Request, header: str) -> Request:
    """A copy of ``request`` whose ``Cookie`` header also carries the pairs of ``header``
    (pairs whose name it already sends are left out)."""
    existing = request.headers.get("cookie")
    if existing:
        names = {pair.partition("=")[0].strip() for pair in existing.split(";")}
        added = [pair for pair in header.split("; ") if pair.partition("=")[0] not in names]
        if not added:
            return request
        header = "; ".join([existing, *added])
    check_header("Cookie", header)
    sent = request.copy()
    sent.headers["Cookie"] = header
    return sent


def client_jar(cookies: CookieTypes, base_url: str) -> CookieJar | None:
    """The jar a client keeps for its ``cookies=`` argument (names in a mapping are bound
    to the base URL's origin)."""
    if cookies is False:
        return None
    if cookies is None or cookies is True:
        return CookieJar()
    if isinstance(cookies, CookieJar):
        return cookies
    jar = CookieJar()
    if isinstance(cookies, Mapping):
        for name, value in cookies.items():
            jar.set(str(name), str(value), base_url)
        return jar
    import http.cookiejar

    if isinstance(cookies, http.cookiejar.CookieJar):
        jar._adopt(cookies)
        return jar
    raise TypeError(
        "cookies= takes a restwright.CookieJar, an http.cookiejar.CookieJar, a mapping, "
        f"True or False, not {type(cookies).__name__}"
    )


def with_call_cookies(request: Request, cookies: CookieTypes) -> Request:
    """``request`` carrying the cookies given for one call (``cookies=`` of a request)."""
    if not cookies:
        return request
    if isinstance(cookies, Mapping):
        header = "; ".join(f"{name}={value}" for name, value in cookies.items())
        return with_cookie_header(request, header)
    jar = client_jar(cookies, request.url)
    return request if jar is None else jar.prepare(request)
