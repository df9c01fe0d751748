"""What generated packages call: typed clients on top of the runtime client.

``restwright generate`` writes methods with typed signatures; their bodies are one call of
:meth:`TypedGroup._call` (or :meth:`AsyncTypedGroup._acall`).  That call goes through the
runtime client (:mod:`.runtime`) built from the same document the package was generated
from (a copy ships in the package), so a generated call has exactly the runtime client's
behaviour - argument checks, serialization, auth, retries, pagination, dry run, hooks,
drift checks - and the engine's features, and code written for one works with the other.
The response's JSON is then parsed into the method's return type (a pydantic model, a list
of them...) by a parser built once per operation; a body that does not fit raises
:class:`~restwright.openapi.drift.DriftError` carrying the exchange.

Error statuses raise the engine's :class:`~restwright.errors.ApiError` classes; a client
class may map statuses to its own subclasses in :attr:`TypedClient.errors` (the Mattermost
client does: ``InvalidOrMissingParameters`` is also a :class:`~restwright.errors.BadRequest`).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from importlib import import_module
from importlib.resources import files
from typing import Any, ClassVar

from ..engine.models import Response
from ..errors import ApiError
from .model import ApiDescription

__all__ = ["AsyncTypedClient", "AsyncTypedGroup", "TypedClient", "TypedGroup"]

_DESCRIPTIONS: dict[tuple[str, str], ApiDescription] = {}
_LOCK = threading.Lock()


def load_document(package: str, document: str) -> ApiDescription:
    """The description shipped in ``package``'s ``_spec`` folder (loaded once per process)."""
    key = (package, document)
    api = _DESCRIPTIONS.get(key)
    if api is None:
        from .loader import load

        with _LOCK:
            api = _DESCRIPTIONS.get(key)
            if api is None:
                data = (files(package) / "_spec" / document).read_bytes()
                api = _DESCRIPTIONS[key] = load(data)
    return api


def translate_error(exc: ApiError, classes: Mapping[int, type[ApiError]]) -> ApiError:
    """``exc`` as the client's own class for its status (same fields), or ``exc`` itself."""
    cls = classes.get(exc.status_code)
    if cls is None or isinstance(exc, cls):
        return exc
    rebuild, (_, state) = exc.__reduce__()
    translated: ApiError = rebuild(cls, state)
    return translated


class _Parsers:
    """Per operation: the runtime's name of ``return_response`` and the JSON parser of the
    method's return type (built on first use)."""

    def __init__(self, runtime: Any) -> None:
        self._runtime = runtime
        self._plans: dict[str, tuple[str, Any]] = {}

    def plan(self, name: str, result_type: Any) -> tuple[str, Any]:
        plan = self._plans.get(name)
        if plan is None:
            from pydantic import TypeAdapter

            from .runtime import ArgumentNames

            flag = ArgumentNames(self._runtime.api.operation(name)).extras["return_response"]
            validate = getattr(result_type, "model_validate_json", None)
            if validate is None:
                validate = TypeAdapter(result_type).validate_json
            plan = self._plans[name] = (flag, validate)
        return plan


def parse_response(name: str, validate: Any, response: Response) -> Any:
    """The JSON body of ``response`` as the method's return type (``None`` when empty).

    A body that does not fit raises :class:`~.drift.DriftError` with the exchange: the server
    broke the document (the runtime client has recorded the drift already).
    """
    content = response.content
    if not content:
        return None
    from pydantic import ValidationError

    try:
        return validate(content)
    except ValidationError as exc:
        from .drift import DriftError

        raise DriftError(
            f"{name}(): the response does not fit the documented type: "
            f"{exc.error_count()} errors, first: {exc.errors()[0]['msg']} at "
            f"{'/'.join(str(p) for p in exc.errors()[0]['loc'])}",
            entries=[],
            request=response.request,
            response=response,
        ) from None


