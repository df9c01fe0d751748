"""Loggers of :mod:`restwright.openapi` that import :mod:`logging` only when needed.

Importing :mod:`logging` costs a few milliseconds, and loading a description from the
cache, building a client and calling it log nothing above DEBUG.  A DEBUG or INFO record
made before any code imported :mod:`logging` would be dropped anyway (nothing can have
lowered the default WARNING level without importing it), so :meth:`LazyLogger.debug`
and :meth:`LazyLogger.info` return at once until then; everything else goes to the real
``logging.getLogger(name)``, created on first use.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import logging

__all__ = ["LazyLogger", "get_logger"]


class LazyLogger:
    """A stand-in for ``logging.getLogger(name)``; other attributes reach the real one."""

    __slots__ = ("_logger", "name")

    def __init__(self, name: str) -> None:
        self.name = name
        self._logger: logging.Logger | None = None

    @property
    def logger(self) -> logging.Logger:
        """The real logger (imports :mod:`logging`)."""
        logger = self._logger
        if logger is None:
            import logging

            logger = self._logger = logging.getLogger(self.name)
        return logger

    def debug(self, msg: object, *args: Any, **kwargs: Any) -> None:
        if self._logger is None and "logging" not in sys.modules:
            return
        kwargs["stacklevel"] = kwargs.get("stacklevel", 1) + 1
        self.logger.debug(msg, *args, **kwargs)

    def info(self, msg: object, *args: Any, **kwargs: Any) -> None:
        if self._logger is None and "logging" not in sys.modules:
            return
        kwargs["stacklevel"] = kwargs.get("stacklevel", 1) + 1
        self.logger.info(msg, *args, **kwargs)

    def warning(self, msg: object, *args: Any, **kwargs: Any) -> None:
        kwargs["stacklevel"] = kwargs.get("stacklevel", 1) + 1
        self.logger.warning(msg, *args, **kwargs)

    def error(self, msg: object, *args: Any, **kwargs: Any) -> None:
        kwargs["stacklevel"] = kwargs.get("stacklevel", 1) + 1
        self.logger.error(msg, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.logger, name)

    def __repr__(self) -> str:
        return f"<LazyLogger {self.name}>"


def get_logger(name: str) -> LazyLogger:
    """The lazy logger called ``name`` (use ``__name__``)."""
    return LazyLogger(name)
