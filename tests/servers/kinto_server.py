"""Start a throwaway Kinto server (memory or PostgreSQL backends) for tests, the tour, benches.

Usage::

    from tests.servers.kinto_server import kinto_server

    with kinto_server(tmp_dir) as base_url:  # "http://127.0.0.1:PORT/v1"
        ...

Kinto runs as a child process from the Kinto virtualenv: the executable is taken from the
``RESTWRIGHT_KINTO_BIN`` environment variable, else ``<repo root>/.venv-kinto/bin/kinto``
(create it with ``python -m venv .venv-kinto && .venv-kinto/bin/pip install kinto
kinto-attachment``; ``scripts/bootstrap`` also installs ``kinto[postgresql]``).  It listens on
127.0.0.1 on a free port, with memory storage, cache and permission backends, or with
``storage_url=URL`` (a SQLAlchemy URL, see :func:`tests.servers.postgres.postgres_server`) the
PostgreSQL ones on that database: the memory backends never conflict, while PostgreSQL
reproduces a deployment's behaviour under concurrent writes (409 "Integrity constraint
violated, please retry", rolled-back transactions).  The schema is then created first with
``kinto migrate``.  The plugins are: default bucket, accounts, history, flush (``POST
/v1/__flush__`` empties every backend) and kinto-attachment.  Attachments are written to
``<tmp_dir>/attachments`` and served by a second tiny HTTP server on another port (so an
attachment URL is another *origin* than the API); that server appends one line per request
to :func:`attachment_access_log` saying whether credentials were sent.

Authentication: Kinto accounts and plain Basic auth (any ``user:password`` is a distinct
principal).  ``kinto_server(tmp_dir, openid_issuer=URL)`` also enables an OpenID Connect
policy named ``openid`` against that issuer (see :func:`fake_openid_provider`).

This module imports nothing from pytest: it is plain standard library.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import secrets
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from .processes import free_port, start_on_free_port, stop, tail, wait_until_up

REPO_ROOT = Path(__file__).resolve().parents[2]
KINTO_BIN_ENV = "RESTWRIGHT_KINTO_BIN"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0

__all__ = [
    "attachment_access_log",
    "fake_openid_provider",
    "find_kinto_bin",
    "flush",
    "kinto_server",
]


def find_kinto_bin() -> str:
    """Return the path of the ``kinto`` executable (env var, else the repo's .venv-kinto)."""
    explicit = os.environ.get(KINTO_BIN_ENV)
    if explicit:
        return explicit
    candidate = REPO_ROOT / ".venv-kinto" / "bin" / "kinto"
    if not candidate.exists():
        raise FileNotFoundError(
            f"Kinto not found at {candidate}; set {KINTO_BIN_ENV} or run "
            "`python -m venv .venv-kinto && .venv-kinto/bin/pip install kinto kinto-attachment`"
        )
    return str(candidate)


def attachment_access_log(tmp_dir: str | os.PathLike[str]) -> Path:
    """The file where the attachment file server logs ``METHOD PATH auth=yes|no`` lines."""
    return Path(tmp_dir) / "attachments-access.log"


_INI_TEMPLATE = """\
[server:main]
use = egg:waitress#main
host = 127.0.0.1
port = %(http_port)s
threads = 8

[app:main]
use = egg:kinto
kinto.includes = kinto.plugins.default_bucket
                 kinto.plugins.accounts
                 kinto.plugins.history
                 kinto.plugins.flush
                 kinto_attachment{extra_includes}

kinto.storage_backend = kinto.core.storage.{backend}
kinto.storage_url ={storage_url}
kinto.cache_backend = kinto.core.cache.{backend}
kinto.cache_url ={storage_url}
kinto.permission_backend = kinto.core.permission.{backend}
kinto.permission_url ={storage_url}

kinto.userid_hmac_secret = {secret}
kinto.default_bucket_hmac_secret = {bucket_secret}

multiauth.policies = account basicauth{extra_policies}
multiauth.policy.account.use = kinto.plugins.accounts.AccountsPolicy
multiauth.policy.basicauth.use = kinto.core.authentication.BasicAuthAuthenticationPolicy
{openid_settings}
kinto.account_create_principals = system.Everyone
kinto.account_write_principals = account:admin
kinto.account_read_principals = account:admin
kinto.bucket_create_principals = system.Authenticated

kinto.experimental_permissions_endpoint = true
kinto.experimental_collection_schema_validation = true
kinto.paginate_by = 5
kinto.batch_max_requests = 10

kinto.attachment.base_path = {attachment_path}
kinto.attachment.base_url = {attachment_url}

[loggers]
keys = root

[handlers]
keys = console

[formatters]
keys = plain

[logger_root]
level = WARNING
handlers = console

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = plain

[formatter_plain]
format = %(asctime)s %(levelname)s %(name)s %(message)s
"""

_OPENID_SETTINGS = """\
multiauth.policy.openid.use = kinto.plugins.openid.OpenIDConnectPolicy
multiauth.policy.openid.issuer = {issuer}
multiauth.policy.openid.client_id = restwright-tests
multiauth.policy.openid.client_secret = restwright-secret
multiauth.policy.openid.userid_field = sub
"""


def write_ini(
    path: Path,
    *,
    attachment_path: Path,
    attachment_url: str,
    openid_issuer: str | None = None,
    storage_url: str | None = None,
) -> Path:
    """Write the Kinto configuration file used by :func:`kinto_server` (memory backends, or
    the PostgreSQL ones on the database ``storage_url`` when it is given)."""
    text = _INI_TEMPLATE.format(
        backend="postgresql" if storage_url else "memory",
        storage_url=f" {storage_url}" if storage_url else "",
        secret=secrets.token_hex(16),
        bucket_secret=secrets.token_hex(16),
        attachment_path=attachment_path,
        attachment_url=attachment_url,
        extra_includes="\n                 kinto.plugins.openid" if openid_issuer else "",
        extra_policies=" openid" if openid_issuer else "",
        openid_settings=_OPENID_SETTINGS.format(issuer=openid_issuer) if openid_issuer else "",
    )
    path.write_text(text)
    return path


@contextlib.contextmanager
def _static_file_server(directory: Path, log_dir: Path) -> Iterator[str]:
    port = free_port()
    log = log_dir / "attachments-server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.servers.kinto_server",
                "--serve-static",
                str(directory),
                str(port),
                str(attachment_access_log(log_dir)),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=REPO_ROOT,
        )
    try:
        wait_until_up("attachment server", port, "/", proc, log, timeout=START_TIMEOUT)
        yield f"http://127.0.0.1:{port}/"
    finally:
        stop(proc, timeout=STOP_TIMEOUT)


