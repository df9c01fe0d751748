"""The ``restwright`` logger, created on first use.

Importing :mod:`logging` costs about a quarter of ``import restwright``; the engine only needs
it once it has something to say, so the import waits for the first exchange.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import logging

_LOGGER: logging.Logger | None = None
DEBUG = 10


def get_logger() -> logging.Logger:
    """The ``restwright`` logger (every engine record goes there)."""
    global _LOGGER
    if _LOGGER is None:
        import logging

        _LOGGER = logging.getLogger("restwright")
    return _LOGGER
