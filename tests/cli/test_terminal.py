"""The command line in a real terminal (tmux): coloured JSON, tables, progress bars on
stderr; and the same commands piped, where none of that may appear."""

from __future__ import annotations

import re
from pathlib import Path

from tests.servers.fault_server import FaultServer

from .conftest import Terminal, shell_words
from .test_operations import RAW_DOCUMENT, UPLOAD_DOCUMENT

ESCAPE = re.compile(r"\x1b\[[0-9;:]*m")
BAR = "━"


def plain(screen: str) -> str:
    return ESCAPE.sub("", screen)


def test_json_is_coloured_on_a_terminal_and_plain_in_a_pipe(
    terminal: Terminal, fault_server: FaultServer
) -> None:
    url = fault_server.url("/echo")
    screen = terminal.run(shell_words("get", url))
    assert re.search(r"\x1b\[[0-9;]*m\"?method", screen), screen
    assert '"method": "GET"' in plain(screen)
    piped = terminal.run(shell_words("get", url) + " | cat")
    lines = [line for line in piped.splitlines() if '"method"' in line]
    assert lines and not ESCAPE.search(lines[-1])


def test_table_on_a_terminal(terminal: Terminal, fault_server: FaultServer) -> None:
    screen = plain(terminal.run(shell_words("get", fault_server.url("/pages/link"), "--table")))
    header = next(line for line in screen.splitlines() if " id " in line and " name " in line)
    assert header.strip().startswith("┃")
    rows = [line for line in screen.splitlines() if "item-" in line]
    assert len(rows) == 5 and rows[0].strip().startswith("│")


def test_download_upload_and_all_draw_progress_bars_on_stderr(
    terminal: Terminal, fault_server: FaultServer
) -> None:
    size = 20 * 1024 * 1024
    download = plain(
        terminal.run(
            shell_words(
                "get", fault_server.url(f"/download?size={size}&mode=length"), "-o", "big.bin"
            )
        )
    )
    bar = next(line for line in download.splitlines() if line.startswith("big.bin"))
    assert BAR in bar and "21.0/21.0 MB" in bar
    upload = plain(terminal.run(shell_words("post", fault_server.url("/upload"), "f@big.bin")))
    bar = next(line for line in upload.splitlines() if line.startswith("upload"))
    assert BAR in bar and "MB" in bar
    every = plain(terminal.run(shell_words("get", fault_server.url("/pages/header"), "--all")))
    assert '{"id":22,"name":"item-22"}' in every
    bar = next(line for line in every.splitlines() if line.startswith("items"))
    assert "23 items" in bar
    # stderr redirected away from the terminal: no bar at all
    quiet = plain(
        terminal.run(
            shell_words("get", fault_server.url("/download?size=1000&mode=length"), "-o", "s.bin")
            + " 2>/dev/null; echo exit=$?"
        )
    )
    assert "exit=0" in quiet and BAR not in quiet
    muted = plain(
        terminal.run(
            shell_words(
                "get", fault_server.url("/download?size=1000&mode=length"), "-o", "t.bin", "-q"
            )
        )
    )
    assert BAR not in muted


def test_described_upload_draws_a_progress_bar(
    terminal: Terminal, fault_server: FaultServer, tmp_path: Path
) -> None:
    document = tmp_path / "uploads.yaml"
    document.write_text(UPLOAD_DOCUMENT % fault_server.base_url)
    (tmp_path / "video.bin").write_bytes(b"\x00" * (8 * 1024 * 1024))
    screen = plain(
        terminal.run(shell_words(document, "files", "upload_file", "file@video.bin", "caption=x"))
    )
    bar = next(line for line in screen.splitlines() if line.startswith("upload"))
    assert BAR in bar and "8.4/8.4 MB" in bar
    assert '"filename": "video.bin"' in screen


def test_described_raw_body_draws_a_progress_bar(
    terminal: Terminal, fault_server: FaultServer, tmp_path: Path
) -> None:
    document = tmp_path / "raw.yaml"
    document.write_text(RAW_DOCUMENT % fault_server.base_url)
    (tmp_path / "disk.img").write_bytes(b"\x00" * (8 * 1024 * 1024))
    screen = plain(terminal.run(shell_words(document, "blobs", "put_blob", "--body", "@disk.img")))
    bar = next(line for line in screen.splitlines() if line.startswith("upload"))
    assert BAR in bar and "8.4/8.4 MB" in bar
    assert '"body_size": 8388608' in screen


DOWNLOAD_DOCUMENT = """
openapi: 3.0.3
info: {title: downloads, version: "1"}
servers: [{url: "%s"}]
paths:
  /download:
    get:
      operationId: getBlob
      tags: [blobs]
      parameters:
        - {name: size, in: query, required: true, schema: {type: integer}}
        - {name: mode, in: query, schema: {type: string}}
      responses:
        "200":
          description: the bytes
          content:
            application/octet-stream:
              schema: {type: string, format: binary}
"""


def test_described_download_bar_knows_its_total(
    terminal: Terminal, fault_server: FaultServer, tmp_path: Path
) -> None:
    document = tmp_path / "downloads.yaml"
    document.write_text(DOWNLOAD_DOCUMENT % fault_server.base_url)
    size = 12 * 1024 * 1024
    screen = plain(
        terminal.run(
            shell_words(document, "blobs", "get_blob", f"size={size}", "mode=length", "-o", "b.bin")
        )
    )
    bar = next(line for line in screen.splitlines() if line.startswith("b.bin"))
    assert BAR in bar and "12.6/12.6 MB" in bar
    assert (tmp_path / "b.bin").stat().st_size == size
