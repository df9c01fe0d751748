"""Profiles: the config file, secret references, ``restwright profile add/list/show/remove``
and the client options a profile gives, against real servers on 127.0.0.1."""

from __future__ import annotations

import base64
import os
import re
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import restwright
from restwright.cli.profiles import (
    Profile,
    ProfileError,
    ProfileNotFound,
    config_path,
    load_profile,
    load_profiles,
    profile_group,
)
from restwright.cli.secret_refs import SecretReferenceError

from .conftest import PROFILE_COMMAND, ROOT
from .tmux_terminal import DONE, tmux_terminal

Run = Callable[..., subprocess.CompletedProcess[str]]
SECRET = "s3cret-Value-42"


def echoed_headers(response: restwright.Response) -> dict[str, str]:
    return {name.lower(): value for name, value in response.json()["headers"]}


def bearer_profile(reference: str) -> Profile:
    """A profile whose bearer token is read from ``reference``."""
    auth = {"type": "bearer", "token": reference}
    return Profile.from_table("p", {"base_url": "http://127.0.0.1:1", "auth": auth})


def write_config(text: str) -> Path:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


# -- restwright profile ... as a user runs it -----------------------------------------------


def test_add_list_show_remove_in_a_child_process(run_profile: Run) -> None:
    added = run_profile(
        "add", "kinto", "--base-url", "http://127.0.0.1:8888/v1",
        "--user", "alice", "--password-from", "env:KINTO_PASSWORD",
        "--header", "X-Team: core", "--retry", "3", "--timeout", "7.5",
        env={"KINTO_PASSWORD": None},
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert added.stderr.splitlines()[-1] == (
        "note: auth.password = env:KINTO_PASSWORD cannot be read now: "
        "the environment variable KINTO_PASSWORD is not set"
    )
    path = config_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert 'password = "env:KINTO_PASSWORD"' in text
    assert 'type = "basic"' in text

    listed = run_profile("list")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines() == ["kinto\thttp://127.0.0.1:8888/v1\t-\tbasic"]

    shown = run_profile("show", "kinto", env={"KINTO_PASSWORD": SECRET})
    assert shown.returncode == 0, shown.stderr
    assert SECRET not in shown.stdout + shown.stderr
    lines = dict(line.split(None, 1) for line in shown.stdout.splitlines())
    assert lines["base_url"] == "http://127.0.0.1:8888/v1"
    assert lines["auth.user"] == "alice"
    assert lines["auth.password"] == "env:KINTO_PASSWORD  (readable; value hidden)"
    assert lines["headers.X-Team"] == "core"
    assert lines["retry"] == "3"
    assert lines["timeout"] == "7.5"

    unset = run_profile("show", "kinto", env={"KINTO_PASSWORD": ""})
    assert "(readable" in unset.stdout  # set but empty is still set
    missing = run_profile("show", "kinto", env={"KINTO_PASSWORD": None})
    assert "cannot be read: the environment variable KINTO_PASSWORD is not set" in missing.stdout

    removed = run_profile("remove", "kinto")
    assert removed.returncode == 0, removed.stderr
    assert run_profile("list").stdout == ""
    again = run_profile("remove", "kinto")
    assert again.returncode == 3
    assert again.stderr.strip().splitlines()[-1].startswith("Error: no profile 'kinto'")


def test_a_literal_secret_is_refused_and_not_repeated(run_profile: Run) -> None:
    result = run_profile("add", "api", "--base-url", "http://127.0.0.1:1", "--token-from", SECRET)
    assert result.returncode == 3
    assert SECRET not in result.stdout + result.stderr
    assert "must be a reference to the secret (env:NAME" in result.stderr
    assert "Traceback" not in result.stderr
    assert not config_path().exists()


def test_a_literal_secret_in_a_sensitive_header_is_refused(run_profile: Run) -> None:
    result = run_profile(
        "add", "api", "--base-url", "http://127.0.0.1:1", "--header", f"Authorization: {SECRET}"
    )
    assert result.returncode == 3
    assert SECRET not in result.stdout + result.stderr
    assert "headers: Authorization must be a reference" in result.stderr


def test_a_description_file_is_kept_by_its_absolute_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = tmp_path / "api.yaml"
    document.write_text("openapi: 3.0.3\n")
    (tmp_path / "here").mkdir()
    (tmp_path / "here" / "local.yaml").write_text("openapi: 3.0.3\n")
    monkeypatch.chdir(tmp_path / "here")
    runner = CliRunner()
    for name, given in [("a", "local.yaml"), ("b", str(document)), ("c", "missing.yaml")]:
        result = runner.invoke(profile_group, ["add", name, "--description", given])
        assert result.exit_code == 0, result.output
    assert load_profile("a").description == str((tmp_path / "here" / "local.yaml").resolve())
    assert load_profile("b").description == str(document)
    assert load_profile("c").description == "missing.yaml"  # maybe a file to come: as given
    url = "https://api.example/openapi.yaml"
    assert runner.invoke(profile_group, ["add", "d", "--description", url]).exit_code == 0
    assert load_profile("d").description == url


def test_add_refuses_to_replace_without_force(run_profile: Run) -> None:
    assert run_profile("add", "a", "--base-url", "http://127.0.0.1:1").returncode == 0
    again = run_profile("add", "a", "--base-url", "http://127.0.0.1:2")
    assert again.returncode == 3
    assert "exists (--force replaces it)" in again.stderr
    forced = run_profile("add", "a", "--base-url", "http://127.0.0.1:2", "--force")
    assert forced.returncode == 0
    assert load_profile("a").base_url == "http://127.0.0.1:2"


def test_auth_type_is_implied_by_its_options_and_mixing_is_refused() -> None:
    runner = CliRunner()
    ok = runner.invoke(
        profile_group,
        ["add", "k", "--base-url", "http://127.0.0.1:1", "--api-key-from", "env:K",
         "--api-key-header", "X-Key"],
    )  # fmt: skip
    assert ok.exit_code == 0, ok.output
    auth = load_profile("k").auth
    assert auth is not None
    assert (auth.type, dict(auth.settings)) == ("api-key", {"key": "env:K", "header": "X-Key"})

    mixed = runner.invoke(
        profile_group,
        ["add", "m", "--base-url", "http://127.0.0.1:1", "--token-from", "env:T", "--user", "u"],
    )
    assert mixed.exit_code == 2
    assert "options of several auth types given: ['basic', 'bearer']" in mixed.output

    foreign = runner.invoke(
        profile_group,
        ["add", "m", "--base-url", "http://127.0.0.1:1", "--auth", "bearer", "--user", "u"],
    )
    assert foreign.exit_code == 2
    assert "--user do not apply to --auth bearer" in foreign.output

    incomplete = runner.invoke(
        profile_group, ["add", "m", "--base-url", "http://127.0.0.1:1", "--user", "u"]
    )
    assert incomplete.exit_code == 3
    assert "basic auth needs password" in incomplete.output
    assert set(load_profiles()) == {"k"}


def test_list_in_a_real_terminal_is_a_table(run_profile: Run, tmp_path: Path) -> None:
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    run_profile("add", "one", "--base-url", "http://127.0.0.1:1/v1", "--token-from", "env:T")
    run_profile("add", "two", "--description", "api.yaml")
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS", "LINES")}
    env["TERM"] = "xterm-256color"
    with tmux_terminal(tmp_path, env) as terminal:
        screen = terminal.run([*PROFILE_COMMAND, "list"], escapes=True)
    assert f"{DONE} 0" in screen
    assert "\x1b[" in screen  # styled: rich's bold headings
    plain = re.sub(r"\x1b\[[0-9;]*m", "", screen)
    rows = [line for line in plain.splitlines() if "│" in line or "┃" in line]
    assert [c.strip() for c in rows[0].split("┃")[1:5]] == [
        "NAME",
        "BASE URL",
        "DESCRIPTION",
        "AUTH",
    ]
    cells = [[c.strip() for c in row.split("│")[1:5]] for row in rows[1:]]
    assert cells == [["one", "http://127.0.0.1:1/v1", "-", "bearer"], ["two", "-", "api.yaml", "-"]]


def test_unknown_profile_names_close_ones() -> None:
    write_config('[profiles.kinto-prod]\nbase_url = "http://127.0.0.1:1"\n')
    with pytest.raises(ProfileNotFound, match="did you mean 'kinto-prod'") as caught:
        load_profile("kinto-prd")
    assert isinstance(caught.value, ProfileError)
    result = CliRunner().invoke(profile_group, ["show", "kinto-prd"])
    assert result.exit_code == 3
    assert result.output.startswith("Error: no profile 'kinto-prd'")


def test_no_config_file_says_how_to_add_a_profile() -> None:
    with pytest.raises(ProfileNotFound, match="restwright profile add NAME"):
        load_profile("anything")
    assert load_profiles() == {}


# -- the config file -----------------------------------------------------------------------


def test_config_written_by_hand_is_validated() -> None:
    write_config(
        '[profiles.typo]\nbase-url = "http://127.0.0.1:1"\n'
        '[profiles.good]\nbase_url = "http://127.0.0.1:2"\n'
    )
    with pytest.raises(ProfileError, match=r"unknown setting\(s\) \['base-url'\]; did you mean"):
        load_profile("typo")
    assert load_profile("good").base_url == "http://127.0.0.1:2"  # one bad profile only

    write_config(f'[profiles.lit.auth]\ntype = "bearer"\ntoken = "{SECRET}"\n')
    with pytest.raises(SecretReferenceError) as caught:
        load_profile("lit")
    assert SECRET not in str(caught.value)
    assert "auth.token must be a reference" in str(caught.value)

    write_config("[profiles.bad\n")
    with pytest.raises(ProfileError, match="is not valid TOML"):
        load_profile("bad")

    for table, message in [
        ("retry = -1", "retry must be a whole number >= 0"),
        ("timeout = 0", "timeout must be a number of seconds > 0"),
        ('headers = { "X-A" = 1 }', "headers: X-A must be a string"),
        ('auth = { type = "digest" }', "auth.type must be one of"),
        ('auth = { type = "oauth2", token_url = "u", client_id = "c" }', "needs client_secret"),
    ]:
        write_config(f"[profiles.p]\n{table}\n")
        with pytest.raises(ProfileError, match=message):
            load_profile("p")


@pytest.mark.parametrize("name", ["api.yaml", "a/b", "-x", "https://x", ""])
def test_profile_names_never_look_like_paths_or_urls(name: str) -> None:
    with pytest.raises(ProfileError, match="letters, digits"):
        Profile.from_table(name, {"base_url": "http://127.0.0.1:1"})


def test_rewriting_keeps_other_settings_and_tightens_the_mode(run_profile: Run) -> None:
    path = write_config('[other]\nkept = true\n\n[profiles.old]\nbase_url = "http://127.0.0.1:1"\n')
    path.chmod(0o644)
    assert run_profile("add", "new", "--base-url", "http://127.0.0.1:2").returncode == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "kept = true" in path.read_text()
    assert set(load_profiles()) == {"old", "new"}
    assert [p.name for p in path.parent.iterdir()] == ["config.toml"]  # no temporary left


def test_round_trip_of_every_auth_type() -> None:
    tables: list[dict[str, Any]] = [
        {"type": "basic", "user": "u", "password": "env:P"},
        {"type": "bearer", "token": "keyring:svc/me", "scheme": "Token"},
        {"type": "api-key", "key": "file:~/key", "header": "X-Key"},
        {"type": "oauth2", "token_url": "http://127.0.0.1:1/token", "client_id": "app",
         "client_secret": "env:S", "scopes": ["read", "write"]},
    ]  # fmt: skip
    for table in tables:
        profile = Profile.from_table("p", {"base_url": "http://127.0.0.1:1", "auth": table})
        assert Profile.from_table("p", profile.to_table()) == profile


# -- secret references ---------------------------------------------------------------------


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "token"
    path.write_text(SECRET + "\n")
    path.chmod(0o600)
    return path


def test_file_reference_must_be_private(secret_file: Path) -> None:
    profile = bearer_profile(f"file:{secret_file}")
    assert profile.client_options()["auth"].token == SECRET  # the trailing newline dropped

    secret_file.chmod(0o644)
    with pytest.raises(SecretReferenceError, match=r"mode 0644\); restrict it with: chmod 600"):
        profile.client_options()
    secret_file.chmod(0o620)
    with pytest.raises(SecretReferenceError, match="can be read or written by others"):
        profile.client_options()
    secret_file.chmod(0o400)
    assert profile.client_options()["auth"].token == SECRET
    secret_file.unlink()
    with pytest.raises(SecretReferenceError, match=r"cannot read .*No such file"):
        profile.client_options()


def test_keyring_reference_without_keyring_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # No keyring backend can be run here as a server; hide the package to get its absence.
    monkeypatch.setitem(sys.modules, "keyring", None)
    profile = bearer_profile("keyring:svc/me")
    with pytest.raises(SecretReferenceError, match=r"needs the keyring package \(pip install"):
        profile.client_options()


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("env:", "does not name an environment variable"),
        ("keyring:onlyservice", "is not keyring:SERVICE/USER"),
        ("keyring:/user", "is not keyring:SERVICE/USER"),
        ("file:", "is not file:/ABSOLUTE/PATH"),
        ("file:token.txt", "is not file:/ABSOLUTE/PATH"),
    ],
)
def test_malformed_references(ref: str, message: str) -> None:
    with pytest.raises(SecretReferenceError, match=message):
        bearer_profile(ref)


