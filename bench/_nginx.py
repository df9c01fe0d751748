"""A throwaway nginx on 127.0.0.1 that answers every path with the same ~1 KB JSON
(or with a given body on chosen paths).

Usage::

    from bench._nginx import nginx_server

    with nginx_server() as base_url:  # e.g. "http://127.0.0.1:40123"
        ...  # GET base_url + "/anything" -> 200, application/json, PAYLOAD

nginx runs in the foreground as our child (``daemon off; master_process off``), with
its pid file, error log and temp paths inside a temporary directory; it is stopped
(SIGTERM, then SIGKILL) when the ``with`` block exits, even on errors.  If no
``nginx`` binary is found, Debian's ``nginx-light`` is installed with apt-get.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

# A realistic ~1 KB record: nested objects, strings, numbers, booleans, null, lists.
PAYLOAD: dict = {
    "id": "b7f3c2a1-5d4e-4f6a-9b8c-0e1d2f3a4b5c",
    "type": "order",
    "status": "shipped",
    "created_at": "2024-05-17T09:41:27.123456+00:00",
    "updated_at": "2024-05-18T14:02:11.654321+00:00",
    "customer": {
        "id": 48213,
        "name": "Ada Lovelace",
        "email": "ada.lovelace@example.org",
        "vip": True,
        "address": {
            "street": "12 Analytical Engine Way",
            "city": "London",
            "postcode": "NW1 6XE",
            "country": "GB",
        },
    },
    "items": [
        {"sku": "KB-1042", "title": "Mechanical keyboard", "qty": 1, "unit_price": 129.9},
        {"sku": "MS-2210", "title": "Wireless mouse", "qty": 2, "unit_price": 34.5},
        {"sku": "CB-0007", "title": "USB-C cable, 2 m", "qty": 3, "unit_price": 9.99},
    ],
    "totals": {"subtotal": 228.87, "shipping": 4.95, "tax": 46.76, "grand_total": 280.58},
    "currency": "EUR",
    "tags": ["priority", "gift", "eu", "repeat-customer"],
    "notes": "Leave the parcel with the concierge if nobody answers; fragile contents.",
    "tracking": {"carrier": "DHL", "number": "JD014600003828437412", "events": 4},
    "metadata": {"source": "web", "campaign": None, "ab_bucket": 7, "score": 0.8731},
}
BODY: bytes = json.dumps(PAYLOAD, separators=(", ", ": ")).encode()

_CONF = """\
daemon off;
master_process off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    server_tokens off;
    keepalive_requests 100000;
    keepalive_timeout 60s;
{temp_paths}
    server {{
        listen 127.0.0.1:{port};{unix_listen}
        root {tmp}/www;
        location / {{
            default_type application/json;
            try_files $uri /data.json =404;
        }}
    }}
}}
"""
# Temp-path directive per module; a directive is only emitted when its module is
# compiled in (nginx-light leaves some out, and an unknown directive is fatal).
_TEMP_PATHS = {
    "client_body_temp_path": None,
    "proxy_temp_path": "http_proxy",
    "fastcgi_temp_path": "http_fastcgi",
    "uwsgi_temp_path": "http_uwsgi",
    "scgi_temp_path": "http_scgi",
}


def find_nginx() -> str | None:
    found = shutil.which("nginx")
    if found:
        return found
    return "/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None


def ensure_nginx() -> str:
    """Return the nginx binary, installing Debian's nginx-light first if it is missing."""
    found = find_nginx()
    if found:
        return found
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    print("nginx not found: installing nginx-light with apt-get ...", flush=True)
    subprocess.run([*sudo, "apt-get", "update"], check=True, env=env)
    subprocess.run([*sudo, "apt-get", "install", "-y", "nginx-light"], check=True, env=env)
    found = find_nginx()
    if not found:
        raise RuntimeError("nginx-light was installed but no nginx binary was found")
    return found


def nginx_version(binary: str) -> str:
    out = subprocess.run([binary, "-v"], capture_output=True, text=True).stderr
    return out.strip().rpartition(":")[2].strip() or "nginx (unknown version)"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _temp_path_lines(binary: str, tmp: str) -> str:
    configure = subprocess.run([binary, "-V"], capture_output=True, text=True).stderr
    lines = []
    for directive, module in _TEMP_PATHS.items():
        if module is None or f"--without-{module}_module" not in configure:
            lines.append(f"    {directive} {tmp}/{directive.split('_temp')[0]};")
    return "\n".join(lines)


def _wait_ready(
    proc: subprocess.Popen, port: int, body: bytes, log: Path, timeout: float = 10.0
) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"nginx exited with {proc.returncode}: {_tail(log)}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/ready")
            resp = conn.getresponse()
            got = resp.read()
            conn.close()
            if resp.status == 200 and got == body:
                return
            raise RuntimeError(f"nginx answered {resp.status} {got[:200]!r}")
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not answer on port {port}: {_tail(log)}") from None
            time.sleep(0.05)


def _tail(log: Path) -> str:
    try:
        return log.read_text(errors="replace")[-2000:].strip() or "(empty error log)"
    except OSError:
        return "(no error log)"


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)  # nginx: fast shutdown
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextlib.contextmanager
def nginx_server(
    body: bytes = BODY,
    files: Mapping[str, bytes] | None = None,
    *,
    unix_socket: str | None = None,
) -> Iterator[str]:
    """Run nginx serving ``body`` on every path; yield its base URL (no trailing slash).

    ``files`` maps paths (``"/repos/octo/hello"``) to bodies served there instead.  With
    ``unix_socket`` (a path) nginx also listens on that Unix domain socket."""
    binary = ensure_nginx()
    with tempfile.TemporaryDirectory(prefix="bench-nginx-") as tmp:
        os.chmod(tmp, 0o755)
        www = Path(tmp, "www")
        www.mkdir()
        (www / "data.json").write_bytes(body)
        for path, content in (files or {}).items():
            target = www / path.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        port = _free_port()
        conf = Path(tmp, "nginx.conf")
        temp_paths = _temp_path_lines(binary, tmp)
        unix_listen = f"\n        listen unix:{unix_socket};" if unix_socket else ""
        conf.write_text(
            _CONF.format(tmp=tmp, port=port, temp_paths=temp_paths, unix_listen=unix_listen)
        )
        log = Path(tmp, "error.log")
        proc = subprocess.Popen(
            [binary, "-p", tmp, "-e", str(log), "-c", str(conf)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_ready(proc, port, body, log)
            yield f"http://127.0.0.1:{port}"
        finally:
            _stop(proc)
