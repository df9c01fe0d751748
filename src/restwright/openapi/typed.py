"""What generated packages call: typed clients on top of the runtime client.

``restwright generate`` writes methods with typed signatures; their bodies are one call of
:meth:`TypedGroup._call` (or :meth:`AsyncTypedGroup._acall`).  That call goes through the
runtime client (:mod:`.runtime`) built from the same document the package was generated
from (a copy ships in the package), so a generated call has exactly the runtime client's
behaviour - argument checks, serialization, auth, retries, pagination, dry run, hooks,
drift checks - and the engine's features, and code written for one works with the other.

The response's JSON goes from its bytes into the method's return type (a pydantic model, a
list of them...) in one pass (pydantic-core; the validator is made once per operation): the
runtime does not decode it first.  Drift is still checked as the client's ``drift=`` policy
says (by default the first bodies of each operation and status, then a sample), and the
return type stands guard over every other response: a body that does not fit it is drift
evidence, so it is checked against the document there and then, recorded in
``client.drift``, and raises :class:`~restwright.openapi.drift.DriftError` carrying the
entries and the exchange.

Error statuses raise the engine's :class:`~restwright.errors.ApiError` classes; a client
class may map statuses to its own subclasses in :attr:`TypedClient.errors` (the Mattermost
client does: ``InvalidOrMissingParameters`` is also a :class:`~restwright.errors.BadRequest`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from importlib import import_module
from importlib.resources import files
from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import ApiError
from .model import ApiDescription

if TYPE_CHECKING:
    from .drift import DriftMode, DriftPolicy

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


class _Operations:
    """Per operation of a typed client: its direct call (see :mod:`.direct`), which
    returns the method's return type, made on first use.

    ``calls`` maps a method's name to ``(function, return type)``.  A generated method
    passes the same return type on every call; a different one (written by hand) gets a
    function of its own in place of the cached one."""

    def __init__(self, runtime: Any, errors: Mapping[int, type[ApiError]]) -> None:
        self._runtime = runtime
        self._errors = errors
        self.calls: dict[str, tuple[Callable[[dict[str, Any]], Any], Any]] = {}

    def compile(self, name: str, result_type: Any) -> tuple[Callable[[dict[str, Any]], Any], Any]:
        runtime = self._runtime
        plan = runtime._call_plan(name)
        model = None
        # text, bytes, no body and untyped JSON are the runtime's own values, and so is
        # the synthetic ``{}`` of a dry run (nothing was received to parse)
        if result_type is not None and not plan.dry_run:
            from .models import BodyModel

            model = BodyModel.of(result_type, plan.label, must_fit=True)
        function = runtime._direct(
            plan,
            "json" if model is None else "model",
            model,
            self._errors,
            translate_error,
        )
        found = self.calls[name] = (function, result_type)
        return found


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
        drift: DriftMode | DriftPolicy | None = None,
        **client_options: Any,
    ) -> None:
        from . import runtime  # the runtime client is imported when a client is made

        api = load_document(self.package, self.document)
        factory = getattr(runtime, self._factory)
        self.runtime = factory(
            api, base_url, auth, validate=validate, strict=strict, drift=drift, **client_options
        )
        self._operations = _Operations(self.runtime, self.errors)

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
    ``{scheme: credential}`` dict as for :func:`restwright.from_openapi`; ``validate``,
    ``strict`` and ``drift`` are the runtime client's; other keyword arguments
    (``timeout``, ``retry``, ``hooks``, ``dry_run``, ``transport``...) go to
    :class:`restwright.Client`.
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
    __slots__ = ("_calls", "_client", "_operations")

    def __init__(self, client: _TypedBase) -> None:
        self._client = client
        self._operations = client._operations
        self._calls = client._operations.calls

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._client!r}>"

    def _call(self, name: str, result_type: Any, arguments: dict[str, Any]) -> Any:
        """The operation's direct call with ``arguments``: its result (sync) or its
        coroutine (asyncio)."""
        found = self._calls.get(name)
        if found is None or (found[1] is not result_type and found[1] != result_type):
            found = self._operations.compile(name, result_type)
        return found[0](arguments)


class TypedGroup(_GroupBase):
    """Base of a generated tag class (sync): ``client.users.get_user("me")``."""

    __slots__ = ()


class AsyncTypedGroup(_GroupBase):
    """Base of a generated tag class (asyncio): ``await client.users.get_user("me")``."""

    __slots__ = ()

    #: The direct call's coroutine, for the generated method to await: the same lookup as
    #: the sync ``_call`` (a plain function, so one coroutine fewer per call).
    _acall = _GroupBase._call
