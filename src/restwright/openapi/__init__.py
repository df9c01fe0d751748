"""Loading OpenAPI / Swagger descriptions into one normalized model.

>>> from restwright.openapi import load
>>> api = load("petstore.yaml")                     # or a URL, a dict, JSON/YAML text
>>> op = api.operation("getPetById")                 # by operationId or Python name
>>> [p.python_name for p in op.parameters]

:func:`load` accepts Swagger 2.0, OpenAPI 3.0 and 3.1, follows internal and external
``$ref``s, caches the result on disk, and raises :class:`restwright.errors.SpecError` (with
a JSON pointer) for anything malformed.  The modules:

* :mod:`.loader` - sources, JSON/YAML parsing, ``$ref`` resolution, :func:`load`;
* :mod:`.normalize` - the three document versions -> the model;
* :mod:`.model` - the frozen dataclasses of the model;
* :mod:`.naming` - snake_case and Python-identifier rules;
* :mod:`.cache` - the on-disk cache;
* :mod:`.runtime` - the client built from a description (:func:`from_openapi`), with
  :mod:`.serialize`, :mod:`.validate`, :mod:`.drift`, :mod:`.models` and :mod:`.security`.

Importing this package is cheap: PyYAML, ``urllib.request``, ``platformdirs``, ``hashlib``
and ``pickle`` are only imported when a load needs them, and :mod:`logging` when there is
something to log (see :mod:`restwright.engine.logs`).  A load from the cache needs none of
them for a document file whose cache record is current (see :mod:`.cache`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_getattr, public_dir
from .loader import load
from .model import (
    ApiDescription,
    MediaType,
    Operation,
    Parameter,
    RequestBody,
    ResponseSpec,
    SecurityScheme,
)

if TYPE_CHECKING:
    from .drift import DriftError, DriftPolicy
    from .runtime import AsyncOpenAPIClient, OpenAPIClient, from_openapi, from_openapi_async

_LAZY = {
    "from_openapi": ".runtime",
    "from_openapi_async": ".runtime",
    "OpenAPIClient": ".runtime",
    "AsyncOpenAPIClient": ".runtime",
    "DriftError": ".drift",
    "DriftPolicy": ".drift",
}

__getattr__ = lazy_getattr(__name__, globals(), _LAZY)


__all__ = [
    "ApiDescription",
    "AsyncOpenAPIClient",
    "DriftError",
    "DriftPolicy",
    "MediaType",
    "OpenAPIClient",
    "Operation",
    "Parameter",
    "RequestBody",
    "ResponseSpec",
    "SecurityScheme",
    "from_openapi",
    "from_openapi_async",
    "load",
]

__dir__ = public_dir(__all__)
