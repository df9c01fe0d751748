"""The runtime client: an API document turned into a Python client when it is loaded.

>>> import restwright
>>> mm = restwright.from_openapi("mattermost-openapi-v4.yaml",
...                              base_url="https://chat.example", auth="TOKEN")
>>> me = mm.users.get_user("me")                       # tag group . operation
>>> mm.call("GetUser", user_id="me")                   # or by operationId
>>> mm.drift.report()                                  # where the server and document differ

Operations are grouped by their first tag (``client.users``) and named after their
operationId in snake_case (``get_user``).  Arguments:

* every documented parameter, by its Python name (``bucket_id=``, ``if_match=`` for the
  ``If-Match`` header); path parameters may also be passed positionally, in the order they
  appear in the path.  ``None`` means "not given".
* ``body=``: the request body - a dict, a list, a pydantic model or a dataclass for JSON;
  for ``multipart/form-data`` and form bodies a mapping of fields whose file fields take a
  path, bytes, a binary file object or a ``(filename, content[, content_type])`` tuple
  (several files for one field: a list of those, or a ``{filename: content}`` dict); raw
  bodies (``application/octet-stream``...) take bytes, str, a path, a file or an iterator.
  ``json_body=`` and ``multipart_data=`` are accepted as aliases.
* ``headers=`` (extra request headers), ``timeout=`` (this call's timeout),
  ``return_response=True`` (return the :class:`~restwright.Response` instead of the decoded
  body), and ``download_to=`` (a path or a binary file: stream the response body there and
  return the :class:`~restwright.Response`, whose ``content`` is empty).

An operation's own parameter always keeps its name; an extra argument that would clash
with one gets a trailing underscore (``body_``, ``headers_``...), as the signature shows.

Results: a JSON response is decoded (into pydantic models with ``models=True``), a
``text/*`` response is returned as ``str``, anything else as ``bytes``, and an empty body
as ``None``.  Error statuses raise the engine's :class:`~restwright.errors.ApiError`
subclasses.  Arguments are checked against the document before anything is sent
(:class:`~restwright.errors.ValidationError`; ``validate=False`` turns that off), and
responses are checked against it afterwards: every status and media type, and the bodies
the ``drift=`` policy picks (see :class:`~restwright.openapi.drift.DriftPolicy`).  With
``models=True`` a body that is not being checked goes from its bytes to the models in one
pass (:func:`~restwright.openapi.models.models_from_json`).

Each operation is compiled into a *call plan* the first time it is called (parameter
serializers and checks, path template, body encoding, response checker, the engine client
carrying the operation's auth), so a call costs little more than the same request made
through the engine directly.
"""

from __future__ import annotations

import inspect
import os
import re
import threading
import warnings
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Generic, Literal, NamedTuple, TypeVar, Union
from urllib.parse import urljoin

from .._suggest import did_you_mean
from ..engine.client import Client
from ..engine.encoding import encode_json
from ..engine.file_bodies import file_body
from ..engine.logs import get_logger
from ..engine.models import Request, Response
from ..engine.pagination import PageSpec, page_items, walk
from ..engine.urls import encode_segment, plain_segment
from ..errors import ApiError, DecodeError, InvalidRequestError, RestwrightError, ValidationError
from .direct import DirectSpec, QueryValue, ResultKind, write_direct
from .drift import (
    DriftError,
    DriftLog,
    DriftMode,
    DriftPolicy,
    Misfit,
    ResponseChecker,
    SchemaCompiler,
    is_json_media,
    match_media,
    media_type_of,
)
from .login import login_token
from .model import ApiDescription, Operation, Parameter
from .naming import member_names
from .paging import page_spec_for
from .security import SecurityResolver
from .serialize import (
    FormFieldSerializer,
    compile_cookie,
    compile_form_field,
    compile_header,
    compile_path,
    compile_query,
    scalar_text,
)
from .servers import client_base_url, repeated_segments, without_repeated_prefix
from .validate import (
    ValueCheck,
    compile_body_check,
    compile_form_check,
    compile_parameter_check,
    fast_types,
    schema_summary,
)

if TYPE_CHECKING:
    from .models import BodyModel, ModelFactory

__all__ = [
    "AsyncOpenAPIClient",
    "OpenAPIClient",
    "TagGroup",
    "from_openapi",
    "from_openapi_async",
]

logger = get_logger(__name__)


class _Default:
    """The default of ``timeout=``: the client's own timeout."""

    def __repr__(self) -> str:
        return "DEFAULT"


_DEFAULT: Any = _Default()
_UNSET: Any = object()
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
_WORDS = re.compile(r"[A-Za-z0-9]+")


def _class_name(text: str) -> str:
    """The class name models.py gives a schema (kept in sync with models.class_name)."""
    words = _WORDS.findall(text)
    name = "".join(w[:1].upper() + w[1:] for w in words) or "Model"
    return "Model" + name if name[0].isdigit() else name


# Kinds of arguments in a call plan.
_PATH, _QUERY, _HEADER, _COOKIE, _IF_MATCH, _IF_NONE_MATCH = range(6)
_BODY, _DOWNLOAD, _HEADERS, _TIMEOUT, _RETURN_RESPONSE = range(10, 15)

_EXTRAS = ("headers", "timeout", "return_response", "download_to")
_OPTION_NAMES = {
    _DOWNLOAD: "download_to",
    _HEADERS: "headers",
    _TIMEOUT: "timeout",
    _RETURN_RESPONSE: "return_response",
}
_PLAIN_PATH_TYPES = frozenset({str, int})
_ALL_SCALARS = frozenset({str, int, bool})
_BODY_ALIASES = ("json_body", "multipart_data")


# -- loading -----------------------------------------------------------------------------


def _load(source: Any, cache: bool, cache_dir: str | os.PathLike[str] | None) -> ApiDescription:
    if isinstance(source, ApiDescription):
        return source
    from .loader import load

    return load(source, cache=cache, cache_dir=cache_dir)


def from_openapi(
    source: Any,
    base_url: str | None = None,
    auth: Any = None,
    *,
    models: bool = False,
    strict: bool = False,
    drift: DriftMode | DriftPolicy | None = None,
    validate: bool = True,
    cache: bool = True,
    cache_dir: str | os.PathLike[str] | None = None,
    **client_options: Any,
) -> OpenAPIClient:
    """Build a sync client from an API document (Swagger 2.0, OpenAPI 3.0 or 3.1).

    ``source`` is a path, an http(s) URL, a dict, JSON/YAML text or an already loaded
    :class:`~restwright.openapi.ApiDescription`.  ``base_url`` defaults to the document's
    first server (a relative one is resolved against the URL the document came from).
    ``auth`` is one credential or a dict ``{scheme_name: credential}`` (see
    :mod:`restwright.openapi.security`).  ``models=True`` parses responses into pydantic
    models; ``strict=True`` raises :class:`~restwright.openapi.drift.DriftError` when a
    response breaks the document; ``drift=`` says which responses are checked (``"sample"``,
    the default unless strict: every status, the first bodies of each operation and status,
    then a sample; ``"all"``; ``"off"``; or a
    :class:`~restwright.openapi.drift.DriftPolicy`); ``validate=False`` skips the checks
    made before sending.
    ``cache``/``cache_dir`` are passed to :func:`restwright.openapi.load`; the other
    keyword arguments (``timeout``, ``retry``, ``headers``, ``transport``, ``hooks``,
    ``cert``, ``uds``...) to :class:`restwright.Client`.
    """
    api = _load(source, cache, cache_dir)
    url = client_base_url(api, base_url)
    engine = Client(url, **client_options)
    return OpenAPIClient(
        api,
        engine,
        auth=auth,
        models=models,
        strict=strict,
        drift=drift,
        validate=validate,
        explicit_base_url=base_url is not None,
    )