# -- client options against real servers ---------------------------------------------------


@pytest.fixture
def secrets_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("RW_TEST_PASSWORD", SECRET)
    monkeypatch.setenv("RW_TEST_TRACE", "trace-123")
    yield


def test_client_options_drive_a_client(fault_server: Any, secrets_env: None) -> None:
    profile = Profile.from_table(
        "echo",
        {
            "base_url": fault_server.base_url,
            "headers": {"X-Team": "core", "X-Trace": "env:RW_TEST_TRACE"},
            "retry": 2,
            "timeout": 5,
            "auth": {"type": "basic", "user": "alice", "password": "env:RW_TEST_PASSWORD"},
        },
    )
    options = profile.client_options()
    assert SECRET not in repr(profile) + repr(options)
    with restwright.Client(**options) as api:
        assert api.retry.total == 2
        assert api.timeout.read == 5.0
        headers = echoed_headers(api.get("/echo"))
    expected = base64.b64encode(f"alice:{SECRET}".encode()).decode()
    assert headers["authorization"] == f"Basic {expected}"
    assert headers["x-team"] == "core"
    assert headers["x-trace"] == "trace-123"


@pytest.mark.parametrize(
    ("auth", "header", "value"),
    [
        ({"type": "bearer", "token": "env:RW_TEST_PASSWORD"}, "authorization", f"Bearer {SECRET}"),
        ({"type": "bearer", "token": "env:RW_TEST_PASSWORD", "scheme": "Token"},
         "authorization", f"Token {SECRET}"),
        ({"type": "api-key", "key": "env:RW_TEST_PASSWORD"}, "x-api-key", SECRET),
        ({"type": "api-key", "key": "env:RW_TEST_PASSWORD", "header": "X-Key"}, "x-key", SECRET),
    ],
)  # fmt: skip
def test_each_auth_type_reaches_the_server(
    fault_server: Any, secrets_env: None, auth: dict[str, str], header: str, value: str
) -> None:
    profile = Profile.from_table("p", {"base_url": fault_server.base_url, "auth": auth})
    with restwright.Client(**profile.client_options()) as api:
        assert echoed_headers(api.get("/echo"))[header] == value


