"""An HTTPS server on 127.0.0.1 that requires a client certificate, and the test PKI for it.

:func:`make_pki` writes into a folder, with ``cryptography``: a test CA, the server's
certificate (for ``127.0.0.1`` and ``localhost``), client certificates signed by that CA
(a combined PEM file, a certificate with a separate key, one with an encrypted key) and a
client certificate from *another* CA, which the server must refuse.

:func:`mtls_server` serves, over TLS that requires a client certificate of the test CA:

``/whoami``
    ``{"client": <the client certificate's common name>, "method": ..., "path": ...}``
``/upload``
    ``{"size": <bytes of the request body>}`` (any method).

This module imports nothing from pytest.
"""

from __future__ import annotations

import datetime
import ssl
from pathlib import Path
from typing import NamedTuple

from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from .app_server import AppServer

__all__ = ["KEY_PASSWORD", "PKI", "make_pki", "mtls_server"]

KEY_PASSWORD = "k3y-passw0rd"

_Key = ec.EllipticCurvePrivateKey


class PKI(NamedTuple):
    """Paths of the files :func:`make_pki` writes."""

    ca: Path  # the test CA's certificate: what clients trust and the server checks
    server_cert: Path
    server_key: Path
    client_pem: Path  # certificate and key in one file
    client_cert: Path
    client_key: Path
    encrypted_cert: Path
    encrypted_key: Path  # encrypted with KEY_PASSWORD
    stranger_cert: Path  # signed by another CA
    stranger_key: Path


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(
    common_name: str, key: _Key, issuer: tuple[x509.Certificate, _Key] | None, *, role: str
) -> x509.Certificate:
    """A certificate for ``key``: ``role`` is ``"ca"``, ``"server"`` or ``"client"``;
    ``issuer`` None makes it self-signed."""
    now = datetime.datetime.now(datetime.timezone.utc)
    issuer_name, signing_key = (issuer[0].subject, issuer[1]) if issuer else (None, key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(issuer_name or _name(common_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=role == "ca", path_length=None), critical=True)
    )
    if role == "server":
        import ipaddress

        names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
    elif role == "client":
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False
        )
    return builder.sign(signing_key, hashes.SHA256())


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _key_pem(key: _Key, password: str | None = None) -> bytes:
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password.encode())
        if password
        else serialization.NoEncryption()
    )
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )


def make_pki(directory: Path) -> PKI:
    """Write the test CA, the server's and the clients' certificates into ``directory``."""

    def issue(common_name: str, ca: tuple[x509.Certificate, _Key], role: str) -> tuple[bytes, _Key]:
        key = ec.generate_private_key(ec.SECP256R1())
        return _pem(_certificate(common_name, key, ca, role=role)), key

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (_certificate("restwright test CA", ca_key, None, role="ca"), ca_key)
    other_key = ec.generate_private_key(ec.SECP256R1())
    other_ca = (_certificate("another CA", other_key, None, role="ca"), other_key)

    pki = PKI(*(directory / name for name in PKI._fields))
    pki.ca.write_bytes(_pem(ca[0]))
    server_pem, server_key = issue("localhost", ca, "server")
    pki.server_cert.write_bytes(server_pem)
    pki.server_key.write_bytes(_key_pem(server_key))
    client_pem, client_key = issue("client-one", ca, "client")
    pki.client_cert.write_bytes(client_pem)
    pki.client_key.write_bytes(_key_pem(client_key))
    pki.client_pem.write_bytes(client_pem + _key_pem(client_key))
    encrypted_pem, encrypted_key = issue("client-encrypted", ca, "client")
    pki.encrypted_cert.write_bytes(encrypted_pem)
    pki.encrypted_key.write_bytes(_key_pem(encrypted_key, KEY_PASSWORD))
    stranger_pem, stranger_key = issue("stranger", other_ca, "client")
    pki.stranger_cert.write_bytes(stranger_pem)
    pki.stranger_key.write_bytes(_key_pem(stranger_key))
    return pki


async def _whoami(request: web.Request) -> web.Response:
    assert request.transport is not None
    peer = request.transport.get_extra_info("peercert") or {}
    fields = dict(field for rdn in peer.get("subject", ()) for field in rdn)
    return web.json_response(
        {"client": fields.get("commonName"), "method": request.method, "path": request.path}
    )


async def _upload(request: web.Request) -> web.Response:
    size = 0
    async for chunk in request.content.iter_any():
        size += len(chunk)
    return web.json_response({"size": size})


def mtls_server(pki: PKI, unix_path: Path | None = None) -> AppServer:
    """The HTTPS server (not started) that requires a client certificate of the test CA,
    on 127.0.0.1 or, with ``unix_path``, on that Unix domain socket."""
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=str(pki.ca))
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.load_cert_chain(pki.server_cert, pki.server_key)
    app = web.Application()
    app.router.add_get("/whoami", _whoami)
    app.router.add_route("*", "/upload", _upload)
    return AppServer(app, name="mtls-server", ssl_context=ctx, unix_path=unix_path)
