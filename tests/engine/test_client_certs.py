"""Client certificates (mutual TLS) on a real HTTPS server that requires one.

The server (``tests/servers/tls_server.py``) trusts only client certificates of the test CA
the fixtures make; every test runs with the sync and the async client.
"""

from __future__ import annotations

import logging
import pickle
import shutil
import ssl
import traceback

import httpx
import pytest

import restwright
from restwright import errors
from restwright.transports import (
    AsyncHTTPXTransport,
    AsyncSocketTransport,
    HTTPXTransport,
    SocketTransport,
)

try:
    from tests.servers.connect_proxy import ConnectProxy
    from tests.servers.tls_server import KEY_PASSWORD, PKI, make_pki, mtls_server
except ImportError:
    from servers.connect_proxy import ConnectProxy  # type: ignore[no-redef]
    from servers.tls_server import (  # type: ignore[no-redef]
        KEY_PASSWORD,
        PKI,
        make_pki,
        mtls_server,
    )


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> PKI:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def mtls(pki):
    with mtls_server(pki) as server:
        yield server


@pytest.fixture
def connect_proxy():
    with ConnectProxy() as proxy:
        yield proxy


def _cert_forms(pki: PKI) -> dict[str, object]:
    return {
        "pem-file": str(pki.client_pem),
        "pair": (pki.client_cert, pki.client_key),
        "pair-with-password": (pki.encrypted_cert, pki.encrypted_key, KEY_PASSWORD),
    }


@pytest.mark.parametrize("form", ["pem-file", "pair", "pair-with-password"])
def test_the_server_sees_the_client_certificate(make_client, mtls, pki, form):
    api = make_client(mtls.base_url, verify=str(pki.ca), cert=_cert_forms(pki)[form], retry=0)
    body = api.get("/whoami").json()
    expected = "client-encrypted" if form == "pair-with-password" else "client-one"
    assert body == {"client": expected, "method": "GET", "path": "/whoami"}


def test_a_request_body_goes_over_mutual_tls(make_client, mtls, pki):
    api = make_client(mtls.base_url, verify=str(pki.ca), cert=str(pki.client_pem), retry=0)
    body = b"x" * 300_000
    assert api.post("/upload", content=body).json() == {"size": len(body)}


def test_an_ssl_context_given_as_verify_carries_the_certificate(make_client, mtls, pki):
    ctx = ssl.create_default_context(cafile=str(pki.ca))
    ctx.load_cert_chain(pki.client_cert, pki.client_key)
    api = make_client(mtls.base_url, verify=ctx, retry=0)
    assert api.get("/whoami").json()["client"] == "client-one"


@pytest.mark.parametrize("who", ["no certificate", "another CA"])
def test_the_server_refuses_the_connection(make_client, mtls, pki, who):
    cert = None if who == "no certificate" else (pki.stranger_cert, pki.stranger_key)
    api = make_client(mtls.base_url, verify=str(pki.ca), cert=cert, retry=0)
    with pytest.raises(errors.ReadError) as caught:  # TLS 1.3: refused after the handshake
        api.get("/whoami")
    assert caught.value.request is not None
    assert caught.value.request.url == f"{mtls.base_url}/whoami"


def test_the_certificate_is_loaded_once_when_the_client_is_built(make_client, mtls, pki, tmp_path):
    """The files may go away after construction: every new connection (a clone, a closed
    connection) uses the certificate loaded then."""
    for source in (pki.encrypted_cert, pki.encrypted_key):
        shutil.copy(source, tmp_path / source.name)
    cert = (tmp_path / "encrypted_cert", tmp_path / "encrypted_key", KEY_PASSWORD)
    api = make_client(mtls.base_url, verify=str(pki.ca), cert=cert, retry=0)
    (tmp_path / "encrypted_cert").unlink()
    (tmp_path / "encrypted_key").unlink()
    assert api.get("/whoami").json()["client"] == "client-encrypted"
    clone = api.with_options(headers={"Connection": "close"})
    assert clone.get("/whoami").json()["client"] == "client-encrypted"
    assert clone.get("/whoami").json()["client"] == "client-encrypted"


def test_mutual_tls_through_a_connect_proxy(make_client, mtls, pki, connect_proxy):
    """The tunnel is opened with CONNECT, then TLS (with the client certificate) is
    negotiated with the origin through it."""
    origin = f"https://localhost:{mtls.port}"
    api = make_client(
        origin, verify=str(pki.ca), cert=str(pki.client_pem), proxy=connect_proxy.url, retry=0
    )
    assert api.get("/whoami").json()["client"] == "client-one"
    assert connect_proxy.tunnels == [(f"localhost:{mtls.port}", None)]


