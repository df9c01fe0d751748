"""restwright: turn a web API into a complete, fast, well-behaved Python client.

The engine (``Client``, ``AsyncClient``) is one request pipeline shared by sync and async
code; API descriptions (``restwright.openapi``) and shipped clients (``restwright.kinto``)
sit on top of it. Heavy parts are imported on first use so ``import restwright`` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import errors
from ._lazy import lazy_getattr, public_dir
from ._version import __version__
from .engine.auth import (
    APIKeyAuth,
    Auth,
    BasicAuth,
    BearerAuth,
    Blocking,
    FunctionAuth,
    HeaderAuth,
)
from .engine.client import Client, Pages
from .engine.cookies import CookieJar
from .engine.headers import Headers
from .engine.limits import Limits
from .engine.models import Request, Response
from .engine.retry import Retry
from .engine.timeouts import Timeout
from .errors import (
    ApiError,
    ClientError,
    ConnectError,
    DecodeError,
    InvalidRequestError,
    LimitExceeded,
    NotFound,
    RestwrightError,
    ServerError,
    TimeoutError,
    TransportError,
)

if TYPE_CHECKING:
    from .engine.async_client import AsyncClient, AsyncPages
    from .openapi.runtime import from_openapi, from_openapi_async
    from .transports.cassette import Cassette

__all__ = [
    "APIKeyAuth",
    "ApiError",
    "AsyncClient",
    "AsyncPages",
    "Auth",
    "BasicAuth",
    "BearerAuth",
    "Blocking",
    "Cassette",
    "Client",
    "ClientError",
    "ConnectError",
    "CookieJar",
    "DecodeError",
    "FunctionAuth",
    "HeaderAuth",
    "Headers",
    "InvalidRequestError",
    "LimitExceeded",
    "Limits",
    "NotFound",
    "Pages",
    "Request",
    "Response",
    "RestwrightError",
    "Retry",
    "ServerError",
    "Timeout",
    "TimeoutError",
    "TransportError",
    "__version__",
    "errors",
    "from_openapi",
    "from_openapi_async",
]

_LAZY = {
    "AsyncClient": ".engine.async_client",
    "AsyncPages": ".engine.async_client",
    "Cassette": ".transports.cassette",
    "from_openapi": ".openapi.runtime",
    "from_openapi_async": ".openapi.runtime",
}

# asyncio and the OpenAPI runtime are costly to import: load them when asked for.
_SUBPACKAGES = ("engine", "kinto", "openapi", "transports")
__getattr__ = lazy_getattr(__name__, globals(), _LAZY, _SUBPACKAGES)
__dir__ = public_dir(__all__, _SUBPACKAGES)
