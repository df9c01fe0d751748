"""Swagger 2.0 / OpenAPI 3.0 / OpenAPI 3.1 documents -> the model of :mod:`.model`.

The document is validated as it is read: every node the normalizer uses is type-checked
where it is read, and a wrong one raises :class:`~restwright.errors.SpecError` with its
JSON pointer and what was expected there.  A full JSON Schema validation of the document
would be slower and would reject harmless drift that real documents are full of.  So the
rule is strict on shapes (an object where an object belongs, a boolean flag that is a
boolean) and lenient on content: a missing ``info.title`` becomes ``""``, a YAML number
where text belongs (``version: 1.0``) becomes text, and unknown keys are ignored.

Things deliberately left out of the model: callbacks, links, examples, webhooks (3.1),
XML hints, ``$ref`` siblings of structural objects (3.1), and the OpenAPI 3 header
parameters named ``Accept``, ``Content-Type`` and ``Authorization``, which the
specification says to ignore (media types and security schemes cover them).  ``$id`` and
``$anchor`` based references (3.1) are not supported: references are URIs with an
optional JSON pointer fragment.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any, NoReturn

from ..engine.logs import get_logger
from ..errors import SpecWarning
from .loader import format_pointer
from .model import (
    ApiDescription,
    Location,
    MediaType,
    Operation,
    Parameter,
    RequestBody,
    ResponseSpec,
    SecurityScheme,
)
from .naming import NameAllocator, derived_operation_name, python_identifier

if TYPE_CHECKING:
    from .loader import Pointer, Resolver

__all__ = ["normalize"]

logger = get_logger(__name__)

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
_OPERATION_FIELDS = frozenset(
    {
        "tags",
        "summary",
        "description",
        "externalDocs",
        "operationId",
        "parameters",
        "requestBody",
        "responses",
        "callbacks",
        "deprecated",
        "security",
        "servers",
    }
)
_OPERATION_FIELDS_V2 = (_OPERATION_FIELDS - {"requestBody", "callbacks", "servers"}) | {
    "consumes",
    "produces",
    "schemes",
}

_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
_LOCATIONS: dict[str, Location] = {
    "path": "path",
    "query": "query",
    "header": "header",
    "cookie": "cookie",
}
_LOCATION_ORDER = {"path": 0, "query": 1, "header": 2, "cookie": 3}
_STYLES = frozenset(
    {"matrix", "label", "form", "simple", "spaceDelimited", "pipeDelimited", "deepObject"}
)
_STATUS = re.compile(r"[1-5](?:[0-9][0-9]|XX)")
_SERVER_VARIABLE = re.compile(r"\{([^{}]*)\}")
_V3 = re.compile(r"3\.([01])(?:\.\d+)?(?:[-+].*)?")
# OpenAPI 3: header parameters with these names "SHALL be ignored".
_IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})

# Swagger 2.0 parameter keys that are JSON Schema keywords.
_V2_SCHEMA_KEYS = (
    "type",
    "format",
    "items",
    "enum",
    "default",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "multipleOf",
    "x-nullable",
)
_V2_COLLECTION_STYLES = {
    "ssv": "spaceDelimited",
    "pipes": "pipeDelimited",
    "tsv": "tabDelimited",
}
_V2_FLOWS = {
    "implicit": "implicit",
    "password": "password",
    "application": "clientCredentials",
    "accessCode": "authorizationCode",
}
_BINARY = {"type": "string", "format": "binary"}
_FORM = "application/x-www-form-urlencoded"
_MULTIPART = "multipart/form-data"
_JSON = "application/json"


def normalize(
    document: Any, resolver: Resolver, *, source_url: str | None = None
) -> ApiDescription:
    """Build the :class:`ApiDescription` of a parsed ``document``.

    ``resolver`` follows references (and knows the document's URI); ``source_url`` is
    recorded for resolving relative server URLs.
    """
    return _Normalizer(resolver).run(document, source_url)


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, int | float):
        return "a number"
    return f"a {type(value).__name__}"


class _Body:
    """A Swagger 2.0 ``in: body`` parameter, waiting for the operation's ``consumes``."""

    __slots__ = ("description", "required", "schema")

    def __init__(self, schema: Any, required: bool, description: str | None) -> None:
        self.schema = schema
        self.required = required
        self.description = description


class _FormField:
    """A Swagger 2.0 ``in: formData`` parameter, one property of the form's schema."""

    __slots__ = ("description", "encoding", "is_file", "name", "required", "schema")

    def __init__(
        self,
        name: str,
        schema: dict[str, Any],
        required: bool,
        description: str | None,
        is_file: bool,
        encoding: dict[str, Any] | None,
    ) -> None:
        self.name = name
        self.schema = schema
        self.required = required
        self.description = description
        self.is_file = is_file
        self.encoding = encoding


_ParamItem = Parameter | _Body | _FormField | None


class _Normalizer:
    def __init__(self, resolver: Resolver) -> None:
        self.r = resolver
        self.root = resolver.root_uri
        self.v2 = False
        self.consumes: list[str] = []
        self.produces: list[str] = []
        # Everything the model keeps that is (or contains) a raw schema, for link_schemas.
        self.schema_roots: list[tuple[Any, str, bool]] = []
        # Referenced objects are normalized once: GitHub uses a few hundred component
        # parameters and responses thousands of times.
        self._param_cache: dict[tuple[str, tuple[str, ...]], tuple[str, str, _ParamItem]] = {}
        self._response_cache: dict[tuple[str, tuple[str, ...], str], ResponseSpec] = {}
        self._body_cache: dict[tuple[str, tuple[str, ...]], RequestBody] = {}
        self._tag_names: dict[str, str] = {}

    # -- checks ---------------------------------------------------------------------------

    def fail(self, message: str, base: str, ptr: Pointer, expected: str) -> NoReturn:
        self.r.fail(message, base, ptr, expected)

    def warn_undescribed_placeholders(
        self, path: str, parameters: list[Parameter], base: str, ptr: Pointer
    ) -> None:
        """A :class:`~restwright.errors.SpecWarning` for ``{name}`` in the path that no path
        parameter describes: the operation cannot be called as documented."""
        described = {p.name for p in parameters if p.location == "path"}
        missing = [n for n in _PLACEHOLDER.findall(path) if n not in described]
        if missing:
            self.warn(f"no path parameter describes {', '.join(map(repr, missing))}", base, ptr)

    def warn_unread(
        self, node: dict[Any, Any], fields: frozenset[str], base: str, ptr: Pointer
    ) -> None:
        """A :class:`~restwright.errors.SpecWarning` for keys of ``node`` that no version of
        the specification defines (``paramaters:``): what they hold would otherwise vanish
        from the model without a trace."""
        unknown = sorted(
            str(k)
            for k in node
            if k not in fields and not (isinstance(k, str) and k.startswith("x-"))
        )
        if unknown:
            self.warn(
                f"{', '.join(map(repr, unknown))} not understood (not a field of the "
                "specification); left out of the model",
                base,
                ptr,
            )

    def warn(self, message: str, base: str, ptr: Pointer) -> None:
        """A :class:`~restwright.errors.SpecWarning` at ``ptr`` of document ``base``: the
        document is usable, but something in it was not."""
        import warnings

        where = format_pointer(ptr) + (f" (in {base})" if base != self.r.root_uri else "")
        warnings.warn(f"{where}: {message}", SpecWarning, stacklevel=3)

    def obj(self, node: Any, base: str, ptr: Pointer, what: str) -> dict[Any, Any]:
        if not isinstance(node, dict):
            self.fail(f"{what} must be an object, not {_describe(node)}", base, ptr, what)
        return node

    def array(self, node: Any, base: str, ptr: Pointer, what: str) -> list[Any]:
        if not isinstance(node, list):
            self.fail(f"{what} must be an array, not {_describe(node)}", base, ptr, what)
        return node

    def text(self, node: dict[Any, Any], key: str, base: str, ptr: Pointer) -> str | None:
        """An optional text field; YAML numbers (``version: 1.0``) are accepted as text."""
        value = node.get(key)
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        self.fail(
            f"{key!r} must be a string, not {_describe(value)}", base, (*ptr, key), "a string"
        )

    def flag(self, node: dict[Any, Any], key: str, base: str, ptr: Pointer) -> bool:
        value = node.get(key, False)
        if not isinstance(value, bool):
            self.fail(
                f"{key!r} must be a boolean, not {_describe(value)}", base, (*ptr, key), "a boolean"
            )
        return value

    def strings(self, node: dict[Any, Any], key: str, base: str, ptr: Pointer) -> list[str]:
        value = node.get(key)
        if value is None:
            return []
        items = self.array(value, base, (*ptr, key), f"{key!r}")
        out: list[str] = []
        for i, item in enumerate(items):
            if isinstance(item, str):
                out.append(item)
            elif isinstance(item, int | float) and not isinstance(item, bool):
                out.append(str(item))
            else:
                self.fail(
                    f"{key!r} must hold strings, not {_describe(item)}",
                    base,
                    (*ptr, key, i),
                    "a string",
                )
        return out

    def schema(self, value: Any, base: str, ptr: Pointer) -> Any:
        """A raw schema: an object (or a boolean, as JSON Schema allows); kept as it is."""
        if isinstance(value, dict):
            self.schema_roots.append((value, base, False))
            return value
        if isinstance(value, bool):
            return value
        self.fail(
            f"a schema must be an object, not {_describe(value)}", base, ptr, "a Schema Object"
        )

    # -- document -------------------------------------------------------------------------

    def run(self, document: Any, source_url: str | None) -> ApiDescription:
        root = self.root
        doc = self.obj(document, root, (), "an OpenAPI document")
        openapi_version = self.version(doc)
        info = doc.get("info")
        title = version = ""
        description = None
        if info is not None:
            info = self.obj(info, root, ("info",), "'info'")
            title = self.text(info, "title", root, ("info",)) or ""
            version = self.text(info, "version", root, ("info",)) or ""
            description = self.text(info, "description", root, ("info",))

        if self.v2:
            schemas_node = doc.get("definitions")
            schemas_ptr: Pointer = ("definitions",)
            self.r.schema_prefix = "#/definitions/"
            schemes_node = doc.get("securityDefinitions")
            schemes_ptr: Pointer = ("securityDefinitions",)
            self.consumes = self.strings(doc, "consumes", root, ())
            self.produces = self.strings(doc, "produces", root, ())
            servers = self.servers_v2(doc)
        else:
            components = doc.get("components")
            if components is None:
                components = {}
            components = self.obj(components, root, ("components",), "'components'")
            schemas_node = components.get("schemas")
            schemas_ptr = ("components", "schemas")
            schemes_node = components.get("securitySchemes")
            schemes_ptr = ("components", "securitySchemes")
            servers = self.servers(doc.get("servers"), root, ("servers",)) or ["/"]

        schemas: dict[str, Any] = {}
        if schemas_node is not None:
            schemas = self.obj(schemas_node, root, schemas_ptr, "the schemas")
            for name, value in schemas.items():
                if not isinstance(name, str):
                    self.fail("schema names must be strings", root, schemas_ptr, "a string")
                if not isinstance(value, dict | bool):
                    self.fail(
                        f"a schema must be an object, not {_describe(value)}",
                        root,
                        (*schemas_ptr, name),
                        "a Schema Object",
                    )
            self.schema_roots.append((schemas, root, True))
        self.r.schemas = schemas

        security_schemes = self.security_schemes(schemes_node, root, schemes_ptr)
        security = self.security(doc.get("security"), root, ("security",)) or []
        operations = self.paths(doc)
        ref_targets = self.r.link_schemas(self.schema_roots)
        return ApiDescription(
            title=title,
            version=version,
            openapi_version=openapi_version,
            servers=servers,
            operations=operations,
            schemas=schemas,
            security_schemes=security_schemes,
            security=security,
            description=description,
            ref_targets=ref_targets,
            schema_ref_prefix=self.r.schema_prefix,
            source_url=source_url,
        )

    def version(self, doc: dict[Any, Any]) -> str:
        swagger, openapi = doc.get("swagger"), doc.get("openapi")
        if openapi is None and swagger is not None:
            if str(swagger) in ("2.0", "2") and not isinstance(swagger, bool):
                self.v2 = True
                return "2.0"
            self.fail(f"unsupported Swagger version {swagger!r}", self.root, ("swagger",), '"2.0"')
        if openapi is None:
            self.fail(
                "not an OpenAPI document",
                self.root,
                (),
                "a 'swagger: \"2.0\"' or 'openapi: 3.x.y' field",
            )
        if isinstance(openapi, float):  # YAML `openapi: 3.0`
            openapi = str(openapi)
        if not isinstance(openapi, str) or not _V3.fullmatch(openapi):
            self.fail(
                f"unsupported OpenAPI version {openapi!r}",
                self.root,
                ("openapi",),
                "3.0.x or 3.1.x",
            )
        return openapi

    # -- servers ----------------------------------------------------------------------------

    def servers(self, node: Any, base: str, ptr: Pointer) -> list[str] | None:
        if node is None:
            return None
        out: list[str] = []
        for i, server in enumerate(self.array(node, base, ptr, "'servers'")):
            p = (*ptr, i)
            server = self.obj(server, base, p, "a Server Object")
            url = server.get("url")
            if not isinstance(url, str):
                self.fail("a server needs a 'url' string", base, (*p, "url"), "a URL string")
            variables = server.get("variables")
            if variables is not None:
                variables = self.obj(variables, base, (*p, "variables"), "'variables'")
                url = self.expand_server_variables(url, variables, base, p)
            out.append(url)
        return out or None

    def expand_server_variables(
        self, url: str, variables: dict[Any, Any], base: str, ptr: Pointer
    ) -> str:
        """Replace ``{name}`` by the variable's default; unknown variables stay as they are."""

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            variable = variables.get(name)
            if variable is None:
                return match.group(0)
            vptr = (*ptr, "variables", name)
            variable = self.obj(variable, base, vptr, "a Server Variable Object")
            default = self.text(variable, "default", base, vptr)
            return match.group(0) if default is None else default

        return _SERVER_VARIABLE.sub(substitute, url)

    def servers_v2(self, doc: dict[Any, Any]) -> list[str]:
        root = self.root
        host = self.text(doc, "host", root, ())
        base_path = self.text(doc, "basePath", root, ()) or "/"
        if not base_path.startswith("/"):
            base_path = "/" + base_path
        schemes = self.strings(doc, "schemes", root, ())
        if not host:
            return [base_path]
        if not schemes:
            return [f"//{host}{base_path}"]
        return [f"{scheme.lower()}://{host}{base_path}" for scheme in schemes]

    # -- security ---------------------------------------------------------------------------

    def security(self, node: Any, base: str, ptr: Pointer) -> list[dict[str, list[str]]] | None:
        if node is None:
            return None
        out: list[dict[str, list[str]]] = []
        for i, requirement in enumerate(self.array(node, base, ptr, "'security'")):
            p = (*ptr, i)
            requirement = self.obj(requirement, base, p, "a Security Requirement Object")
            normalized: dict[str, list[str]] = {}
            for name in requirement:
                if not isinstance(name, str):
                    self.fail("security scheme names must be strings", base, p, "a string")
                normalized[name] = self.strings(requirement, name, base, p)
            out.append(normalized)
        return out

    def security_schemes(self, node: Any, base: str, ptr: Pointer) -> dict[str, SecurityScheme]:
        if node is None:
            return {}
        out: dict[str, SecurityScheme] = {}
        for name, raw in self.obj(node, base, ptr, "the security schemes").items():
            if not isinstance(name, str):
                self.fail("security scheme names must be strings", base, ptr, "a string")
            raw, b, p = self.r.follow(raw, base, (*ptr, name))
            raw = self.obj(raw, b, p, "a Security Scheme Object")
            out[name] = (
                self.security_scheme_v2(name, raw, b, p)
                if self.v2
                else (self.security_scheme(name, raw, b, p))
            )
        return out

    def security_scheme(
        self, name: str, raw: dict[Any, Any], base: str, ptr: Pointer
    ) -> SecurityScheme:
        kind = raw.get("type")
        description = self.text(raw, "description", base, ptr)
        if kind == "http":
            scheme = self.text(raw, "scheme", base, ptr)
            if not scheme:
                self.fail(
                    "an http security scheme needs 'scheme'", base, ptr, "'basic' or 'bearer'"
                )
            return SecurityScheme(
                name=name,
                type="http",
                scheme=scheme.lower(),
                bearer_format=self.text(raw, "bearerFormat", base, ptr),
                description=description,
            )
        if kind == "apiKey":
            location = raw.get("in")
            if location not in ("query", "header", "cookie"):
                self.fail(
                    f"unsupported apiKey location {location!r}",
                    base,
                    (*ptr, "in"),
                    "'query', 'header' or 'cookie'",
                )
            param_name = self.text(raw, "name", base, ptr)
            if not param_name:
                self.fail("an apiKey security scheme needs 'name'", base, (*ptr, "name"), "a name")
            return SecurityScheme(
                name=name,
                type="apiKey",
                location=location,
                param_name=param_name,
                description=description,
            )
        if kind == "oauth2":
            flows = raw.get("flows", {})
            flows = self.obj(flows, base, (*ptr, "flows"), "'flows'")
            for flow_name, flow in flows.items():
                fptr = (*ptr, "flows", str(flow_name))
                flow = self.obj(flow, base, fptr, "an OAuth Flow Object")
                if "scopes" in flow:
                    self.obj(flow["scopes"], base, (*fptr, "scopes"), "'scopes'")
            return SecurityScheme(name=name, type="oauth2", flows=flows, description=description)
        if kind == "openIdConnect":
            return SecurityScheme(
                name=name,
                type="openIdConnect",
                open_id_connect_url=self.text(raw, "openIdConnectUrl", base, ptr),
                description=description,
            )
        if kind == "mutualTLS":
            return SecurityScheme(name=name, type="mutualTLS", description=description)
        self.fail(
            f"unsupported security scheme type {kind!r}",
            base,
            (*ptr, "type"),
            "'apiKey', 'http', 'oauth2', 'openIdConnect' or 'mutualTLS'",
        )

    def security_scheme_v2(
        self, name: str, raw: dict[Any, Any], base: str, ptr: Pointer
    ) -> SecurityScheme:
        kind = raw.get("type")
        description = self.text(raw, "description", base, ptr)
        if kind == "basic":
            return SecurityScheme(name=name, type="http", scheme="basic", description=description)
        if kind == "apiKey":
            location = raw.get("in")
            if location not in ("query", "header"):
                self.fail(
                    f"unsupported apiKey location {location!r}",
                    base,
                    (*ptr, "in"),
                    "'query' or 'header'",
                )
            param_name = self.text(raw, "name", base, ptr)
            if not param_name:
                self.fail("an apiKey security scheme needs 'name'", base, (*ptr, "name"), "a name")
            return SecurityScheme(
                name=name,
                type="apiKey",
                location=location,
                param_name=param_name,
                description=description,
            )
        if kind == "oauth2":
            flow = raw.get("flow")
            if not isinstance(flow, str) or flow not in _V2_FLOWS:
                self.fail(
                    f"unsupported OAuth2 flow {flow!r}",
                    base,
                    (*ptr, "flow"),
                    "'implicit', 'password', 'application' or 'accessCode'",
                )
            converted: dict[str, Any] = {}
            for key in ("authorizationUrl", "tokenUrl"):
                value = self.text(raw, key, base, ptr)
                if value is not None:
                    converted[key] = value
            scopes = raw.get("scopes", {})
            converted["scopes"] = self.obj(scopes, base, (*ptr, "scopes"), "'scopes'")
            return SecurityScheme(
                name=name,
                type="oauth2",
                flows={_V2_FLOWS[flow]: converted},
                description=description,
            )
        self.fail(
            f"unsupported security scheme type {kind!r}",
            base,
            (*ptr, "type"),
            "'basic', 'apiKey' or 'oauth2'",
        )

    # -- paths ------------------------------------------------------------------------------

    def paths(self, doc: dict[Any, Any]) -> list[Operation]:
        root = self.root
        node = doc.get("paths")
        if node is None:
            return []
        pending: list[dict[str, Any]] = []
        for path, item in self.obj(node, root, ("paths",), "'paths'").items():
            if not isinstance(path, str):
                self.fail("path keys must be strings", root, ("paths", str(path)), "a path")
            if path.startswith("x-"):
                continue
            if not path.startswith("/"):
                self.fail(
                    f"path {path!r} does not start with '/'",
                    root,
                    ("paths", path),
                    "a path starting with '/'",
                )
            item, base, ptr = self.r.follow(item, root, ("paths", path))
            item = self.obj(item, base, ptr, "a Path Item Object")
            common = self.parameter_list(item.get("parameters"), base, (*ptr, "parameters"))
            servers = (
                None if self.v2 else self.servers(item.get("servers"), base, (*ptr, "servers"))
            )
            for method, op in item.items():
                if method in _METHODS:
                    pending.append(
                        self.operation(path, method, op, base, (*ptr, method), common, servers)
                    )
        self.name_operations(pending)
        return [Operation(**fields) for fields in pending]

    def name_operations(self, operations: list[dict[str, Any]]) -> None:
        """Give every operation a unique Python ``name``, in a stable order.

        Operations with an ``operationId`` claim names first (in document order), so a
        derived name never pushes a declared one to a ``_2`` suffix.
        """
        names = NameAllocator("number")
        seen_ids: set[str] = set()
        for op in operations:
            operation_id = op["operation_id"]
            if operation_id is None:
                continue
            wanted = python_identifier(operation_id, fallback="operation")
            name = op["name"] = names.claim(wanted)
            if operation_id in seen_ids:
                logger.warning(
                    "duplicate operationId %r (%s %s); exposing it as %r",
                    operation_id,
                    op["method"],
                    op["path"],
                    name,
                )
            elif name != wanted:
                logger.info(
                    "operationId %r clashes with another after conversion; exposing it as %r",
                    operation_id,
                    name,
                )
            seen_ids.add(operation_id)
        for op in operations:
            if op["operation_id"] is None:
                op["name"] = names.claim(derived_operation_name(op["method"], op["path"]))

    def operation(
        self,
        path: str,
        method: str,
        node: Any,
        base: str,
        ptr: Pointer,
        common: list[tuple[str, str, _ParamItem]],
        path_servers: list[str] | None,
    ) -> dict[str, Any]:
        """The fields of one :class:`Operation`, except ``name`` (see name_operations).

        An operation given as a ``$ref`` (split documents keep each operation in its own
        file) is followed like a path item, never read as an empty operation.
        """
        node, base, ptr = self.r.follow(node, base, ptr)
        node = self.obj(node, base, ptr, "an Operation Object")
        self.warn_unread(node, _OPERATION_FIELDS_V2 if self.v2 else _OPERATION_FIELDS, base, ptr)
        operation_id = self.text(node, "operationId", base, ptr) or None
        tags = self.strings(node, "tags", base, ptr)
        tag = tags[0] if tags else "default"
        tag_name = self._tag_names.get(tag)
        if tag_name is None:
            tag_name = self._tag_names[tag] = python_identifier(tag, fallback="default")

        own = self.parameter_list(node.get("parameters"), base, (*ptr, "parameters"))
        merged: dict[tuple[str, str], _ParamItem] = {}
        for name, location, item in common:
            merged[(name, location)] = item
        for name, location, item in own:
            merged[(name, location)] = item
        parameters: list[Parameter] = []
        body: _Body | None = None
        form: list[_FormField] = []
        for item in merged.values():
            if isinstance(item, Parameter):
                parameters.append(item)
            elif isinstance(item, _Body):
                if body is not None:
                    self.fail(
                        "an operation has more than one body parameter",
                        base,
                        (*ptr, "parameters"),
                        "at most one 'in: body' parameter",
                    )
                body = item
            elif isinstance(item, _FormField):
                form.append(item)
        self.deduplicate_python_names(parameters)
        self.warn_undescribed_placeholders(path, parameters, base, ptr)

        if self.v2:
            consumes = (
                self.strings(node, "consumes", base, ptr) if "consumes" in node else self.consumes
            )
            produces = (
                self.strings(node, "produces", base, ptr) if "produces" in node else self.produces
            )
            if body is not None and form:
                self.fail(
                    "an operation cannot have both body and formData parameters",
                    base,
                    (*ptr, "parameters"),
                    "either one 'in: body' parameter or 'in: formData' parameters",
                )
            request_body = (
                self.body_v2(body, consumes)
                if body is not None
                else self.form_v2(form, consumes)
                if form
                else None
            )
        else:
            produces = []
            request_body = self.request_body(node.get("requestBody"), base, (*ptr, "requestBody"))

        responses = self.responses(node.get("responses"), base, (*ptr, "responses"), produces)
        security = self.security(node.get("security"), base, (*ptr, "security"))
        servers = None if self.v2 else self.servers(node.get("servers"), base, (*ptr, "servers"))
        return dict(
            operation_id=operation_id,
            name="",  # assigned by name_operations once every operation is known
            method=method.upper(),
            path=path,
            tags=tags,
            tag=tag,
            tag_name=tag_name,
            summary=self.text(node, "summary", base, ptr),
            description=self.text(node, "description", base, ptr),
            deprecated=self.flag(node, "deprecated", base, ptr),
            parameters=parameters,
            request_body=request_body,
            responses=responses,
            security=security,
            servers=servers or path_servers,
        )

    @staticmethod
    def deduplicate_python_names(parameters: list[Parameter]) -> None:
        """Make ``python_name``s unique within an operation.

        Path parameters win, then query, header and cookie, each in document order; the
        loser gets a trailing underscore (``if_match`` then ``if_match_``).
        """
        names = {p.python_name for p in parameters}
        if len(names) == len(parameters):
            return
        allocator = NameAllocator("underscore")
        order = sorted(
            range(len(parameters)), key=lambda i: (_LOCATION_ORDER[parameters[i].location], i)
        )
        for i in order:
            param = parameters[i]
            name = allocator.claim(param.python_name)
            if name != param.python_name:
                parameters[i] = replace(param, python_name=name)

    # -- parameters ---------------------------------------------------------------------------

    def parameter_list(
        self, node: Any, base: str, ptr: Pointer
    ) -> list[tuple[str, str, _ParamItem]]:
        if node is None:
            return []
        out: list[tuple[str, str, _ParamItem]] = []
        for i, raw in enumerate(self.array(node, base, ptr, "'parameters'")):
            p = (*ptr, i)
            if isinstance(raw, dict) and "$ref" in raw:
                target, b, tp = self.r.follow(raw, base, p)
                key = (b, tuple(str(t) for t in tp))
                cached = self._param_cache.get(key)
                if cached is None:
                    cached = self._param_cache[key] = self.parameter(target, b, tp)
                out.append(cached)
            else:
                out.append(self.parameter(raw, base, p))
        return out

    def parameter(self, node: Any, base: str, ptr: Pointer) -> tuple[str, str, _ParamItem]:
        node = self.obj(node, base, ptr, "a Parameter Object")
        name = self.text(node, "name", base, ptr)
        if name is None:
            self.fail("a parameter needs a 'name'", base, (*ptr, "name"), "a string")
        location = node.get("in")
        if self.v2:
            return name, str(location), self.parameter_v2(name, location, node, base, ptr)
        loc = _LOCATIONS.get(location) if isinstance(location, str) else None
        if loc is None:
            self.fail(
                f"unsupported parameter location {location!r}",
                base,
                (*ptr, "in"),
                "'path', 'query', 'header' or 'cookie'",
            )
        content_type = None
        if "schema" in node:
            schema = self.schema(node["schema"], base, (*ptr, "schema"))
        elif "content" in node:
            content = self.obj(node["content"], base, (*ptr, "content"), "'content'")
            schema = {}
            for media_type, media in content.items():
                mptr = (*ptr, "content", str(media_type))
                if not isinstance(media_type, str):
                    self.fail("media types must be strings", base, mptr, "a media type")
                media = self.obj(media, base, mptr, "a Media Type Object")
                content_type = media_type
                if "schema" in media:
                    schema = self.schema(media["schema"], base, (*mptr, "schema"))
                break
        else:
            schema = {}
        style = node.get("style")
        if style is None:
            style = "form" if loc in ("query", "cookie") else "simple"
        elif not isinstance(style, str) or style not in _STYLES:
            self.fail(
                f"unsupported parameter style {style!r}",
                base,
                (*ptr, "style"),
                "one of " + ", ".join(sorted(_STYLES)),
            )
        explode = node.get("explode")
        if explode is None:
            explode = style == "form"
        elif not isinstance(explode, bool):
            self.fail("'explode' must be a boolean", base, (*ptr, "explode"), "a boolean")
        required = self.flag(node, "required", base, ptr) or loc == "path"
        item: _ParamItem = Parameter(
            name=name,
            python_name=python_identifier(name, fallback="param"),
            location=loc,
            required=required,
            schema=schema,
            style=style,
            explode=explode,
            description=self.text(node, "description", base, ptr),
            deprecated=self.flag(node, "deprecated", base, ptr),
            allow_reserved=self.flag(node, "allowReserved", base, ptr),
            content_type=content_type,
        )
        if loc == "header" and name.lower() in _IGNORED_HEADERS:
            logger.debug("ignoring the header parameter %r, as OpenAPI 3 requires", name)
            item = None
        return name, loc, item

    def parameter_v2(
        self, name: str, location: Any, node: dict[Any, Any], base: str, ptr: Pointer
    ) -> _ParamItem:
        description = self.text(node, "description", base, ptr)
        required = self.flag(node, "required", base, ptr)
        if location == "body":
            if "schema" not in node:
                self.fail("a body parameter needs a 'schema'", base, (*ptr, "schema"), "a schema")
            schema = self.schema(node["schema"], base, (*ptr, "schema"))
            return _Body(schema, required, description)
        if location not in ("path", "query", "header", "formData"):
            self.fail(
                f"unsupported parameter location {location!r}",
                base,
                (*ptr, "in"),
                "'path', 'query', 'header', 'body' or 'formData'",
            )
        kind = node.get("type")
        if kind == "file":
            if location != "formData":
                self.fail(
                    "a 'type: file' parameter must be 'in: formData'",
                    base,
                    (*ptr, "in"),
                    "'formData'",
                )
            field_schema: dict[str, Any] = dict(_BINARY)
        else:
            field_schema = {key: node[key] for key in _V2_SCHEMA_KEYS if key in node}
            if isinstance(field_schema.get("items"), dict | list):
                self.schema_roots.append((field_schema["items"], base, False))
        collection = node.get("collectionFormat")
        if collection is not None and collection not in ("csv", "ssv", "tsv", "pipes", "multi"):
            self.fail(
                f"unsupported collectionFormat {collection!r}",
                base,
                (*ptr, "collectionFormat"),
                "'csv', 'ssv', 'tsv', 'pipes' or 'multi'",
            )
        if location == "formData":
            encoding = None
            if kind == "array":
                encoding = {
                    "style": _V2_COLLECTION_STYLES.get(collection or "csv", "form"),
                    "explode": collection == "multi",
                }
            return _FormField(name, field_schema, required, description, kind == "file", encoding)
        loc = _LOCATIONS[location]
        form_like = loc == "query"
        if kind == "array":
            style = _V2_COLLECTION_STYLES.get(collection or "csv") or (
                "form" if form_like or collection == "multi" else "simple"
            )
            explode = collection == "multi"
        else:
            style = "form" if form_like else "simple"
            explode = form_like
        return Parameter(
            name=name,
            python_name=python_identifier(name, fallback="param"),
            location=loc,
            required=required or loc == "path",
            schema=field_schema,
            style=style,
            explode=explode,
            description=description,
            deprecated=self.flag(node, "deprecated", base, ptr),
            allow_reserved=False,
        )

    # -- request bodies -----------------------------------------------------------------------

    def body_v2(self, body: _Body, consumes: list[str]) -> RequestBody:
        media_types = [m for m in consumes if m not in (_FORM, _MULTIPART)] or [_JSON]
        return RequestBody(
            required=body.required,
            content={m: MediaType(body.schema) for m in media_types},
            description=body.description,
        )

    def form_v2(self, fields: list[_FormField], consumes: list[str]) -> RequestBody:
        has_file = any(f.is_file for f in fields)
        if has_file or (_MULTIPART in consumes and _FORM not in consumes):
            media_type = _MULTIPART
        else:
            media_type = _FORM
        properties: dict[str, Any] = {}
        encoding: dict[str, Any] = {}
        required: list[str] = []
        for f in fields:
            prop = dict(f.schema)
            if f.description is not None:
                prop.setdefault("description", f.description)
            properties[f.name] = prop
            if f.required:
                required.append(f.name)
            if f.encoding is not None:
                encoding[f.name] = f.encoding
        schema: dict[str, Any] = {"type": "object", "properties": properties}
        if required:
            schema["required"] = required
        return RequestBody(
            required=bool(required),
            content={media_type: MediaType(schema, encoding)},
        )

    def request_body(self, node: Any, base: str, ptr: Pointer) -> RequestBody | None:
        if node is None:
            return None
        key = None
        if isinstance(node, dict) and "$ref" in node:
            node, base, ptr = self.r.follow(node, base, ptr)
            key = (base, tuple(str(t) for t in ptr))
            cached = self._body_cache.get(key)
            if cached is not None:
                return cached
        node = self.obj(node, base, ptr, "a Request Body Object")
        content_node = node.get("content", {})
        content: dict[str, MediaType] = {}
        for media_type, media in self.obj(
            content_node, base, (*ptr, "content"), "'content'"
        ).items():
            mptr = (*ptr, "content", str(media_type))
            if not isinstance(media_type, str):
                self.fail("media types must be strings", base, mptr, "a media type")
            media = self.obj(media, base, mptr, "a Media Type Object")
            schema = (
                self.schema(media["schema"], base, (*mptr, "schema"))
                if ("schema" in media)
                else None
            )
            encoding = media.get("encoding")
            if encoding is None:
                encoding = {}
            else:
                encoding = self.obj(encoding, base, (*mptr, "encoding"), "'encoding'")
                for prop, enc in encoding.items():
                    self.obj(enc, base, (*mptr, "encoding", str(prop)), "an Encoding Object")
            content[media_type] = MediaType(schema, encoding)
        body = RequestBody(
            required=self.flag(node, "required", base, ptr),
            content=content,
            description=self.text(node, "description", base, ptr),
        )
        if key is not None:
            self._body_cache[key] = body
        return body

    # -- responses ------------------------------------------------------------------------------

    def responses(
        self, node: Any, base: str, ptr: Pointer, produces: list[str]
    ) -> dict[str, ResponseSpec]:
        if node is None:
            return {}
        out: dict[str, ResponseSpec] = {}
        for code, raw in self.obj(node, base, ptr, "a Responses Object").items():
            if isinstance(code, str) and code.startswith("x-"):
                continue
            status = self.status(code, base, ptr)
            rptr = (*ptr, str(code))
            if isinstance(raw, dict) and "$ref" in raw:
                target, b, tp = self.r.follow(raw, base, rptr)
                key = (b, tuple(str(t) for t in tp), status)
                cached = self._response_cache.get(key)
                if cached is None:
                    cached = self._response_cache[key] = self.response(
                        status, target, b, tp, produces
                    )
                out[status] = cached
            else:
                out[status] = self.response(status, raw, base, rptr, produces)
        return out

    def status(self, code: Any, base: str, ptr: Pointer) -> str:
        if isinstance(code, int) and not isinstance(code, bool):
            code = str(code)
        if isinstance(code, str):
            if code.lower() == "default":
                return "default"
            upper: str = code.upper()
            if _STATUS.fullmatch(upper):
                return upper
        self.fail(
            f"invalid response status {code!r}",
            base,
            (*ptr, str(code)),
            "an HTTP status code, '1XX'..'5XX' or 'default'",
        )

    def response(
        self, status: str, node: Any, base: str, ptr: Pointer, produces: list[str]
    ) -> ResponseSpec:
        node = self.obj(node, base, ptr, "a Response Object")
        content: dict[str, Any] = {}
        if self.v2:
            if "schema" in node:
                schema = self.schema(node["schema"], base, (*ptr, "schema"))
                if isinstance(schema, dict) and schema.get("type") == "file":
                    schema = dict(_BINARY)
                for media_type in produces or [_JSON]:
                    content[media_type] = schema
        elif "content" in node:
            for media_type, media in self.obj(
                node["content"], base, (*ptr, "content"), "'content'"
            ).items():
                mptr = (*ptr, "content", str(media_type))
                if not isinstance(media_type, str):
                    self.fail("media types must be strings", base, mptr, "a media type")
                media = self.obj(media, base, mptr, "a Media Type Object")
                content[media_type] = (
                    self.schema(media["schema"], base, (*mptr, "schema"))
                    if "schema" in media
                    else None
                )
        headers: dict[str, Any] = {}
        if "headers" in node:
            hnode = self.obj(node["headers"], base, (*ptr, "headers"), "'headers'")
            for header_name, header in hnode.items():
                hptr = (*ptr, "headers", str(header_name))
                if not isinstance(header_name, str):
                    self.fail("header names must be strings", base, hptr, "a string")
                headers[header_name] = self.header(header, base, hptr)
        return ResponseSpec(
            status=status,
            description=self.text(node, "description", base, ptr),
            content=content,
            headers=headers,
        )

    def header(self, node: Any, base: str, ptr: Pointer) -> Any:
        """The schema of a response header (Header Objects are schema-like in 2.0)."""
        node, base, ptr = self.r.follow(node, base, ptr)
        node = self.obj(node, base, ptr, "a Header Object")
        if self.v2:
            schema = {key: node[key] for key in _V2_SCHEMA_KEYS if key in node}
            if isinstance(schema.get("items"), dict | list):
                self.schema_roots.append((schema["items"], base, False))
            return schema
        if "schema" in node:
            return self.schema(node["schema"], base, (*ptr, "schema"))
        if "content" in node:
            content = self.obj(node["content"], base, (*ptr, "content"), "'content'")
            for media_type, media in content.items():
                mptr = (*ptr, "content", str(media_type))
                media = self.obj(media, base, mptr, "a Media Type Object")
                if "schema" in media:
                    return self.schema(media["schema"], base, (*mptr, "schema"))
        return {}
