"""Proxies from the environment: ``HTTP_PROXY`` and friends, ``NO_PROXY``, ``trust_env``.

The fault server plays the proxy: it records the absolute-form request line it receives
and answers itself (it does not forward).
"""

from __future__ import annotations

import base64
import logging

import pytest

from restwright import errors


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"])
def test_proxy_from_environment(make_client, fault_server, monkeypatch, variable):
    monkeypatch.setenv(variable, fault_server.base_url)
    api = make_client("http://example.invalid", retry=0)
    response = api.get("/echo/via-proxy", params={"q": "1"})
    assert response.status_code == 200
    record = fault_server.requests[-1]
    assert record.target == "http://example.invalid/echo/via-proxy?q=1"
    assert record.header("Host") == "example.invalid"
    assert response.json()["path"] == "/echo/via-proxy"


def test_proxy_applies_to_hosts_not_in_no_proxy(
    make_client, fault_server, other_server, monkeypatch
):
    monkeypatch.setenv("HTTP_PROXY", fault_server.base_url)
    monkeypatch.setenv("NO_PROXY", "example.com,.example.org")
    api = make_client(other_server.base_url, retry=0)
    api.get("/echo/through")
    assert other_server.requests == []
    assert [r.target for r in fault_server.requests] == [f"{other_server.base_url}/echo/through"]


@pytest.mark.parametrize("no_proxy", ["127.0.0.1", "example.com, 127.0.0.1", "*"])
@pytest.mark.parametrize("variable", ["NO_PROXY", "no_proxy"])
def test_no_proxy_bypass(make_client, fault_server, other_server, monkeypatch, variable, no_proxy):
    monkeypatch.setenv("HTTP_PROXY", fault_server.base_url)
    monkeypatch.setenv(variable, no_proxy)
    api = make_client(other_server.base_url, retry=0)
    response = api.get("/echo/direct")
    assert response.json()["server"] == "other"
    assert fault_server.requests == []
    assert [r.target for r in other_server.requests] == ["/echo/direct"]


def test_trust_env_false_ignores_proxy_variables(
    make_client, fault_server, other_server, monkeypatch
):
    monkeypatch.setenv("HTTP_PROXY", fault_server.base_url)
    monkeypatch.setenv("ALL_PROXY", fault_server.base_url)
    api = make_client(other_server.base_url, retry=0, trust_env=False)
    response = api.get("/echo/direct")
    assert response.json()["server"] == "other"
    assert fault_server.requests == []
    assert [r.target for r in other_server.requests] == ["/echo/direct"]


def test_origin_auth_still_sent_through_the_proxy(make_client, fault_server, monkeypatch):
    """Going through a proxy still sends the origin's auth (the proxy is transparent)."""
    monkeypatch.setenv("HTTP_PROXY", fault_server.base_url)
    api = make_client("http://example.invalid", auth=("user", "pw"), retry=0)
    api.get("/echo")
    record = fault_server.requests[-1]
    assert record.header("Authorization") is not None
    assert record.header("Proxy-Authorization") is None


def test_proxy_credentials_from_the_url(make_client, fault_server, monkeypatch, caplog):
    """``HTTP_PROXY=http://user:pass@host:port``: Proxy-Authorization is sent to the proxy
    and the password shows in no log record and no error."""
    caplog.set_level(logging.DEBUG, logger="restwright")
    monkeypatch.setenv("HTTP_PROXY", f"http://puser:proxy-s3cret@{fault_server.origin}")
    api = make_client("http://example.invalid", retry=0)
    api.get("/echo/with-proxy-auth")
    record = fault_server.requests[-1]
    expected = "Basic " + base64.b64encode(b"puser:proxy-s3cret").decode()
    assert record.header("Proxy-Authorization") == expected
    with pytest.raises(errors.NotFound) as info:
        api.get("/status/404")
    for text in (caplog.text, str(info.value), repr(info.value), repr(api.raw)):
        assert "proxy-s3cret" not in text
        assert expected.split()[1] not in text
