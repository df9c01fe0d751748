"""A real terminal for tests: a tmux server of its own (its socket in a temporary folder)
with one pane, in which a command runs as a user would type it; the screen is read back
with ``capture-pane`` (``-e``: with its colour and style escapes)."""

from __future__ import annotations

import shlex
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

DONE = "__command_ended__"


class TmuxTerminal:
    def __init__(self, socket: Path, env: Mapping[str, str], width: int, height: int) -> None:
        self.socket = socket
        self.env = dict(env)
        self.size = (str(width), str(height))

    def _tmux(self, *args: str) -> str:
        return subprocess.run(
            ["tmux", "-S", str(self.socket), *args],
            capture_output=True, text=True, env=self.env, timeout=30, check=True,
        ).stdout  # fmt: skip

    def start(self, argv: list[str]) -> None:
        """Run ``argv`` in a new window sized like the terminal."""
        command = f"{shlex.join(argv)}; echo {DONE} $?; sleep 600"
        width, height = self.size
        self._tmux("new-session", "-d", "-x", width, "-y", height, "-c", str(Path.cwd()), command)

    def screen(self, *, escapes: bool = False) -> str:
        return self._tmux("capture-pane", "-p", *(["-e"] if escapes else []))

    def wait_for(self, text: str, *, escapes: bool = False, timeout: float = 60) -> str:
        """The screen once ``text`` is on it (or, after ``timeout``, as it is)."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen(escapes=escapes)
            if text in screen or time.monotonic() > deadline:
                return screen
            time.sleep(0.05)

    def send(self, text: str) -> None:
        """Type ``text`` and Enter."""
        self._tmux("send-keys", "-l", text)
        self._tmux("send-keys", "Enter")

    def run(self, argv: list[str], *, escapes: bool = False) -> str:
        """Run ``argv``; the screen once it ended (its exit status after :data:`DONE`)."""
        self.start(argv)
        return self.wait_for(DONE, escapes=escapes)

    def close(self) -> None:
        subprocess.run(
            ["tmux", "-S", str(self.socket), "kill-server"],
            capture_output=True, env=self.env, timeout=30, check=False,
        )  # fmt: skip


@contextmanager
def tmux_terminal(
    folder: Path, env: Mapping[str, str], width: int = 120, height: int = 30
) -> Iterator[TmuxTerminal]:
    """A :class:`TmuxTerminal` whose server is stopped on exit."""
    terminal = TmuxTerminal(folder / "tmux.sock", env, width, height)
    try:
        yield terminal
    finally:
        terminal.close()
