"""The code generator: typed client packages (and stubs) from an API document.

It works on the normalized model the runtime client uses (:mod:`restwright.openapi.model`)
and takes every name from :mod:`restwright.openapi.naming` through the model, so a generated
package and ``from_openapi`` expose the same methods and arguments.  See
:func:`generate` and ``restwright generate --help``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_getattr

if TYPE_CHECKING:
    from .package import GenerationSummary, generate, render_package

__all__ = ["GenerationSummary", "generate", "render_package"]

__getattr__ = lazy_getattr(
    __name__,
    globals(),
    {"GenerationSummary": ".package", "generate": ".package", "render_package": ".package"},
)
