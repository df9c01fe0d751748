"""Fixtures of the runtime-client suite (``restwright.from_openapi``).

* ``prism``: ``prism(document_path) -> base_url`` starts one Prism mock server per document
  (``tests/servers/prism.py``) and keeps it for the session; tests skip when Prism is not
  installed.
* ``violations``: a list that the ``prism_hooks`` response hook fills with every
  ``sl-violations`` header Prism sends; tests through Prism assert it stays empty (the
  ``no_violations`` fixture does so at teardown).
* ``kinto_url``: a real Kinto server for the session (``tests/servers/kinto_server.py``).
* ``mattermost_doc``: the Mattermost OpenAPI document next to the repository (skip if
  absent).
* ``client_kind`` (from the root conftest) runs a test for the sync and async clients;
  ``make_client`` builds the right one and closes it at teardown, and :func:`call` (in
  ``_support``) awaits an operation's result when it is a coroutine.
* The description cache directory of the session comes from the root conftest.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # the launchers are imported as tests.servers.*
    sys.path.insert(0, str(ROOT))

from tests.servers.prism import VIOLATIONS_HEADER, find_prism, prism_mock  # noqa: E402

DOCUMENTS = ROOT / "tests" / "openapi" / "documents"
PRISM_DOCUMENTS = DOCUMENTS / "prism"
SHARED_SPECS = ROOT.parent / "shared" / "specs"
MATTERMOST = SHARED_SPECS / "mattermost-openapi-v4.yaml"


@pytest.fixture(scope="session")
def _prism_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[Path], str]]:
    try:
        find_prism()
    except FileNotFoundError as exc:
        pytest.skip(str(exc))
    logs = tmp_path_factory.mktemp("prism-logs")
    started: dict[Path, str] = {}
    with ExitStack() as stack:

        def start(document: Path) -> str:
            key = Path(document).resolve()
            if key not in started:
                started[key] = stack.enter_context(prism_mock(key, log_dir=logs))
            return started[key]

        yield start


@pytest.fixture
def prism(_prism_servers: Callable[[Path], str]) -> Callable[[Path], str]:
    """``prism(document) -> base_url``: the session's Prism mock of that document."""
    return _prism_servers


@pytest.fixture
def violations() -> list[str]:
    return []


@pytest.fixture
def prism_hooks(violations: list[str]) -> dict[str, list[Callable[[Any], None]]]:
    """Engine hooks recording Prism's ``sl-violations`` headers into ``violations``."""

    def record(response: Any) -> None:
        value = response.headers.get(VIOLATIONS_HEADER)
        if value:
            violations.append(f"{response.request.method} {response.request.target}: {value}")

    return {"response": [record]}


@pytest.fixture
def no_violations(violations: list[str]) -> Iterator[None]:
    yield
    assert not violations, f"Prism reported request violations: {violations}"


@pytest.fixture
async def make_client(client_kind: str) -> AsyncIterator[Callable[..., Any]]:
    """``make_client(source, **kw)``: ``from_openapi`` or ``from_openapi_async`` per
    ``client_kind``; every client made is closed at teardown."""
    from restwright.openapi.runtime import from_openapi, from_openapi_async

    made: list[Any] = []

    def make(source: Any, **kwargs: Any) -> Any:
        factory = from_openapi if client_kind == "sync" else from_openapi_async
        client = factory(source, **kwargs)
        made.append(client)
        return client

    yield make
    for client in made:
        if client_kind == "sync":
            client.close()
        else:
            await client.aclose()


@pytest.fixture(scope="session")
def mattermost_doc() -> Path:
    if not MATTERMOST.is_file():
        pytest.skip(f"the Mattermost document is absent ({MATTERMOST})")
    return MATTERMOST


@pytest.fixture(scope="session")
def kinto_url(session_kinto: str) -> str:
    return session_kinto


@pytest.fixture(scope="session")
def mattermost_login_url() -> Iterator[str]:
    """A server that logs users in as Mattermost does (``tests/servers/mattermost_login.py``)."""
    from tests.servers.mattermost_login import mattermost_login_server

    with mattermost_login_server() as url:
        yield url
