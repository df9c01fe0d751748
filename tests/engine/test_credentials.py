"""Credentials reach the server and nothing else: logs, reprs, errors, pickles, curl."""

from __future__ import annotations

import base64
import logging
import pickle

import pytest

import restwright
from restwright import errors

SECRET = "s3cr3t-T0KEN-value-9f8e7d"
BASIC = base64.b64encode(f"alice:{SECRET}".encode()).decode()

AUTHS = {
    "basic": lambda: ("alice", SECRET),
    "basic-object": lambda: restwright.BasicAuth("alice", SECRET),
    "bearer": lambda: restwright.BearerAuth(SECRET),
    "string": lambda: f"Bearer+OIDC {SECRET}",
    "header": lambda: restwright.HeaderAuth("X-Auth-Token", SECRET),
    "apikey-header": lambda: restwright.APIKeyAuth("X-Api-Key", SECRET, location="header"),
    "apikey-query": lambda: restwright.APIKeyAuth("api_key", SECRET, location="query"),
    "apikey-cookie": lambda: restwright.APIKeyAuth("session", SECRET, location="cookie"),
}


def arrived(record, kind: str) -> bool:
    """The credentials of ``kind`` are in what the server received."""
    if kind.startswith("basic"):
        return record.header("Authorization") == f"Basic {BASIC}"
    if kind == "bearer":
        return record.header("Authorization") == f"Bearer {SECRET}"
    if kind == "string":
        return record.header("Authorization") == f"Bearer+OIDC {SECRET}"
    if kind == "header":
        return record.header("X-Auth-Token") == SECRET
    if kind == "apikey-header":
        return record.header("X-Api-Key") == SECRET
    if kind == "apikey-query":
        return record.query_list("api_key") == [SECRET]
    if kind == "apikey-cookie":
        return f"session={SECRET}" in (record.header("Cookie") or "")
    raise AssertionError(kind)


def assert_no_secret(label: str, text: str) -> None:
    assert SECRET not in text, f"secret leaked in {label}: {text!r}"
    assert BASIC not in text, f"basic credentials leaked in {label}: {text!r}"


@pytest.mark.parametrize("kind", list(AUTHS))
def test_credentials_never_leak(make_client, fault_server, caplog, kind):
    caplog.set_level(logging.DEBUG, logger="restwright")
    api = make_client(auth=AUTHS[kind](), retry=0)

    ok = api.get("/echo/ok", params={"page": 1})
    assert arrived(fault_server.requests[-1], kind), fault_server.requests[-1]
    with pytest.raises(errors.Unauthorized) as info:
        api.get("/status/401", params={"page": 2})
    assert arrived(fault_server.requests[-1], kind)
    exc = info.value

    texts = {
        "repr(client)": repr(api.raw),
        "str(client)": str(api.raw),
        "repr(response.request)": repr(ok.request),
        "str(response.request)": str(ok.request),
        "repr(response)": repr(ok),
        "response.request.to_curl()": ok.request.to_curl(),
        "str(exc)": str(exc),
        "repr(exc)": repr(exc),
        "exc.args": repr(exc.args),
        "exc.message": exc.message,
        "exc.request.url": str(exc.request.url),
        "exc.request.headers": repr(list(exc.request.headers.items())),
        "repr(exc.request)": repr(exc.request),
        "exc.request.to_curl()": exc.request.to_curl(),
        "exc.request.to_curl(reveal)": exc.request.to_curl(reveal_credentials=True),
        "repr(exc.response)": repr(exc.response),
        "exc.response.request.headers": repr(
            list(exc.response.request.headers.items()) if exc.response.request else []
        ),
        "exc.response.request.url": str(exc.response.request.url if exc.response.request else ""),
    }
    pickled = pickle.dumps(exc)
    clone = pickle.loads(pickled)
    texts["pickle bytes"] = pickled.decode("latin-1")
    texts["str(unpickled)"] = str(clone)
    texts["repr(unpickled)"] = repr(clone)
    texts["unpickled.request.headers"] = repr(list(clone.request.headers.items()))
    records = [r for r in caplog.records if r.name.startswith("restwright")]
    assert records, "the exchange is logged at DEBUG on the restwright logger"
    texts["caplog.text"] = caplog.text
    for n, record in enumerate(records):
        texts[f"log record {n}"] = record.getMessage() + repr(record.__dict__)
    for label, text in texts.items():
        assert_no_secret(label, text)

    # the unmasked request is still available on purpose
    revealed = ok.request.to_curl(reveal_credentials=True)
    assert SECRET in revealed or BASIC in revealed


def test_credentials_not_in_transport_error(make_client, closed_port, caplog):
    caplog.set_level(logging.DEBUG, logger="restwright")
    api = make_client(
        f"http://127.0.0.1:{closed_port}",
        auth=restwright.APIKeyAuth("api_key", SECRET, location="query"),
        headers={"Authorization": f"Bearer {SECRET}"},
        retry=0,
    )
    with pytest.raises(errors.ConnectError) as info:
        api.get("/x")
    exc = info.value
    for label, text in {
        "str": str(exc),
        "repr": repr(exc),
        "url": str(exc.request.url),
        "headers": repr(list(exc.request.headers.items())),
        "pickle": pickle.dumps(exc).decode("latin-1"),
        "log": caplog.text,
    }.items():
        assert_no_secret(label, text)


def test_explicit_authorization_header_is_masked(make_client, fault_server, caplog):
    """A credential passed as a plain header is recognised and masked too."""
    caplog.set_level(logging.DEBUG, logger="restwright")
    api = make_client(retry=0)
    with pytest.raises(errors.Unauthorized) as info:
        api.get("/status/401", headers={"Authorization": f"Bearer {SECRET}"})
    assert fault_server.requests[0].header("Authorization") == f"Bearer {SECRET}"
    exc = info.value
    for label, text in {
        "str": str(exc),
        "repr": repr(exc),
        "headers": repr(list(exc.request.headers.items())),
        "curl": exc.request.to_curl(),
        "pickle": pickle.dumps(exc).decode("latin-1"),
        "log": caplog.text,
    }.items():
        assert_no_secret(label, text)