def from_openapi_async(
    source: Any,
    base_url: str | None = None,
    auth: Any = None,
    *,
    models: bool = False,
    strict: bool = False,
    drift: DriftMode | DriftPolicy | None = None,
    validate: bool = True,
    cache: bool = True,
    cache_dir: str | os.PathLike[str] | None = None,
    **client_options: Any,
) -> AsyncOpenAPIClient:
    """Like :func:`from_openapi`, for asyncio: operations are coroutine functions.

    The document itself is loaded synchronously (once, usually from the on-disk cache).
    """
    from ..engine.async_client import AsyncClient  # asyncio is imported only when needed

    api = _load(source, cache, cache_dir)
    url = client_base_url(api, base_url)
    engine = AsyncClient(url, **client_options)
    return AsyncOpenAPIClient(
        api,
        engine,
        auth=auth,
        models=models,
        strict=strict,
        drift=drift,
        validate=validate,
        explicit_base_url=base_url is not None,
    )


# -- the call plan -----------------------------------------------------------------------


class _Arg:
    """One argument an operation takes, compiled."""

    __slots__ = (
        "check",
        "fast_types",
        "kind",
        "plain",
        "python_name",
        "required",
        "serialize",
        "wire",
    )

    def __init__(
        self,
        kind: int,
        python_name: str,
        wire: str = "",
        required: bool = False,
        check: ValueCheck | None = None,
        serialize: Any = None,
        plain: bool = False,
        fast_types: frozenset[type] = frozenset(),
    ) -> None:
        self.fast_types = fast_types
        self.kind = kind
        self.python_name = python_name
        self.wire = wire
        self.required = required
        self.check = check
        self.serialize = serialize
        self.plain = plain


def _is_raw_value(value: Any) -> bool:
    if isinstance(value, (bytes, bytearray, memoryview, os.PathLike)):
        return True
    if hasattr(value, "read"):
        return True
    return isinstance(value, Iterator) or hasattr(value, "__aiter__")


def _is_file_value(value: Any) -> bool:
    return isinstance(value, (bytes, bytearray, memoryview, os.PathLike, tuple)) or hasattr(
        value, "read"
    )


def _part_bytes(value: Any, media: str) -> bytes:
    """A non-file multipart part in its documented media type (JSON, else text)."""
    if is_json_media(media_type_of(media)):
        return encode_json(value)
    text = _form_text(value)
    return (",".join(text) if isinstance(text, list) else str(text)).encode("utf-8")


def _is_array_schema(api: ApiDescription, schema: Any) -> bool:
    resolved = api.resolve(schema) if schema is not None else None
    if not isinstance(resolved, Mapping):
        return False
    kind = resolved.get("type")
    return kind == "array" or (isinstance(kind, list) and "array" in kind) or "items" in resolved


def _form_fields(api: ApiDescription, media: Any) -> dict[str, FormFieldSerializer]:
    """The fields of a form body that its ``encoding`` describes, compiled."""
    schema = api.resolve(media.schema)
    props = schema.get("properties") if isinstance(schema, Mapping) else None
    props = props if isinstance(props, Mapping) else {}
    fields: dict[str, FormFieldSerializer] = {}
    for name, encoding in (media.encoding or {}).items():
        if isinstance(encoding, Mapping) and {"style", "explode", "contentType"} & set(encoding):
            sub = props.get(name)
            fields[name] = compile_form_field(
                name, sub, encoding, indexed=_is_array_schema(api, sub)
            )
    return fields


def _part_types(media: Any) -> dict[str, str]:
    """The multipart parts whose ``encoding`` names one concrete media type."""
    types: dict[str, str] = {}
    for name, encoding in (media.encoding or {}).items():
        ctype = encoding.get("contentType") if isinstance(encoding, Mapping) else None
        if isinstance(ctype, str) and "," not in ctype and "*" not in ctype:
            types[name] = ctype
    return types


def _form_text(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_form_text(v) for v in value if v is not None]
    if isinstance(value, Mapping) or hasattr(value, "model_dump"):
        return encode_json(value).decode("utf-8")
    return scalar_text(value)


class ArgumentNames:
    """The names of the arguments one operation takes (resolved against clashes)."""

    __slots__ = ("body", "body_aliases", "extras")

    def __init__(self, op: Operation) -> None:
        taken = {p.python_name for p in op.parameters}
        self.body: str | None = None
        self.body_aliases: tuple[str, ...] = ()
        if op.request_body is not None:
            name = "body"
            while name in taken:
                name += "_"
            self.body = name
            taken.add(name)
            self.body_aliases = tuple(a for a in _BODY_ALIASES if a not in taken)
            taken.update(self.body_aliases)
        self.extras: dict[str, str] = {}
        for extra in _EXTRAS:
            name = extra
            while name in taken:
                name += "_"
            taken.add(name)
            self.extras[extra] = name


