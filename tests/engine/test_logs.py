"""restwright.engine.logs: loggers that import logging only when a record can be emitted."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest

from restwright.engine import logs as _log


def test_records_reach_the_named_logger_from_the_caller(caplog: pytest.LogCaptureFixture) -> None:
    logger = _log.get_logger("restwright.openapi.test")
    with caplog.at_level(logging.DEBUG, logger="restwright.openapi.test"):
        logger.debug("one %s", 1)
        logger.info("two %s", 2)
        logger.warning("three %s", 3)
        logger.error("four %s", 4)
        logger.exception("five")  # any other attribute is the real logger's
    assert [(r.name, r.levelno, r.getMessage()) for r in caplog.records] == [
        ("restwright.openapi.test", logging.DEBUG, "one 1"),
        ("restwright.openapi.test", logging.INFO, "two 2"),
        ("restwright.openapi.test", logging.WARNING, "three 3"),
        ("restwright.openapi.test", logging.ERROR, "four 4"),
        ("restwright.openapi.test", logging.ERROR, "five"),
    ]
    assert {r.filename for r in caplog.records} == {"test_logs.py"}
    assert logger.logger is logging.getLogger("restwright.openapi.test")
    assert logger.isEnabledFor(logging.DEBUG) is False


def test_debug_before_logging_is_imported_imports_nothing() -> None:
    script = (
        "import sys\n"
        "from restwright.engine import logs as _log\n"
        "logger = _log.get_logger('x')\n"
        "logger.debug('dropped %s', 1); logger.info('dropped')\n"
        "assert 'logging' not in sys.modules, 'debug imported logging'\n"
        "logger.warning('kept %s', 2)\n"
        "assert 'logging' in sys.modules\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stderr.strip() == "kept 2"  # logging's last-resort handler


def test_an_exchange_imports_logging_only_when_it_has_a_record_to_emit() -> None:
    script = (
        "import http.server, sys, threading\n"
        "class H(http.server.BaseHTTPRequestHandler):\n"
        "    def do_GET(self):\n"
        "        self.send_response(200 if self.path == '/ok' else 503)\n"
        "        self.send_header('Content-Length', '2'); self.end_headers()\n"
        "        self.wfile.write(b'{}')\n"
        "    def log_message(self, *args): pass\n"
        "server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), H)\n"
        "threading.Thread(target=server.serve_forever, daemon=True).start()\n"
        "import restwright\n"
        "url = f'http://127.0.0.1:{server.server_address[1]}'\n"
        "with restwright.Client(url, retry=restwright.Retry(total=1, backoff=0)) as api:\n"
        "    assert api.get('/ok').json() == {}\n"
        "    assert 'logging' not in sys.modules, 'an exchange imported logging'\n"
        "    import logging; logging.basicConfig(level=logging.INFO)\n"
        "    try: api.get('/busy')\n"
        "    except restwright.ServerError: pass\n"
        "server.shutdown()\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "INFO:restwright:retrying GET" in run.stderr  # the retry is logged once configured
