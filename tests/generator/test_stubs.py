"""``restwright stubs``: .pyi stubs that type the runtime client of one document."""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from restwright.cli import main
from restwright.openapi import from_openapi

from .conftest import run_mypy

ROOT = Path(__file__).resolve().parents[2]
PETSTORE = ROOT / "tests" / "openapi" / "documents" / "prism" / "petstore-3.0.yaml"
MATTERMOST = ROOT / "src" / "restwright" / "mattermost" / "generated" / "_spec"

USE_OK = """
from typing import TYPE_CHECKING, Any, cast

import restwright

if TYPE_CHECKING:
    from petstore_types import Client


def run(url: str) -> list[dict[str, Any]]:
    pets = cast("Client", restwright.from_openapi("petstore.yaml", base_url=url))
    pet = pets.pets.get_pet_by_id(1, if_none_match='"v1"')
    print(pet["name"])
    return pets.pets.list_pets(x_request_id="r", session="s", limit=2, status=["sold"])
"""

USE_BAD = """
from typing import TYPE_CHECKING, cast

import restwright

if TYPE_CHECKING:
    from petstore_types import Client

pets = cast("Client", restwright.from_openapi("petstore.yaml"))
pets.pets.get_pet_by_idd(1)
pets.pets.list_pets(x_request_id="r", session="s", limit="two")
pets.pets.list_pets(session="s")
pets.pets.list_pets(x_request_id="r", session="s", status=["lost"])
"""


def _mypy(directory: Path, module: str) -> subprocess.CompletedProcess[str]:
    return run_mypy(directory, str(directory / module), path=directory)


@pytest.fixture
def stubs(tmp_path: Path) -> Path:
    out = tmp_path / "petstore_types.pyi"
    result = CliRunner().invoke(main, ["stubs", str(PETSTORE), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_stubs_check_calls_of_the_runtime_client(stubs: Path) -> None:
    (stubs.parent / "use_ok.py").write_text(USE_OK)
    (stubs.parent / "use_bad.py").write_text(USE_BAD)
    ok = _mypy(stubs.parent, "use_ok.py")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    bad = _mypy(stubs.parent, "use_bad.py")
    assert bad.returncode == 1
    errors = [line for line in bad.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 4, bad.stdout
    assert '"Pets" has no attribute "get_pet_by_idd"' in bad.stdout
    assert (
        'Argument "limit"' in bad.stdout and 'Missing named argument "x_request_id"' in bad.stdout
    )
    assert "Literal['available', 'pending', 'sold']" in bad.stdout


def test_stub_signatures_are_the_runtime_clients(stubs: Path) -> None:
    client = from_openapi(PETSTORE, base_url="http://127.0.0.1:9")
    tree = ast.parse(stubs.read_text())
    seen = 0
    for node in tree.body:
        if not isinstance(node, ast.ClassDef) or node.name.startswith(("Async", "Client")):
            continue
        group = client.tag(node.name.lower())
        for method in node.body:
            assert isinstance(method, ast.FunctionDef)
            runtime = inspect.signature(getattr(group, method.name))
            declared = [a.arg for a in method.args.args[1:] + method.args.kwonlyargs]
            # The body's aliases (matterapi's json_body=, multipart_data=) are accepted by
            # the runtime client but not shown in its signature.
            declared = [n for n in declared if n not in ("json_body", "multipart_data")]
            assert declared == [
                name
                for name in runtime.parameters
                if name not in ("return_response", "download_to")
            ], method.name
            seen += 1
    assert seen == len(client.operations)


def test_mattermost_stubs_pass_mypy_strict(tmp_path: Path) -> None:
    out = tmp_path / "mattermost_types.pyi"
    spec = MATTERMOST / "mattermost-openapi-v4.yaml"
    result = subprocess.run(
        [sys.executable, "-m", "restwright", "stubs", str(spec), "-o", str(out)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    checked = _mypy(tmp_path, "mattermost_types.pyi")
    assert checked.returncode == 0, checked.stdout