class CallPlan:
    """Everything a call of one operation needs, computed at its first call."""

    def __init__(self, client: _RuntimeBase[Any], op: Operation, names: ArgumentNames) -> None:
        api = client.api
        self.op = op
        self.label = client._method_name(op)
        self.method = op.method.upper()
        self.template = (
            op.path if op.servers else without_repeated_prefix(op.path, client._repeated)
        )
        self.engine: Any = client._engine_for(op)
        # dry run answers are synthetic: they say nothing about the server
        self.dry_run = bool(getattr(self.engine, "dry_run", False))
        validate = client._validate
        args: dict[str, _Arg] = {}
        required = 0
        for param in op.parameters:
            arg = self._compile_param(api, param, validate, op.name)
            args[param.python_name] = arg
            if arg.required:
                required += 1
        order = [m.group(1) for m in _PLACEHOLDER.finditer(op.path)]
        by_wire = {p.name: p.python_name for p in op.parameters if p.location == "path"}
        positional = [by_wire[w] for w in order if w in by_wire]
        positional += [n for w, n in by_wire.items() if n not in positional]
        self.positional: tuple[str, ...] = tuple(positional)
        # str.format_map fills "/items/{item_id}" in C when every placeholder is a plain
        # identifier and the path has no other braces; substitute() handles the rest.
        self.format_path = (
            bool(order)
            and all(name.isidentifier() for name in order)
            and op.path.count("{") == op.path.count("}") == len(order)
        )

        # -- body
        self.body_required = False
        self.json_media: str | None = None
        self.multipart_media: str | None = None
        self.form_media: str | None = None
        self.raw_media: str | None = None
        self.file_fields: frozenset[str] = frozenset()
        # from the media types' ``encoding``: form fields with a style, multipart parts
        # with a content type
        self.form_fields: dict[str, FormFieldSerializer] = {}
        self.part_types: dict[str, str] = {}
        self.body_check: ValueCheck | None = None
        self.form_check: ValueCheck | None = None
        body = op.request_body
        if body is not None and names.body is not None:
            self.body_required = body.required
            arg = _Arg(_BODY, names.body, required=body.required)
            args[names.body] = arg
            for alias in names.body_aliases:
                args[alias] = arg
            if body.required:
                required += 1
            self._compile_body(client, names.body)
        extras = names.extras
        args[extras["headers"]] = _Arg(_HEADERS, extras["headers"])
        args[extras["timeout"]] = _Arg(_TIMEOUT, extras["timeout"])
        args[extras["return_response"]] = _Arg(_RETURN_RESPONSE, extras["return_response"])
        args[extras["download_to"]] = _Arg(_DOWNLOAD, extras["download_to"])
        self.args = args
        self.required_count = required
        self.body_name = names.body

        # -- responses
        self.accept = self._accept(op)
        self.checker = ResponseChecker(op, client._compiler, client.drift_policy)
        self.model_hint = _class_name(op.name) + "Response"
        if op.deprecated:
            # raised once, at the first call (frames: here, _compile, the method, the caller)
            warnings.warn(
                f"{op.name}() ({op.method.upper()} {op.path}) is deprecated by the API document",
                DeprecationWarning,
                stacklevel=4,
            )
        self._body_models: dict[tuple[int, str | None], BodyModel | None] = {}
        self.direct_spec = self._direct_spec(names)
        #: The operation's direct call (see :mod:`.direct`), set by the client that
        #: compiled this plan.
        self.direct: Callable[[dict[str, Any]], Any]

    def _direct_spec(self, names: ArgumentNames) -> DirectSpec | None:
        """What a direct call of this operation sends (see :mod:`.direct`), or ``None`` when
        its arguments always need the general path.

        The direct call takes path parameters (strings that are their own encoding) and
        query parameters (scalars whose check, if any, passes them untouched: a bool, an
        int, a plain string) with no option given - ``users.get_user("me")``,
        ``channels.get_all_channels(per_page=20)`` - which is what most calls are.  An
        operation with a body, a header, cookie or condition parameter, a path value to
        serialize or a query value in a style of its own has none.  A dry-run client has
        none either: its synthetic answers are the general path's business."""
        if self.dry_run or "?" in self.template:
            return None  # (a path with a query of its own: the general path joins them)
        spec = self.args
        params = {p.python_name: p for p in self.op.parameters}
        query: list[QueryValue] = []
        for name, arg in spec.items():
            kind = arg.kind
            if kind == _PATH:
                if not arg.plain or (arg.check is not None and str not in arg.fast_types):
                    return None  # a value to serialize, or a check strings do not skip
            elif kind == _QUERY:
                param = params[name]
                if (
                    param.content_type
                    or param.style == "deepObject"
                    or plain_segment(arg.wire) is None
                ):
                    return None
                takes = _ALL_SCALARS if arg.check is None else arg.fast_types
                query.append(
                    QueryValue(
                        name, arg.wire, arg.required, int in takes, str in takes, bool in takes
                    )
                )
            elif kind <= _BODY:
                return None  # a header, cookie, condition or body argument
        # The path's literal pieces and, between them, the Python names of its parameters.
        pieces = _PLACEHOLDER.split(self.template)
        by_wire = {arg.wire: name for name, arg in spec.items() if arg.kind == _PATH}
        if any(pieces[i] not in by_wire for i in range(1, len(pieces), 2)):
            return None  # a placeholder no parameter fills
        options = (names.extras["headers"], names.extras["timeout"])
        return DirectSpec(
            method=self.method,
            literals=tuple(pieces[0::2]),
            path_names=tuple(by_wire[pieces[i]] for i in range(1, len(pieces), 2)),
            query=tuple(query),
            names=frozenset(by_wire.values()) | {q.name for q in query} | set(options),
            options=options,
            accept=self.accept,
        )

    def substitute(self, segments: Mapping[str, str]) -> str:
        """The path with each ``{name}`` that has a value replaced by it."""
        path = self.template
        for wire, text in segments.items():
            path = path.replace("{" + wire + "}", text)
        return path

    @staticmethod
    def _compile_param(api: ApiDescription, param: Parameter, validate: bool, label: str) -> _Arg:
        check = compile_parameter_check(api, param, label) if validate else None
        fast = fast_types(api, param.schema) if check is not None else frozenset()
        location = param.location
        if location == "path":
            plain = param.style in ("simple", "") and not param.content_type
            return _Arg(
                _PATH, param.python_name, param.name, True, check, compile_path(param), plain, fast
            )
        if location == "query":
            kind = _QUERY
            indexed = param.style == "deepObject" and _is_array_schema(api, param.schema)
            serializer: Any = compile_query(param, indexed=indexed)
        elif location == "header":
            lname = param.name.lower()
            kind = {"if-match": _IF_MATCH, "if-none-match": _IF_NONE_MATCH}.get(lname, _HEADER)
            serializer = compile_header(param)
        else:
            kind = _COOKIE
            serializer = compile_cookie(param)
        return _Arg(
            kind, param.python_name, param.name, param.required, check, serializer, False, fast
        )

    def _compile_body(self, client: _RuntimeBase[Any], body_name: str) -> None:
        body = self.op.request_body
        assert body is not None
        api = client.api
        for media in body.content:
            lower = media_type_of(media)
            if is_json_media(lower):
                if self.json_media is None or lower == "application/json":
                    self.json_media = media
            elif lower.startswith("multipart/"):
                self.multipart_media = self.multipart_media or media
            elif lower == "application/x-www-form-urlencoded":
                self.form_media = self.form_media or media
            elif self.raw_media is None:
                self.raw_media = media
        if self.form_media is not None:
            self.form_fields = _form_fields(api, body.content[self.form_media])
        if self.multipart_media is not None:
            self.part_types = _part_types(body.content[self.multipart_media])
        form_media = self.multipart_media or self.form_media
        if form_media is not None:
            schema = api.resolve(body.content[form_media].schema)
            props = schema.get("properties") if isinstance(schema, dict) else None
            files = set()
            for name, sub in (props or {}).items():
                if _is_binary_schema(api, sub):
                    files.add(name)
            self.file_fields = frozenset(files)
            if client._validate:
                self.form_check = compile_form_check(
                    client._request_compiler,
                    body.content[form_media].schema,
                    self.label,
                    body_name,
                    self.file_fields.__contains__,
                )
        if self.json_media is not None and client._validate:
            self.body_check = compile_body_check(
                client._request_compiler,
                body.content[self.json_media].schema,
                self.label,
                body_name,
            )

    @staticmethod
    def _accept(op: Operation) -> str | None:
        medias: list[str] = []
        for status, spec in op.responses.items():
            if status.startswith("2") or status == "default":
                medias.extend(m for m in spec.content if m not in medias)
        if not medias or any(is_json_media(media_type_of(m)) for m in medias):
            return None
        return ", ".join(medias[:8])

    # -- requests ---------------------------------------------------------------------
    def _missing(self, given: Mapping[str, Any]) -> ValidationError:
        for name, arg in self.args.items():
            if arg.required and given.get(name) is None:
                if arg.kind == _BODY and any(
                    given.get(a) is not None for a, x in self.args.items() if x is arg
                ):
                    continue
                where = f"{_LOCATION_NAMES.get(arg.kind, '')} {arg.wire!r}".strip()
                detail = f" ({where})" if arg.wire else ""
                return ValidationError(
                    f"{self.label}() missing required argument {name!r}{detail}", parameter=name
                )
        return ValidationError(f"{self.label}() missing a required argument")  # pragma: no cover

    def encode_body(self, body: Any, headers: dict[str, str]) -> dict[str, Any]:
        """The engine keyword arguments (``json=``, ``data=``/``files=``, ``content=``)."""
        if self.raw_media is not None and _is_raw_value(body):
            return self._raw(body, headers)
        if (
            self.multipart_media is not None
            and isinstance(body, Mapping)
            and (
                self.json_media is None
                or any(k in self.file_fields or _is_file_value(v) for k, v in body.items())
            )
        ):
            if self.form_check is not None:
                self.form_check(body)
            return self._multipart(body)
        if self.json_media is not None:
            if self.body_check is not None:
                self.body_check(body)
            if media_type_of(self.json_media) != "application/json":
                headers["Content-Type"] = self.json_media
            return {"json": body}
        if self.multipart_media is not None:
            if not isinstance(body, Mapping):
                raise ValidationError(
                    f"{self.label}(): {self.body_name} must be a mapping of form fields",
                    parameter=self.body_name,
                )
            if self.form_check is not None:
                self.form_check(body)
            return self._multipart(body)
        if self.form_media is not None:
            if self.form_check is not None:
                self.form_check(body)
            if not isinstance(body, Mapping):
                raise ValidationError(
                    f"{self.label}(): {self.body_name} must be a mapping of form fields",
                    parameter=self.body_name,
                )
            return {"data": self._form_data(body)}
        return self._raw(body, headers)

    def _form_data(self, body: Mapping[str, Any]) -> dict[str, Any]:
        fields = self.form_fields
        data: dict[str, Any] = {}
        for key, value in body.items():
            if value is None:
                continue
            field = fields.get(key)
            if field is None:
                data[key] = _form_text(value)
                continue
            for name, text in field(value):
                previous = data.get(name)
                if previous is None:
                    data[name] = text
                elif isinstance(previous, list):
                    previous.append(text)
                else:
                    data[name] = [previous, text]
        return data

    def _raw(self, body: Any, headers: dict[str, str]) -> dict[str, Any]:
        media = self.raw_media or "application/octet-stream"
        if "*" in media:
            media = "application/octet-stream"
        content: Any
        if isinstance(body, os.PathLike) or hasattr(body, "read"):
            # replayed after a reset or a 307 when it can be (a path, a seekable file)
            try:
                content = file_body(body)
            except InvalidRequestError as exc:  # a path that is not a file
                raise ValidationError(f"{self.label}(): {exc}", parameter=self.body_name) from None
        elif isinstance(body, (bytes, bytearray, memoryview, str)) or _is_raw_value(body):
            content = body
        else:
            content = encode_json(body)
            media = "application/json" if "json" not in media else media
        headers["Content-Type"] = media
        return {"content": content}

    def _multipart(self, body: Mapping[str, Any]) -> dict[str, Any]:
        data: dict[str, Any] = {}
        files: list[tuple[str, Any]] = []
        file_fields = self.file_fields
        part_types = self.part_types
        for key, value in body.items():
            if value is None:
                continue
            part_type = part_types.get(key)
            if part_type is not None:
                # the document gives this part's media type: send it with that type (a
                # file given as a tuple, a list or a {filename: content} dict says its own)
                if not (key in file_fields or _is_file_value(value)):
                    files.append((key, (None, _part_bytes(value, part_type), part_type)))
                    continue
                if not isinstance(value, (tuple, list, Mapping)):
                    files.append((key, (None, value, part_type)))
                    continue
            if key in file_fields or _is_file_value(value):
                if isinstance(value, Mapping):  # {filename: content}, as matterapi users write
                    files.extend((key, (str(n), c)) for n, c in value.items())
                elif isinstance(value, list):
                    files.extend((key, v) for v in value)
                else:
                    files.append((key, value))
            else:
                data[key] = _form_text(value)
        return {"data": data, "files": files}

    # -- responses --------------------------------------------------------------------
    def body_model(
        self, factory: ModelFactory, status: int, content_type: str | None
    ) -> BodyModel | None:
        """The models of ``models=True`` for a response of this status and media type."""
        key = (status, content_type)
        cache = self._body_models
        found = cache.get(key, _UNSET)
        if found is _UNSET:
            schema = self.model_schema(status, content_type)
            found = None if schema is None else factory.body_model(schema, self.model_hint)
            if len(cache) < 64:
                cache[key] = found
        return found  # type: ignore[no-any-return]

    def model_schema(self, status: int, content_type: str | None) -> Any:
        """The documented schema of a response of this status and media type, or ``None``."""
        spec = self.op.response_for(status)
        if spec is not None and spec.content:
            media = media_type_of(content_type)
            found = match_media(media, spec.content) if media else next(iter(spec.content))
            if found is not None:
                return spec.content[found]
        return None


