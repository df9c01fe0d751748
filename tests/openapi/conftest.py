"""Fixtures of the OpenAPI loader suite.

* ``documents``: the folder of small fixture documents (petstores in Swagger 2.0, OpenAPI
  3.0 and 3.1 sharing ``common.yaml``; a Kinto-style Swagger document).
* ``doc_server``: a tiny ``http.server`` on 127.0.0.1 serving that folder (module-scoped,
  stopped afterwards); ``doc_server.url("petstore-v3.0.yaml")``.
* ``serve``: ``serve(directory)`` starts another such server for the test's own files.
* ``shared_specs``: the folder of the real documents (Mattermost, GitHub) next to the
  repository, or a skip when it is absent.
* Every test gets its own cache directory (``RESTWRIGHT_CACHE_DIR``), so nothing is
  written to the user's cache and tests do not see each other's entries.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

DOCUMENTS = Path(__file__).resolve().parent / "documents"
SHARED_SPECS = Path(__file__).resolve().parents[2].parent / "shared" / "specs"


class DocServer:
    """A threaded static file server for the fixture documents."""

    def __init__(self, directory: Path) -> None:
        handler = functools.partial(_QuietHandler, directory=str(directory))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, name: str = "") -> str:
        return f"http://127.0.0.1:{self.port}/{name}"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def documents() -> Path:
    return DOCUMENTS


@pytest.fixture(scope="module")
def doc_server() -> Iterator[DocServer]:
    server = DocServer(DOCUMENTS)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def serve() -> Iterator[Callable[[Path], DocServer]]:
    servers: list[DocServer] = []

    def start(directory: Path) -> DocServer:
        server = DocServer(directory)
        server.start()
        servers.append(server)
        return server

    try:
        yield start
    finally:
        for server in servers:
            server.stop()


@pytest.fixture(scope="session")
def shared_specs() -> Path:
    if not SHARED_SPECS.is_dir():
        pytest.skip(f"the shared specs folder is absent ({SHARED_SPECS})")
    return SHARED_SPECS


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache_dir = tmp_path / "restwright-cache"
    monkeypatch.setenv("RESTWRIGHT_CACHE_DIR", str(cache_dir))
    return cache_dir
