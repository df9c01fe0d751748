"""``restwright get|post|put|patch|delete|head URL [ITEMS]`` against the real fault server:
what goes over the wire (the server records it), what is printed, and the exit codes."""

from __future__ import annotations

import hashlib
import json
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from tests.servers.fault_server import FaultServer, download_sha256

from .conftest import Run, run_process


def echoed(stdout: str) -> dict[str, Any]:
    answer = json.loads(stdout)
    assert isinstance(answer, dict)
    return answer


def header(answer: dict[str, Any], name: str) -> list[str]:
    return [v for k, v in answer["headers"] if k.lower() == name.lower()]


def test_items_become_query_headers_and_a_json_body(
    restwright: Run, fault_server: FaultServer
) -> None:
    done = restwright(
        "post",
        fault_server.url("/echo"),
        "q==dune",
        "q==arrakis",
        "X-Trace:abc",
        "title=Dune",
        "year:=1965",
        'tags:=["sf"]',
        "a\\:b=escaped",
    )
    assert done.returncode == 0, done.stderr
    answer = echoed(done.stdout)
    assert answer["method"] == "POST"
    assert answer["query"] == [["q", "dune"], ["q", "arrakis"]]
    assert header(answer, "X-Trace") == ["abc"]
    assert answer["json"] == {"title": "Dune", "year": 1965, "tags": ["sf"], "a:b": "escaped"}
    assert done.stderr == ""


def test_every_verb_sends_its_method(restwright: Run, fault_server: FaultServer) -> None:
    for verb in ("get", "put", "patch", "delete"):
        done = restwright(verb, fault_server.url("/echo"))
        assert done.returncode == 0, done.stderr
        assert echoed(done.stdout)["method"] == verb.upper()
    head = restwright("head", fault_server.url("/echo"))
    assert head.returncode == 0
    assert head.stdout.startswith("HTTP/1.1 200 OK\n")
    assert fault_server.requests[-1].method == "HEAD"


def test_a_header_item_without_value_removes_a_default_header(
    restwright: Run, fault_server: FaultServer
) -> None:
    done = restwright("get", fault_server.url("/echo"), "Accept:")
    assert header(echoed(done.stdout), "Accept") == []


def test_a_url_without_scheme_is_http(restwright: Run, fault_server: FaultServer) -> None:
    bare = fault_server.url("/echo").removeprefix("http://")
    done = restwright("get", bare)
    assert done.returncode == 0, done.stderr
    assert echoed(done.stdout)["path"] == "/echo"


def test_file_items_upload_multipart(
    restwright: Run, fault_server: FaultServer, tmp_path: Path
) -> None:
    photo = tmp_path / "photo.bin"
    photo.write_bytes(bytes(range(256)) * 1000)
    done = restwright(
        "post", fault_server.url("/upload"), f"photo@{photo}", "caption=sunset", "n:=3"
    )
    assert done.returncode == 0, done.stderr
    parts = {p["name"]: p for p in json.loads(done.stdout)["parts"]}
    assert parts["photo"]["filename"] == "photo.bin"
    assert parts["photo"]["sha256"] == hashlib.sha256(photo.read_bytes()).hexdigest()
    assert parts["caption"]["size"] == len("sunset")
    assert parts["n"]["size"] == 1
    assert done.stderr == ""  # no progress bar outside a terminal


def test_body_option_takes_json_a_file_or_stdin(
    restwright: Run, fault_server: FaultServer, tmp_path: Path
) -> None:
    inline = restwright("put", fault_server.url("/echo"), "--body", '{"a": [1, 2]}')
    assert echoed(inline.stdout)["json"] == {"a": [1, 2]}
    document = tmp_path / "body.json"
    document.write_text('{"from": "file"}')
    from_file = restwright("post", fault_server.url("/echo"), "--body", f"@{document}")
    answer = echoed(from_file.stdout)
    assert answer["json"] == {"from": "file"}
    assert answer["content_length"] == str(document.stat().st_size)
    piped = restwright("post", fault_server.url("/echo"), "--body", "@-", input='{"from": "stdin"}')
    assert echoed(piped.stdout)["json"] == {"from": "stdin"}
    both = restwright("post", fault_server.url("/echo"), "--body", "{}", "a=b")
    assert both.returncode == 2
    bad = restwright("post", fault_server.url("/echo"), "--body", "{nope")
    assert bad.returncode == 2
    assert "not JSON" in bad.stderr