def test_mutual_tls_over_a_unix_socket(make_client, pki, tmp_path):
    with mtls_server(pki, unix_path=tmp_path / "tls.sock") as server:
        api = make_client(
            server.base_url, uds=server.unix_path, verify=str(pki.ca), cert=str(pki.client_pem)
        )
        assert server.base_url == "https://localhost"
        assert api.get("/whoami").json()["client"] == "client-one"
        api.close()


def test_the_httpx_adapter_with_httpx_own_client_certificate(make_client, client_kind, mtls, pki):
    """With ``transport=``, the certificate is the httpx client's business (an SSLContext)."""
    ctx = ssl.create_default_context(cafile=str(pki.ca))
    ctx.load_cert_chain(pki.client_pem)
    if client_kind == "sync":
        transport = HTTPXTransport(httpx.Client(verify=ctx))
    else:
        transport = AsyncHTTPXTransport(httpx.AsyncClient(verify=ctx))
    api = make_client(mtls.base_url, transport=transport, retry=0)
    try:
        assert api.get("/whoami").json()["client"] == "client-one"
    finally:
        api.run(transport.aclose() if api.is_async else transport.close())


def test_a_pickled_client_loads_its_certificate_again(mtls, pki):
    """Clients travel to worker processes as their settings: the copy reads the files."""
    cert = (pki.encrypted_cert, pki.encrypted_key, KEY_PASSWORD)
    with restwright.Client(mtls.base_url, verify=str(pki.ca), cert=cert, retry=0) as client:
        assert client.get("/whoami").json()["client"] == "client-encrypted"
        copy = pickle.loads(pickle.dumps(client))
    with copy:
        assert copy.get("/whoami").json()["client"] == "client-encrypted"


# -- errors at construction -----------------------------------------------------------------


def _construct(kind: str, **options):
    cls = restwright.Client if kind == "sync" else restwright.AsyncClient
    return cls("https://127.0.0.1:9", **options)


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_wrong_password_fails_at_construction_without_showing_it(pki, kind, caplog):
    caplog.set_level(logging.DEBUG)
    password = "wrong-" + "s3cret"  # the traceback shows the calling line, not the value
    with pytest.raises(errors.ClientCertificateError) as caught:
        _construct(kind, cert=(pki.encrypted_cert, pki.encrypted_key, password))
    assert "wrong password" in str(caught.value)
    assert str(pki.encrypted_key) in str(caught.value)
    shown = [
        str(caught.value),
        repr(caught.value),
        caplog.text,
        "".join(traceback.format_exception(caught.value)),
    ]
    assert not any("wrong-s3cret" in text for text in shown)


def test_an_encrypted_key_without_password_asks_for_it(pki):
    with pytest.raises(errors.ClientCertificateError, match="is encrypted"):
        _construct("sync", cert=(pki.encrypted_cert, pki.encrypted_key))


@pytest.mark.parametrize(
    ("cert", "message"),
    [
        ("{dir}/missing.pem", "cannot read the client certificate file '{dir}/missing.pem'"),
        (("{client_cert}", "{dir}/missing.key"), "cannot read the client key file"),
        ("{ca}", "not a PEM certificate with its key"),
        (("{client_cert}", "{stranger_key}"), "does not match the certificate"),
        (("{client_cert}",), "not a tuple of 1 items"),
    ],
)
def test_unusable_certificates_fail_at_construction(pki, tmp_path, cert, message):
    names = {"dir": tmp_path, **pki._asdict()}
    cert = cert.format(**names) if isinstance(cert, str) else tuple(c.format(**names) for c in cert)
    with pytest.raises(errors.ClientCertificateError, match=message.format(**names)):
        _construct("sync", cert=cert)


def test_the_password_stays_out_of_the_client_and_its_transport(pki):
    with restwright.Client(
        "https://127.0.0.1:9", cert=(pki.encrypted_cert, pki.encrypted_key, KEY_PASSWORD)
    ) as client:
        seen = [repr(client), repr(vars(client)), repr(vars(client._transport))]
    assert not any(KEY_PASSWORD in text for text in seen)


@pytest.mark.parametrize("transport", [SocketTransport, AsyncSocketTransport])
def test_the_transports_take_cert_too(pki, transport):
    with pytest.raises(errors.ClientCertificateError, match="wrong password"):
        transport(cert=(pki.encrypted_cert, pki.encrypted_key, "nope"))


def test_cert_with_an_ssl_context_as_verify_is_refused(pki):
    with pytest.raises(errors.ClientCertificateError, match="load the certificate into"):
        _construct("sync", verify=ssl.create_default_context(), cert=str(pki.client_pem))


def test_cert_with_a_custom_transport_is_refused(pki):
    with pytest.raises(ValueError, match="transport="):
        _construct("sync", transport=SocketTransport(), cert=str(pki.client_pem))
