"""Docs fixtures for docs/cli-profiles.md.

* ``cli_profiles``: a config directory of its own (``RESTWRIGHT_CONFIG``) holding the profile
  the page adds on the command line, ``restwright profile add kinto ...`` (run here with
  click's runner), pointing at the real Kinto of the ``kinto`` fixture; ``KINTO_PASSWORD``
  is set in the environment.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from restwright.cli.profiles import profile_group


@pytest.fixture
def cli_profiles(
    kinto: dict[str, object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, object]:
    monkeypatch.setenv("RESTWRIGHT_CONFIG", str(tmp_path / "config"))
    monkeypatch.setenv("KINTO_PASSWORD", "wonderland")
    url = str(kinto["https://kinto.example/v1"])
    command = ["add", "kinto", "--base-url", url, "--user", "alice"]
    command += ["--password-from", "env:KINTO_PASSWORD", "--retry", "3", "--timeout", "10"]
    result = CliRunner().invoke(profile_group, command)
    assert result.exit_code == 0, result.output
    return dict(kinto)