_LOCATION_NAMES = {
    _PATH: "path",
    _QUERY: "query",
    _HEADER: "header",
    _COOKIE: "cookie",
    _IF_MATCH: "header",
    _IF_NONE_MATCH: "header",
}


def _is_binary_schema(api: ApiDescription, schema: Any) -> bool:
    try:
        schema = api.resolve(schema)
    except RestwrightError:
        return False
    if not isinstance(schema, dict):
        return False
    if schema.get("type") == "array":
        return _is_binary_schema(api, schema.get("items"))
    return schema.get("format") in ("binary",) or schema.get("type") == "file"


# -- response decoding -------------------------------------------------------------------

_JSON, _TEXT, _BINARY = range(3)
_KINDS: dict[str | None, int] = {}


def _body_kind(content_type: str | None) -> int:
    kind = _KINDS.get(content_type)
    if kind is None:
        media = media_type_of(content_type)
        if not media or is_json_media(media):
            kind = _JSON
        elif media.startswith("text/") or media in ("application/xml", "application/yaml"):
            kind = _TEXT
        else:
            kind = _BINARY
        if len(_KINDS) < 256:
            _KINDS[content_type] = kind
    return kind


# -- signatures and docstrings -----------------------------------------------------------


def _annotation(api: ApiDescription, schema: Any, depth: int = 0) -> Any:
    try:
        schema = api.resolve(schema)
    except RestwrightError:
        return Any
    if not isinstance(schema, dict) or depth > 2:
        return Any
    raw = schema.get("type")
    types = [raw] if isinstance(raw, str) else [t for t in raw or [] if t != "null"]
    enum = schema.get("enum")
    if isinstance(enum, list) and enum and all(isinstance(v, (str, int)) for v in enum):
        return Literal[tuple(enum)]
    if len(types) != 1:
        return Any
    kind = types[0]
    if kind == "array":
        return list[_annotation(api, schema.get("items"), depth + 1)]  # type: ignore[misc]
    return {
        "string": str,
        "integer": int,
        "number": float,
        "boolean": bool,
        "object": dict[str, Any],
        "file": bytes,
    }.get(kind, Any)


def _first_paragraph(text: str | None, limit: int = 400) -> str:
    if not text:
        return ""
    text = text.strip()
    para = text.split("\n\n", 1)[0].strip()
    para = " ".join(para.split())
    return para if len(para) <= limit else para[: limit - 3] + "..."


def build_signature(api: ApiDescription, op: Operation, names: ArgumentNames) -> inspect.Signature:
    """The :class:`inspect.Signature` of an operation's method."""
    params: list[inspect.Parameter] = []
    order = [m.group(1) for m in _PLACEHOLDER.finditer(op.path)]
    path_params = [p for p in op.parameters if p.location == "path"]
    path_params.sort(key=lambda p: order.index(p.name) if p.name in order else len(order))
    for p in path_params:
        params.append(
            inspect.Parameter(
                p.python_name,
                inspect.Parameter.POSITIONAL_OR_KEYWORD,
                annotation=_annotation(api, p.schema),
            )
        )
    others = [p for p in op.parameters if p.location != "path"]
    required = [p for p in others if p.required]
    optional = [p for p in others if not p.required]
    for p in required:
        params.append(
            inspect.Parameter(
                p.python_name, inspect.Parameter.KEYWORD_ONLY, annotation=_annotation(api, p.schema)
            )
        )
    body = op.request_body
    if body is not None and names.body is not None:
        annotation: Any = Any
        for media, content in body.content.items():
            lower = media_type_of(media)
            if is_json_media(lower):
                annotation = _annotation(api, content.schema)  # models are accepted too
                break
            if lower.startswith("multipart/") or lower.endswith("x-www-form-urlencoded"):
                annotation = dict[str, Any]
            else:
                annotation = Union[bytes, str, Path, IO[bytes]]
        if body.required:
            params.append(
                inspect.Parameter(names.body, inspect.Parameter.KEYWORD_ONLY, annotation=annotation)
            )
        else:
            params.append(
                inspect.Parameter(
                    names.body,
                    inspect.Parameter.KEYWORD_ONLY,
                    default=None,
                    annotation=Union[annotation, None],
                )
            )
    for p in optional:
        params.append(
            inspect.Parameter(
                p.python_name,
                inspect.Parameter.KEYWORD_ONLY,
                default=None,
                annotation=Union[_annotation(api, p.schema), None],
            )
        )
    extras = names.extras
    kw = inspect.Parameter.KEYWORD_ONLY
    params.append(
        inspect.Parameter(
            extras["headers"], kw, default=None, annotation=Union[Mapping[str, str], None]
        )
    )
    params.append(inspect.Parameter(extras["timeout"], kw, default=_DEFAULT, annotation=Any))
    params.append(inspect.Parameter(extras["return_response"], kw, default=False, annotation=bool))
    params.append(
        inspect.Parameter(
            extras["download_to"],
            kw,
            default=None,
            annotation=Union[str, os.PathLike, IO[bytes], None],
        )
    )
    return inspect.Signature(params, return_annotation=_return_annotation(api, op))


def _return_annotation(api: ApiDescription, op: Operation) -> Any:
    for status in sorted(op.responses):
        if not status.startswith("2"):
            continue
        content = op.responses[status].content
        if not content:
            return None
        media, schema = next(iter(content.items()))
        lower = media_type_of(media)
        if is_json_media(lower):
            return _annotation(api, schema)
        if lower.startswith("text/"):
            return str
        return bytes
    return Any


