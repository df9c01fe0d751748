"""The cookie jar: a session login against a real server, scoping, secrets, persistence.

The cookie server (``tests/servers/cookie_server.py``) logs in with a session cookie and a
CSRF cookie like Django REST framework's session auth; the fault server is another origin
on the same host (another port), and ``localhost`` another host for the same socket.
"""

from __future__ import annotations

import asyncio
import logging
import os
import pickle
import stat
import time
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

import restwright
from restwright import errors

from ._harness import Api, echo_header

try:
    from tests.servers.cookie_server import PASSWORD, USERNAME, CookieServer
except ImportError:
    from servers.cookie_server import (  # type: ignore[no-redef]
        PASSWORD,
        USERNAME,
        CookieServer,
    )

LOGIN = {"username": USERNAME, "password": PASSWORD}


@pytest.fixture(scope="module")
def _cookie_server() -> Iterator[CookieServer]:
    with CookieServer() as server:
        yield server


@pytest.fixture
def cookie_server(_cookie_server: CookieServer) -> CookieServer:
    _cookie_server.reset()
    return _cookie_server


@pytest.fixture
def site(make_client: Any, cookie_server: CookieServer) -> Api:
    """A client of the current kind on the cookie server, no retries."""
    return make_client(cookie_server.url, retry=0)


def log_in(api: Api) -> None:
    assert api.post("/login", json=LOGIN).json() == {"username": USERNAME}


def test_login_then_a_write_that_needs_the_session_and_the_csrf_cookie(site, cookie_server):
    with pytest.raises(errors.Unauthorized):
        site.get("/whoami")
    log_in(site)
    jar = site.raw.cookies
    assert {cookie.name for cookie in jar} == {"sessionid", "csrftoken"}
    assert site.get("/whoami").json() == {"username": USERNAME}

    note = site.post("/notes", json={"text": "hi"}, headers={"X-CSRFToken": jar["csrftoken"]})
    assert note.status_code == 201
    sent = cookie_server.cookies_sent_to("/notes")[-1] or ""
    assert f"sessionid={jar['sessionid']}" in sent and f"csrftoken={jar['csrftoken']}" in sent
    with pytest.raises(errors.Forbidden):  # the cookies alone are not enough
        site.post("/notes", json={"text": "no token"})

    site.post("/logout")  # the server deletes both cookies (Max-Age=0)
    assert len(jar) == 0
    assert cookie_server.cookies_sent_to("/whoami")[0] is None
    with pytest.raises(errors.Unauthorized):
        site.get("/whoami")
    assert cookie_server.cookies_sent_to("/whoami")[-1] is None


def test_off_switch_keeps_the_client_stateless(make_client, cookie_server):
    api = make_client(cookie_server.url, retry=0, cookies=False)
    assert api.raw.cookies is None
    log_in(api)
    with pytest.raises(errors.Unauthorized):
        api.get("/whoami")
    assert cookie_server.cookies_sent_to("/whoami") == [None]
    # per-call cookies still go out: the switch is about what the client keeps
    assert api.get("/echo", cookies={"a": "1"}).json()["cookies"] == {"a": "1"}


def test_expired_cookies_are_not_sent(site, cookie_server):
    site.get(
        "/set-cookie",
        params={
            "h": ["short=1; Max-Age=1; Path=/", "gone=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT"]
        },
    )
    assert "short" in site.raw.cookies and "gone" not in site.raw.cookies
    assert site.get("/echo").json()["cookies"] == {"short": "1"}
    time.sleep(1.1)
    assert site.get("/echo").json()["cookies"] == {}
    assert "short" not in site.raw.cookies


def test_a_changed_cookie_is_sent_with_its_new_value(site):
    site.get("/set-cookie", params={"h": "n=1; Path=/; Max-Age=3600"})
    assert site.get("/echo").json()["cookies"] == {"n": "1"}
    site.get("/set-cookie", params={"h": "n=1; Path=/; Max-Age=7200"})  # a rolled expiry
    assert site.get("/echo").json()["cookies"] == {"n": "1"}
    site.get("/set-cookie", params={"h": "n=2; Path=/"})
    assert site.get("/echo").json()["cookies"] == {"n": "2"}
    site.get("/set-cookie", params={"h": "n=2; Path=/echo/deeper"})  # a second one, deeper
    assert site.get("/echo/deeper").json()["cookie_header"] == "n=2; n=2"
    site.raw.cookies.clear()
    assert site.get("/echo").json()["cookies"] == {}