def test_download_streams_to_a_file(
    restwright: Run, fault_server: FaultServer, tmp_path: Path
) -> None:
    target = tmp_path / "big.bin"
    size = 3 * 1024 * 1024 + 17
    done = restwright(
        "get", fault_server.url(f"/download?size={size}&mode=length"), "-o", str(target)
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and done.stderr == ""
    assert target.stat().st_size == size
    assert hashlib.sha256(target.read_bytes()).hexdigest() == download_sha256(size)


def test_all_streams_every_item_of_every_page_as_json_lines(
    restwright: Run, fault_server: FaultServer
) -> None:
    for style in ("link", "header"):
        done = restwright("get", fault_server.url(f"/pages/{style}"), "--all", "size==7")
        assert done.returncode == 0, done.stderr
        lines = done.stdout.splitlines()
        assert [json.loads(line)["id"] for line in lines] == list(range(23))
        assert all(line.startswith("{") for line in lines)  # one compact object per line
    assert len(fault_server.requests_to("/pages/header")) == 4


def test_table_raw_and_headers(restwright: Run, fault_server: FaultServer) -> None:
    table = restwright("get", fault_server.url("/pages/link"), "--table")
    assert table.returncode == 0, table.stderr
    assert "item-4" in table.stdout and "name" in table.stdout
    assert "item-5" not in table.stdout  # one page only without --all
    assert "\x1b[" not in table.stdout  # no colour in a pipe
    every = restwright("get", fault_server.url("/pages/link"), "--all", "--table")
    assert "item-22" in every.stdout
    raw = restwright("get", fault_server.url("/pages/page"), "--raw")
    with urllib.request.urlopen(fault_server.url("/pages/page"), timeout=10) as direct:
        assert raw.stdout.encode() == direct.read()  # byte for byte, not re-indented
    with_headers = restwright("get", fault_server.url("/echo?set_header=X-Seen:yes"), "--headers")
    head, _, body = with_headers.stdout.partition("\n\n")
    assert head.splitlines()[0] == "HTTP/1.1 200 OK"
    assert "X-Seen: yes" in head.splitlines()
    assert json.loads(body)["method"] == "GET"


def test_piped_json_is_plain_and_indented(restwright: Run, fault_server: FaultServer) -> None:
    done = restwright("get", fault_server.url("/echo"))
    assert "\x1b[" not in done.stdout
    assert done.stdout.startswith('{\n  "server": "primary"')


def test_basic_auth_and_a_token_from_the_environment(
    restwright: Run, fault_server: FaultServer
) -> None:
    basic = restwright("get", fault_server.url("/echo"), "-a", "bob:s3cret")
    assert header(echoed(basic.stdout), "Authorization") == ["Basic Ym9iOnMzY3JldA=="]
    token = restwright(
        "get", fault_server.url("/echo"), "--token", "env:API_TOKEN", env={"API_TOKEN": "tok-123"}
    )
    assert header(echoed(token.stdout), "Authorization") == ["Bearer tok-123"]
    literal = restwright("get", fault_server.url("/echo"), "--token", "tok-123")
    assert literal.returncode == 2
    assert "env:NAME" in literal.stderr and "tok-123" not in literal.stderr
    unset = restwright("get", fault_server.url("/echo"), "--token", "env:NOT_SET_ANYWHERE")
    assert unset.returncode == 2


def test_password_prompt_reads_the_terminal_input_without_echo(
    restwright: Run, fault_server: FaultServer
) -> None:
    done = restwright("get", fault_server.url("/echo"), "-a", "bob", input="hunter2\n")
    assert done.returncode == 0, done.stderr
    assert header(echoed(done.stdout), "Authorization") == ["Basic Ym9iOmh1bnRlcjI="]
    assert "hunter2" not in done.stderr + done.stdout.replace("Ym9iOmh1bnRlcjI=", "")


def test_dry_run_prints_curl_with_credentials_masked_and_sends_nothing(
    restwright: Run, fault_server: FaultServer
) -> None:
    done = restwright(
        "post",
        fault_server.url("/echo"),
        "title=x",
        "-a",
        "bob:s3cret",
        "X-Api-Key:k-999",
        "--dry-run",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"curl -X POST {fault_server.url('/echo')}")
    assert "'Authorization: [REDACTED]'" in done.stdout
    assert "s3cret" not in done.stdout and "Ym9i" not in done.stdout
    assert "X-Api-Key: [REDACTED]" in done.stdout
    assert '--data-binary \'{"title":"x"}\'' in done.stdout
    assert fault_server.requests == []


def test_exit_codes_by_error_class(
    restwright: Run, fault_server: FaultServer, closed_port: int
) -> None:
    not_found = restwright("get", fault_server.url("/status/404"))
    assert not_found.returncode == 4
    assert not_found.stdout == ""
    lines = not_found.stderr.splitlines()
    assert lines[0] == f"restwright: 404 Not Found (GET {fault_server.url('/status/404')})"
    assert lines[1] == "  server says: kinto says 404"
    assert "Traceback" not in not_found.stderr
    server = restwright("get", fault_server.url("/status/503?style=detail"), "--retry", "0")
    assert server.returncode == 5
    assert "server says: detail says 503" in server.stderr
    refused = restwright("get", f"http://127.0.0.1:{closed_port}/x", "--retry", "0")
    assert refused.returncode == 6
    assert refused.stderr.startswith("restwright: network error (ConnectError)")
    assert len(refused.stderr.splitlines()) == 1
    timeout = restwright(
        "get", fault_server.url("/stall?seconds=5"), "--timeout", "0.3", "--retry", "0"
    )
    assert timeout.returncode == 6
    assert "TimeoutError" in timeout.stderr
    usage = restwright("get", fault_server.url("/echo"), "not-an-item")
    assert usage.returncode == 2
    crlf = restwright("get", fault_server.url("/echo"), "X-Bad:a\r\nInjected: 1")
    assert crlf.returncode == 2
    assert not any(r.path == "/echo" for r in fault_server.requests)


def test_debug_shows_the_traceback(restwright: Run, fault_server: FaultServer) -> None:
    done = restwright("get", fault_server.url("/status/409"), "--debug")
    assert done.returncode == 4
    assert "Traceback (most recent call last)" in done.stderr
    assert "restwright.errors.Conflict" in done.stderr
    assert done.stderr.rstrip().splitlines()[-2].startswith("restwright: 409 Conflict")


def test_verbose_logs_the_exchange_on_stderr_and_quiet_does_not(
    restwright: Run, fault_server: FaultServer
) -> None:
    verbose = restwright("get", fault_server.url("/echo"), "-vv")
    assert verbose.returncode == 0
    assert "DEBUG" in verbose.stderr and "/echo" in verbose.stderr
    quiet = restwright("get", fault_server.url("/echo"), "-q")
    assert quiet.stderr == ""


def test_python_dash_m_and_the_console_script_entry() -> None:
    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11
    from restwright.cli import main
    from restwright.cli.main import LazyGroup

    project = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())
    target = project["project"]["scripts"]["restwright"]
    module, _, attribute = target.partition(":")
    import importlib

    assert getattr(importlib.import_module(module), attribute) is main
    assert isinstance(main, LazyGroup)