def build_docstring(api: ApiDescription, op: Operation, names: ArgumentNames) -> str:
    """The docstring of an operation's method: summary, parameters, body, responses."""
    lines: list[str] = []
    if op.summary:
        lines.append(op.summary.strip())
    description = (op.description or "").strip()
    if description and description != (op.summary or "").strip():
        if lines:
            lines.append("")
        text = description if len(description) <= 1500 else description[:1497] + "..."
        lines.append(text)
    if lines:
        lines.append("")
    ident = f"operationId {op.operation_id!r}, " if op.operation_id else ""
    lines.append(f"{op.method.upper()} {op.path} ({ident}tag {op.tag!r})")
    if op.deprecated:
        lines.append("Deprecated.")
    params = sorted(op.parameters, key=lambda p: (p.location != "path", not p.required))
    if params or op.request_body is not None:
        lines += ["", "Args:"]
    for p in params:
        flag = "required" if p.required else "optional"
        wire = f" {p.name!r}" if p.name != p.python_name else ""
        kind = schema_summary(api, p.schema) if not p.content_type else p.content_type
        style = ""
        if p.style not in ("form", "simple") or (p.location == "query" and not p.explode):
            style = f", style={p.style}{'' if p.explode else ' (not exploded)'}"
        head = f"    {p.python_name} ({kind}; {p.location}{wire}, {flag}{style})"
        desc = _first_paragraph(p.description)
        lines.append(f"{head}: {desc}" if desc else head)
    body = op.request_body
    if body is not None and names.body is not None:
        flag = "required" if body.required else "optional"
        medias = ", ".join(body.content)
        desc = _first_paragraph(body.description)
        lines.append(f"    {names.body} ({medias}, {flag}){': ' + desc if desc else ''}")
        for media, content in body.content.items():
            schema = api.resolve(content.schema) if content.schema is not None else None
            if isinstance(schema, dict) and isinstance(schema.get("properties"), dict):
                req = set(schema.get("required") or ())
                fields = [
                    f"{name}{'*' if name in req else ''}: {schema_summary(api, sub)}"
                    for name, sub in list(schema["properties"].items())[:25]
                ]
                lines.append(f"        {media} fields (* required): " + "; ".join(fields))
    if op.responses:
        lines += ["", "Responses:"]
        for status, spec in op.responses.items():
            medias = ", ".join(spec.content) or "no body"
            desc = _first_paragraph(spec.description, 200)
            lines.append(f"    {status} ({medias}){': ' + desc if desc else ''}")
    extras = names.extras
    lines += [
        "",
        f"Also takes {extras['headers']}= (extra headers), {extras['timeout']}= (this call's "
        f"timeout), {extras['return_response']}=True (return the Response) and "
        f"{extras['download_to']}= (stream the body to a path or binary file).",
        "Raises ValidationError (nothing sent) when an argument breaks the document, and "
        "ApiError subclasses for error statuses.",
    ]
    return "\n".join(lines)


# -- the clients -------------------------------------------------------------------------


class TagGroup:
    """The operations of one tag: ``client.users.get_user(...)``.

    An operation whose name repeats the tag is reached without it (``client.repos.get``
    for ``repos/get``; see :func:`~restwright.openapi.naming.member_names`); its full name
    keeps working.  ``dir()`` lists the operations; each one is a real function with a
    signature and a docstring (``help(client.users.get_user)``).
    """

    def __init__(self, client: _RuntimeBase[Any], name: str, operations: list[Operation]) -> None:
        self._client = client
        self._name = name
        self._ops = {client._method_name(op): op for op in operations}
        self._full = {op.name: op for op in operations}

    def __getattr__(self, name: str) -> Any:
        ops = self.__dict__.get("_ops")
        op = None if ops is None else ops.get(name) or self._full.get(name)
        if op is None:
            hint = did_you_mean(name, ops or ())
            listing = f"; it has {sorted(ops)}" if ops and len(ops) <= 30 and not hint else ""
            raise AttributeError(
                f"tag {self.__dict__.get('_name')!r} has no operation {name!r}{hint}{listing}"
            )
        fn = self._client._function(op)
        setattr(self, name, fn)
        return fn

    def __dir__(self) -> list[str]:
        return sorted(self._ops)

    def __iter__(self) -> Iterator[str]:
        return iter(self._ops)

    def __repr__(self) -> str:
        return f"<TagGroup {self._name!r}: {len(self._ops)} operations>"


class _ModelNamespace:
    """``client.models.User``: the pydantic model of a component schema."""

    def __init__(self, factory: ModelFactory | None, api: ApiDescription) -> None:
        self._factory = factory
        self._api = api

    def _get(self) -> ModelFactory:
        if self._factory is None:
            from .models import ModelFactory

            self._factory = ModelFactory(self._api)
        return self._factory

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return self[name]

    def __getitem__(self, name: str) -> Any:
        factory = self._get()
        if name in self._api.schemas:
            return factory.model(name)
        for schema_name in self._api.schemas:
            if _class_name(schema_name) == name:
                return factory.model(schema_name)
        raise AttributeError(f"the document has no schema {name!r}")

    def __dir__(self) -> list[str]:
        return sorted({_class_name(n) for n in self._api.schemas})


class _Paging(NamedTuple):
    """What :meth:`paginate` walks: the operation's method, the engine that fetches next
    links, the page spec, and the name of the method's ``return_response=``."""

    fn: Callable[..., Any]
    engine: Any
    spec: PageSpec
    return_response: str


_Runtime = TypeVar("_Runtime", bound="_RuntimeBase[Any]")
#: What ``paginate`` returns: ``Iterator[Any]`` (sync) or ``AsyncIterator[Any]`` (async).
_Items = TypeVar("_Items")


