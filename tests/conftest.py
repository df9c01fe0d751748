"""Generic fixtures shared by every test package.

* ``fault_server`` / ``other_server``: two real HTTP servers (two origins) from
  :mod:`servers.fault_server`, started once per session and reset before each test.
* ``client_kind``: parametrizes a test over ``"sync"`` and ``"async"``.
* ``closed_port``: a 127.0.0.1 port nothing listens on.
* ``session_kinto``: one real Kinto (memory backend) for the whole session, its URL; areas
  that need an empty server flush it (``tests.servers.kinto_server.flush``).
* every session gets its own OpenAPI description cache directory (``RESTWRIGHT_CACHE_DIR``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

try:  # ``tests`` is a package (rootdir on sys.path) ...
    from tests.servers.fault_server import FaultServer
    from tests.servers.kinto_server import find_kinto_bin, kinto_server
    from tests.servers.processes import free_port
except ImportError:  # ... or not: pytest put this directory on sys.path
    from servers.fault_server import FaultServer
    from servers.kinto_server import find_kinto_bin, kinto_server
    from servers.processes import free_port


@pytest.fixture(scope="session")
def _fault_servers() -> Iterator[tuple[FaultServer, FaultServer]]:
    primary = FaultServer("primary")
    other = FaultServer("other")
    primary.start()
    try:
        other.start()
    except BaseException:
        primary.stop()
        raise
    primary.peer = other
    other.peer = primary
    try:
        yield primary, other
    finally:
        other.stop()
        primary.stop()


@pytest.fixture
def fault_server(_fault_servers: tuple[FaultServer, FaultServer]) -> Iterator[FaultServer]:
    """The primary fault server, with its records and per-key state cleared."""
    primary, other = _fault_servers
    primary.reset()
    other.reset()
    yield primary
    assert not primary.errors, f"fault server handler crashed: {primary.errors!r}"


@pytest.fixture
def other_server(
    _fault_servers: tuple[FaultServer, FaultServer], fault_server: FaultServer
) -> Iterator[FaultServer]:
    """The same app on another port: another origin (``fault_server.peer``)."""
    _, other = _fault_servers
    yield other
    assert not other.errors, f"other fault server handler crashed: {other.errors!r}"


@pytest.fixture(params=["sync", "async"])
def client_kind(request: pytest.FixtureRequest) -> str:
    """``"sync"`` then ``"async"``: write a behaviour test once, run it for both clients."""
    return str(request.param)


@pytest.fixture
def closed_port() -> int:
    return free_port()


@pytest.fixture(scope="session", autouse=True)
def _description_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One description cache for the whole session (never the user's own cache)."""
    cache = tmp_path_factory.mktemp("description-cache")
    old = os.environ.get("RESTWRIGHT_CACHE_DIR")
    os.environ["RESTWRIGHT_CACHE_DIR"] = str(cache)
    try:
        yield cache
    finally:
        if old is None:
            os.environ.pop("RESTWRIGHT_CACHE_DIR", None)
        else:
            os.environ["RESTWRIGHT_CACHE_DIR"] = old


@pytest.fixture(scope="session")
def session_kinto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Kinto on 127.0.0.1 shared by every area that needs a plain one (skipped when
    Kinto is not installed)."""
    try:
        find_kinto_bin()
    except FileNotFoundError as exc:
        pytest.skip(str(exc))
    with kinto_server(tmp_path_factory.mktemp("kinto")) as url:
        yield url
