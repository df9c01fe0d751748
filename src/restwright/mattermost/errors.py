"""The errors of the Mattermost client, one per documented error status.

Each is also the engine's class for that status, so ``except restwright.errors.NotFound``
and ``except restwright.mattermost.errors.NotFound`` both work, and every one carries the
(redacted) request and response like any :class:`restwright.errors.ApiError`.  The names of
matterapi (``InvalidOrMissingParameters`` for 400...) follow the descriptions Mattermost's
document gives these responses.
"""

from __future__ import annotations

from .. import errors

__all__ = [
    "STATUS_ERRORS",
    "ApiError",
    "ContentTooLarge",
    "FeatureDisabled",
    "Forbidden",
    "InternalServerError",
    "InvalidOrMissingParameters",
    "NotFound",
    "TooManyRequests",
    "Unauthorized",
]


class ApiError(errors.ApiError):
    """Mattermost answered with an error status."""


class InvalidOrMissingParameters(ApiError, errors.BadRequest):
    """400: invalid or missing parameters in the URL or the request body."""


class Unauthorized(ApiError, errors.Unauthorized):
    """401: no access token provided (or it expired)."""


class Forbidden(ApiError, errors.Forbidden):
    """403: the user lacks the permissions the operation needs."""


class NotFound(ApiError, errors.NotFound):
    """404: the resource does not exist."""


class ContentTooLarge(ApiError, errors.ClientError):
    """413: the content (an upload, a post) is larger than the server accepts."""


class TooManyRequests(ApiError, errors.TooManyRequests):
    """429: rate limited."""


class InternalServerError(ApiError, errors.ServerError):
    """500: the server failed."""


class FeatureDisabled(ApiError, errors.ServerError):
    """501: the feature is disabled on this server."""


STATUS_ERRORS: dict[int, type[errors.ApiError]] = {
    400: InvalidOrMissingParameters,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    413: ContentTooLarge,
    429: TooManyRequests,
    500: InternalServerError,
    501: FeatureDisabled,
}