class _TypedBase:
    """What the sync and async typed clients share (options, groups, errors)."""

    package: ClassVar[str]
    """The generated package (its ``_spec`` folder holds the document)."""
    document: ClassVar[str]
    """The file name of the document in ``_spec``."""
    errors: ClassVar[Mapping[int, type[ApiError]]] = {}
    """Status code -> the exception class raised for it (else the engine's own class)."""

    _factory: ClassVar[str]
    runtime: Any

    def __init__(
        self,
        base_url: str | None = None,
        auth: Any = None,
        *,
        validate: bool = True,
        strict: bool = False,
        **client_options: Any,
    ) -> None:
        from . import runtime  # the runtime client is imported when a client is made

        api = load_document(self.package, self.document)
        factory = getattr(runtime, self._factory)
        self.runtime = factory(
            api, base_url, auth, validate=validate, strict=strict, **client_options
        )
        self._parsers = _Parsers(self.runtime)

    @property
    def api(self) -> ApiDescription:
        """The normalized description the client was generated from."""
        description: ApiDescription = self.runtime.api
        return description

    @property
    def engine(self) -> Any:
        """The engine client (:class:`restwright.Client` or ``AsyncClient``) calls go through."""
        return self.runtime.engine

    @property
    def drift(self) -> Any:
        """Where the server's answers broke the document (:class:`~.drift.DriftLog`)."""
        return self.runtime.drift

    def _group(self, tag: str, cls: str) -> Any:
        module = import_module(f".api.{tag}", self.package)
        return getattr(module, cls)(self)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self.runtime!r}>"


class TypedClient(_TypedBase):
    """Base of a generated sync client.

    ``base_url`` defaults to the document's first server; ``auth`` is a credential or a
    ``{scheme: credential}`` dict as for :func:`restwright.from_openapi`; ``validate`` and
    ``strict`` are the runtime client's; other keyword arguments (``timeout``, ``retry``,
    ``hooks``, ``dry_run``, ``transport``...) go to :class:`restwright.Client`.
    """

    _factory = "from_openapi"

    def close(self) -> None:
        """Close the connection pool."""
        self.runtime.close()

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncTypedClient(_TypedBase):
    """Base of a generated asyncio client (same options as :class:`TypedClient`)."""

    _factory = "from_openapi_async"

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self.runtime.aclose()

    async def __aenter__(self) -> Any:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


class _GroupBase:
    __slots__ = ("_client", "_errors", "_parsers", "_runtime")

    def __init__(self, client: _TypedBase) -> None:
        self._client = client
        self._runtime = client.runtime
        self._parsers = client._parsers
        self._errors = client.errors

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._client!r}>"

    def _typed(self, name: str, result_type: Any, arguments: dict[str, Any]) -> Any:
        """The parser of a typed result (asking the runtime for the Response), or None:
        text, bytes, no body and untyped JSON are the runtime's own values, and so is the
        synthetic ``{}`` of a dry run (nothing was received to parse)."""
        if result_type is None or self._runtime.engine.dry_run:
            return None
        flag, validate = self._parsers.plan(name, result_type)
        arguments[flag] = True
        return validate


class TypedGroup(_GroupBase):
    """Base of a generated tag class (sync): ``client.users.get_user("me")``."""

    __slots__ = ()

    def _call(self, name: str, result_type: Any, arguments: dict[str, Any]) -> Any:
        validate = self._typed(name, result_type, arguments)
        try:
            result = self._runtime.operation(name)(**arguments)
        except ApiError as exc:
            raise translate_error(exc, self._errors) from None
        return result if validate is None else parse_response(name, validate, result)


class AsyncTypedGroup(_GroupBase):
    """Base of a generated tag class (asyncio): ``await client.users.get_user("me")``."""

    __slots__ = ()

    async def _acall(self, name: str, result_type: Any, arguments: dict[str, Any]) -> Any:
        validate = self._typed(name, result_type, arguments)
        try:
            result = await self._runtime.operation(name)(**arguments)
        except ApiError as exc:
            raise translate_error(exc, self._errors) from None
        return result if validate is None else parse_response(name, validate, result)
