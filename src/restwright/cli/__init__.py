"""The ``restwright`` command line (``restwright ...`` or ``python -m restwright ...``).

:data:`main` is a click group; each topic adds its commands to it in a module of its own
(:mod:`.generate` here), so the command line grows without one module knowing them all.
"""

from __future__ import annotations

from .main import main

__all__ = ["main"]