def test_path_scoping(site):
    site.get("/set-cookie", params={"h": "scoped=1; Path=/echo/app"})
    assert site.get("/echo/app/page").json()["cookies"] == {"scoped": "1"}
    assert site.get("/echo/app").json()["cookies"] == {"scoped": "1"}
    assert site.get("/echo/other").json()["cookies"] == {}
    assert site.get("/echo/application").json()["cookies"] == {}


def test_host_scoping_localhost_and_127_0_0_1_are_two_origins(make_client, cookie_server):
    jar = restwright.CookieJar()
    local = make_client(cookie_server.localhost_url, retry=0, cookies=jar)
    numeric = make_client(cookie_server.url, retry=0, cookies=jar)
    local.get("/set-cookie", params={"h": "host=localhost; Path=/"})
    numeric.get("/set-cookie", params={"h": "host=numeric; Path=/"})
    assert len(jar) == 2  # one jar, two cookies of the same name for two hosts

    assert local.get("/echo").json()["cookie_header"] == "host=localhost"
    assert numeric.get("/echo").json()["cookie_header"] == "host=numeric"
    # the same socket through the other host name: the other cookie
    assert numeric.get(f"{cookie_server.localhost_url}/echo").json()["cookies"] == {
        "host": "localhost"
    }
    # a Domain attribute cannot widen a host-only cookie to another host
    numeric.get("/set-cookie", params={"h": "wide=1; Domain=localhost; Path=/"})
    assert "wide" not in local.get("/echo").json()["cookies"]


def test_another_port_is_another_origin(site, cookie_server, fault_server):
    """Browsers send a cookie to every port of its host: restwright does not."""
    log_in(site)
    site.get(fault_server.url("/echo/other-port"))
    assert fault_server.requests[-1].header("Cookie") is None
    assert site.get("/whoami").status_code == 200


def test_redirect_to_another_origin_does_not_carry_the_cookie(site, cookie_server, fault_server):
    log_in(site)
    echo = site.get("/redirect", params={"to": fault_server.url("/echo/landed")})
    assert echo.json()["path"] == "/echo/landed"
    assert fault_server.requests[-1].header("Cookie") is None
    # nor the cookies given for the call
    site.get("/redirect", params={"to": fault_server.url("/echo/again")}, cookies={"x": "1"})
    assert fault_server.requests[-1].header("Cookie") is None
    assert cookie_server.cookies_sent_to("/redirect")[-1] == (
        f"x=1; sessionid={site.raw.cookies['sessionid']}; csrftoken={site.raw.cookies['csrftoken']}"
    )
    # a redirect on the same origin keeps them
    same = site.get("/redirect", params={"to": "/echo/here"}).json()
    assert set(same["cookies"]) == {"sessionid", "csrftoken"}


def test_cookies_set_by_a_redirect_hop_stay_with_their_origin(api, fault_server, other_server):
    hop = "/echo?set_header=" + urllib.parse.quote("Set-Cookie:hop=1; Path=/", safe="")
    api.get("/redirect/302", params={"to": f"peer:{hop}"})
    assert [(c.name, c.value) for c in api.raw.cookies] == [("hop", "1")]
    assert echo_header(api.get("/echo").json(), "Cookie") is None
    assert echo_header(api.get(other_server.url("/echo")).json(), "Cookie") == "hop=1"


def test_next_page_link_to_another_origin_does_not_carry_the_cookie(
    api, fault_server, other_server
):
    api.get("/echo", params={"set_header": "Set-Cookie:sid=abc; Path=/"})
    items = api.items("/pages/link", params={"cross_at": 2})
    assert len(items) == 23
    mine = [r.header("Cookie") for r in fault_server.requests_to("/pages")]
    theirs = [r.header("Cookie") for r in other_server.requests_to("/pages")]
    assert mine and set(mine) == {"sid=abc"}
    assert theirs and set(theirs) == {None}