class _RuntimeBase(Generic[_Items]):
    """What the sync and async runtime clients share."""

    _engine_type: type = Client
    #: Whether operations are coroutine functions (what a direct call is written for).
    _is_async: bool = False

    def __init__(
        self,
        api: ApiDescription,
        engine: Any,
        *,
        auth: Any = None,
        models: bool = False,
        strict: bool = False,
        drift: DriftMode | DriftPolicy | None = None,
        validate: bool = True,
        explicit_base_url: bool = False,
    ) -> None:
        self.api = api
        self.engine = engine
        self.strict = strict
        self.drift = DriftLog()
        self.drift_policy = DriftPolicy.of(drift, strict)
        self._validate = validate
        self._explicit_base_url = explicit_base_url
        self._repeated = repeated_segments(api, engine.base_url) if explicit_base_url else ()
        self._compiler = SchemaCompiler(api, "response")
        self._request_compiler = SchemaCompiler(api, "request")
        self._model_factory: ModelFactory | None = None
        if models:
            from .models import ModelFactory  # pydantic is imported only when asked for

            self._model_factory = ModelFactory(api)
        self.models = _ModelNamespace(self._model_factory, api)
        self._credentials = auth
        self._security = SecurityResolver(api, auth, engine.base_url)
        self._engines: dict[tuple[str, str], Any] = {}
        self._groups_ops = api.by_tag()
        self._functions: dict[str, Callable[..., Any]] = {}
        self._holders: dict[str, tuple[ArgumentNames, list[CallPlan]]] = {}
        self._members: dict[str, dict[str, str]] = {}
        self._lock = threading.RLock()

    # -- discovery ----------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return str(self.engine.base_url)

    @property
    def tags(self) -> list[str]:
        """The tag groups (attribute names), in document order."""
        return list(self._groups_ops)

    @property
    def operations(self) -> list[str]:
        """Every operation's Python name, in document order."""
        return [op.name for op in self.api.operations]

    def tag(self, name: str) -> TagGroup:
        """The group of tag ``name`` (its Python name or the document's tag)."""
        ops = self._groups_ops.get(name)
        if ops is None:
            for op in self.api.operations:
                if op.tag == name:
                    ops = self._groups_ops[op.tag_name]
                    name = op.tag_name
                    break
        if ops is None:
            hint = did_you_mean(name, self._groups_ops) or f"; tags: {self.tags}"
            raise AttributeError(f"the document has no tag {name!r}{hint}")
        group = self.__dict__.get(f"_group_{name}")
        if group is None:
            group = TagGroup(self, name, ops)
            self.__dict__[f"_group_{name}"] = group
        return group

    def operation(self, key: str) -> Callable[..., Any]:
        """The method of an operation, by operationId or Python name."""
        return self._function(self._operation_of(key))

    def _operation_keys(self) -> list[str]:
        """Every name :meth:`operation` accepts (operationIds and Python names)."""
        keys = [op.name for op in self.api.operations]
        return keys + [op.operation_id for op in self.api.operations if op.operation_id]

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or "_groups_ops" not in self.__dict__:
            raise AttributeError(name)
        groups = self._groups_ops
        key = name
        if key not in groups and key.endswith("_") and key[:-1] in groups:
            key = key[:-1]  # a tag that clashes with a client attribute: client.call_
        if key in groups:
            group = self.tag(key)
            setattr(self, name, group)
            return group
        hint = did_you_mean(name, groups) or f"; tags: {self.tags}"
        raise AttributeError(f"{type(self).__name__} has no attribute or tag {name!r}{hint}")

    def __dir__(self) -> list[str]:
        own = [n for n in dir(type(self)) if not n.startswith("_")]
        own += ["api", "drift", "drift_policy", "engine", "models", "strict"]
        tags = [t if not hasattr(type(self), t) else t + "_" for t in self._groups_ops]
        return sorted(set(own) | set(tags))

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} {self.api.title!r} {self.api.version} at "
            f"{self.base_url!r}: {len(self._groups_ops)} tags, "
            f"{len(self.api.operations)} operations>"
        )

    # -- derived clients ----------------------------------------------------------------
    def with_options(self: _Runtime, *, auth: Any = _UNSET, **options: Any) -> _Runtime:
        """A client of the same document with some options changed: ``auth=`` (as
        :func:`from_openapi` takes it), and the engine's ``headers``, ``timeout``,
        ``retry``, ``hooks``, ``dry_run``, ``base_url``... (see
        :meth:`restwright.Client.with_options`).  It shares this client's connection pool,
        drift log and models."""
        engine = self.engine.with_options(**options) if options else self.engine
        clone = type(self)(
            self.api,
            engine,
            auth=self._credentials if auth is _UNSET else auth,
            strict=self.strict,
            drift=self.drift_policy,
            validate=self._validate,
            explicit_base_url=self._explicit_base_url or "base_url" in options,
        )
        clone._model_factory = self._model_factory
        clone.models = self.models
        clone.drift = self.drift
        return clone

    def _operation_of(self, operation: Any) -> Operation:
        """The operation ``operation`` names: an operationId, a Python name, or one of this
        client's operation methods."""
        if isinstance(operation, str):
            try:
                return self.api.operation(operation)
            except KeyError:
                hint = did_you_mean(operation, self._operation_keys())
                raise AttributeError(f"the document has no operation {operation!r}{hint}") from None
        for name, fn in self._functions.items():
            if fn is operation:
                return self.api.operation(name)
        raise TypeError(
            f"{operation!r} is not an operation of this client: pass one of its methods "
            "(client.users.login) or an operationId"
        )

    def paginate(
        self,
        operation: Any,
        /,
        *args: Any,
        style: str | None = None,
        items_key: str | None = None,
        max_pages: int | None = None,
        page_options: Mapping[str, Any] | None = None,
        **arguments: Any,
    ) -> _Items:
        """Every item of every page of ``operation`` (a method of this client or an
        operationId) called with ``arguments``: ``client.paginate(client.repos.list_for_org,
        org="x")``.  How it pages is read from the document (see :mod:`.paging`);
        ``style=`` (an engine pagination style), ``items_key=``, ``max_pages=`` and
        ``page_options=`` (the other options of the engine's ``paginate``) override it.
        On the async client, iterate it with ``async for``."""
        paging = self._paging(operation, arguments, style, items_key, max_pages, page_options)
        return self._pages(paging, args, arguments)

    def _pages(self, paging: _Paging, args: tuple[Any, ...], arguments: dict[str, Any]) -> _Items:
        raise NotImplementedError

    def _login_call(self, operation: Any) -> tuple[Callable[..., Any], str]:
        """The method of a login operation, and the name of its ``return_response=``."""
        op = self._operation_of(operation)
        return self._function(op), ArgumentNames(op).extras["return_response"]

    def _paging(
        self,
        operation: Any,
        arguments: dict[str, Any],
        style: str | None,
        items_key: str | None,
        max_pages: int | None,
        page_options: Mapping[str, Any] | None,
    ) -> _Paging:
        op = self._operation_of(operation)
        options = dict(page_options or {})
        if items_key is not None:
            options["items_key"] = items_key
        if max_pages is not None:
            options["max_pages"] = max_pages
        spec = page_spec_for(op, self.api.resolve, arguments, style, options)
        fn = self._function(op)
        return _Paging(fn, self._engine_for(op), spec, ArgumentNames(op).extras["return_response"])

    # -- plans --------------------------------------------------------------------------
    def _engine_for(self, op: Operation) -> Any:
        key, auth = self._security.resolve(op)
        server = ""
        if op.servers:
            candidate = op.servers[0]
            if "://" not in candidate:
                server = urljoin(self.engine.base_url + "/", candidate).rstrip("/")
            elif not self._explicit_base_url:
                server = candidate.rstrip("/")
        cache_key = (key, server)
        with self._lock:
            engine = self._engines.get(cache_key)
            if engine is None:
                options: dict[str, Any] = {}
                if auth is not None:
                    options["auth"] = auth
                if server and server != self.engine.base_url:
                    options["base_url"] = server
                engine = self.engine.with_options(**options) if options else self.engine
                self._engines[cache_key] = engine
        return engine

    def _call_plan(self, operation: str) -> CallPlan:
        """The compiled call plan of an operation (an operationId or Python name), the one its
        method uses: what generated clients call through (see :mod:`.typed`)."""
        op = self._operation_of(operation)
        self._function(op)
        names, holder = self._holders[op.name]
        return holder[0] if holder else self._compile(op, names, holder)

    def _compile(self, op: Operation, names: ArgumentNames, holder: list[CallPlan]) -> CallPlan:
        plan = CallPlan(self, op, names)
        kind: ResultKind = "json" if self._model_factory is None else "models"
        plan.direct = self._direct(plan, kind)
        holder.append(plan)
        return plan

    def _direct(
        self,
        plan: CallPlan,
        kind: ResultKind,
        model: BodyModel | None = None,
        errors: Mapping[int, type[ApiError]] | None = None,
        translate: Callable[[ApiError, Any], ApiError] | None = None,
    ) -> Callable[[dict[str, Any]], Any]:
        """``plan``'s direct call for this client (sync or asyncio): see :mod:`.direct`."""
        return write_direct(
            self,
            plan,
            plan.direct_spec,
            kind=kind,
            json_types=_KINDS,
            json_kind=_JSON,
            model=model,
            errors=errors,
            translate=translate,
            is_async=self._is_async,
        )

    def _make_function(
        self, op: Operation, names: ArgumentNames, holder: list[CallPlan]
    ) -> Callable[..., Any]:
        raise NotImplementedError

    def _method_name(self, op: Operation) -> str:
        """The name of ``op`` in its tag group (``get`` for ``repos_get`` under ``repos``)."""
        members = self._members.get(op.tag_name)
        if members is None:
            group = self._groups_ops.get(op.tag_name, [op])
            members = member_names(op.tag_name, [o.name for o in group])
            self._members[op.tag_name] = members
        return members.get(op.name, op.name)

    def _function(self, op: Operation) -> Callable[..., Any]:
        fn = self._functions.get(op.name)
        if fn is not None:
            return fn
        names = ArgumentNames(op)
        holder: list[CallPlan] = []
        fn = self._make_function(op, names, holder)
        self._holders[op.name] = (names, holder)
        fn.__name__ = method = self._method_name(op)
        fn.__qualname__ = f"{op.tag_name}.{method}"
        fn.__module__ = __name__
        fn.__doc__ = build_docstring(self.api, op, names)
        signature = build_signature(self.api, op, names)
        fn.__signature__ = signature  # type: ignore[attr-defined]
        annotations = {p.name: p.annotation for p in signature.parameters.values()}
        annotations["return"] = signature.return_annotation
        fn.__annotations__ = annotations
        self._functions[op.name] = fn
        return fn

    def call(self, operation: str, /, *args: Any, **kwargs: Any) -> Any:
        """Call an operation by operationId (or Python name): ``call("GetUser", "me")``."""
        return self.operation(operation)(*args, **kwargs)

    # -- one call, both halves --------------------------------------------------------
    def _prepare(
        self, plan: CallPlan, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> tuple[Request, Any, bool]:
        if args:
            positional = plan.positional
            if len(args) > len(positional):
                raise TypeError(
                    f"{plan.label}() takes {len(positional)} positional argument"
                    f"{'s' if len(positional) != 1 else ''} but {len(args)} were given"
                )
            for name, value in zip(positional, args, strict=False):
                if name in kwargs:
                    raise TypeError(f"{plan.label}() got multiple values for argument {name!r}")
                kwargs[name] = value
        spec = plan.args
        segments: dict[str, str] | None = None
        pairs: list[tuple[str, str]] | None = None
        raw: list[str] | None = None
        headers: dict[str, str] | None = None
        cookies: list[str] | None = None
        if_match: str | None = None
        if_none_match: str | None = None
        body: Any = _UNSET
        options: dict[str, Any] | None = None
        seen_required = 0
        for key, value in kwargs.items():
            if value is None and key in spec:
                continue  # "not given" (generated methods pass every argument)
            arg = spec.get(key)
            if arg is None:
                hint = did_you_mean(key, spec)
                raise TypeError(f"{plan.label}() got an unexpected keyword argument {key!r}{hint}")
            kind = arg.kind
            if kind < _BODY:
                if arg.required:
                    seen_required += 1
                check = arg.check
                if check is not None and type(value) not in arg.fast_types:
                    check(value)
                if kind == _PATH:
                    if segments is None:
                        segments = {}
                    if arg.plain and type(value) in _PLAIN_PATH_TYPES:
                        segments[arg.wire] = encode_segment(arg.wire, value)
                    else:
                        segments[arg.wire] = arg.serialize(value)
                elif kind == _QUERY:
                    if pairs is None:
                        pairs = []
                        raw = []
                    arg.serialize(value, pairs, raw)
                elif kind == _HEADER:
                    if headers is None:
                        headers = {}
                    headers[arg.wire] = arg.serialize(value)
                elif kind == _IF_MATCH:
                    if_match = arg.serialize(value)
                elif kind == _IF_NONE_MATCH:
                    if_none_match = arg.serialize(value)
                else:
                    if cookies is None:
                        cookies = []
                    cookies.append(arg.serialize(value))
            elif kind == _BODY:
                if body is not _UNSET:
                    raise TypeError(
                        f"{plan.label}() got the body twice ({plan.body_name}= and an alias)"
                    )
                body = value
                if arg.required:
                    seen_required += 1
            else:
                if options is None:
                    options = {}
                options[_OPTION_NAMES[kind]] = value
        if seen_required != plan.required_count:
            raise plan._missing(kwargs)

        path = plan.template
        if segments:
            # The values are encoded already (exactly as the engine encodes path_params):
            # the engine gets a literal path, which spares it the template expansion.
            if plan.format_path:
                try:
                    path = path.format_map(segments)
                except KeyError:  # a placeholder the document does not describe
                    path = plan.substitute(segments)
            else:
                path = plan.substitute(segments)
        if raw:
            path = f"{path}?{'&'.join(raw)}"
        accept = plan.accept
        if accept is not None or cookies or body is not _UNSET or options:
            if headers is None:
                headers = {}
            if accept is not None:
                headers["Accept"] = accept
            if cookies:
                headers["Cookie"] = "; ".join(cookies)
        download_to = None
        return_response = False
        if body is not _UNSET or options:
            assert headers is not None
            body_kwargs: dict[str, Any] = {}
            if body is not _UNSET:
                body_kwargs = plan.encode_body(body, headers)
            if options:
                extra_headers = options.get("headers")
                if extra_headers:
                    headers.update(extra_headers)
                if "timeout" in options and options["timeout"] is not _DEFAULT:
                    body_kwargs["timeout"] = options["timeout"]
                download_to = options.get("download_to")
                return_response = bool(options.get("return_response"))
            request = plan.engine.build_request(
                plan.method,
                path,
                params=pairs or None,
                headers=headers or None,
                if_match=if_match,
                if_none_match=if_none_match,
                **body_kwargs,
            )
        else:
            request = plan.engine.build_request(
                plan.method,
                path,
                params=pairs or None,
                headers=headers,
                if_match=if_match,
                if_none_match=if_none_match,
            )
        return request, download_to, return_response

    def _finish(
        self,
        plan: CallPlan,
        response: Response,
        return_response: bool,
        model: BodyModel | None = None,
        check_body: bool | None = None,
    ) -> Any:
        """The result of a response: its drift checked as the policy says, its body decoded
        (into ``model``, the generated method's return type, or ``models=True``'s models).
        ``check_body``: whether the policy wants the body checked, when the caller has
        asked it already (it counts each response once).

        A JSON body that no drift check is due for goes from its bytes into ``model`` in one
        pass; one that does not fit ``model`` is drift evidence and gets checked whatever
        the policy sampled (see :meth:`_misfit`)."""
        content = response.content
        ctype = response.headers.get("content-type")
        status = response.status_code
        checker = plan.checker
        if check_body is None:
            check_body = checker.enabled and checker.wants_body(status)
        if not content:
            data: Any = None
            kind = _BINARY
        else:
            kind = _KINDS.get(ctype, -1)
            if kind < 0:
                kind = _body_kind(ctype)
            if kind == _JSON:
                if model is None and self._model_factory is not None and not return_response:
                    model = plan.body_model(self._model_factory, status, ctype)
                if model is not None and not check_body:
                    # No body check due: straight from the bytes to the models, one pass.
                    try:
                        result = model.from_bytes(content)
                    except Misfit as misfit:
                        return self._misfit(plan, response, model, misfit, None)
                    except ValueError:
                        pass  # not JSON at all: decoded below, which says what is wrong
                    else:
                        if checker.enabled:
                            fixed = checker.fixed(status, ctype)
                            if fixed:
                                self._drifted(plan, list(fixed), response)
                        return result
                try:
                    data = response.json()
                except DecodeError as exc:
                    return self._undecodable(plan, response, model, exc, return_response)
            elif kind == _TEXT:
                data = response.text
            else:
                data = content
        entries = None
        if checker.enabled:
            entries = checker.check(status, ctype, data, check_body and kind != _BINARY)
            if entries:
                self._drifted(plan, entries, response)
        if return_response or model is None or data is None:
            return response if return_response else data
        try:
            if kind == _JSON:
                if check_body:
                    # A checked body was decoded for the check; its models are still made
                    # from the bytes (pydantic-core's one pass, the collector paused for a
                    # large body), a tenth cheaper than from the decoded data.
                    try:
                        return model.from_bytes(content)
                    except ValueError:
                        pass  # what only the engine reads (a byte-order mark, NaN): from the data
                return model.from_data(data)
            if not model.must_fit:
                return data
            return model.from_bytes(content)  # a typed result sent as text or bytes
        except Misfit as misfit:
            return self._misfit(plan, response, model, misfit, data, entries)
        except ValueError as exc:
            raise self._unfit(plan, response, str(exc), entries or []) from None

    def _misfit(
        self,
        plan: CallPlan,
        response: Response,
        model: BodyModel,
        misfit: Misfit,
        data: Any,
        entries: list[Any] | None = None,
    ) -> Any:
        """A JSON body that does not fit its model: the server drifted (or the document is
        wrong).  A body that was not checked is checked now, whatever the policy sampled,
        and its drift recorded; a generated method's misfit the check does not explain is
        recorded as pydantic saw it.  ``models=True`` then gets the plain JSON, a generated
        method a :class:`DriftError` (its return type is a promise)."""
        checker = plan.checker
        status = response.status_code
        if data is None:  # from the one-pass path: decode it for the check
            data = response.json()
            if checker.enabled:
                entries = checker.check(status, response.headers.get("content-type"), data, True)
                if entries:
                    self._drifted(plan, entries, response)
        if not model.must_fit:
            logger.debug("response of %s does not fit its model, returning JSON", plan.label)
            return data
        pointer, expected, got = misfit.where()
        if not entries:
            entries = [checker.body_entry(status, pointer, expected, got)]
            if checker.enabled:
                self._drifted(plan, entries, response)
        raise self._unfit(plan, response, misfit.summary(), entries)

    def _undecodable(
        self,
        plan: CallPlan,
        response: Response,
        model: BodyModel | None,
        exc: DecodeError,
        return_response: bool,
    ) -> Any:
        """A body that says it is JSON and is not: drift; its text is the result."""
        logger.debug("%s: %s", plan.label, exc)
        checker = plan.checker
        ctype = response.headers.get("content-type")
        entry = checker.invalid_body(response.status_code, ctype, "invalid JSON")
        if checker.enabled:
            self._drifted(plan, [entry], response)
        if return_response:
            return response
        if model is not None and model.must_fit:
            raise self._unfit(plan, response, "the body is not valid JSON", [entry])
        return response.text

    @staticmethod
    def _unfit(plan: CallPlan, response: Response, why: str, entries: list[Any]) -> DriftError:
        return DriftError(
            f"{plan.label}(): the response does not fit the documented type: {why}",
            entries=entries,
            request=response.request,
            response=response,
        )

    def _drifted(self, plan: CallPlan, entries: list[Any], response: Response) -> None:
        if plan.dry_run:
            return
        self.drift.record(entries)
        if self.strict and response.status_code < 400:
            summary = "; ".join(str(e) for e in entries[:3])
            more = f" (and {len(entries) - 3} more)" if len(entries) > 3 else ""
            raise DriftError(
                f"response breaks the API document: {summary}{more}",
                entries=entries,
                request=response.request,
                response=response,
            )

    def _error_drift(self, plan: CallPlan, exc: ApiError) -> None:
        """Record the drift of an error response (the ApiError is raised anyway)."""
        response = exc.response
        checker = plan.checker
        if response is None or not checker.enabled:
            return
        try:
            ctype = response.headers.get("content-type")
            content = response.content
            data: Any = None
            kind = _BINARY
            if content:
                kind = _body_kind(ctype)
                if kind == _JSON:
                    data = exc.body if exc.body is not None else response.json()
                elif kind == _TEXT:
                    data = response.text
            status = response.status_code
            body = kind != _BINARY and checker.wants_body(status)
            entries = checker.check(status, ctype, data if body else None, body)
        except RestwrightError:
            return
        if entries:
            self.drift.record(entries)

    def _download_target(self, plan: CallPlan, response: Response) -> None:
        if not plan.checker.enabled:
            return
        entries = plan.checker.check_status(
            response.status_code, response.headers.get("content-type")
        )
        if entries:
            self._drifted(plan, entries, response)


class OpenAPIClient(_RuntimeBase[Iterator[Any]]):
    """A sync client built from an API document (see :func:`from_openapi`).

    Attributes: ``api`` (the :class:`~restwright.openapi.ApiDescription`), ``engine`` (the
    :class:`restwright.Client` it sends through), ``drift`` (the
    :class:`~restwright.openapi.drift.DriftLog`), ``models`` (pydantic models of the
    component schemas), one :class:`TagGroup` per tag.
    """

    def _make_function(
        self, op: Operation, names: ArgumentNames, holder: list[CallPlan]
    ) -> Callable[..., Any]:
        client = self

        def operation(*args: Any, **kwargs: Any) -> Any:
            plan = holder[0] if holder else client._compile(op, names, holder)
            if args:
                return client._invoke(plan, args, kwargs)
            return plan.direct(kwargs)

        return operation

    def _invoke(
        self,
        plan: CallPlan,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        model: BodyModel | None = None,
    ) -> Any:
        request, download_to, return_response = self._prepare(plan, args, kwargs)
        if download_to is not None:
            return self._download(plan, request, download_to)
        try:
            response = plan.engine.send(request)
        except ApiError as exc:
            self._error_drift(plan, exc)
            raise
        return self._finish(plan, response, return_response, model)

    def _download(self, plan: CallPlan, request: Request, to: Any) -> Response:
        try:
            response: Response = plan.engine.send(request, stream=True)
        except ApiError as exc:
            self._error_drift(plan, exc)
            raise
        try:
            self._download_target(plan, response)
            if isinstance(to, (str, os.PathLike)):
                target = Path(to)
                try:
                    with target.open("wb") as fh:
                        for chunk in response.iter_bytes():
                            fh.write(chunk)
                except BaseException:
                    target.unlink(missing_ok=True)
                    raise
            else:
                for chunk in response.iter_bytes():
                    to.write(chunk)
        finally:
            response.close()
        return response

    def with_login(
        self,
        operation: Any,
        /,
        *args: Any,
        token_header: str | None = None,
        token_field: str | None = None,
        **arguments: Any,
    ) -> OpenAPIClient:
        """Call a login operation and return a client that sends the token it answered.

        ``mm = mm.with_login(mm.users.login, body={"login_id": "me", "password": pw})``.
        The token is read from ``token_header`` or ``token_field`` (dotted), else from a
        ``Token`` header (Mattermost) or a ``token``/``access_token`` field; it becomes
        ``auth=`` of the new client (see :meth:`with_options`).
        """
        fn, return_response = self._login_call(operation)
        response = fn(*args, **{return_response: True}, **arguments)
        return self.with_options(auth=login_token(response, token_header, token_field))

    def _pages(
        self, paging: _Paging, args: tuple[Any, ...], arguments: dict[str, Any]
    ) -> Iterator[Any]:
        walker = walk(paging.spec, "", arguments)
        page = next(walker)
        while True:
            if page.params is None:  # a next link: an absolute URL
                response = paging.engine.get(page.path)
            else:
                response = paging.fn(*args, **{paging.return_response: True}, **page.params)
            yield from page_items(response.json(), paging.spec.items_key)
            try:
                page = walker.send(response)
            except StopIteration:
                return

    def close(self) -> None:
        """Close the connection pool."""
        self.engine.close()

    def __enter__(self) -> OpenAPIClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncOpenAPIClient(_RuntimeBase[AsyncIterator[Any]]):
    """The asyncio twin of :class:`OpenAPIClient`: every operation is awaited."""

    _is_async = True

    def _make_function(
        self, op: Operation, names: ArgumentNames, holder: list[CallPlan]
    ) -> Callable[..., Any]:
        client = self

        async def operation(*args: Any, **kwargs: Any) -> Any:
            plan = holder[0] if holder else client._compile(op, names, holder)
            if args:
                return await client._invoke(plan, args, kwargs)
            return await plan.direct(kwargs)

        return operation

    async def _invoke(
        self,
        plan: CallPlan,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        model: BodyModel | None = None,
    ) -> Any:
        request, download_to, return_response = self._prepare(plan, args, kwargs)
        if download_to is not None:
            return await self._download(plan, request, download_to)
        try:
            response = await plan.engine.send(request)
        except ApiError as exc:
            self._error_drift(plan, exc)
            raise
        return self._finish(plan, response, return_response, model)

    async def _download(self, plan: CallPlan, request: Request, to: Any) -> Response:
        try:
            response: Response = await plan.engine.send(request, stream=True)
        except ApiError as exc:
            self._error_drift(plan, exc)
            raise
        try:
            self._download_target(plan, response)
            if isinstance(to, (str, os.PathLike)):
                target = Path(to)
                try:
                    with target.open("wb") as fh:
                        async for chunk in response.aiter_bytes():
                            fh.write(chunk)
                except BaseException:
                    target.unlink(missing_ok=True)
                    raise
            else:
                async for chunk in response.aiter_bytes():
                    to.write(chunk)
        finally:
            await response.aclose()
        return response

    async def call(self, operation: str, /, *args: Any, **kwargs: Any) -> Any:
        """Call an operation by operationId (or Python name): ``await call("GetUser", "me")``."""
        return await self.operation(operation)(*args, **kwargs)

    async def with_login(
        self,
        operation: Any,
        /,
        *args: Any,
        token_header: str | None = None,
        token_field: str | None = None,
        **arguments: Any,
    ) -> AsyncOpenAPIClient:
        """Like :meth:`OpenAPIClient.with_login`, awaited."""
        fn, return_response = self._login_call(operation)
        response = await fn(*args, **{return_response: True}, **arguments)
        return self.with_options(auth=login_token(response, token_header, token_field))

    async def _pages(
        self, paging: _Paging, args: tuple[Any, ...], arguments: dict[str, Any]
    ) -> AsyncIterator[Any]:
        walker = walk(paging.spec, "", arguments)
        page = next(walker)
        while True:
            if page.params is None:  # a next link: an absolute URL
                response = await paging.engine.get(page.path)
            else:
                response = await paging.fn(*args, **{paging.return_response: True}, **page.params)
            for item in page_items(response.json(), paging.spec.items_key):
                yield item
            try:
                page = walker.send(response)
            except StopIteration:
                return

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self.engine.aclose()

    async def __aenter__(self) -> AsyncOpenAPIClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
