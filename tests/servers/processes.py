"""Running server processes for tests, the tour and the benches: ports, start-up, shutdown.

Shared by the Kinto and Prism launchers and the fault server. Plain standard library.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

__all__ = ["free_port", "start_on_free_port", "stop", "tail", "wait_until_up"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (closed right after being chosen)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def tail(log: Path, lines: int = 40) -> str:
    """The last lines of a server's log, to show why it failed."""
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def wait_until_up(
    name: str,
    port: int,
    path: str,
    proc: subprocess.Popen[bytes],
    log: Path,
    *,
    timeout: float,
    ready: Callable[[int], bool] = lambda status: status < 500,
    interval: float = 0.1,
) -> None:
    """Poll ``GET path`` on 127.0.0.1:``port`` until ``ready(status)``; fail with the log's
    tail if the process exits or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"{name} exited with code {proc.returncode} during start-up:\n{tail(log)}"
            )
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            conn.request("GET", path)
            resp = conn.getresponse()
            resp.read()
            if ready(resp.status):
                return
        except OSError as exc:
            last_error = exc
        finally:
            conn.close()
        time.sleep(interval)
    raise RuntimeError(f"{name} not answering on port {port} ({last_error}):\n{tail(log)}")


def stop(
    proc: subprocess.Popen[bytes],
    *,
    timeout: float,
    group: bool = False,
    sig: signal.Signals = signal.SIGTERM,
) -> None:
    """Send ``sig`` to ``proc`` (to its whole process group with ``group=True``), kill it if
    it does not exit within ``timeout``.  ``sig`` is SIGTERM unless the server shuts down
    best on another one (PostgreSQL: SIGINT, a "fast" shutdown; SIGTERM waits for clients)."""
    if proc.poll() is not None:
        return

    def send(signum: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError):
            if group:
                os.killpg(proc.pid, signum)
            else:
                proc.send_signal(signum)

    send(sig)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        send(signal.SIGKILL)
        proc.wait(timeout=timeout)


def start_on_free_port(
    start: Callable[[int], subprocess.Popen[bytes]],
    wait: Callable[[subprocess.Popen[bytes], int], None],
    log: Path,
    *,
    stop_timeout: float,
    sig: signal.Signals = signal.SIGTERM,
    attempts: int = 3,
) -> tuple[subprocess.Popen[bytes], int]:
    """Start a server with ``start(port)`` on a free port and ``wait(proc, port)`` until it
    serves; return the process and its port.

    A free port may be taken by someone else between choosing it and binding it: when the
    server fails to come up and its ``log`` says "Address already in use", it is stopped
    (with ``sig``) and started again on another port, ``attempts`` times in all.  Any other
    failure is raised at once.
    """
    for attempt in range(attempts):
        port = free_port()
        proc = start(port)
        try:
            wait(proc, port)
        except RuntimeError:
            stop(proc, timeout=stop_timeout, sig=sig)
            if attempt == attempts - 1 or "Address already in use" not in tail(log):
                raise
            continue
        return proc, port
    raise ValueError(f"attempts must be at least 1, not {attempts}")