def test_attachment_url_on_another_origin_does_not_carry_the_cookie(api, other_server, tmp_path):
    api.get("/echo", params={"set_header": "Set-Cookie:sid=abc; Path=/"})
    api.download(other_server.url("/download?size=1000"), to=tmp_path / "file.bin")
    assert (tmp_path / "file.bin").stat().st_size == 1000
    assert other_server.requests[-1].header("Cookie") is None


def test_secure_cookies_never_go_over_plain_http(site):
    site.get("/set-cookie", params={"h": ["plain=1; Path=/", "tls=1; Secure; Path=/"]})
    assert "tls" in site.raw.cookies
    assert site.get("/echo").json()["cookies"] == {"plain": "1"}


def test_call_cookies_and_client_cookies(make_client, cookie_server):
    api = make_client(cookie_server.url, retry=0, cookies={"theme": "dark"})
    assert api.get("/echo").json()["cookies"] == {"theme": "dark"}
    assert api.get("/echo", cookies={"lang": "fr"}).json()["cookie_header"] == (
        "lang=fr; theme=dark"
    )
    # the call's value wins over the jar's for the same name, and is not kept
    assert api.get("/echo", cookies={"theme": "light"}).json()["cookies"] == {"theme": "light"}
    assert api.raw.cookies["theme"] == "dark"
    # a jar for one call: its cookies for that URL
    other = restwright.CookieJar()
    other.set("token", "t1", cookie_server.url)
    other.set("elsewhere", "x", cookie_server.localhost_url)
    assert api.get("/echo", cookies=other).json()["cookies"] == {"token": "t1", "theme": "dark"}
    # a client mapping binds to the base URL's origin only
    assert api.get(f"{cookie_server.localhost_url}/echo").json()["cookies"] == {}


def test_with_options_shares_the_jar_unless_asked(site):
    log_in(site)
    shared = site.with_options(timeout=5)
    assert shared.raw.cookies is site.raw.cookies
    assert shared.get("/whoami").status_code == 200
    stateless = site.with_options(cookies=False)
    with pytest.raises(errors.Unauthorized):
        stateless.get("/whoami")
    fresh = site.with_options(cookies=None)
    assert fresh.raw.cookies is not site.raw.cookies and len(fresh.raw.cookies) == 0


def test_the_stdlib_jar_is_accepted_and_copied(make_client, cookie_server):
    import http.cookiejar

    std = http.cookiejar.CookieJar()
    source = restwright.CookieJar()
    source.set("k", "v", cookie_server.url)
    for cookie in source:
        std.set_cookie(cookie)
    api = make_client(cookie_server.url, retry=0, cookies=std)
    assert api.get("/echo").json()["cookies"] == {"k": "v"}
    api.get("/set-cookie", params={"h": "new=1"})
    assert [c.name for c in std] == ["k"]  # the caller's jar is left alone


def test_cookie_values_never_leak(make_client, cookie_server, caplog):
    caplog.set_level(logging.DEBUG, logger="restwright")
    api = make_client(cookie_server.url, retry=0)
    log_in(api)
    jar = api.raw.cookies
    secrets = [jar["sessionid"], jar["csrftoken"]]
    ok = api.get("/whoami")
    with pytest.raises(errors.Forbidden) as info:
        api.post("/notes", json={}, cookies={"extra": "x"})
    exc = info.value
    login = api.post("/login", json=LOGIN)  # a response that sets cookies
    dry = restwright.Client(cookie_server.url, dry_run=True, cookies=jar)
    dry.get("/whoami")
    texts = {
        "repr(jar)": repr(jar),
        "str(jar)": str(jar),
        "cookies": repr(list(jar)) + str(list(jar)),
        "repr(client)": repr(api.raw),
        "request curl": ok.request.to_curl(),
        "request repr": repr(ok.request),
        "redacted request": repr(ok.request.redacted().headers),
        "redacted response": repr(login.redacted().headers),
        "str(exc)": str(exc),
        "repr(exc)": repr(exc),
        "exc.request": repr(exc.request.headers) + exc.request.to_curl(),
        "exc.response": repr(exc.response.headers),
        "pickled exc": pickle.dumps(exc).decode("latin-1"),
        "logs": caplog.text,
    }
    new_secrets = [jar["sessionid"], jar["csrftoken"]]
    for label, text in texts.items():
        for secret in secrets + new_secrets:
            assert secret not in text, f"cookie value leaked in {label}: {text!r}"
    assert "dry run" in caplog.text and "Cookie: [REDACTED]" in caplog.text
    assert f"sessionid={secrets[0]}" in ok.request.to_curl(reveal_credentials=True)


