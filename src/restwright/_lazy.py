"""Module attributes imported on first use (PEP 562 ``__getattr__``).

Why: asyncio and the OpenAPI runtime are costly to import; a package names them in its
``__all__`` but loads their modules only when someone asks for them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any


def lazy_getattr(
    package: str,
    namespace: dict[str, Any],
    table: Mapping[str, str],
    subpackages: tuple[str, ...] = (),
) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: ``table`` maps each lazy name to the
    (relative) module defining it, and each of ``subpackages`` is imported when first
    asked for (``restwright.kinto`` without ``import restwright.kinto``); the value found
    is kept in ``namespace`` (the module's globals), so each name is looked up once."""

    def __getattr__(name: str) -> Any:
        if name in subpackages:
            value = import_module(f".{name}", package)
            namespace[name] = value
            return value
        module = table.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(module, package), name)
        namespace[name] = value
        return value

    return __getattr__


def public_dir(names: list[str], subpackages: tuple[str, ...] = ()) -> Callable[[], list[str]]:
    """A module ``__dir__`` listing only its public names (``__all__`` and the documented
    subpackages), so tab completion shows the lazy entry points and not ``annotations``,
    ``TYPE_CHECKING`` or the helpers the module imports for itself."""
    listing = sorted({*names, *subpackages})

    def __dir__() -> list[str]:
        return list(listing)

    return __dir__
