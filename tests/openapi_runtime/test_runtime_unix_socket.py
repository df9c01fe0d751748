"""The runtime client over a Unix domain socket: Docker Engine's own Swagger document
(``tests/openapi/documents/docker-engine-swagger.yaml``) drives a Docker-like server
listening on a socket in a temp folder (``tests/servers/unix_server.py``)."""

from __future__ import annotations

import io

import pytest
from tests.servers.unix_server import API_VERSION, CONTAINERS, LOG_LINES, unix_server

from ._support import call
from .conftest import DOCUMENTS

DOCKER = DOCUMENTS / "docker-engine-swagger.yaml"


@pytest.fixture(scope="module")
def docker_socket(tmp_path_factory):
    with unix_server(tmp_path_factory.mktemp("docker")) as server:
        yield server.unix_path


@pytest.fixture
def docker(make_client, docker_socket):
    return make_client(DOCKER, base_url=f"http://localhost/v{API_VERSION}", uds=docker_socket)


async def test_ping_and_version(docker):
    assert await call(docker.system.system_ping) == "OK"
    version = await call(docker.system.system_version)
    assert (version["ApiVersion"], version["Os"]) == (API_VERSION, "linux")


async def test_list_containers(docker):
    running = await call(docker.container.container_list)
    assert [c["Names"] for c in running] == [["/web"], ["/db"]]
    assert await call(docker.container.container_list, all=True) == CONTAINERS
    assert len(await call(docker.container.container_list, all=True, limit=1)) == 1


async def test_logs_streamed_to_a_file(docker):
    sink = io.BytesIO()
    await call(docker.container.container_logs, "1" * 12, tail="5", download_to=sink)
    assert sink.getvalue() == b"".join(LOG_LINES[-5:])


async def test_a_docker_error_is_mapped(docker):
    from restwright.errors import NotFound

    with pytest.raises(NotFound, match="No such container: 9999"):
        await call(docker.container.container_logs, "9999", stdout=True)