def test_client_options_drive_from_openapi(fault_server: Any, secrets_env: None) -> None:
    document = {
        "openapi": "3.0.3",
        "info": {"title": "echo", "version": "1"},
        "paths": {
            "/echo": {"get": {"operationId": "echo", "responses": {"200": {"description": "ok"}}}}
        },
    }
    profile = Profile.from_table(
        "p",
        {
            "base_url": fault_server.base_url,
            "description": "echo.yaml",
            "auth": {"type": "bearer", "token": "env:RW_TEST_PASSWORD"},
        },
    )
    api = restwright.from_openapi(document, **profile.client_options())
    body = api.call("echo")
    assert dict((k.lower(), v) for k, v in body["headers"])["authorization"] == f"Bearer {SECRET}"


def test_oauth2_client_credentials_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("authlib")
    from tests.servers.oauth2_provider import running_provider

    monkeypatch.setenv("RW_APP_SECRET", "app-secret")
    with running_provider() as provider:
        provider.register("app", "app-secret")
        profile = Profile.from_table(
            "p",
            {
                "base_url": provider.url,
                "auth": {"type": "oauth2", "token_url": f"{provider.url}/token",
                         "client_id": "app", "client_secret": "env:RW_APP_SECRET",
                         "scopes": ["read"]},
            },
        )  # fmt: skip
        with restwright.Client(**profile.client_options()) as api:
            body = api.get("/api/things").json()
    assert body["client_id"] == "app"
    assert body["scope"] == "read"
    assert provider.token_requests == ["client_credentials"]


