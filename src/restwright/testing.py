"""pytest support for code that calls APIs through restwright: record once, replay offline.

Enable it in a ``conftest.py`` with ``pytest_plugins = ["restwright.testing"]`` (or run
``pytest -p restwright.testing``).  The ``restwright_cassette`` fixture is a
:class:`~restwright.transports.cassette.Cassette` named after the test, stored in
``cassettes/<test module>/<test name>.json`` beside the test file and saved when the test
ends; give its transport to any restwright client::

    def test_me(restwright_cassette):
        with restwright.Client(URL, transport=restwright_cassette.transport()) as api:
            assert api.get("/users/me").json()["name"] == "me"

The first run records (against the real server), later runs replay without a network.
``@pytest.mark.restwright_cassette("name", mode=..., match_on=...)`` picks another file
name or options; ``--restwright-record=MODE`` forces a mode for the whole run (``replay``
in CI makes a missing recording fail instead of reaching the network).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .transports.cassette import MODES, Cassette

OPTION = "--restwright-record"
MARKER = "restwright_cassette"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        OPTION,
        choices=MODES,
        default=None,
        help="cassette mode for every restwright_cassette (default: each test's own, 'once')",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(name=None, *, mode='once', match_on=...): the cassette of this test",
    )


def cassette_path(node: pytest.Item, name: str | None = None) -> Path:
    """Where a test's cassette lives: ``cassettes/<module>/<name>.json`` beside the test."""
    test_file = Path(str(node.path))
    stem = name or re.sub(r"[^\w.-]+", "_", node.name).strip("_")
    if not Path(stem).suffix:
        stem += ".json"
    return test_file.parent / "cassettes" / test_file.stem / stem


@pytest.fixture
def restwright_cassette(request: pytest.FixtureRequest) -> Iterator[Cassette]:
    """The test's cassette (see the module docs); saved when the test ends."""
    marker = request.node.get_closest_marker(MARKER)
    args: tuple[Any, ...] = marker.args if marker else ()
    options: dict[str, Any] = dict(marker.kwargs) if marker else {}
    forced = request.config.getoption(OPTION)
    if forced:
        options["mode"] = forced
    cassette = Cassette(cassette_path(request.node, args[0] if args else None), **options)
    yield cassette
    cassette.save()


__all__ = ["cassette_path", "restwright_cassette"]
