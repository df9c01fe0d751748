"""Start a throwaway PostgreSQL cluster for tests that need Kinto's PostgreSQL backends.

Why: the memory backends never conflict, so only a PostgreSQL-backed Kinto reproduces what a
real deployment does under concurrent batch writes (``409 Integrity constraint violated,
please retry``, rolled-back transactions).

Usage::

    from tests.servers.postgres import postgres_server
    from tests.servers.kinto_server import kinto_server

    with postgres_server(tmp_dir) as url, kinto_server(tmp_dir, storage_url=url) as base_url:
        ...  # url is "postgresql://postgres@127.0.0.1:PORT/kinto"

The server binaries are looked up by :func:`find_postgres_bindir` (``scripts/bootstrap``
installs the ``postgresql`` package when it can).  Each call runs ``initdb`` into a fresh
data directory (an old one is replaced; trust authentication, superuser ``postgres``, no
fsync: the data is disposable), starts ``postgres`` as a child process listening on
127.0.0.1 only, on a free port, with the time zone Kinto expects (UTC), waits until it
accepts connections, creates the database ``kinto`` and, when the block ends, stops the
server with SIGINT (PostgreSQL's "fast" shutdown: roll back open transactions, close
connections, exit).  The server's and initdb's output go to ``<tmp_dir>/postgres.log``.

The data directory is ``<tmp_dir>/pgdata``.  The Unix socket goes to a private directory
of its own under the system temporary directory, deleted afterwards: a socket path is
limited to about 100 bytes, which a pytest ``tmp_path`` can exceed (clients here use TCP).
``initdb`` and ``postgres`` refuse to run as root: when this process is root they run as the
``postgres`` system user (else ``nobody``), and since that user usually cannot reach
``tmp_dir`` (pytest and ``tempfile`` directories are private to root) the data directory
then lives in that private directory too, owned by that user.

This module imports nothing from pytest: it is plain standard library.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from .processes import start_on_free_port, stop, tail

START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0
DATABASE = "kinto"
SUPERUSER = "postgres"

__all__ = ["find_postgres_bindir", "postgres_server"]


def _has_server(bindir: str | os.PathLike[str]) -> bool:
    return all((Path(bindir) / name).is_file() for name in ("initdb", "postgres"))


def _version_key(path: Path) -> tuple[int, ...]:
    # "/usr/lib/postgresql/15/bin" -> (15,); "9.6" -> (9, 6); anything else sorts first.
    return tuple(int(part) for part in re.findall(r"\d+", path.parent.name)) or (-1,)


def find_postgres_bindir() -> str | None:
    """The directory holding PostgreSQL's ``initdb`` and ``postgres``, or None.

    Looked up in this order: ``pg_config --bindir`` (when that directory has the server
    binaries: ``pg_config`` may come from the client-only ``libpq-dev``), the newest
    ``/usr/lib/postgresql/*/bin`` (Debian and Ubuntu keep the server binaries off PATH),
    then ``initdb`` on PATH (symlinks resolved, so ``postgres`` is found next to it).
    Tests use ``None`` to skip with a clear reason.
    """
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(
                [pg_config, "--bindir"],
                capture_output=True,
                text=True,
                timeout=10,
                check=True,
            ).stdout.strip()
            if out and _has_server(out):
                return out
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_version_key, reverse=True)
    for versioned in versions:
        if _has_server(versioned):
            return str(versioned)
    initdb = shutil.which("initdb")
    if initdb:
        beside = os.path.dirname(os.path.realpath(initdb))
        if _has_server(beside):
            return beside
    return None


def _tool(bindir: str, name: str) -> str:
    """A client tool (``pg_isready``, ``createdb``) from ``bindir``, else from PATH."""
    candidate = Path(bindir) / name
    if candidate.is_file():
        return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"PostgreSQL's {name} not found in {bindir} nor on PATH")
    return found


def _unprivileged_user() -> pwd.struct_passwd:
    """The account initdb and postgres run as when we are root: ``postgres``, else ``nobody``."""
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise RuntimeError("running as root and neither a 'postgres' nor a 'nobody' user exists")


def _client_env() -> dict[str, str]:
    """Our environment without libpq's PG* variables, so they cannot redirect the tools."""
    return {k: v for k, v in os.environ.items() if not k.startswith("PG")}


def _accepts_connections(pg_isready: str, port: int) -> bool:
    try:
        done = subprocess.run(
            [pg_isready, "-q", "-h", "127.0.0.1", "-p", str(port), "-U", SUPERUSER, "-t", "2"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=_client_env(),
            timeout=10,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return False
    return done.returncode == 0


def _run(
    args: list[str], out: IO[bytes], log: Path, **kwargs: Any
) -> subprocess.CompletedProcess[bytes]:
    """Run a set-up step (initdb, createdb) with its output appended to ``log``; a step
    that hangs fails like one that exits non-zero, with a RuntimeError and the log's tail."""
    try:
        return subprocess.run(
            args,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            timeout=START_TIMEOUT,
            check=False,
            **kwargs,
        )
    except subprocess.TimeoutExpired:
        raise RuntimeError(
            f"{Path(args[0]).name} did not finish in {START_TIMEOUT:.0f}s:\n{tail(log)}"
        ) from None


def _port_is_listening(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@contextlib.contextmanager
def postgres_server(tmp_dir: str | os.PathLike[str]) -> Iterator[str]:
    """Run a disposable PostgreSQL server while the block runs; yield the SQLAlchemy URL
    ``postgresql://postgres@127.0.0.1:PORT/kinto`` of its (empty) ``kinto`` database."""
    bindir = find_postgres_bindir()
    if bindir is None:
        raise RuntimeError(
            "PostgreSQL server binaries (initdb, postgres) not found: install the "
            "`postgresql` package (scripts/bootstrap does when run as root with apt-get)"
        )
    tmp = Path(tmp_dir).resolve()
    tmp.mkdir(parents=True, exist_ok=True)
    log = tmp / "postgres.log"

    # As root, drop to an unprivileged account for initdb and postgres (both refuse root).
    # Popen's user/group rather than runuser: runuser would stay as postgres' parent, and
    # our SIGINT would reach it instead of postgres.
    run_as: dict[str, Any] = {}
    private = Path(tempfile.mkdtemp(prefix="restwright-pg-"))  # short: holds the socket
    pgdata = tmp / "pgdata"
    if os.geteuid() == 0:
        user = _unprivileged_user()
        run_as = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
        os.chown(private, user.pw_uid, user.pw_gid)
        pgdata = private / "pgdata"
    env = _client_env()
    # Not a configured but uninstalled locale (initdb fails on it), and English messages
    # (the "Address already in use" check below reads them).
    env["LC_ALL"] = "C"

    try:
        if pgdata.exists():  # left by an earlier run in the same tmp_dir
            shutil.rmtree(pgdata)
        with log.open("wb") as out:
            done = _run(
                [
                    str(Path(bindir) / "initdb"),
                    "-D",
                    str(pgdata),
                    "-A",
                    "trust",
                    "-U",
                    SUPERUSER,
                    "--no-sync",
                    "-E",
                    "UTF8",
                    "--locale=C",
                ],
                out,
                log,
                cwd=str(private),
                env=env,
                **run_as,
            )
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed with code {done.returncode}:\n{tail(log)}")

        pg_isready = _tool(bindir, "pg_isready")

        def start(port: int) -> subprocess.Popen[bytes]:
            with log.open("ab") as out:
                return subprocess.Popen(
                    [
                        str(Path(bindir) / "postgres"),
                        "-D",
                        str(pgdata),
                        "-p",
                        str(port),
                        "-k",
                        str(private),
                        "-c",
                        "listen_addresses=127.0.0.1",
                        "-c",
                        "fsync=off",
                        "-c",
                        "synchronous_commit=off",
                        "-c",
                        "full_page_writes=off",
                        "-c",
                        "timezone=UTC",  # what Kinto expects (it warns otherwise)
                    ],
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    cwd=str(private),
                    env=env,
                    **run_as,
                )

        def wait(proc: subprocess.Popen[bytes], port: int) -> None:
            _wait_for_postgres(proc, pg_isready, port, log)

        proc: subprocess.Popen[bytes] | None = None
        try:
            # SIGINT is the "fast" shutdown: no waiting for clients still connected.
            proc, port = start_on_free_port(
                start, wait, log, stop_timeout=STOP_TIMEOUT, sig=signal.SIGINT
            )

            with log.open("ab") as out:
                done = _run(
                    [
                        _tool(bindir, "createdb"),
                        "-h",
                        "127.0.0.1",
                        "-p",
                        str(port),
                        "-U",
                        SUPERUSER,
                        DATABASE,
                    ],
                    out,
                    log,
                    env=_client_env(),
                )
            if done.returncode != 0:
                raise RuntimeError(f"createdb failed with code {done.returncode}:\n{tail(log)}")

            yield f"postgresql://{SUPERUSER}@127.0.0.1:{port}/{DATABASE}"
        finally:
            if proc is not None:
                # SIGINT is the "fast" shutdown: no waiting for clients still connected.
                stop(proc, timeout=STOP_TIMEOUT, sig=signal.SIGINT)
    finally:
        shutil.rmtree(private, ignore_errors=True)


def _wait_for_postgres(
    proc: subprocess.Popen[bytes], pg_isready: str, port: int, log: Path
) -> None:
    """Poll until the server accepts connections; fail with the log's tail if it exits or
    does not within :data:`START_TIMEOUT`."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"postgres exited with code {proc.returncode} during start-up:\n{tail(log)}"
            )
        # A TCP connect first: it is far cheaper than spawning pg_isready while nothing listens.
        if _port_is_listening(port) and _accepts_connections(pg_isready, port):
            return
        time.sleep(0.05)
    raise RuntimeError(f"postgres not accepting connections on port {port}:\n{tail(log)}")
