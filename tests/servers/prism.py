"""Run the Prism mock server on an API document, for tests.

Usage::

    from tests.servers.prism import prism_mock

    with prism_mock("tests/openapi/documents/petstore-3.0.yaml") as base_url:
        ...  # "http://127.0.0.1:PORT"

Prism (``@stoplight/prism-cli``, pinned in the repository's ``package.json``; ``npm install
--no-audit --no-fund --no-package-lock`` puts it in ``node_modules/.bin/prism``) answers
every operation of the document with an example or a response generated from its schema.
It runs as ``prism mock --errors``: a request that breaks the document gets an error
status, and Prism lists every violation in the ``sl-violations`` response header, which
tests assert is absent (:func:`assert_no_violations`).

The executable is taken from ``RESTWRIGHT_PRISM_BIN`` when set, else from the repository's
``node_modules``; :func:`find_prism` raises ``FileNotFoundError`` when there is none, so
test fixtures can skip cleanly.  Prism listens on 127.0.0.1 only, on a free port, and is
stopped (its whole process group) when the block exits.

This module imports nothing from pytest: it is plain standard library.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from .processes import free_port, stop, wait_until_up

REPO_ROOT = Path(__file__).resolve().parents[2]
PRISM_BIN_ENV = "RESTWRIGHT_PRISM_BIN"
START_TIMEOUT = 90.0
STOP_TIMEOUT = 10.0
VIOLATIONS_HEADER = "sl-violations"

__all__ = ["VIOLATIONS_HEADER", "assert_no_violations", "find_prism", "prism_mock"]


def find_prism() -> str:
    """The path of the ``prism`` executable (env var, else the repo's node_modules)."""
    explicit = os.environ.get(PRISM_BIN_ENV)
    if explicit:
        return explicit
    candidate = REPO_ROOT / "node_modules" / ".bin" / "prism"
    if not candidate.exists():
        raise FileNotFoundError(
            f"Prism not found at {candidate}; set {PRISM_BIN_ENV} or run "
            "`npm install --no-audit --no-fund --no-package-lock` in the repository"
        )
    return str(candidate)


@contextlib.contextmanager
def prism_mock(
    document_path: str | os.PathLike[str],
    *,
    dynamic: bool = False,
    log_dir: str | os.PathLike[str] | None = None,
) -> Iterator[str]:
    """Run ``prism mock --errors`` on a document while the block runs; yield its base URL.

    ``dynamic=True`` makes Prism generate random data from the schemas instead of
    answering with the documents' examples.  Prism's log goes to ``log_dir/prism-PORT.log``
    (a temporary directory by default) and its tail is shown if it fails to start.
    """
    document = Path(document_path)
    if not document.is_file():
        raise FileNotFoundError(f"no such API document: {document}")
    port = free_port()
    with contextlib.ExitStack() as stack:
        directory = (
            Path(log_dir)
            if log_dir is not None
            else Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="prism-")))
        )
        directory.mkdir(parents=True, exist_ok=True)
        log = directory / f"prism-{port}.log"
        command = [
            find_prism(),
            "mock",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "--errors",
        ]
        if dynamic:
            command.append("--dynamic")
        command.append(str(document.resolve()))
        with log.open("wb") as out:
            proc = subprocess.Popen(
                command,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=str(REPO_ROOT),
                start_new_session=True,
            )
        try:
            wait_until_up(
                "prism",
                port,
                "/__restwright_probe__",
                proc,
                log,
                timeout=START_TIMEOUT,
                ready=lambda status: True,  # any answer, even a 404, means it is serving
                interval=0.2,
            )
            yield f"http://127.0.0.1:{port}"
        finally:
            stop(proc, timeout=STOP_TIMEOUT, group=True)  # node may start children


def assert_no_violations(headers: Mapping[str, Any] | Any) -> None:
    """Fail when a Prism response lists request violations (``sl-violations``)."""
    value = headers.get(VIOLATIONS_HEADER)
    if value:
        raise AssertionError(f"Prism reports request violations: {value}")


if __name__ == "__main__":
    import sys

    # Manual mode: python tests/servers/prism.py DOCUMENT
    with prism_mock(sys.argv[1]) as url:
        sys.stdout.write(f"Prism mocking {sys.argv[1]} at {url} (Ctrl-C to stop)\n")
        sys.stdout.flush()
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)
