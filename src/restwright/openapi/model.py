"""The normalized model of an API description.

Swagger 2.0, OpenAPI 3.0 and OpenAPI 3.1 say the same things in different shapes.  The
runtime client should only have to understand one shape, so :mod:`.normalize` turns each
version into the frozen dataclasses below.  Nothing is left for the client to default:
parameter styles, ``explode``, inherited security and the merging of path-level parameters
are already applied.

**Schemas stay raw.**  The schema dicts are the document's own JSON objects: they are not
copied and not dereferenced.  Dereferencing every schema of a large document
(GitHub's has 969 component schemas) costs time and memory for something most programs
never look at, and recursive schemas could not be expanded anyway.  A recursive schema is
therefore a graph held together by ``{"$ref": ...}`` markers, and
:meth:`ApiDescription.resolve` follows one marker on demand.  Every ``$ref`` reachable from
the model through schema keywords was checked when the document was loaded (values of
``example``, ``default``, ``enum`` and ``x-`` extensions are data, not schemas, and are not
looked into), and references into other files were
rewritten to absolute URIs whose targets live in :attr:`ApiDescription.ref_targets`.  So
resolving never touches the network or the file system and never fails on a document that
loaded.  Treat these dicts as read-only: they may be shared between operations, and when
``load()`` was given a dict, they are the caller's own objects.

The classes are frozen, slotted dataclasses (smaller, faster attribute access) that pickle
as ``(class, field values)``; their methods are written out here rather than generated at
import time (see :class:`_Model`).  A description restored from the on-disk cache is
lazy: its ``schemas`` is a :class:`SchemaMap` that decodes a component schema the first
time it is looked up, and each :class:`Operation` carries only its names, method and path
until another field is first read (see :mod:`.cache`).  Both are invisible to readers:
the values, equality and pickling are those of an eagerly built model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import FrozenInstanceError, dataclass, field, fields
from operator import attrgetter
from typing import Any, Literal
from urllib.parse import unquote, urljoin

from ..errors import SpecError

__all__ = [
    "ApiDescription",
    "Location",
    "MediaType",
    "Operation",
    "Parameter",
    "RequestBody",
    "ResponseSpec",
    "SchemaMap",
    "SecurityScheme",
    "deferred_operations",
]

Location = Literal["path", "query", "header", "cookie"]
SecurityRequirement = dict[str, list[str]]


class _Model:
    """What the model classes share: frozen, compared, hashed, shown and pickled by fields.

    ``dataclass(frozen=True, slots=True)`` generates ``__init__``, ``__repr__``,
    ``__eq__``, ``__hash__``, ``__setattr__`` and ``__delattr__`` by compiling source code
    for each class when the module is imported, ~1.5 ms per class, paid by every program
    that loads a description.  So the classes are declared with
    ``dataclass(init=False, repr=False, eq=False, slots=True)`` (still dataclasses:
    :func:`dataclasses.fields`, :func:`dataclasses.replace` and
    :func:`dataclasses.asdict` work), each writes its own ``__init__``, and the other
    methods below behave like the generated ones: equality and hashing over the fields
    that compare (between instances of the same class only), the dataclass ``repr``, and
    :class:`dataclasses.FrozenInstanceError` on assignment.  Pickling is
    ``cls(*field_values)``: cheaper than the ``__getstate__``/``__setstate__`` loop of
    frozen slotted dataclasses.
    """

    __slots__ = ()

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), _GETTERS[type(self)](self))

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            compared = _COMPARED[self.__class__]
            return bool(compared(self) == compared(other))
        return NotImplemented

    def __hash__(self) -> int:
        return hash(_COMPARED[self.__class__](self))

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in _SHOWN[self.__class__])
        return f"{self.__class__.__qualname__}({shown})"

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")


_set = object.__setattr__
_NEW_DICT: Any = object()  # the default of a field whose default is a new dict


@dataclass(init=False, repr=False, eq=False, slots=True)
class MediaType(_Model):
    """The body of one media type of a request body.

    ``schema`` is the raw schema dict (``None`` when the document gives none).
    ``encoding`` maps a property name to its raw Encoding Object (``contentType``,
    ``style``, ``explode``, ``headers``) for ``multipart/*`` and form bodies.
    """

    schema: Any
    encoding: dict[str, Any] = field(default_factory=dict)

    def __init__(self, schema: Any, encoding: dict[str, Any] = _NEW_DICT) -> None:
        _set(self, "schema", schema)
        _set(self, "encoding", {} if encoding is _NEW_DICT else encoding)


@dataclass(init=False, repr=False, eq=False, slots=True)
class Parameter(_Model):
    """One parameter of an operation, with the defaults of OpenAPI 3 applied.

    ``name`` is the name on the wire, ``python_name`` the keyword argument a client exposes
    (snake_case, unique within the operation).  ``style``/``explode`` are always set:
    ``form``/``True`` for query and cookie, ``simple``/``False`` for path and header unless
    the document says otherwise.  A Swagger 2.0 ``collectionFormat`` maps to ``form``
    (``csv`` with ``explode=False``, ``multi`` with ``explode=True``), ``spaceDelimited``
    (``ssv``), ``pipeDelimited`` (``pipes``) and ``tabDelimited`` (``tsv``; not an
    OpenAPI 3 style, values are joined with a tab).  ``content_type`` is set for
    parameters described with ``content`` instead of ``schema`` (the value is serialized
    as that media type, e.g. JSON in a query string).
    """

    name: str
    python_name: str
    location: Location
    required: bool
    schema: Any
    style: str
    explode: bool
    description: str | None = None
    deprecated: bool = False
    allow_reserved: bool = False
    content_type: str | None = None

    def __init__(
        self,
        name: str,
        python_name: str,
        location: Location,
        required: bool,
        schema: Any,
        style: str,
        explode: bool,
        description: str | None = None,
        deprecated: bool = False,
        allow_reserved: bool = False,
        content_type: str | None = None,
    ) -> None:
        _set(self, "name", name)
        _set(self, "python_name", python_name)
        _set(self, "location", location)
        _set(self, "required", required)
        _set(self, "schema", schema)
        _set(self, "style", style)
        _set(self, "explode", explode)
        _set(self, "description", description)
        _set(self, "deprecated", deprecated)
        _set(self, "allow_reserved", allow_reserved)
        _set(self, "content_type", content_type)


@dataclass(init=False, repr=False, eq=False, slots=True)
class RequestBody(_Model):
    """The request body of an operation: one :class:`MediaType` per content type.

    Swagger 2.0 ``in: body`` parameters become a body of each ``consumes`` type (default
    ``application/json``); ``in: formData`` parameters become one object schema under
    ``application/x-www-form-urlencoded``, or ``multipart/form-data`` when a field is a
    file (``type: file`` becomes ``type: string, format: binary``).
    """

    required: bool
    content: dict[str, MediaType]
    description: str | None = None

    def __init__(
        self, required: bool, content: dict[str, MediaType], description: str | None = None
    ) -> None:
        _set(self, "required", required)
        _set(self, "content", content)
        _set(self, "description", description)


@dataclass(init=False, repr=False, eq=False, slots=True)
class ResponseSpec(_Model):
    """One documented response.

    ``status`` is ``"200"``, ``"4XX"`` or ``"default"``.  ``content`` maps a media type to
    its raw schema (``None`` when unspecified); ``headers`` maps a header name to its raw
    schema.
    """

    status: str
    description: str | None
    content: dict[str, Any]
    headers: dict[str, Any]

    def __init__(
        self,
        status: str,
        description: str | None,
        content: dict[str, Any],
        headers: dict[str, Any],
    ) -> None:
        _set(self, "status", status)
        _set(self, "description", description)
        _set(self, "content", content)
        _set(self, "headers", headers)


@dataclass(init=False, repr=False, eq=False, slots=True)
class SecurityScheme(_Model):
    """One security scheme.

    ``type`` is ``"http"``, ``"apiKey"``, ``"oauth2"``, ``"openIdConnect"`` or
    ``"mutualTLS"``; Swagger 2.0 ``basic`` becomes ``http`` with ``scheme="basic"``.
    ``scheme`` is lower case (``basic``, ``bearer``).  For ``apiKey``, ``location`` is
    ``query``/``header``/``cookie`` and ``param_name`` the name of the header, parameter or
    cookie.  ``flows`` is the OpenAPI 3 ``flows`` object (Swagger 2.0 flows are converted:
    ``application`` -> ``clientCredentials``, ``accessCode`` -> ``authorizationCode``).
    """

    name: str
    type: str
    scheme: str | None = None
    bearer_format: str | None = None
    location: str | None = None
    param_name: str | None = None
    flows: dict[str, Any] = field(default_factory=dict)
    open_id_connect_url: str | None = None
    description: str | None = None

    def __init__(
        self,
        name: str,
        type: str,
        scheme: str | None = None,
        bearer_format: str | None = None,
        location: str | None = None,
        param_name: str | None = None,
        flows: dict[str, Any] = _NEW_DICT,
        open_id_connect_url: str | None = None,
        description: str | None = None,
    ) -> None:
        _set(self, "name", name)
        _set(self, "type", type)
        _set(self, "scheme", scheme)
        _set(self, "bearer_format", bearer_format)
        _set(self, "location", location)
        _set(self, "param_name", param_name)
        _set(self, "flows", {} if flows is _NEW_DICT else flows)
        _set(self, "open_id_connect_url", open_id_connect_url)
        _set(self, "description", description)


class _Deferred(_Model):
    """Slots holding ``decode`` and ``data`` while the other fields are not restored yet."""

    __slots__ = ("_deferred_data", "_deferred_decode")


@dataclass(init=False, repr=False, eq=False, slots=True)
class Operation(_Deferred):
    """One operation (a method on a path).

    ``operation_id`` is the document's ``operationId`` verbatim (``None`` when absent; two
    operations may share one in a sloppy document).  ``name`` is unique within the
    description and is what a client exposes: the snake_case ``operationId``, a name
    derived from method and path when there is none, with ``_2``, ``_3`` ... appended to
    later duplicates.  ``tag`` is the first tag (``"default"`` without tags) and
    ``tag_name`` its snake_case form.  ``security`` is ``None`` when the operation
    inherits the global requirement and ``[]`` when it explicitly needs none;
    ``servers`` is ``None`` when it uses the global servers.

    An operation restored from the cache (:func:`deferred_operations`) holds
    ``operation_id``, ``name``, ``method``, ``path``, ``tag`` and ``tag_name`` only; the
    first read of another field decodes the rest (:meth:`__getattr__` runs only for slots
    that are not set).
    """

    operation_id: str | None
    name: str
    method: str
    path: str
    tags: list[str]
    tag: str
    tag_name: str
    summary: str | None
    description: str | None
    deprecated: bool
    parameters: list[Parameter]
    request_body: RequestBody | None
    responses: dict[str, ResponseSpec]
    security: list[SecurityRequirement] | None
    servers: list[str] | None = None

    def __init__(
        self,
        operation_id: str | None,
        name: str,
        method: str,
        path: str,
        tags: list[str],
        tag: str,
        tag_name: str,
        summary: str | None,
        description: str | None,
        deprecated: bool,
        parameters: list[Parameter],
        request_body: RequestBody | None,
        responses: dict[str, ResponseSpec],
        security: list[SecurityRequirement] | None,
        servers: list[str] | None = None,
    ) -> None:
        _set(self, "operation_id", operation_id)
        _set(self, "name", name)
        _set(self, "method", method)
        _set(self, "path", path)
        _set(self, "tags", tags)
        _set(self, "tag", tag)
        _set(self, "tag_name", tag_name)
        _set(self, "summary", summary)
        _set(self, "description", description)
        _set(self, "deprecated", deprecated)
        _set(self, "parameters", parameters)
        _set(self, "request_body", request_body)
        _set(self, "responses", responses)
        _set(self, "security", security)
        _set(self, "servers", servers)

    def __getattr__(self, name: str) -> Any:
        if name in _DEFERRED_FIELDS:
            try:
                decode = _DECODE_SLOT.__get__(self, None)
            except AttributeError:  # not a deferred operation
                decode = None
            if decode is not None:
                values = decode(_DATA_SLOT.__get__(self, None))
                for setter, value in zip(_DEFERRED_SETTERS, values, strict=True):
                    setter(self, value)
                # Another thread may be decoding the same data meanwhile: it sets equal
                # values.  The data stays (it is small) so that such a thread finds it.
                _DECODE_SLOT.__set__(self, None)
        return object.__getattribute__(self, name)

    def parameter(self, name: str, location: str | None = None) -> Parameter:
        """Return the parameter called ``name`` (wire or Python name); ``KeyError`` if none."""
        for param in self.parameters:
            if (param.name == name or param.python_name == name) and (
                location is None or param.location == location
            ):
                return param
        raise KeyError(name)

    def response_for(self, status: int) -> ResponseSpec | None:
        """Return the response documented for ``status``: exact code, ``NXX``, ``default``."""
        responses = self.responses
        return (
            responses.get(str(status))
            or responses.get(f"{status // 100}XX")
            or responses.get("default")
        )


@dataclass(init=False, repr=False, eq=False, slots=True)
class ApiDescription(_Model):
    """A whole API description, normalized.

    ``openapi_version`` is ``"2.0"`` or the document's ``3.0.x``/``3.1.x`` string.
    ``servers`` are the base URLs with server variables replaced by their defaults.  A
    relative URL stays relative (Swagger 2.0 without ``host`` gives ``"/basePath"``, with
    a ``host`` but no ``schemes`` gives ``"//host/basePath"``) and should be resolved with
    :meth:`resolve_server` against the URL the document came from.  ``schemas`` holds the
    component schemas (``definitions`` in 2.0) as raw dicts; ``ref_targets`` holds the
    target of every other ``$ref`` reachable from the model (see the module docstring).
    ``security`` is the global security requirement.  ``source_url`` is the http(s) URL
    the document was loaded from, if any.  ``schemas`` is a ``dict`` when the document was
    just parsed and a :class:`SchemaMap` (a read-only mapping) when it came from the cache.
    """

    title: str
    version: str
    openapi_version: str
    servers: list[str]
    operations: list[Operation]
    schemas: Mapping[str, Any]
    security_schemes: dict[str, SecurityScheme]
    security: list[SecurityRequirement]
    description: str | None = None
    ref_targets: dict[str, Any] = field(default_factory=dict, repr=False)
    schema_ref_prefix: str = "#/components/schemas/"
    source_url: str | None = None
    _lookup: dict[str, Operation] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __init__(
        self,
        title: str,
        version: str,
        openapi_version: str,
        servers: list[str],
        operations: list[Operation],
        schemas: Mapping[str, Any],
        security_schemes: dict[str, SecurityScheme],
        security: list[SecurityRequirement],
        description: str | None = None,
        ref_targets: dict[str, Any] = _NEW_DICT,
        schema_ref_prefix: str = "#/components/schemas/",
        source_url: str | None = None,
    ) -> None:
        _set(self, "title", title)
        _set(self, "version", version)
        _set(self, "openapi_version", openapi_version)
        _set(self, "servers", servers)
        _set(self, "operations", operations)
        _set(self, "schemas", schemas)
        _set(self, "security_schemes", security_schemes)
        _set(self, "security", security)
        _set(self, "description", description)
        _set(self, "ref_targets", {} if ref_targets is _NEW_DICT else ref_targets)
        _set(self, "schema_ref_prefix", schema_ref_prefix)
        _set(self, "source_url", source_url)
        _set(self, "_lookup", {})

    def operation(self, key: str) -> Operation:
        """Return the operation whose ``operationId`` or Python ``name`` is ``key``.

        With a duplicated ``operationId``, the first operation in document order wins;
        the others are reachable by their suffixed ``name``.  ``KeyError`` if none.
        """
        lookup = self._lookup
        if not lookup:
            # Built aside and merged in one step: another thread never sees half an index.
            index: dict[str, Operation] = {}
            for op in reversed(self.operations):
                if op.operation_id is not None:
                    index[op.operation_id] = op
            for op in self.operations:
                index[op.name] = op
            lookup.update(index)
        return lookup[key]

    def by_tag(self) -> dict[str, list[Operation]]:
        """Group the operations by ``tag_name`` (of their first tag), in document order."""
        groups: dict[str, list[Operation]] = {}
        for op in self.operations:
            groups.setdefault(op.tag_name, []).append(op)
        return groups

    def resolve_ref(self, ref: str) -> Any:
        """Return the target of the ``$ref`` string ``ref`` (one hop).

        Raises :class:`~restwright.errors.SpecError` for a reference that is not part of
        this description.
        """
        prefix = self.schema_ref_prefix
        if ref.startswith(prefix):
            name = ref[len(prefix) :]
            if "/" not in name:
                if "~" in name or "%" in name:
                    name = unquote(name).replace("~1", "/").replace("~0", "~")
                schema = self.schemas.get(name, _MISSING)
                if schema is not _MISSING:
                    return schema
        target = self.ref_targets.get(ref, _MISSING)
        if target is _MISSING:
            raise SpecError("unresolvable $ref", pointer=ref, expected="a reference that exists")
        return target

    def resolve(self, node: Any) -> Any:
        """Follow ``node``'s ``$ref`` (and chains of references) to a non-reference node.

        Nodes without ``$ref`` are returned as they are.  Sibling keywords next to a
        ``$ref`` (allowed in OpenAPI 3.1) are not merged.
        """
        seen: set[str] | None = None
        while isinstance(node, dict):
            ref = node.get("$ref")
            if not isinstance(ref, str):
                break
            if seen is None:
                seen = set()
            if ref in seen:
                raise SpecError("circular $ref", pointer=ref, expected="a non-circular chain")
            seen.add(ref)
            node = self.resolve_ref(ref)
        return node

    def resolve_server(self, base: str | None = None, index: int = 0) -> str:
        """Return server ``index`` as an absolute URL without a trailing slash.

        A relative server URL is resolved against ``base``, or against ``source_url`` when
        ``base`` is not given; ``ValueError`` when there is nothing to resolve against.
        """
        server = self.servers[index] if self.servers else "/"
        if "://" not in server:
            base = base or self.source_url
            if not base:
                raise ValueError(
                    f"server URL {server!r} is relative; pass the base URL to resolve it against"
                )
            server = urljoin(base, server)
        return server.rstrip("/")


_MISSING: Any = object()


class SchemaMap(Mapping[str, Any]):
    """Component schemas decoded one by one, the first time each is looked up.

    ``encoded`` maps a schema name to whatever ``decode`` turns into the schema.  A schema
    is decoded once: later lookups (from any thread) return the same object, so identity
    based caches and ``resolve(...) is schemas[name]`` hold as for a plain dict.  Equality
    is a mapping's (it decodes everything), and it pickles as a plain ``dict``.
    """

    __slots__ = ("_decode", "_decoded", "_encoded")

    def __init__(self, encoded: dict[str, Any], decode: Callable[[Any], Any]) -> None:
        self._encoded = encoded
        self._decode = decode
        self._decoded: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        value = self._decoded.get(name, _MISSING)
        if value is _MISSING:
            value = self._decoded.setdefault(name, self._decode(self._encoded[name]))
        return value

    def get(self, name: str, default: Any = None) -> Any:
        value = self._decoded.get(name, _MISSING)
        if value is _MISSING:
            return self[name] if name in self._encoded else default
        return value

    def __contains__(self, name: object) -> bool:
        return name in self._encoded

    def __iter__(self) -> Iterator[str]:
        return iter(self._encoded)

    def __len__(self) -> int:
        return len(self._encoded)

    def __repr__(self) -> str:
        return repr(dict(self.items()))

    def __reduce__(self) -> tuple[Any, ...]:
        return (dict, (dict(self.items()),))


class _ByClass(dict[type, Any]):
    """A table of the model classes that also answers for their subclasses."""

    def __missing__(self, cls: type) -> Any:
        for base in cls.__mro__[1:]:
            if base in self:
                self[cls] = found = self[base]
                return found
        raise KeyError(cls)


_MODELS = (
    MediaType,
    Parameter,
    RequestBody,
    ResponseSpec,
    SecurityScheme,
    Operation,
    ApiDescription,
)
_GETTERS = _ByClass({cls: attrgetter(*cls.__match_args__) for cls in _MODELS})
_COMPARED = _ByClass(
    {cls: attrgetter(*(f.name for f in fields(cls) if f.compare)) for cls in _MODELS}
)
_SHOWN = _ByClass({cls: tuple(f.name for f in fields(cls) if f.repr) for cls in _MODELS})

DEFERRED_FIELDS = (
    "tags",
    "summary",
    "description",
    "deprecated",
    "parameters",
    "request_body",
    "responses",
    "security",
    "servers",
)
"""The fields of an :class:`Operation` that :func:`deferred_operations` leaves for later."""

HEAD_FIELDS = ("operation_id", "name", "method", "path", "tag", "tag_name")
"""The fields of an :class:`Operation` that :func:`deferred_operations` sets at once."""

_DEFERRED_FIELDS = frozenset(DEFERRED_FIELDS)
_DATA_SLOT: Any = _Deferred.__dict__["_deferred_data"]
_DECODE_SLOT: Any = _Deferred.__dict__["_deferred_decode"]
_DEFERRED_SETTERS = tuple(Operation.__dict__[name].__set__ for name in DEFERRED_FIELDS)
assert set(HEAD_FIELDS) | _DEFERRED_FIELDS == set(Operation.__match_args__)


def deferred_operations(
    heads: tuple[tuple[Any, ...], ...], decode: Callable[[Any], tuple[Any, ...]], data: Any
) -> list[Operation]:
    """Operations with the fields of ``heads`` set and the others decoded on first read.

    ``heads`` holds one column per field of :data:`HEAD_FIELDS` (``heads[1][i]`` is the name
    of operation ``i``); ``decode(data[i])`` returns the other fields of operation ``i`` in
    the order of :data:`DEFERRED_FIELDS`.  Restoring a large description creates one small
    object per operation and nothing else the garbage collector tracks, so this is
    unrolled.
    """
    new = object.__new__
    cls = Operation
    slots = cls.__dict__
    set_id = slots["operation_id"].__set__
    set_name = slots["name"].__set__
    set_method = slots["method"].__set__
    set_path = slots["path"].__set__
    set_tag = slots["tag"].__set__
    set_tag_name = slots["tag_name"].__set__
    set_data = _DATA_SLOT.__set__
    set_decode = _DECODE_SLOT.__set__
    operations: list[Operation] = []
    append = operations.append
    ids, names, methods, paths, tags, tag_names = heads
    for operation_id, name, method, path, tag, tag_name, item in zip(
        ids, names, methods, paths, tags, tag_names, data, strict=True
    ):
        op = new(cls)
        set_id(op, operation_id)
        set_name(op, name)
        set_method(op, method)
        set_path(op, path)
        set_tag(op, tag)
        set_tag_name(op, tag_name)
        set_data(op, item)
        set_decode(op, decode)
        append(op)
    return operations
