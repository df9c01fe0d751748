"""Authentication: Basic tuples and strings, tokens, and the browser OpenID login, driven
by a script in place of the browser, against Kinto and a local OpenID provider."""

from __future__ import annotations

import threading
import urllib.request
from typing import TYPE_CHECKING, Any

import pytest

import restwright.kinto as kinto_http
from restwright import errors

if TYPE_CHECKING:
    from conftest import Harness

pytestmark = pytest.mark.kinto


class ScriptedBrowser:
    """Plays the browser: follows the login redirects (Kinto, then the provider, then Kinto
    again) until the client's local listener receives the token."""

    def __init__(self) -> None:
        self.opened: list[str] = []

    def __call__(self, url: str) -> None:
        self.opened.append(url)
        with urllib.request.urlopen(url, timeout=10) as page:  # follows the redirects
            assert b"Login successful" in page.read()


async def _user_id(kt: Harness, client: Any) -> str | None:
    body, _ = await kt(client.session.request("GET", "/"))
    user = body.get("user")
    return user["id"] if user else None


async def test_basic_auth_forms(kt: Harness) -> None:
    tuple_id = await _user_id(kt, kt.client(auth=("carol", "pw")))
    assert tuple_id is not None and tuple_id.startswith("basicauth:")
    assert await _user_id(kt, kt.client(auth="carol:pw")) == tuple_id
    assert await _user_id(kt, kt.client(auth=("carol", "other"))) != tuple_id
    client = kt.client(auth="Basic " + "Y2Fyb2w6cHc=")  # base64("carol:pw")
    assert isinstance(client.session.auth, kinto_http.TokenAuth)
    assert await _user_id(kt, client) == tuple_id
    with pytest.raises(ValueError, match="Unsupported `auth`"):
        kt.client(auth="nonsense")


async def test_accounts(kt: Harness) -> None:
    anonymous = kt.client(auth=None)
    await kt(anonymous.session.request("PUT", "/accounts/dave", data={"password": "s3cret"}))
    dave = kt.client(auth=("dave", "s3cret"))
    assert await _user_id(kt, dave) == "account:dave"
    # A wrong password falls through to plain Basic auth: another user, who may not read it.
    with pytest.raises(errors.Forbidden):
        await kt(kt.client(auth=("dave", "wrong")).session.request("GET", "/accounts/dave"))


async def test_browser_login_then_bearer_tokens(kt: Harness) -> None:
    browser = ScriptedBrowser()
    auth = kinto_http.BrowserOAuth(open_browser=browser, timeout=20)
    client = kt.client(auth=auth)
    assert await _user_id(kt, client) == "openid:oidc-user"
    assert len(browser.opened) == 1
    assert "/openid/openid/login?callback=http%3A%2F%2F127.0.0.1%3A" in browser.opened[0]
    assert auth.header_type == "Bearer"
    token = auth.token
    assert token
    # The token is reused: no second login.
    await kt(client.create_bucket(id="oidc-bucket"))
    assert len(browser.opened) == 1

    # The same token, given as a BearerTokenAuth or as a string.
    bearer = kt.client(auth=kinto_http.BearerTokenAuth(token))
    assert await _user_id(kt, bearer) == "openid:oidc-user"
    assert (await kt(bearer.get_bucket(id="oidc-bucket")))["data"]["id"] == "oidc-bucket"
    as_string = kt.client(auth=f"Bearer {token}")
    assert isinstance(as_string.session.auth, kinto_http.BearerTokenAuth)
    assert await _user_id(kt, as_string) == "openid:oidc-user"
    # A token type the server does not use: the server ignores it (anonymous).
    oidc = kt.client(auth=f"Bearer+OIDC {token}")
    assert (oidc.session.auth.type, oidc.session.auth.token) == ("Bearer+OIDC", token)
    assert await _user_id(kt, oidc) is None
    with pytest.raises(errors.Unauthorized):
        await kt(oidc.get_bucket(id="oidc-bucket"))
    # An unknown token is refused by the provider: anonymous too.
    assert await _user_id(kt, kt.client(auth=kinto_http.BearerTokenAuth("unknown"))) is None


async def test_browser_login_failures(kt: Harness) -> None:
    def deny(url: str) -> None:
        port = url.split("127.0.0.1%3A", 1)[1].split("%2F", 1)[0]
        callback = f"http://127.0.0.1:{port}/auth/error=access_denied"
        threading.Thread(target=lambda: urllib.request.urlopen(callback, timeout=10).read()).start()

    denied = kt.client(auth=kinto_http.BrowserOAuth(open_browser=deny, timeout=10))
    with pytest.raises(kinto_http.KintoException, match="access_denied"):
        await kt(denied.server_info())

    nobody = kt.client(auth=kinto_http.BrowserOAuth(open_browser=lambda url: None, timeout=0.2))
    with pytest.raises(kinto_http.KintoException, match="No login within"):
        await kt(nobody.server_info())

    unknown = kt.client(auth=kinto_http.BrowserOAuth("github", open_browser=lambda url: None))
    with pytest.raises(kinto_http.KintoException, match="Unknown OpenID provider"):
        await kt(unknown.server_info())


async def test_credentials_never_leak_in_errors(kt: Harness) -> None:
    client = kt.client(auth=("erin", "very-secret-password"))
    with pytest.raises(kinto_http.KintoException) as info:
        await kt(client.get_record(id="x", bucket="nope", collection="c"))
    exc = info.value
    rendered = " ".join([str(exc), repr(exc), repr(exc.request.headers), exc.request.to_curl()])
    assert "very-secret-password" not in rendered
    assert "ZXJpbjp2ZXJ5LXNlY3JldC1wYXNzd29yZA" not in rendered  # nor its base64
    assert "[REDACTED]" in repr(exc.request.headers)