@pytest.fixture
def file_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    keyring = pytest.importorskip("keyring")
    from .keyring_backend import FileKeyring

    monkeypatch.setenv("RW_TEST_KEYRING", str(tmp_path / "keyring.json"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "tests.profiles.keyring_backend.FileKeyring")
    previous = keyring.get_keyring()
    keyring.set_keyring(FileKeyring())
    try:
        yield keyring
    finally:
        keyring.set_keyring(previous)


def test_keyring_reference(file_keyring: Any, fault_server: Any, run_profile: Run) -> None:
    file_keyring.set_password("restwright/echo", "alice", SECRET)
    auth = {"type": "bearer", "token": "keyring:restwright/echo/alice"}  # the last / splits
    profile = Profile.from_table("echo", {"base_url": fault_server.base_url, "auth": auth})
    with restwright.Client(**profile.client_options()) as api:
        assert echoed_headers(api.get("/echo"))["authorization"] == f"Bearer {SECRET}"

    missing = bearer_profile("keyring:restwright/echo/bob")
    with pytest.raises(SecretReferenceError, match="no password for service 'restwright/echo'"):
        missing.client_options()

    # the same through the command, keyring's backend chosen by its environment variable
    added = run_profile("add", "echo", "--base-url", fault_server.base_url,
                        "--token-from", "keyring:restwright/echo/alice")  # fmt: skip
    assert added.returncode == 0, added.stderr
    path = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])  # for the backend
    shown = run_profile("show", "echo", env={"PYTHONPATH": path})
    assert "keyring:restwright/echo/alice  (readable; value hidden)" in shown.stdout, shown.stderr
    assert SECRET not in shown.stdout + shown.stderr


def test_a_header_given_by_reference_is_a_credential(
    fault_server: Any, other_server: Any, secrets_env: None
) -> None:
    profile = Profile.from_table(
        "p",
        {
            "base_url": fault_server.base_url,
            "headers": {"X-Custom-Token": "env:RW_TEST_PASSWORD", "X-Team": "core"},
            "auth": {"type": "basic", "user": "alice", "password": "env:RW_TEST_PASSWORD"},
        },
    )
    with restwright.Client(**profile.client_options()) as api:
        same_origin = echoed_headers(api.get("/echo"))
        assert same_origin["x-custom-token"] == SECRET
        assert same_origin["authorization"].startswith("Basic ")
        # a redirect to another origin: neither credential follows it
        elsewhere = echoed_headers(api.get("/redirect/302", params={"to": "peer:/echo"}))
        assert "x-custom-token" not in elsewhere and "authorization" not in elsewhere
        assert elsewhere["x-team"] == "core"
        with pytest.raises(restwright.errors.NotFound) as caught:
            api.get("/status/404")
    assert other_server.requests  # the redirect did reach the other origin
    curl = caught.value.request.to_curl()
    assert "'X-Custom-Token: [REDACTED]'" in curl and SECRET not in curl