def test_clients_pickle_with_their_cookies(make_client, cookie_server):
    api = make_client(cookie_server.url, retry=0)
    log_in(api)
    clone = pickle.loads(pickle.dumps(api.raw))
    assert [c.name for c in clone.cookies] == [c.name for c in api.raw.cookies]
    assert clone.cookies is not api.raw.cookies
    copy = Api(api.kind, clone, api._runner)
    try:
        assert copy.get("/whoami").json() == {"username": USERNAME}
    finally:
        copy.close()
    shared = pickle.loads(pickle.dumps(api.raw.with_options(timeout=3)))
    assert shared.cookies["sessionid"] == api.raw.cookies["sessionid"]


def test_cookie_file_is_written_0600_and_read_back(
    make_client, cookie_server, fault_server, tmp_path
):
    path = tmp_path / "cookies.txt"
    api = make_client(cookie_server.url, retry=0, cookies=restwright.CookieJar(path))
    log_in(api)
    api.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert text.startswith("# Netscape HTTP Cookie File")
    assert "\tsessionid\t" in text and "\tcsrftoken\t" in text

    again = restwright.CookieJar(path)
    assert again["sessionid"] == api.raw.cookies["sessionid"]
    copy = pickle.loads(pickle.dumps(again))  # the cookies travel, the file does not
    assert copy["sessionid"] == again["sessionid"] and copy.path is None
    later = make_client(cookie_server.url, retry=0, cookies=again)
    assert later.get("/whoami").json() == {"username": USERNAME}
    # the origin binding survives the file: not sent to another port of the host
    later.get(fault_server.url("/echo/after-reload"))
    assert fault_server.requests[-1].header("Cookie") is None


