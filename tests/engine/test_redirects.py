"""Redirects: followed for GET/HEAD, and a 307/308 for a request that may be sent again
(a PUT, a DELETE); bounded; credentials never leave."""

from __future__ import annotations

import base64

import pytest

import restwright
from restwright import errors

REDIRECT_CODES = [301, 302, 303, 307, 308]


@pytest.mark.parametrize("code", REDIRECT_CODES)
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_same_origin_redirect_is_followed(api, fault_server, code, method):
    response = api.request(method, f"/redirect/{code}", params={"to": "/echo/target?x=1"})
    assert response.status_code == 200
    seen = fault_server.requests
    assert [(r.method, r.path) for r in seen] == [
        (method, f"/redirect/{code}"),
        (method, "/echo/target"),
    ]
    assert seen[1].query == [("x", "1")]
    assert str(response.url) == fault_server.url("/echo/target?x=1")
    if method == "GET":
        assert response.json()["path"] == "/echo/target"


@pytest.mark.parametrize(
    "location",
    ["/echo/landed", "self:/echo/landed", "../echo/landed"],
    ids=["absolute-path", "absolute-url", "relative-path"],
)
def test_same_origin_redirect_keeps_credentials(make_client, fault_server, location):
    api = make_client(auth=restwright.BearerAuth("same-origin-token"), retry=0)
    response = api.get("/redirect/302", params={"to": location})
    assert response.json()["path"] == "/echo/landed"
    seen = fault_server.requests
    assert [r.path for r in seen] == ["/redirect/302", "/echo/landed"]
    assert [r.header("Authorization") for r in seen] == ["Bearer same-origin-token"] * 2


def test_redirect_chain_is_followed(api, fault_server):
    response = api.get("/redirect-chain/3", params={"code": 307})
    assert response.status_code == 200
    assert response.json()["path"] == "/redirect-chain/0"
    assert [r.path for r in fault_server.requests] == [
        "/redirect-chain/3",
        "/redirect-chain/2",
        "/redirect-chain/1",
        "/redirect-chain/0",
    ]


def test_too_many_redirects(api, fault_server):
    with pytest.raises(errors.TooManyRedirects) as info:
        api.get("/redirect-chain/50")
    assert isinstance(info.value, errors.TransportError)
    # bounded: not 50 requests
    assert len(fault_server.requests) <= 7


def test_five_redirects_allowed_sixth_refused(api, fault_server):
    assert api.get("/redirect-chain/5").status_code == 200
    assert len(fault_server.requests) == 6
    fault_server.reset()
    with pytest.raises(errors.TooManyRedirects):
        api.get("/redirect-chain/6")
    assert len(fault_server.requests) == 6


SECRET = "redirect-s3cret"

AUTHS = {
    "bearer": lambda: restwright.BearerAuth(SECRET),
    "basic": lambda: ("redir", SECRET),
    "string": lambda: f"Bearer+OIDC {SECRET}",
    "header": lambda: restwright.HeaderAuth("X-Auth-Token", SECRET),
    "apikey-header": lambda: restwright.APIKeyAuth("X-Api-Key", SECRET, location="header"),
    "apikey-query": lambda: restwright.APIKeyAuth("api_key", SECRET, location="query"),
    "apikey-cookie": lambda: restwright.APIKeyAuth("session", SECRET, location="cookie"),
}


def carries_credentials(record) -> bool:
    text = repr(record.headers) + record.query_string
    basic = base64.b64encode(f"redir:{SECRET}".encode()).decode()
    return SECRET in text or basic in text


@pytest.mark.parametrize("auth_kind", list(AUTHS))
def test_cross_origin_redirect_drops_credentials(
    make_client, fault_server, other_server, auth_kind
):
    api = make_client(auth=AUTHS[auth_kind](), retry=0)
    response = api.get("/redirect/302", params={"to": "peer:/echo/elsewhere"})
    assert response.status_code == 200
    assert response.json()["server"] == "other"
    home = fault_server.requests
    away = other_server.requests
    assert [r.path for r in home] == ["/redirect/302"]
    assert [r.path for r in away] == ["/echo/elsewhere"]
    assert carries_credentials(home[0])
    assert not carries_credentials(away[0]), away[0]
    assert away[0].header("Authorization") is None
    assert away[0].header("Cookie") is None


def test_cross_origin_redirect_drops_cookie_and_authorization_headers(
    make_client, fault_server, other_server
):
    api = make_client(
        headers={"Authorization": "Token manual-s3cret", "Cookie": "sid=cookie-s3cret"},
        retry=0,
    )
    api.get("/redirect/307", params={"to": "peer:/echo/elsewhere"})
    assert fault_server.requests[0].header("Authorization") == "Token manual-s3cret"
    away = other_server.requests
    assert len(away) == 1
    assert away[0].header("Authorization") is None
    assert away[0].header("Cookie") is None


@pytest.mark.parametrize("code", REDIRECT_CODES)
def test_post_redirect_is_not_followed(api, fault_server, code):
    response = api.post(f"/redirect/{code}", json={"a": 1})
    assert response.status_code == code
    assert response.headers["Location"] == "/echo"
    assert [(r.method, r.path) for r in fault_server.requests] == [("POST", f"/redirect/{code}")]


@pytest.mark.parametrize("code", [307, 308])
@pytest.mark.parametrize("method", ["PUT", "DELETE"])
def test_a_307_keeps_the_method_and_the_body_of_an_idempotent_call(api, fault_server, code, method):
    response = api.request(method, f"/redirect/{code}", json={"a": 1})
    assert response.json()["method"] == method
    assert response.json()["json"] == {"a": 1}
    seen = fault_server.requests
    assert [(r.method, r.path) for r in seen] == [(method, f"/redirect/{code}"), (method, "/echo")]
    assert seen[0].body_sha256 == seen[1].body_sha256 is not None


@pytest.mark.parametrize("code", [301, 302, 303])
def test_a_put_is_not_redirected_by_a_status_that_may_change_the_method(api, fault_server, code):
    response = api.put(f"/redirect/{code}", json={"a": 1})
    assert response.status_code == code
    assert [(r.method, r.path) for r in fault_server.requests] == [("PUT", f"/redirect/{code}")]


def test_a_post_with_an_idempotency_key_follows_a_307(api, fault_server):
    response = api.post("/redirect/307", json={"a": 1}, idempotency_key="order-7")
    assert response.json()["method"] == "POST" and response.json()["json"] == {"a": 1}
    assert len(fault_server.requests) == 2
