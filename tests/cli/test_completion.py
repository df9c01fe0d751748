"""Shell completion: the scripts ``restwright completion SHELL`` prints, driven by a real
bash, and click's completion protocol for zsh and fish: commands, tags, operations and
parameter names read from the description."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from .conftest import PETSTORE, Run, run_process


@pytest.fixture
def on_path(tmp_path: Path, cli_env: dict[str, str]) -> dict[str, str]:
    """An environment where ``restwright`` is this tree's command line (a wrapper script
    around ``python -m restwright``, as the console script would be)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    wrapper = bin_dir / "restwright"
    wrapper.write_text(f'#!/bin/sh\nexec {sys.executable} -m restwright "$@"\n')
    wrapper.chmod(0o755)
    return {**cli_env, "PATH": f"{bin_dir}{os.pathsep}{cli_env['PATH']}"}


def bash_complete(env: dict[str, str], line: str, cwd: Path) -> list[str]:
    """What bash offers at the end of ``line`` (the completion function of the script
    ``restwright completion bash`` prints, run by bash itself)."""
    words = line.split(" ")
    script = (
        'eval "$(restwright completion bash)"\n'
        f"COMP_WORDS=({' '.join(repr(w) for w in words)})\n"
        f"COMP_CWORD={len(words) - 1}\n"
        '_restwright_completion restwright\nprintf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    done = run_process(["bash", "--norc", "--noprofile", "-c", script], env, cwd)
    assert done.returncode == 0, done.stderr
    return [line for line in done.stdout.splitlines() if line]


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_completes_commands_tags_operations_and_parameters(
    on_path: dict[str, str], tmp_path: Path
) -> None:
    assert {"get", "generate"} <= set(bash_complete(on_path, "restwright ge", tmp_path))
    spec = str(PETSTORE)
    assert bash_complete(on_path, f"restwright {spec} p", tmp_path) == ["pets"]
    ops = bash_complete(on_path, f"restwright {spec} pets get", tmp_path)
    assert ops == ["get_pet_by_id"]
    params = bash_complete(on_path, f"restwright {spec} pets list_pets ", tmp_path)
    assert {"limit=", "tags=", "status=", "x_request_id=", "session="} <= set(params)
    given = bash_complete(on_path, f"restwright {spec} pets list_pets limit=3 ", tmp_path)
    assert "limit=" not in given and "session=" in given
    body = bash_complete(on_path, f"restwright {spec} pets create_pet ", tmp_path)
    assert "name=" in body  # a field of the JSON body
    by_id = bash_complete(on_path, f"restwright call {spec} listP", tmp_path)
    assert by_id == ["listPets"]
    after_id = bash_complete(on_path, f"restwright call {spec} listPets li", tmp_path)
    assert after_id == ["limit="]


def test_zsh_and_fish_scripts_and_protocol(restwright: Run) -> None:
    for shell, marker in (
        ("zsh", "#compdef restwright"),
        ("fish", "complete --no-files --command restwright"),
    ):
        script = restwright("completion", shell)
        assert script.returncode == 0
        assert marker in script.stdout
    spec = str(PETSTORE)
    zsh = restwright(
        env={
            "_RESTWRIGHT_COMPLETE": "zsh_complete",
            "COMP_WORDS": f"restwright {spec} pets ",
            "COMP_CWORD": "3",
        },
    )
    assert "plain\nlist_pets\nList pets" in zsh.stdout
    fish = restwright(
        env={
            "_RESTWRIGHT_COMPLETE": "fish_complete",
            "COMP_WORDS": f"restwright {spec} sto",
            "COMP_CWORD": "sto",
        },
    )
    assert fish.stdout.splitlines() == ["plain,store"]


def test_completion_of_an_unreadable_description_offers_nothing(restwright: Run) -> None:
    done = restwright(
        env={
            "_RESTWRIGHT_COMPLETE": "bash_complete",
            "COMP_WORDS": "restwright nowhere.yaml ",
            "COMP_CWORD": "2",
        },
    )
    assert done.returncode == 0
    assert done.stdout.strip() == "" and "Traceback" not in done.stderr


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_completes_profile_names_then_their_description(
    on_path: dict[str, str], tmp_path: Path, restwright: Run
) -> None:
    pytest.importorskip("restwright.cli.profiles")
    added = restwright(
        "profile",
        "add",
        "petshop",
        "--description",
        str(PETSTORE),
        "--base-url",
        "http://127.0.0.1:9",
    )
    assert added.returncode == 0, added.stderr
    assert bash_complete(on_path, "restwright pets", tmp_path) == ["petshop"]
    assert bash_complete(on_path, "restwright petshop st", tmp_path) == ["store"]