def test_version_and_help(restwright: Run) -> None:
    version = restwright("--version")
    assert version.returncode == 0
    assert version.stdout.startswith("restwright, version ")
    helped = restwright("--help")
    for command in ("get", "post", "call", "completion", "generate"):
        assert f"  {command} " in helped.stdout
    assert "Exit codes" in helped.stdout


def test_debug_from_the_environment(restwright: Run, fault_server: FaultServer) -> None:
    done = restwright(
        "get", fault_server.url("/status/500"), "--retry", "0", env={"RESTWRIGHT_DEBUG": "1"}
    )
    assert done.returncode == 5
    assert "Traceback (most recent call last)" in done.stderr


def test_ctrl_c_exits_130_without_a_traceback(
    cli_env: dict[str, str], fault_server: FaultServer, tmp_path: Path
) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "restwright", "get", fault_server.url("/stall?seconds=30")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env,
        cwd=tmp_path,
    )
    try:
        deadline = time.monotonic() + 30
        while not fault_server.requests_to("/stall") and time.monotonic() < deadline:
            time.sleep(0.05)  # wait until the request is out: the call is in progress
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    finally:
        process.kill()
        process.wait()
    assert process.returncode == 130
    assert "Traceback" not in stderr and "Aborted" not in stderr


def test_a_profile_gives_base_url_auth_and_headers(
    restwright: Run, fault_server: FaultServer
) -> None:
    added = restwright(
        "profile",
        "add",
        "echo",
        "--base-url",
        fault_server.url("/echo/v1"),
        "--user",
        "bob",
        "--password-from",
        "env:ECHO_PASSWORD",
        "--header",
        "X-Team: core",
    )
    assert added.returncode == 0, added.stderr
    secret = {"ECHO_PASSWORD": "s3cret"}
    done = restwright("get", "--profile", "echo", "/items", "q==1", env=secret)
    assert done.returncode == 0, done.stderr
    answer = echoed(done.stdout)
    assert answer["path"] == "/echo/v1/items"
    assert header(answer, "Authorization") == ["Basic Ym9iOnMzY3JldA=="]
    assert header(answer, "X-Team") == ["core"]
    overridden = restwright("get", "--profile", "echo", "items", "-a", "eve:x", env=secret)
    assert header(echoed(overridden.stdout), "Authorization") == ["Basic ZXZlOng="]
    dry = restwright("post", "--profile", "echo", "/items", "a=b", "--dry-run", env=secret)
    assert dry.stdout.startswith(f"curl -X POST {fault_server.url('/echo/v1/items')} ")
    assert "s3cret" not in dry.stdout and "Ym9i" not in dry.stdout
    unknown = restwright("get", "--profile", "nope", "/items")
    assert unknown.returncode == 3
    path_only = restwright("get", "/items")
    assert path_only.returncode == 2


