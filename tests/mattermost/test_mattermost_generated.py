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
