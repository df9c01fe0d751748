"""The ``restwright`` command line (``restwright ...`` or ``python -m restwright ...``).

:data:`main` is a click group whose commands live in modules of their own and are
imported only when run (:data:`.main.LAZY_COMMANDS`): requests to URLs (:mod:`.http`),
operations of API descriptions (:mod:`.operations`), shell completion
(:mod:`.completion`), code generation (:mod:`.generate`), profiles and the Kinto
commands.  See ``docs/cli.md``.
"""

from __future__ import annotations

from .main import main

__all__ = ["main"]
