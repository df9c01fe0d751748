"""The models of Mattermost's schemas and request bodies (``CreateTeamJsonBody``...).

They are generated (:mod:`restwright.mattermost.generated.models`); this module gives them
matterapi's import path: ``from restwright.mattermost.models import CreatePostJsonBody``.
"""

from .generated.models import *  # noqa: F403
from .generated.models import __all__ as __all__