@contextlib.contextmanager
def kinto_server(
    tmp_dir: str | os.PathLike[str],
    *,
    openid_issuer: str | None = None,
    storage_url: str | None = None,
) -> Iterator[str]:
    """Run Kinto (and its attachment file server) while the block runs; yield the API URL.

    With ``storage_url`` (``postgresql://...``) Kinto stores everything in that database,
    whose schema ``kinto migrate`` creates (or updates) before the server starts.
    """
    tmp = Path(tmp_dir)
    tmp.mkdir(parents=True, exist_ok=True)
    attachments = tmp / "attachments"
    attachments.mkdir(exist_ok=True)
    with _static_file_server(attachments, tmp) as attachment_url:
        ini = write_ini(
            tmp / "kinto.ini",
            attachment_path=attachments,
            attachment_url=attachment_url,
            openid_issuer=openid_issuer,
            storage_url=storage_url,
        )
        kinto_bin = find_kinto_bin()
        log = tmp / "kinto.log"
        if storage_url:
            _migrate(kinto_bin, ini, tmp / "kinto-migrate.log", cwd=tmp)

        def start(port: int) -> subprocess.Popen[bytes]:
            with log.open("wb") as out:
                return subprocess.Popen(
                    [kinto_bin, "start", "--ini", str(ini), "--port", str(port)],
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    cwd=str(tmp),
                )

        def wait(proc: subprocess.Popen[bytes], port: int) -> None:
            wait_until_up("kinto", port, "/v1/", proc, log, timeout=START_TIMEOUT)

        proc, port = start_on_free_port(start, wait, log, stop_timeout=STOP_TIMEOUT)
        try:
            yield f"http://127.0.0.1:{port}/v1"
        finally:
            stop(proc, timeout=STOP_TIMEOUT)


