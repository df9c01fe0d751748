"""Dry run (nothing is sent) and ``request.to_curl()``."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import shlex
import shutil
import subprocess
import urllib.parse

import pytest

import restwright

SECRET = "dry-run-s3cret-token"


def restwright_debug_records(caplog):
    return [
        r
        for r in caplog.records
        if (r.name == "restwright" or r.name.startswith("restwright."))
        and r.levelno == logging.DEBUG
    ]


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE"])
def test_dry_run_sends_nothing(make_client, fault_server, caplog, method):
    caplog.set_level(logging.DEBUG, logger="restwright")
    api = make_client(dry_run=True, auth=restwright.BearerAuth(SECRET))
    response = api.request(method, "/echo/dry", params={"q": "v"}, json={"a": 1})
    assert response.status_code == 200
    assert response.json() == {}
    assert response.request.method == method
    assert fault_server.requests == []
    records = restwright_debug_records(caplog)
    assert any(method in r.getMessage() and "/echo/dry" in r.getMessage() for r in records), [
        r.getMessage() for r in records
    ]
    assert SECRET not in caplog.text
    for record in records:
        assert SECRET not in repr(record.__dict__)


def test_dry_run_on_a_closed_port(make_client, closed_port):
    api = make_client(f"http://127.0.0.1:{closed_port}", dry_run=True, retry=0)
    assert api.get("/anything").json() == {}


def test_dry_run_with_files_sends_nothing(make_client, fault_server, tmp_path):
    path = tmp_path / "f.txt"
    path.write_text("content")
    api = make_client(dry_run=True)
    assert api.post("/upload", files={"f": path}).status_code == 200
    assert fault_server.requests == []


def parse_curl(command: str) -> dict:
    tokens = shlex.split(command)
    assert tokens[0] == "curl", command
    out: dict = {"method": None, "url": None, "headers": [], "data": None}
    i = 1
    while i < len(tokens):
        token = tokens[i]
        if token in ("-X", "--request"):
            out["method"] = tokens[i + 1]
            i += 2
        elif token in ("-H", "--header"):
            out["headers"].append(tokens[i + 1])
            i += 2
        elif token in ("-d", "--data", "--data-raw", "--data-binary", "--data-ascii"):
            out["data"] = tokens[i + 1]
            i += 2
        elif token.startswith("http://") or token.startswith("https://"):
            out["url"] = token
            i += 1
        elif token == "--url":
            out["url"] = tokens[i + 1]
            i += 2
        else:
            i += 1
    if out["method"] is None:
        out["method"] = "POST" if out["data"] is not None else "GET"
    return out


def header_value(headers: list[str], name: str) -> str | None:
    for line in headers:
        key, _, value = line.partition(":")
        if key.strip().lower() == name.lower():
            return value.strip()
    return None


@pytest.mark.parametrize("dry_run", [True, False])
def test_to_curl(make_client, fault_server, dry_run):
    api = make_client(
        dry_run=dry_run, auth=restwright.BearerAuth(SECRET), headers={"X-Custom": "yes it's"}
    )
    response = api.post("/echo/items", params={"q": "a b"}, json={"name": "x", "n": 1})
    request = response.request

    masked = request.to_curl()
    assert SECRET not in masked
    curl = parse_curl(masked)
    assert curl["method"] == "POST"
    split = urllib.parse.urlsplit(curl["url"])
    assert f"{split.scheme}://{split.netloc}{split.path}" == fault_server.url("/echo/items")
    assert urllib.parse.parse_qs(split.query) == {"q": ["a b"]}
    assert header_value(curl["headers"], "X-Custom") == "yes it's"
    assert header_value(curl["headers"], "Content-Type").startswith("application/json")
    assert "[REDACTED]" in header_value(curl["headers"], "Authorization")
    assert json.loads(curl["data"]) == {"name": "x", "n": 1}

    revealed = parse_curl(request.to_curl(reveal_credentials=True))
    assert header_value(revealed["headers"], "Authorization") == f"Bearer {SECRET}"
    assert json.loads(revealed["data"]) == {"name": "x", "n": 1}


def test_to_curl_of_a_file_body_reads_the_same_file(make_client, fault_server, tmp_path):
    """A dry run of a PUT of a file prints ``--data-binary @PATH``: run, curl sends the file."""
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    disk = tmp_path / "disk image.bin"
    disk.write_bytes(bytes(range(256)) * 300)
    request = make_client(dry_run=True).put("/echo/disk", content=disk).request
    command = request.to_curl()
    assert parse_curl(command)["data"] == f"@{disk}"
    assert fault_server.requests == []  # a dry run sends nothing
    subprocess.run(shlex.split(command), capture_output=True, check=True, timeout=30)
    (record,) = fault_server.requests
    assert (record.method, record.path) == ("PUT", "/echo/disk")
    assert record.body_sha256 == hashlib.sha256(disk.read_bytes()).hexdigest()
    assert record.header("Content-Length") == str(256 * 300)


@pytest.mark.parametrize(
    "auth",
    [
        ("user", SECRET),
        restwright.HeaderAuth("X-Auth-Token", SECRET),
        restwright.APIKeyAuth("api_key", SECRET, location="query"),
        restwright.APIKeyAuth("session", SECRET, location="cookie"),
    ],
    ids=["basic", "header", "apikey-query", "apikey-cookie"],
)
def test_to_curl_masks_every_kind_of_credential(make_client, auth):
    api = make_client(dry_run=True, auth=auth)
    request = api.get("/echo").request
    masked = request.to_curl()
    assert SECRET not in masked
    assert "[REDACTED]" in masked or "%5BREDACTED%5D" in masked
    revealed = request.to_curl(reveal_credentials=True)
    if isinstance(auth, tuple):
        assert base64.b64encode(f"user:{SECRET}".encode()).decode() in revealed
    else:
        assert SECRET in revealed
