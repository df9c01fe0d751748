"""The committed ``restwright.mattermost.generated`` is what the generator writes today."""

from __future__ import annotations

from pathlib import Path

from restwright.generator import render_package
from restwright.openapi import load

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "restwright" / "mattermost" / "generated"
DOCUMENT = "mattermost-openapi-v4.yaml"


def test_committed_package_is_up_to_date() -> None:
    document = (PACKAGE / "_spec" / DOCUMENT).read_bytes()
    files, summary = render_package(
        load(document, cache=False), DOCUMENT, document, "restwright.mattermost.generated"
    )
    committed = {
        str(p.relative_to(PACKAGE)): p.read_bytes()
        for p in PACKAGE.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert sorted(committed) == sorted(files)
    stale = [name for name, content in files.items() if committed[name] != content]
    assert not stale, (
        f"regenerate restwright.mattermost (see src/restwright/mattermost/SOURCES.md): {stale}"
    )
    assert summary.operations == 425 and summary.fallbacks == []


def test_methods_and_arguments_are_the_runtime_clients() -> None:
    """Code moves between from_openapi(...) and the package unchanged: same groups, same
    method names, same parameters (plus the body's matterapi aliases)."""
    import importlib
    import inspect

    from restwright.openapi import from_openapi

    runtime = from_openapi(PACKAGE / "_spec" / DOCUMENT, base_url="http://127.0.0.1:9")
    aliases = {"json_body", "multipart_data", "return_response", "download_to"}
    for op in runtime.api.operations:
        module = importlib.import_module(f"restwright.mattermost.generated.api.{op.tag_name}")
        group = next(
            cls
            for name, cls in vars(module).items()
            if name.lower() == op.tag_name.replace("_", "")
        )
        typed = [p for p in inspect.signature(getattr(group, op.name)).parameters if p != "self"]
        dynamic = list(inspect.signature(getattr(runtime.tag(op.tag_name), op.name)).parameters)
        assert [p for p in typed if p not in aliases] == [p for p in dynamic if p not in aliases]


# Run in a fresh interpreter: which model modules are imported, after importing a tag module
# and after one call through Prism (and the violations Prism reported on it).
LAYOUT_PROBE = """
import json, sys
from restwright.mattermost.generated.api import users

def loaded():
    prefix = "restwright.mattermost.generated.models."
    return sorted(m[len(prefix):] for m in sys.modules if m.startswith(prefix))

after_import = loaded()
from restwright.mattermost.generated import Client

violations = []
hooks = {"response": [lambda r: violations.append(r.headers.get("sl-violations") or "")]}
with Client(sys.argv[1], auth="TOKEN", hooks=hooks) as client:
    user = client.users.get_user("me")
print(json.dumps([after_import, loaded(), type(user).__name__, [v for v in violations if v]]))
"""


def test_a_call_imports_only_the_models_it_needs(mattermost_prism: str) -> None:
    """Importing a tag module imports no model; calling get_user imports User and what its
    fields name (its notify props, its timezone), not the package's other 300 models."""
    import json
    import os
    import subprocess
    import sys

    probe = subprocess.run(
        [sys.executable, "-c", LAYOUT_PROBE, mattermost_prism],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(PACKAGE.parents[2])},
    )
    assert probe.returncode == 0, probe.stderr
    after_import, after_call, returned, violations = json.loads(probe.stdout)
    assert after_import == [] and returned == "User" and violations == []
    assert after_call == ["_base", "timezone", "user", "user_notify_props"]


def test_every_model_resolves_its_references() -> None:
    """Each model's validator builds from its own module's names (nothing left unresolved
    by the one-module-per-model layout)."""
    import pydantic

    from restwright.mattermost.generated import models

    for name in models.__all__:
        model = getattr(models, name)
        assert issubclass(model, pydantic.BaseModel)
        model.model_rebuild(force=True)
        assert model.__pydantic_complete__, name
