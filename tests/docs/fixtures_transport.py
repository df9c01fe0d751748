"""Docs fixtures for the transport options of docs/engine.md (client certificates, Unix
domain sockets).

* ``client_cert_server``: the HTTPS server that requires a client certificate
  (``tests/servers/tls_server.py``) as ``https://internal.example``; the docs' file names
  ``company-ca.pem``, ``client.crt``, ``client.key`` and the password ``key password``
  become the test PKI's CA, an encrypted client key and its password.
* ``docker_unix_socket``: the Docker-like server on a Unix socket
  (``tests/servers/unix_server.py``) as ``/var/run/docker.sock``, and Docker Engine's
  Swagger document as ``docker-engine-swagger.yaml``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.servers.app_server import AppServer
from tests.servers.tls_server import KEY_PASSWORD, PKI, make_pki, mtls_server
from tests.servers.unix_server import unix_server

DOCKER_SWAGGER = (
    Path(__file__).resolve().parents[1] / "openapi" / "documents" / "docker-engine-swagger.yaml"
)


@pytest.fixture(scope="session")
def _docs_pki(tmp_path_factory: pytest.TempPathFactory) -> PKI:
    return make_pki(tmp_path_factory.mktemp("docs-pki"))


@pytest.fixture(scope="session")
def _docs_mtls(_docs_pki: PKI) -> Iterator[AppServer]:
    with mtls_server(_docs_pki) as server:
        yield server


@pytest.fixture
def client_cert_server(_docs_pki: PKI, _docs_mtls: AppServer) -> dict[str, object]:
    return {
        "https://internal.example": _docs_mtls.base_url,
        "company-ca.pem": _docs_pki.ca,
        "client.crt": _docs_pki.encrypted_cert,
        "client.key": _docs_pki.encrypted_key,
        "key password": KEY_PASSWORD,
    }


@pytest.fixture(scope="session")
def _docs_unix_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    with unix_server(tmp_path_factory.mktemp("docs-uds")) as server:
        yield server


@pytest.fixture
def docker_unix_socket(_docs_unix_server: AppServer) -> dict[str, object]:
    return {
        "/var/run/docker.sock": _docs_unix_server.unix_path,
        "docker-engine-swagger.yaml": DOCKER_SWAGGER,
    }
