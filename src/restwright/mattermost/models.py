"""The models of Mattermost's schemas and request bodies (``CreateTeamJsonBody``...).

They are generated (:mod:`restwright.mattermost.generated.models`, one module per model);
this module gives them matterapi's import path,
``from restwright.mattermost.models import CreatePostJsonBody``, and like the generated
package imports a model's module only when the model is asked for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .generated import models as _generated

if TYPE_CHECKING:
    from .generated.models import *  # noqa: F403

__all__ = _generated.__all__

if not TYPE_CHECKING:  # mypy sees the names above, not a catch-all __getattr__

    def __getattr__(name: str) -> Any:
        return getattr(_generated, name)