def test_a_plain_call_imports_only_what_it_uses(
    cli_env: dict[str, str], fault_server: FaultServer, tmp_path: Path
) -> None:
    """Start-up is part of every call: ``get URL`` in a pipe loads neither rich, nor the
    OpenAPI runtime, nor the other commands, nor logging (checked, not timed: the modules
    loaded when the command exits are written out by an atexit hook)."""
    listing = tmp_path / "modules.json"
    write = f"open({str(listing)!r}, 'w').write(json.dumps(sorted(sys.modules)))"
    code = (
        "import atexit, json, runpy, sys\n"
        f"atexit.register(lambda: {write})\n"
        f"sys.argv = ['restwright', 'get', {fault_server.url('/echo')!r}]\n"
        "runpy.run_module('restwright', run_name='__main__')\n"
    )
    done = run_process([sys.executable, "-c", code], cli_env, tmp_path)
    assert done.returncode == 0, done.stderr
    loaded = set(json.loads(listing.read_text()))
    assert "restwright.cli.http" in loaded
    for heavy in (
        "rich",
        "restwright.openapi",
        "restwright.cli.operations",
        "restwright.cli.profiles",
        "restwright.cli.kinto",
        "logging",
        "asyncio",
    ):
        assert heavy not in loaded, heavy
