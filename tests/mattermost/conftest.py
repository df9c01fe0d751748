"""Fixtures of the Mattermost client suite.

* ``mattermost_prism``: Prism mocking the document shipped in ``restwright.mattermost``
  (one per session; skip when Prism is not installed).
* ``login_prism``: Prism on a copy of that document whose login operation is what a real
  Mattermost does: no credentials required (the document inherits the global bearer
  requirement) and a ``Token`` header in the answer (the document leaves it out, so Prism
  would not send one).
* ``violations``/``prism_options``: engine hooks recording Prism's ``sl-violations``;
  ``no_violations`` asserts at teardown that there were none.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.servers.prism import VIOLATIONS_HEADER, find_prism, prism_mock  # noqa: E402

DOCUMENT = (
    ROOT
    / "src"
    / "restwright"
    / "mattermost"
    / "generated"
    / "_spec"
    / "mattermost-openapi-v4.yaml"
)
LOGIN_TOKEN = "token-from-login"


@pytest.fixture(scope="session")
def _prisms(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    try:
        find_prism()
    except FileNotFoundError as exc:
        pytest.skip(str(exc))
    logs = tmp_path_factory.mktemp("prism-logs")
    document = yaml.safe_load(DOCUMENT.read_text(encoding="utf-8"))
    login = document["paths"]["/api/v4/users/login"]["post"]
    login["security"] = []  # the document inherits the global bearer requirement
    created = login["responses"]["201"]
    created["headers"] = {"Token": {"schema": {"type": "string", "example": LOGIN_TOKEN}}}
    login_doc = tmp_path_factory.mktemp("login-doc") / "mattermost-login.yaml"
    login_doc.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    with ExitStack() as stack:
        yield {
            "plain": stack.enter_context(prism_mock(DOCUMENT, log_dir=logs)),
            "login": stack.enter_context(prism_mock(login_doc, log_dir=logs)),
        }


@pytest.fixture
def mattermost_prism(_prisms: dict[str, str]) -> str:
    return _prisms["plain"]


@pytest.fixture
def login_prism(_prisms: dict[str, str]) -> str:
    return _prisms["login"]


@pytest.fixture
def violations() -> list[str]:
    return []


@pytest.fixture
def prism_options(violations: list[str]) -> dict[str, Any]:
    """``client_options`` recording Prism's violations (and every request's headers)."""

    def record(response: Any) -> None:
        value = response.headers.get(VIOLATIONS_HEADER)
        if value:
            violations.append(f"{response.request.method} {response.request.target}: {value}")

    hooks: dict[str, list[Callable[[Any], None]]] = {"response": [record]}
    return {"hooks": hooks}


@pytest.fixture
def no_violations(violations: list[str]) -> Iterator[None]:
    yield
    assert not violations, f"Prism reported request violations: {violations}"
