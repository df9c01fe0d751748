"""``restwright kinto ...`` run as a user runs it, against a real Kinto server."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.profiles.tmux_terminal import DONE, tmux_terminal

import restwright.kinto

from .conftest import ALICE, KINTO_COMMAND, Runner


def lines(result: subprocess.CompletedProcess[str]) -> list[Any]:
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def one(result: subprocess.CompletedProcess[str]) -> Any:
    (obj,) = lines(result)
    return obj


def failure(result: subprocess.CompletedProcess[str], code: int) -> list[str]:
    """The report of a failed command: its line(s) on stderr, no traceback."""
    assert result.returncode == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    return result.stderr.strip().splitlines()


# -- records -------------------------------------------------------------------------------


def test_record_life_cycle(kinto_cli: Runner, alice: restwright.kinto.Client) -> None:
    created = one(kinto_cli("records", "create", "--id", "r1", "title=write docs", "n:=3"))
    assert created["data"] == {**created["data"], "id": "r1", "title": "write docs", "n": 3}
    assert alice.get_record(id="r1")["data"]["n"] == 3

    got = one(kinto_cli("records", "get", "r1"))
    assert got["data"] == created["data"]

    merged = one(kinto_cli("records", "update", "r1", "--merge", "done:=true"))
    assert merged["data"]["title"] == "write docs" and merged["data"]["done"] is True

    replaced = one(kinto_cli("records", "update", "r1", "title=only this"))
    assert "n" not in replaced["data"] and replaced["data"]["title"] == "only this"
    assert alice.get_record(id="r1")["data"]["title"] == "only this"

    deleted = one(kinto_cli("records", "delete", "r1"))
    assert deleted == {**deleted, "id": "r1", "deleted": True}
    assert alice.get_records() == []
    assert one(kinto_cli("records", "delete", "r1", "--if-exists")) is None


def test_record_data_from_json_file_and_stdin(
    kinto_cli: Runner, alice: restwright.kinto.Client, tmp_path: Path
) -> None:
    path = tmp_path / "record.json"
    path.write_text(json.dumps({"title": "from a file", "tags": ["a"]}))
    from_file = one(kinto_cli("records", "create", "--data", f"@{path}", "priority:=2"))
    assert from_file["data"]["tags"] == ["a"] and from_file["data"]["priority"] == 2
    from_stdin = one(kinto_cli("records", "create", "--data", "@-", stdin='{"title": "piped"}'))
    inline = one(kinto_cli("records", "create", "--data", '{"title": "inline"}', "title=wins"))
    titles = {r["title"] for r in alice.get_records()}
    assert titles == {"from a file", "piped", "wins"}
    assert from_stdin["data"]["id"] != inline["data"]["id"]


def test_list_is_json_lines_and_all_follows_every_page(
    kinto_cli: Runner, alice: restwright.kinto.Client
) -> None:
    with alice.batch() as batch:
        for i in range(12):
            batch.create_record(id=f"r{i:02d}", data={"i": i})
    first_page = lines(kinto_cli("records", "list", "--sort", "i"))
    assert [r["i"] for r in first_page] == [0, 1, 2, 3, 4]  # the server's page size
    everything = lines(kinto_cli("records", "list", "--all", "--sort", "-i"))
    assert [r["i"] for r in everything] == list(range(11, -1, -1))
    assert len(lines(kinto_cli("records", "list", "--limit", "3"))) == 3
    assert len(lines(kinto_cli("records", "list", "--all", "--limit", "3"))) == 12


def test_options_on_the_command_win_over_the_group(
    kinto_cli: Runner, alice: restwright.kinto.Client
) -> None:
    alice.create_collection(id="notes")
    alice.create_record(collection="notes", id="n1", data={})
    listed = lines(kinto_cli("records", "list", "-c", "notes"))
    assert [r["id"] for r in listed] == ["n1"]


# -- collections and buckets ---------------------------------------------------------------


def test_collections_and_buckets(kinto_cli: Runner, alice: restwright.kinto.Client) -> None:
    created = one(kinto_cli("collections", "create", "notes", "kind=paper"))
    assert created["data"]["kind"] == "paper"
    assert one(kinto_cli("collections", "create", "notes", "--if-not-exists"))["data"]["id"]
    listed = lines(kinto_cli("collections", "list"))
    assert sorted(c["id"] for c in listed) == ["notes", "tasks"]
    assert [b["id"] for b in lines(kinto_cli("buckets", "list"))] == ["main"]

    assert one(kinto_cli("collections", "delete", "notes"))["deleted"] is True
    assert [c["id"] for c in alice.get_collections()] == ["tasks"]
    assert one(kinto_cli("collections", "delete", "notes", "--if-exists")) is None


# -- failures ------------------------------------------------------------------------------


def test_errors_are_one_line_with_the_server_words(
    kinto_cli: Runner, alice: restwright.kinto.Client
) -> None:
    line, words = failure(kinto_cli("records", "get", "nope"), 4)
    assert line.startswith("restwright: 404 Not Found (GET http://127.0.0.1:")
    assert line.endswith("/buckets/main/collections/tasks/records/nope)")
    assert words == "  server says: Not Found (record 'nope')"

    alice.create_record(id="r1", data={})
    line, words = failure(kinto_cli("records", "create", "--id", "r1", "a=1"), 4)
    assert line.startswith("restwright: 412 Precondition Failed (PUT http://127.0.0.1:")
    assert words == "  server says: Precondition Failed: Resource was modified meanwhile"

    bob = kinto_cli("-a", "bob:bob-s3cret", "records", "list")  # the last -a wins
    assert failure(bob, 4)[0].startswith("restwright: 403 Forbidden")


def test_connection_failure(kinto_cli: Runner, closed_port: int) -> None:
    result = kinto_cli("-s", f"http://127.0.0.1:{closed_port}/v1", "buckets", "list", server=False)
    (line,) = failure(result, 6)
    expected = f"restwright: network error (ConnectError): cannot connect to http://127.0.0.1:{closed_port}"
    assert line.startswith(expected)


def test_debug_shows_the_traceback_and_the_exchange(
    kinto_cli: Runner, alice: restwright.kinto.Client
) -> None:
    result = kinto_cli("-D", "records", "get", "nope")
    assert result.returncode == 4
    assert "Traceback" in result.stderr
    assert result.stderr.splitlines()[-2].startswith("restwright: 404 Not Found (GET")
    assert "DEBUG restwright: GET http://127.0.0.1:" in result.stderr
    assert ALICE[1] not in result.stderr


def test_quiet_and_verbose(kinto_cli: Runner, alice: restwright.kinto.Client) -> None:
    verbose = kinto_cli("-v", "collections", "create", "notes")
    assert verbose.returncode == 0, verbose.stderr
    assert "INFO restwright.kinto: Create collection 'notes'" in verbose.stderr
    quiet = kinto_cli("-q", "collections", "create", "other")
    assert quiet.returncode == 0 and quiet.stderr == ""


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["buckets", "list"], 2, "Error: no server: give -s/--server URL or --profile NAME"),
        (["-s", "http://127.0.0.1:1/v1", "records", "list"], 2, "Error: no collection: give -c"),
        (["-s", "http://127.0.0.1:1/v1", "records", "create", "-c", "t", "oops"], 2, "key=value"),
        (["-s", "http://127.0.0.1:1/v1", "records", "create", "-c", "t", "n:={"], 2, "not JSON"),
        (["--profile", "missing", "buckets", "list"], 3, "Error: no profile 'missing'"),
    ],
)
def test_usage_and_profile_errors(
    kinto_cli: Runner, args: list[str], code: int, message: str
) -> None:
    result = kinto_cli(*args, server=False)
    assert result.returncode == code
    assert message in result.stderr
    assert "Traceback" not in result.stderr


# -- dry run -------------------------------------------------------------------------------


def test_dry_run_prints_curl_and_sends_nothing(
    kinto_cli: Runner, alice: restwright.kinto.Client
) -> None:
    alice.create_record(id="keep", data={})
    result = kinto_cli("--dry-run", "records", "create", "--id", "new", "title=x")
    assert result.returncode == 0, result.stderr
    (curl,) = result.stdout.splitlines()
    assert curl.startswith("curl -X PUT http://127.0.0.1:")
    assert "/buckets/main/collections/tasks/records/new" in curl
    assert "'Authorization: [REDACTED]'" in curl
    assert ALICE[1] not in result.stdout + result.stderr
    assert """--data-binary '{"data":{"title":"x"}}'""" in curl
    for args in (["records", "delete", "keep"], ["collections", "delete", "tasks"]):
        deleted = kinto_cli("--dry-run", *args)
        assert deleted.returncode == 0, deleted.stderr
        assert deleted.stdout.startswith("curl -X DELETE ")
    assert [r["id"] for r in alice.get_records()] == ["keep"]


# -- profiles ------------------------------------------------------------------------------


def test_server_and_auth_from_a_profile(
    kinto_cli: Runner, kinto_url: str, alice: restwright.kinto.Client
) -> None:
    from restwright.cli.profiles import Profile, save_profile

    auth = {"type": "basic", "user": ALICE[0], "password": "env:KINTO_PASSWORD"}
    save_profile(Profile.from_table("local", {"base_url": kinto_url, "auth": auth}))
    alice.create_record(id="r1", data={"title": "mine"})
    env = {"KINTO_PASSWORD": ALICE[1]}
    args = ["--profile", "local", "-b", "main", "-c", "tasks", "records", "list"]
    assert [r["id"] for r in lines(kinto_cli(*args, server=False, env=env))] == ["r1"]

    # -a beside --profile wins (and the profile's secret is then not needed at all)
    bob = kinto_cli("-a", "bob:bob-s3cret", *args, server=False)
    assert failure(bob, 4)[0].startswith("restwright: 403 Forbidden")
    unset = kinto_cli(*args, server=False)
    assert failure(unset, 3) == [
        "Error: profile 'local': auth.password: the environment variable KINTO_PASSWORD is not set"
    ]


def test_importing_the_command_does_not_import_the_client() -> None:
    code = "import sys, restwright.cli.kinto; print('restwright.kinto' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "False"


def test_a_reader_that_goes_away_ends_the_listing_quietly(
    kinto_url: str, alice: restwright.kinto.Client
) -> None:
    # 12 records of 20 kB: more than a pipe holds, so the command is still writing when
    # the reader (like `| head -1`) closes its end.
    with alice.batch() as batch:
        for i in range(12):
            batch.create_record(id=f"r{i:02d}", data={"blob": "x" * 20_000})
    args = ["-s", kinto_url, "-a", ":".join(ALICE), "-b", "main", "-c", "tasks"]
    with subprocess.Popen(
        [*KINTO_COMMAND, *args, "records", "list", "--all"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as child:
        assert child.stdout is not None and child.stderr is not None
        first = json.loads(child.stdout.readline())
        child.stdout.close()
        stderr = child.stderr.read()
        assert child.wait(timeout=60) == 0
    assert first["id"].startswith("r")
    assert stderr == ""


def test_a_server_that_is_not_kinto(kinto_cli: Runner, fault_server: Any) -> None:
    # The echo endpoint answers 200 with JSON that has no "data": not a Kinto listing.
    args = ["-s", fault_server.url("/echo"), "buckets", "list"]
    line = failure(kinto_cli(*args, server=False), 1)
    assert line == ["restwright: unexpected KeyError: 'data' (-D shows the traceback)"]
    debug = kinto_cli("-D", *args, server=False)
    assert debug.returncode == 1 and "Traceback" in debug.stderr


def test_a_header_breaking_credential_is_refused(kinto_cli: Runner, kinto_url: str) -> None:
    result = kinto_cli("-s", kinto_url, "-a", "Bearer abc\r\nX-Evil: 1", "buckets", "list",
                       server=False)  # fmt: skip
    (line,) = failure(result, 2)
    assert line.startswith("restwright: InvalidRequestError: header 'Authorization' has a CR")
    assert "abc" not in line


def test_auth_with_a_user_only_asks_for_the_password(
    kinto_url: str, alice: restwright.kinto.Client, tmp_path: Path
) -> None:
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    alice.create_record(id="r1", data={})
    args = ["-s", kinto_url, "-a", ALICE[0], "-b", "main", "-c", "tasks", "records", "list"]
    with tmux_terminal(tmp_path, os.environ) as terminal:
        terminal.start([*KINTO_COMMAND, *args])
        assert "Please enter a password for alice:" in terminal.wait_for("password for")
        terminal.send(ALICE[1])
        screen = terminal.wait_for(DONE)
    assert f"{DONE} 0" in screen
    assert '"id": "r1"' in screen
    assert ALICE[1] not in screen  # not echoed
