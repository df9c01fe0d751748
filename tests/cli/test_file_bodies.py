"""``--body @FILE`` is sent again whole (with its ``Content-Length``) after a connection
reset or a 307, by the URL verbs and by a described call; a POST is never sent twice; the
upload bar counts the file once, not once per attempt."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from tests.servers.fault_server import FaultServer

from .conftest import Run, Terminal, shell_words
from .test_operations import RAW_DOCUMENT
from .test_terminal import plain

DATA = bytes(range(256)) * 800  # 204,800 bytes

#: The raw upload of test_operations, at a path that fails on demand (the fault server's
#: ``/flaky/{key}?fails=N&fault=...``).
FLAKY_DOCUMENT = RAW_DOCUMENT.replace("  /echo/blob:", "  /flaky/{key}:").replace(
    "      tags: [blobs]\n",
    """      tags: [blobs]
      parameters:
        - {name: key, in: path, required: true, schema: {type: string}}
        - {name: fails, in: query, schema: {type: integer}}
        - {name: fault, in: query, schema: {type: string}}
""",
)


@pytest.fixture
def blob(tmp_path: Path) -> Path:
    path = tmp_path / "blob.bin"
    path.write_bytes(DATA)
    return path


def assert_sent_whole(fault_server: FaultServer, paths: list[str], data: bytes) -> None:
    seen = fault_server.requests
    assert [r.path for r in seen] == paths
    for record in seen:
        assert record.body_sha256 == hashlib.sha256(data).hexdigest()
        assert record.header("Content-Length") == str(len(data))


def test_a_put_of_a_file_is_sent_again_after_a_reset_and_a_307(
    restwright: Run, fault_server: FaultServer, blob: Path
) -> None:
    url = fault_server.url("/flaky/cli?fails=1&fault=reset-before")
    done = restwright("put", url, "--body", f"@{blob}")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"attempts": 2, "method": "PUT"}
    assert_sent_whole(fault_server, ["/flaky/cli"] * 2, DATA)
    fault_server.reset()
    done = restwright(
        "put", fault_server.url("/redirect/307?to=/echo/landed"), "--body", f"@{blob}"
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["path"] == "/echo/landed"
    assert_sent_whole(fault_server, ["/redirect/307", "/echo/landed"], DATA)


def test_a_post_of_a_file_is_not_sent_again(
    restwright: Run, fault_server: FaultServer, blob: Path
) -> None:
    url = fault_server.url("/flaky/cli-post?fails=1&fault=reset-before")
    done = restwright("post", url, "--body", f"@{blob}")
    assert done.returncode != 0
    assert_sent_whole(fault_server, ["/flaky/cli-post"], DATA)


def test_a_described_raw_body_is_sent_again_after_a_reset(
    restwright: Run, fault_server: FaultServer, blob: Path, tmp_path: Path
) -> None:
    document = tmp_path / "flaky.yaml"
    document.write_text(FLAKY_DOCUMENT % fault_server.base_url)
    done = restwright(
        str(document), "blobs", "put_blob", "key=op", "fails=1", "fault=reset-before",
        "--body", f"@{blob}",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["attempts"] == 2
    assert_sent_whole(fault_server, ["/flaky/op"] * 2, DATA)


def test_the_upload_bar_counts_a_resent_file_once(
    terminal: Terminal, fault_server: FaultServer, tmp_path: Path
) -> None:
    (tmp_path / "disk.img").write_bytes(b"\x00" * (8 * 1024 * 1024))
    url = fault_server.url("/flaky/bar?fails=1&fault=reset-before")
    screen = plain(terminal.run(shell_words("put", url, "--body", "@disk.img")))
    bar = next(line for line in screen.splitlines() if line.startswith("upload"))
    assert "8.4/8.4 MB" in bar, bar
    assert '"attempts": 2' in screen
    document = tmp_path / "flaky.yaml"
    document.write_text(FLAKY_DOCUMENT % fault_server.base_url)
    screen = plain(terminal.run(
        shell_words(
            document, "blobs", "put_blob", "key=op-bar", "fails=1", "fault=reset-before",
            "--body", "@disk.img",
        )
    ))  # fmt: skip
    bar = next(line for line in screen.splitlines() if line.startswith("upload"))
    assert "8.4/8.4 MB" in bar, bar
    assert '"attempts": 2' in screen
    sizes = [r.body_size for r in fault_server.requests]
    assert sizes == [8 * 1024 * 1024] * 4
