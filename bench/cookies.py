"""Cookie-jar benchmark (issue #16): what a jar costs a request, restwright against peers.

The jar holds a session cookie and a CSRF cookie of the request's origin.  ``send``: the
``Cookie`` header for a request (restwright: ``CookieJar.prepare``, what the pipeline calls;
httpx: ``Cookies.set_cookie_header``; aiohttp: ``CookieJar.filter_cookies``).  ``send +
Set-Cookie``: the same, then the jar takes the answer's ``Set-Cookie`` (a rolling session
cookie, as many frameworks send on every response).  In process, no server: the figures
are the jar's own CPU time, the part a client adds to each request.  restwright and httpx
both decide with the standard library's :mod:`http.cookiejar`; aiohttp has its own jar.

    .venv/bin/python -m bench.cookies [--quick] [--only send,set] [--strict]

See bench/README.md.
"""

from __future__ import annotations

import asyncio
import platform
import sys
from collections.abc import Callable
from http.cookies import SimpleCookie
from typing import Any

from bench._measure import (
    Result,
    bench_parser,
    parse_bench_args,
    print_table,
    ratio_line,
    time_sync,
    versions,
)

KEYS = ("send", "set")
URL = "http://127.0.0.1:8080/v1/buckets/main/records"
SESSION, CSRF, ROLLED = "a" * 32, "b" * 32, "c" * 32
SET_COOKIE = f"sessionid={ROLLED}; Path=/; HttpOnly"


def restwright_case(store: bool) -> Callable[[], Any]:
    import restwright
    from restwright.engine.headers import Headers
    from restwright.engine.models import Request, Response

    jar = restwright.CookieJar()
    jar.set("sessionid", SESSION, URL)
    jar.set("csrftoken", CSRF, URL)
    request = Request.from_url("GET", URL, headers={"Accept": "application/json"})
    answer = Headers([("Content-Type", "application/json"), ("Set-Cookie", SET_COOKIE)])

    def send() -> Any:
        sent = jar.prepare(request)
        if store:
            jar.extract(Response(200, answer, b"{}", request=sent))
        return sent

    return send


def httpx_case(store: bool) -> Callable[[], Any]:
    import httpx

    cookies = httpx.Cookies()
    cookies.set("sessionid", SESSION, domain="127.0.0.1")
    cookies.set("csrftoken", CSRF, domain="127.0.0.1")
    request = httpx.Request("GET", URL, headers={"Accept": "application/json"})
    answer = httpx.Response(200, headers=[("Set-Cookie", SET_COOKIE)], request=request)

    def send() -> Any:
        request.headers.pop("Cookie", None)
        cookies.set_cookie_header(request)
        if store:
            cookies.extract_cookies(answer)
        return request

    return send


def aiohttp_case(store: bool) -> Callable[[], Any]:
    import aiohttp
    from yarl import URL as YarlURL

    async def make() -> aiohttp.CookieJar:
        return aiohttp.CookieJar(unsafe=True)  # unsafe: an IP address host

    jar = asyncio.new_event_loop().run_until_complete(make())
    url = YarlURL(URL)
    jar.update_cookies({"sessionid": SESSION, "csrftoken": CSRF}, url)
    rolled: SimpleCookie = SimpleCookie()
    rolled.load(SET_COOKIE)

    def send() -> Any:
        header = jar.filter_cookies(url)
        if store:
            jar.update_cookies(rolled, url)
        return header

    return send


PEERS: list[tuple[str, Callable[[bool], Callable[[], Any]]]] = [
    ("restwright", restwright_case),
    ("httpx", httpx_case),
    ("aiohttp", aiohttp_case),
]


def main(argv: list[str] | None = None) -> int:
    ap = bench_parser("python -m bench.cookies", __doc__, KEYS)
    ap.add_argument("--quick", action="store_true", help="small N (smoke run, noisy figures)")
    ap.add_argument("--repeat", type=int, default=5, help="timed runs per case; best is kept")
    args = parse_bench_args(ap, argv, KEYS)
    n = 2000 if args.quick else 20000
    print(
        f"Python {platform.python_version()} on {platform.machine()}\n"
        f"{versions('restwright', 'httpx', 'aiohttp')}\n"
        f"a jar of 2 cookies for the request's origin; best of {args.repeat} runs of {n}."
    )
    ok = True
    for key, store, title in (
        ("send", False, "send: the Cookie header of a request"),
        ("set", True, "send + Set-Cookie: the header, then the answer's rolling cookie"),
    ):
        if key not in args.only:
            continue
        results: dict[str, Result] = {}
        for name, case in PEERS:
            try:
                fn = case(store)
            except ImportError as exc:
                print(f"  {name}: not available ({exc})")
                continue
            results[name] = time_sync(name, fn, n, max(100, n // 20), args.repeat)
        print_table(title, list(results.values()))
        rw = results.get("restwright")
        print("targets (ratios of calls/s; [CPU] = peer CPU us / restwright CPU us)")
        ok &= ratio_line(f"{key}: restwright / httpx", rw, results.get("httpx"), 1.0)
        if not store:  # aiohttp's hand-written jar stores faster; no target there
            ok &= ratio_line(f"{key}: restwright / aiohttp", rw, results.get("aiohttp"), 1.0)
        else:
            ratio_line(f"{key}: restwright / aiohttp (no target)", rw, results.get("aiohttp"), 0)
    return 0 if ok or not args.strict else 1


if __name__ == "__main__":
    sys.exit(main())
