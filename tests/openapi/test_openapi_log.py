"""restwright.openapi._log: loggers that import logging only when a record can be emitted."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest

from restwright.openapi import _log


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
    assert {r.filename for r in caplog.records} == {"test_openapi_log.py"}
    assert logger.logger is logging.getLogger("restwright.openapi.test")
    assert logger.isEnabledFor(logging.DEBUG) is False


def test_debug_before_logging_is_imported_imports_nothing() -> None:
    script = (
        "import sys\n"
        "from restwright.openapi import _log\n"
        "logger = _log.get_logger('x')\n"
        "logger.debug('dropped %s', 1); logger.info('dropped')\n"
        "assert 'logging' not in sys.modules, 'debug imported logging'\n"
        "logger.warning('kept %s', 2)\n"
        "assert 'logging' in sys.modules\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stderr.strip() == "kept 2"  # logging's last-resort handler
