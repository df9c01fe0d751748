"""Which URL a runtime client sends to: the document's server, or the caller's ``base_url``.

Why a module of its own: real documents ship placeholder servers
(``http://your-mattermost-url.com``, ``https://{host}/api`` without a default) that would
otherwise surface as a DNS failure on the first call, and users pass ``base_url`` in the
two shapes they see in the wild (with or without the path every operation repeats).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from ..engine.logs import get_logger
from ..errors import InvalidRequestError
from .model import ApiDescription

__all__ = [
    "client_base_url",
    "is_placeholder_host",
    "repeated_segments",
    "without_repeated_prefix",
]

logger = get_logger(__name__)

# Host names documents use to mean "your server goes here".
_PLACEHOLDER = re.compile(
    r"""[{}<>]                                  # an unexpanded {variable} or <host>
      | (^|[.-])your([-_.]|domain|server|host|company|instance|site)  # your-mattermost-url
      | (^|\.)example\.(com|org|net)$ | \.example$ | ^example$
      | ^(host|hostname|server|domain)(:|$)
    """,
    re.VERBOSE,
)


def is_placeholder_host(url: str) -> bool:
    """Whether ``url``'s host is a stand-in for the reader's own server."""
    try:
        host = urlsplit(url).netloc.rsplit("@", 1)[-1].lower()
    except ValueError:
        return True
    return not host or bool(_PLACEHOLDER.search(host))


def repeated_segments(api: ApiDescription, base_url: str) -> tuple[str, ...]:
    """The path segments of ``base_url`` that the operations' paths may repeat.

    Only for documents whose server has no path of its own: there the operation paths
    carry the API's prefix (Mattermost's ``/api/v4/users``), and a ``base_url`` given as
    ``http://host/api/v4`` would double it.  Empty when nothing can repeat.
    """
    server_path = urlsplit(api.servers[0]).path.strip("/") if api.servers else ""
    if server_path:
        return ()
    return tuple(s for s in urlsplit(base_url).path.strip("/").split("/") if s)


def without_repeated_prefix(path: str, base_segments: tuple[str, ...]) -> str:
    """``/api/v4/users`` -> ``/users`` when the base URL ends with ``/api/v4``.

    The longest run of leading segments of ``path`` that ends ``base_segments`` is
    dropped (at least one segment of ``path`` is kept); decided once per operation.
    """
    if not base_segments:
        return path
    segments = path.strip("/").split("/")
    for k in range(min(len(base_segments), len(segments) - 1), 0, -1):
        if segments[:k] == list(base_segments[-k:]):
            rest = path.lstrip("/").split("/", k)[k]
            logger.debug("%s: the base URL ends with /%s already", path, "/".join(segments[:k]))
            return "/" + rest
    return path


def client_base_url(api: ApiDescription, base_url: str | None) -> str:
    """The base URL of a client of ``api``: ``base_url``, else the document's first server.

    :class:`~restwright.errors.InvalidRequestError` (a ``ValueError``) asking for
    ``base_url=`` when the document's server is relative with nothing to resolve it
    against, or a placeholder host.
    """
    if base_url:
        return base_url.rstrip("/")
    server = api.servers[0] if api.servers else "/"
    try:
        url = api.resolve_server()
    except ValueError:
        raise InvalidRequestError(
            f"{api.title!r} gives no absolute server URL ({server!r}) and was not loaded from "
            "a URL: pass base_url="
        ) from None
    if is_placeholder_host(url):
        raise InvalidRequestError(
            f"{api.title!r} names a placeholder server ({server!r}), not a real host: "
            "pass base_url= with your server's address"
        )
    return url
