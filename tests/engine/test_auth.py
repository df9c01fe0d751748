"""Auth schemes as the server sees them, callables and ``auth_flow`` generators."""

from __future__ import annotations

import base64
import json
import urllib.parse

import pytest

import restwright
from restwright import errors


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.mark.parametrize(
    ("auth", "expected"),
    [
        (("alice", "pw"), basic("alice", "pw")),
        (("émile", "pässword"), basic("émile", "pässword")),
        (restwright.BasicAuth("bob", "pw:with:colons"), basic("bob", "pw:with:colons")),
        (restwright.BearerAuth("abc"), "Bearer abc"),
        (restwright.BearerAuth("abc", type="Bearer+OIDC"), "Bearer+OIDC abc"),
        ("Bearer+OIDC abc", "Bearer+OIDC abc"),
        ("Token abc", "Token abc"),
        ("abc", "Bearer abc"),
    ],
    ids=[
        "tuple",
        "tuple-unicode",
        "basic",
        "bearer",
        "bearer-type",
        "string-typed",
        "string-token",
        "string-bare",
    ],
)
def test_authorization_header(make_client, fault_server, auth, expected):
    api = make_client(auth=auth, retry=0)
    api.get("/echo")
    assert fault_server.requests[0].header_list("Authorization") == [expected]


def test_header_auth(make_client, fault_server):
    api = make_client(auth=restwright.HeaderAuth("X-Auth-Token", "abc"), retry=0)
    api.get("/echo")
    record = fault_server.requests[0]
    assert record.header("X-Auth-Token") == "abc"
    assert record.header("Authorization") is None


@pytest.mark.parametrize("location", ["header", "query", "cookie"])
def test_api_key_auth(make_client, fault_server, location):
    api = make_client(auth=restwright.APIKeyAuth("key", "k3y", location=location), retry=0)
    api.get("/echo", params={"other": "1"})
    record = fault_server.requests[0]
    if location == "header":
        assert record.header("key") == "k3y"
    elif location == "query":
        assert record.query_list("key") == ["k3y"]
        assert record.query_list("other") == ["1"]
    else:
        cookies = [c.strip() for c in (record.header("Cookie") or "").split(";")]
        assert "key=k3y" in cookies


@pytest.mark.parametrize("returns", ["request", "none"])
def test_callable_auth(make_client, fault_server, returns):
    calls = []

    def sign(request):
        calls.append(request.method)
        request.headers["X-Signature"] = f"sig-{request.method}"
        return request if returns == "request" else None

    api = make_client(auth=sign, retry=0)
    api.post("/echo", json={})
    api.get("/echo")
    assert [r.header("X-Signature") for r in fault_server.requests] == ["sig-POST", "sig-GET"]
    assert calls == ["POST", "GET"]


def _login_request(request, username: str, *, content_length: bool = True):
    """The extra request of the login flow (same origin as ``request``).

    ``docs/engine.md`` does not say how a flow builds a request; ``Request.from_url`` is
    what the engine offers.  ``content_length=False`` leaves the body framing to the
    engine.
    """
    url = urllib.parse.urljoin(str(request.url), "/auth/login")
    body = json.dumps({"username": username, "password": f"{username}-password"}).encode()
    headers = restwright.Headers({"Content-Type": "application/json"})
    if content_length:
        headers["Content-Length"] = str(len(body))
    return type(request).from_url("POST", url, headers=headers, content=body)


class LoginAuth(restwright.Auth):
    """Logs in once with a POST, then sends the token it got."""

    def __init__(self, username: str) -> None:
        self.username = username
        self.token: str | None = None
        self.logins = 0

    def auth_flow(self, request):
        if self.token is None:
            response = yield _login_request(request, self.username)
            self.token = response.json()["token"]
            self.logins += 1
        request.headers["Authorization"] = f"Bearer {self.token}"
        yield request


class DuckLoginAuth:
    """The same flow on an object that does not subclass ``restwright.Auth``."""

    def __init__(self, username: str) -> None:
        self.username = username
        self.token: str | None = None
        self.logins = 0

    def auth_flow(self, request):
        if self.token is None:
            response = yield _login_request(request, self.username)
            self.token = response.json()["token"]
            self.logins += 1
        request.headers["Authorization"] = f"Bearer {self.token}"
        yield request


@pytest.mark.parametrize("auth_class", [LoginAuth, DuckLoginAuth])
def test_auth_flow_logs_in_first(make_client, fault_server, auth_class):
    auth = auth_class("bob")
    api = make_client(auth=auth, retry=0)
    assert api.get("/auth/protected").json() == {"ok": True, "user": "bob"}
    assert api.get("/auth/protected").json() == {"ok": True, "user": "bob"}
    assert auth.logins == 1
    seen = [(r.method, r.path) for r in fault_server.requests]
    assert seen == [
        ("POST", "/auth/login"),
        ("GET", "/auth/protected"),
        ("GET", "/auth/protected"),
    ]
    assert fault_server.requests[0].body_size > 0


class UnframedLoginAuth(LoginAuth):
    def auth_flow(self, request):
        if self.token is None:
            response = yield _login_request(request, self.username, content_length=False)
            self.token = response.json()["token"]
            self.logins += 1
        request.headers["Authorization"] = f"Bearer {self.token}"
        yield request


def test_auth_flow_request_body_is_framed_by_the_engine(make_client, fault_server):
    """A request yielded by a flow with a bytes body and no Content-Length is still framed."""
    api = make_client(auth=UnframedLoginAuth("carol"), retry=0)
    assert api.get("/auth/protected").json() == {"ok": True, "user": "carol"}
    login = fault_server.requests[0]
    assert (login.method, login.path) == ("POST", "/auth/login")
    assert login.body_complete
    assert login.body_size == len(b'{"username": "carol", "password": "carol-password"}')


def test_protected_without_auth_is_unauthorized(make_client):
    api = make_client(retry=0)
    with pytest.raises(errors.Unauthorized) as info:
        api.get("/auth/protected")
    assert info.value.message == "Please authenticate yourself to use this endpoint."
