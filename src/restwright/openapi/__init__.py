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
* :mod:`.cache` - the on-disk cache.

Importing this package is cheap: PyYAML, ``urllib.request`` and ``platformdirs`` are only
imported when a load needs them.
"""

from __future__ import annotations

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

__all__ = [
    "ApiDescription",
    "MediaType",
    "Operation",
    "Parameter",
    "RequestBody",
    "ResponseSpec",
    "SecurityScheme",
    "load",
]