def _migrate(kinto_bin: str, ini: Path, log: Path, *, cwd: Path) -> None:
    """Create the PostgreSQL schema of the storage, cache and permission backends."""
    with log.open("wb") as out:
        try:
            done = subprocess.run(
                [kinto_bin, "migrate", "--ini", str(ini)],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=str(cwd),
                timeout=START_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise RuntimeError(
                f"`kinto migrate` did not finish in {START_TIMEOUT:.0f}s:\n{tail(log)}"
            ) from None
    if done.returncode != 0:
        raise RuntimeError(f"`kinto migrate` failed with code {done.returncode}:\n{tail(log)}")


def flush(base_url: str) -> None:
    """Empty every backend of the server (``POST /v1/__flush__``)."""
    parts = urllib.parse.urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
    try:
        conn.request("POST", parts.path.rstrip("/") + "/__flush__")
        resp = conn.getresponse()
        resp.read()
        if resp.status >= 300:
            raise RuntimeError(f"flush failed: {resp.status}")
    finally:
        conn.close()


# -- a fake OpenID Connect provider (for the browser login flow) ----------------------------


class _OpenIDHandler(BaseHTTPRequestHandler):
    server: _OpenIDServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _json(self, body: Any, status: int = 200) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        issuer = self.server.issuer
        if url.path == "/.well-known/openid-configuration":
            self._json(
                {
                    "issuer": issuer,
                    "authorization_endpoint": issuer + "/authorize",
                    "token_endpoint": issuer + "/token",
                    "userinfo_endpoint": issuer + "/userinfo",
                    "jwks_uri": issuer + "/jwks",
                }
            )
        elif url.path == "/authorize":
            # The user "logs in" at once: redirect back to the relying party with a code.
            code = secrets.token_hex(8)
            self.server.codes[code] = self.server.user
            location = (
                query["redirect_uri"]
                + "?"
                + urllib.parse.urlencode({"code": code, "state": query["state"]})
            )
            self.send_response(302)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif url.path == "/userinfo":
            auth = self.headers.get("Authorization", "")
            token = auth.split(" ", 1)[-1]
            user = self.server.tokens.get(token)
            if user is None:
                self._json({"error": "invalid_token"}, status=401)
            else:
                self._json({"sub": user, "email": f"{user}@example.test"})
        else:
            self._json({"error": "not_found"}, status=404)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
        if self.path != "/token" or form.get("code") not in self.server.codes:
            self._json({"error": "invalid_grant"}, status=400)
            return
        user = self.server.codes.pop(form["code"])
        token = secrets.token_hex(16)
        self.server.tokens[token] = user
        self._json({"access_token": token, "token_type": "Bearer", "expires_in": 3600})


class _OpenIDServer(ThreadingHTTPServer):
    daemon_threads = True
    issuer: str
    user: str
    codes: dict[str, str]
    tokens: dict[str, str]


@contextlib.contextmanager
def fake_openid_provider(user: str = "oidc-user") -> Iterator[str]:
    """Run a minimal OpenID Connect provider in a thread; yield its issuer URL.

    Its authorization endpoint logs ``user`` in without asking anything and redirects to
    the relying party with a code; the token endpoint trades codes for opaque access
    tokens that its userinfo endpoint recognises.
    """
    server = _OpenIDServer(("127.0.0.1", 0), _OpenIDHandler)
    server.issuer = f"http://127.0.0.1:{server.server_address[1]}"
    server.user = user
    server.codes = {}
    server.tokens = {}
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.issuer
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# -- the attachment file server (run as a script) --------------------------------------------


def _serve_static(directory: str, port: int, access_log: str) -> None:
    lock = threading.Lock()

    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=directory, **kwargs)

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _record(self) -> None:
            sent = bool(self.headers.get("Authorization") or self.headers.get("Cookie"))
            with lock, open(access_log, "a") as fh:
                fh.write(f"{self.command} {self.path} auth={'yes' if sent else 'no'}\n")

        def do_GET(self) -> None:
            self._record()
            super().do_GET()

        def do_HEAD(self) -> None:
            self._record()
            super().do_HEAD()

    httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    httpd.daemon_threads = True
    httpd.serve_forever()


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--serve-static":
        _serve_static(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    else:
        # A handy manual mode: python tests/servers/kinto_server.py [TMP_DIR]
        import tempfile

        with (
            tempfile.TemporaryDirectory() as tmp,
            kinto_server(sys.argv[1] if len(sys.argv) > 1 else tmp) as url,
        ):
            sys.stdout.write(f"Kinto running at {url} (Ctrl-C to stop)\n")
            sys.stdout.flush()
            with contextlib.suppress(KeyboardInterrupt):
                while True:
                    time.sleep(3600)