def test_cookie_file_rights_are_narrowed_and_nothing_is_written_unasked(
    make_client, cookie_server, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "old.txt"
    path.write_text("# Netscape HTTP Cookie File\n")
    os.chmod(path, 0o644)
    jar = restwright.CookieJar(path)
    jar.set("k", "v", cookie_server.url)
    jar.save()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    api = make_client(cookie_server.url, retry=0)
    log_in(api)
    api.close()
    assert sorted(p.name for p in Path(tmp_path).iterdir()) == ["old.txt"]


def test_a_curl_cookie_file_follows_the_standard_rules(make_client, cookie_server, tmp_path):
    path = tmp_path / "curl.txt"
    path.write_text(
        "# Netscape HTTP Cookie File\n"
        "127.0.0.1\tFALSE\t/\tFALSE\t4102444800\tfromcurl\tyes\n"
        "127.0.0.1\tFALSE\t/\tFALSE\t0\tsession\tkept\n"
        "127.0.0.1\tFALSE\t/\tFALSE\t1000\texpired\tlong-ago\n"
        "localhost.local\tFALSE\t/\tFALSE\t4102444800\tother\tno\n"
    )
    api = make_client(cookie_server.url, retry=0, cookies=restwright.CookieJar(path))
    assert api.get("/echo").json()["cookies"] == {"fromcurl": "yes", "session": "kept"}


def test_set_refuses_what_would_split_a_header(cookie_server):
    jar = restwright.CookieJar()
    for name, value in [("a;b", "1"), ("a", "1\r\nX-Evil: 1"), ("", "1"), ("a", "x; Path=/")]:
        with pytest.raises(errors.InvalidRequestError):
            jar.set(name, value, cookie_server.url)
    for path in ["/; Domain=localhost", "/\r\nX-Evil: 1"]:
        with pytest.raises(errors.InvalidRequestError):
            jar.set("a", "1", cookie_server.url, path=path)
    assert len(jar) == 0 and not jar


def test_one_jar_under_concurrent_calls(site):
    """Calls in flight together (threads, or tasks) each set a cookie and read it back:
    no answer remembered from before a change is served after it."""

    if site.is_async:

        async def both(i: int) -> Any:
            await site.raw.get("/set-cookie", params={"h": f"c{i}=v{i}; Path=/echo/{i}"})
            return (await site.raw.get(f"/echo/{i}")).json()["cookies"]

        async def gather() -> list[Any]:
            return list(await asyncio.gather(*(both(i) for i in range(40))))

        seen = site.run(gather())
    else:

        def one(i: int) -> Any:
            site.get("/set-cookie", params={"h": f"c{i}=v{i}; Path=/echo/{i}"})
            return site.get(f"/echo/{i}").json()["cookies"]

        with ThreadPoolExecutor(8) as pool:
            seen = list(pool.map(one, range(40)))
    assert seen == [{f"c{i}": f"v{i}"} for i in range(40)]
    assert len(site.raw.cookies) == 40


@pytest.mark.parametrize("cookies", [None, False], ids=["jar", "off"])
def test_an_httpx_transport_keeps_httpx_s_own_jar_out(
    make_client, client_kind, cookie_server, fault_server, cookies
):
    """An ``httpx.Client`` keeps cookies of its own, on port-blind rules: through the
    adapter, only the pipeline's cookies go out."""
    import httpx

    from restwright.transports import AsyncHTTPXTransport, HTTPXTransport

    if client_kind == "async":
        transport: Any = AsyncHTTPXTransport(httpx.AsyncClient())
    else:
        transport = HTTPXTransport(httpx.Client())
    api = make_client(cookie_server.url, retry=0, cookies=cookies, transport=transport)
    try:
        api.get("/set-cookie", params={"h": "sid=1; Path=/"})
        api.get(fault_server.url("/echo/other-port"))
        assert fault_server.requests[-1].header("Cookie") is None
        assert api.get("/echo").json()["cookies"] == ({} if cookies is False else {"sid": "1"})
    finally:
        if api.is_async:
            api.run(transport.aclose())
        else:
            transport.close()


class CookieLogin(restwright.Auth):
    """An auth flow that logs in once (the answer sets the session cookie), then lets the
    jar carry the session: the flow's own requests go through the jar like any other."""

    sensitive_headers = frozenset()

    def __init__(self, login_url: str) -> None:
        self.login_url = login_url
        self.logins = 0

    def auth_flow(self, request: Any) -> Any:
        if self.logins == 0:
            self.logins += 1
            yield restwright.Request.from_url(
                "POST",
                self.login_url,
                headers={"Content-Type": "application/json"},
                content=f'{{"username": "{USERNAME}", "password": "{PASSWORD}"}}',
            )
        yield request


def test_the_requests_of_an_auth_flow_go_through_the_jar(make_client, cookie_server):
    auth = CookieLogin(f"{cookie_server.url}/login")
    api = make_client(cookie_server.url, retry=0, auth=auth)
    assert api.get("/whoami").json() == {"username": USERNAME}
    assert api.get("/whoami").json() == {"username": USERNAME}
    assert auth.logins == 1
    assert [r.path for r in cookie_server.received] == ["/login", "/whoami", "/whoami"]


def test_a_cookie_api_key_and_the_jar_share_one_cookie_header(make_client, cookie_server):
    api = make_client(
        cookie_server.url, retry=0, auth=restwright.APIKeyAuth("key", "k1", location="cookie")
    )
    api.get("/set-cookie", params={"h": ["sid=s1; Path=/", "key=from-server; Path=/"]})
    echo = api.get("/echo").json()
    assert echo["cookie_header"] == "key=k1; sid=s1"  # the API key wins over a same name
    cross = api.get(f"{cookie_server.localhost_url}/echo").json()
    assert cross["cookie_header"] is None  # neither the key nor the jar crosses origins
