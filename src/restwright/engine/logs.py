"""restwright's loggers, which import :mod:`logging` only when a record can be emitted.

Importing :mod:`logging` costs a few milliseconds (about a quarter of ``import
restwright``), and an exchange, a load of a description from the cache or a client build
log nothing above INFO.  A DEBUG or INFO record made before any code imported
:mod:`logging` would be dropped anyway (nothing can have lowered the default WARNING level
without importing it), so :meth:`LazyLogger.debug`, :meth:`LazyLogger.info` and
:meth:`LazyLogger.isEnabledFor` answer at once until then; everything else goes to the
real ``logging.getLogger(name)``, created on first use.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import logging

__all__ = ["DEBUG", "LazyLogger", "get_logger"]

DEBUG = 10  # logging.DEBUG, without importing logging


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

    def isEnabledFor(self, level: int) -> bool:
        """Whether a record of ``level`` would be handled; False for DEBUG and INFO while
        :mod:`logging` is not imported (see the module docstring)."""
        logger = self._logger
        if logger is None:
            if level < 30 and "logging" not in sys.modules:
                return False
            logger = self.logger
        return logger.isEnabledFor(level)

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
