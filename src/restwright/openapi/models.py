"""Pydantic models built lazily from the schemas of an API document.

With ``from_openapi(..., models=True)`` responses are parsed into pydantic models.  Only
the schemas an operation actually touches are turned into models, the first time a
response needs them: a document with a thousand schemas costs nothing until it is used.

* A component schema (``#/components/schemas/User``, ``#/definitions/User``) becomes a
  model class named after it (``User``); inline object schemas get a name derived from
  where they appear (``UploadFileResponse``, ``UserNotifyProps``).
* Properties become fields named in snake_case (``create_at``, ``if_match``; names that
  clash with pydantic's own attributes get a trailing underscore, like ``schema_``), with
  the wire name as the alias.  Every field is optional and nullable and unknown
  properties are kept (``extra="allow"``): the drift checker, not the model, reports what
  the server got wrong, so a model never rejects a response the document misdescribes.
* Recursive schemas work through forward references.  ``oneOf``/``anyOf`` become unions,
  ``allOf`` of object schemas one merged model; anything pydantic cannot express (or a
  response that still fails to validate) falls back to the plain decoded JSON.

``client.models.User`` (or ``client.models["User"]``) gives the model of a component
schema, e.g. to build a request body.

Responses are validated straight from their bytes (:func:`models_from_json`: pydantic-core
parses the JSON into the models in one pass), not decoded into dicts first and then
validated: on GitHub's 24 KB repository that halves what ``models=True`` adds to a call.
Generated clients use the same function with their own model classes.
"""

from __future__ import annotations

import gc
import re
import threading
from typing import Any, Optional, Union

from ..engine.json_decoding import decode_json
from ..engine.logs import get_logger
from ..errors import RestwrightError
from .drift import Misfit
from .model import ApiDescription
from .naming import NameAllocator, python_identifier

__all__ = ["BodyModel", "ModelFactory", "class_name", "models_from_json"]

logger = get_logger(__name__)

_WORDS = re.compile(r"[A-Za-z0-9]+")


def class_name(text: str, fallback: str = "Model") -> str:
    """``"user-notify_props"`` -> ``"UserNotifyProps"`` (``"Model"`` when nothing is left)."""
    words = _WORDS.findall(text)
    name = "".join(w[:1].upper() + w[1:] for w in words) or fallback
    if name[0].isdigit():
        name = fallback + name
    return name


_ADAPTERS: dict[Any, Any] = {}  # target type -> its pydantic.TypeAdapter
#: Bodies from this size up are validated with the garbage collector paused (see
#: :meth:`BodyModel.from_bytes`); below it a body makes too few objects to matter.
_PAUSE_GC_FROM = 8 * 1024


def models_from_json(target: Any, content: bytes | str) -> Any:
    """Parse a JSON body straight into ``target``, in one pass over the bytes.

    ``target`` is a pydantic model class, any type pydantic validates (``list[Repo]``,
    ``dict[str, Repo]``, a ``Union``) or a ``pydantic.TypeAdapter``; adapters made for
    types are cached.  A body that is JSON but does not fit ``target`` comes back as the
    plain decoded JSON (a model never rejects a response its document misdescribes: the
    drift checker reports what is wrong).  A body that is not JSON raises ``ValueError``.
    """
    raw = content.encode("utf-8") if isinstance(content, str) else content
    model = BodyModel.of(target, getattr(target, "__name__", repr(target)), must_fit=False)
    try:
        return model.from_bytes(raw)
    except Misfit as exc:
        logger.debug("response of %s does not fit its model, returning JSON: %s", model.label, exc)
    return decode_json(raw)


def _adapter_of(target: Any) -> Any:
    """The ``pydantic.TypeAdapter`` of ``target`` (made once per type)."""
    adapter = _ADAPTERS.get(target)
    if adapter is None:
        import pydantic

        adapter = _ADAPTERS[target] = pydantic.TypeAdapter(target)
    return adapter


class BodyModel:
    """The pydantic type the JSON bodies of one operation are validated into.

    :meth:`from_bytes` is the fast path: pydantic-core parses the bytes straight into the
    models, one pass, no dicts in between.  :meth:`from_data` validates a body that was
    decoded already (because it was being checked for drift).  Both raise
    :class:`~restwright.openapi.drift.Misfit`
    when the body is JSON but not of the type, which the runtime client takes as drift
    evidence; ``must_fit`` says what the caller then gets: the plain JSON (``False``,
    ``models=True``: a model never rejects a response its document misdescribes) or a
    :class:`~restwright.openapi.drift.DriftError` (``True``, the methods of a generated
    client, whose return type is a promise).
    """

    __slots__ = ("_json", "_python", "label", "must_fit")

    def __init__(self, adapter: Any, label: str, must_fit: bool) -> None:
        # The validator's own methods, not the adapter's Python wrappers around them (half
        # a microsecond a call); fetching them builds a deferred validator now.
        validator = adapter.validator
        self._json = validator.validate_json
        self._python = validator.validate_python
        self.label = label
        self.must_fit = must_fit

    @classmethod
    def of(cls, target: Any, label: str, must_fit: bool) -> BodyModel:
        """The body model of ``target`` (a model class or any type pydantic validates)."""
        import pydantic

        adapter = target if isinstance(target, pydantic.TypeAdapter) else _adapter_of(target)
        return cls(adapter, label, must_fit)

    def from_bytes(self, content: bytes) -> Any:
        """``content`` validated into the type (``ValueError`` if it is not JSON at all).

        A large body is validated with the cyclic garbage collector paused.  It becomes
        thousands of objects (a model instance is four: itself, its ``__dict__``, its
        fields-set and its extras), all alive until the result is complete, so the
        collector would run several times while the tree is built, find all of it alive
        and promote it towards the oldest generation, whose full collections then walk the
        whole program's heap: on a page of 60 Mattermost posts that was a fifth of the
        call.  Nothing in a tree being built can be garbage, and the allocations still
        count, so the collector runs as usual once the body is validated.  It is paused
        only if it was enabled, and enabled again afterwards (a program that turns it off
        from another thread during those microseconds finds it on again).
        """
        paused = len(content) >= _PAUSE_GC_FROM and gc.isenabled()
        if paused:
            gc.disable()
        try:
            return self._json(content)
        except ValueError as exc:  # pydantic.ValidationError is one
            errors = getattr(exc, "errors", None)
            if errors is None or any(e["type"] == "json_invalid" for e in errors()):
                raise ValueError(f"response body is not valid JSON: {exc}") from None
            raise Misfit(exc) from None
        finally:
            if paused:
                gc.enable()

    def from_data(self, data: Any) -> Any:
        """Decoded JSON ``data`` validated into the type."""
        try:
            return self._python(data)
        except ValueError as exc:
            raise Misfit(exc) from None

    def __repr__(self) -> str:
        return f"<BodyModel {self.label}{' (must fit)' if self.must_fit else ''}>"


class ModelFactory:
    """Builds and caches pydantic types for the schemas of one :class:`ApiDescription`."""

    def __init__(self, api: ApiDescription) -> None:
        try:
            import pydantic
        except ImportError as exc:  # pragma: no cover - pydantic is in the test env
            raise ImportError(
                "models=True needs pydantic: pip install 'restwright[models]'"
            ) from exc
        self._pydantic = pydantic
        self.api = api
        self._lock = threading.RLock()
        self._names = NameAllocator()
        self._namespace: dict[str, Any] = {}
        self._types: dict[int, Any] = {}  # id(schema) -> built type
        self._keep: list[Any] = []
        self._ref_types: dict[str, Any] = {}  # $ref -> built type
        self._ref_names: dict[str, str] = {}  # $ref -> class name (claimed before building)
        self._building: set[str] = set()
        self._pending: list[Any] = []  # models with forward references to resolve
        self._adapters: dict[int, Any] = {}
        reserved = set(dir(pydantic.BaseModel))
        self._reserved_fields = frozenset(reserved)
        self._config = pydantic.ConfigDict(
            extra="allow",
            populate_by_name=True,
            protected_namespaces=(),
            arbitrary_types_allowed=True,
        )

    # -- public -------------------------------------------------------------------------
    def model(self, name: str) -> Any:
        """The type built for component schema ``name`` (``KeyError`` if there is none)."""
        if name not in self.api.schemas:
            raise KeyError(name)
        ref = self.api.schema_ref_prefix + name.replace("~", "~0").replace("/", "~1")
        with self._lock:
            built = self._ref_type(ref)
            self._finish()
            return built

    def adapter(self, schema: Any, hint: str) -> Any | None:
        """A ``pydantic.TypeAdapter`` for ``schema`` (``None`` when not expressible)."""
        key = id(schema)
        adapters = self._adapters
        if key in adapters:
            return adapters[key]
        with self._lock:
            if key in adapters:
                return adapters[key]
            adapter = None
            try:
                built = self._type(schema, hint)
                self._finish()
                if built is not Any:
                    adapter = self._pydantic.TypeAdapter(built)
            except Exception as exc:  # pydantic raises many kinds of errors here
                logger.debug("no model for %s: %s", hint, exc)
                adapter = None
            adapters[key] = adapter
            self._keep.append(schema)
            return adapter

    def body_model(self, schema: Any, hint: str) -> BodyModel | None:
        """The :class:`BodyModel` of a response schema (``None`` when not expressible)."""
        adapter = self.adapter(schema, hint)
        if adapter is None:
            return None
        try:
            return BodyModel(adapter, hint, must_fit=False)
        except Exception as exc:  # a model whose references cannot be completed
            logger.debug("no model for %s: %s", hint, exc)
            return None

    def names(self) -> list[str]:
        return list(self.api.schemas)

    # -- building -------------------------------------------------------------------------
    def _finish(self) -> None:
        """Resolve forward references of the models built since the last call."""
        pending, self._pending = self._pending, []
        for model in pending:
            try:
                model.model_rebuild(force=True, _types_namespace=dict(self._namespace))
            except Exception as exc:
                logger.debug("cannot complete model %s: %s", model.__name__, exc)

    def _claim(self, text: str) -> str:
        return self._names.claim(class_name(text))

    def _ref_type(self, ref: str) -> Any:
        if ref in self._ref_types:
            return self._ref_types[ref]
        name = self._ref_names.get(ref)
        if name is None:
            name = self._claim(ref.rsplit("/", 1)[-1])
            self._ref_names[ref] = name
        if ref in self._building:
            return name  # a forward reference, resolved by _finish()
        try:
            target = self.api.resolve_ref(ref)
        except RestwrightError:
            return Any
        self._building.add(ref)
        try:
            built = self._type(target, name, class_hint=name)
        finally:
            self._building.discard(ref)
        self._ref_types[ref] = built
        self._namespace[name] = built
        return built

    def _type(self, schema: Any, hint: str, class_hint: str | None = None) -> Any:
        if not isinstance(schema, dict):
            return Any
        ref = schema.get("$ref")
        if isinstance(ref, str):
            return self._ref_type(ref)
        key = id(schema)
        if key in self._types:
            return self._types[key]
        built = self._build(schema, hint, class_hint)
        nullable = bool(schema.get("nullable") or schema.get("x-nullable"))
        raw_type = schema.get("type")
        if isinstance(raw_type, list) and "null" in raw_type:
            nullable = True
        if nullable and built is not Any:
            built = Optional[built]  # noqa: UP045 - built at run time
        self._types[key] = built
        self._keep.append(schema)
        return built

    def _build(self, schema: dict[str, Any], hint: str, class_hint: str | None) -> Any:
        for key in ("oneOf", "anyOf"):
            branches = schema.get(key)
            if isinstance(branches, list) and branches:
                types = [self._type(b, f"{hint}Option{i + 1}") for i, b in enumerate(branches)]
                if any(t is Any for t in types):
                    return Any
                unique = list(dict.fromkeys(types))
                return unique[0] if len(unique) == 1 else Union[tuple(unique)]
        if isinstance(schema.get("allOf"), list):
            return self._all_of(schema, hint, class_hint)
        raw_type = schema.get("type")
        types = [raw_type] if isinstance(raw_type, str) else list(raw_type or [])
        types = [t for t in types if t != "null"]
        kind = types[0] if len(types) == 1 else None
        if kind is None and len(types) > 1:
            return Any
        if kind is None and isinstance(schema.get("properties"), dict):
            kind = "object"
        if kind == "object":
            props = schema.get("properties")
            if isinstance(props, dict) and props:
                return self._model(class_hint or self._claim(hint), props, hint)
            extra = schema.get("additionalProperties")
            if isinstance(extra, dict) and extra:
                return dict[str, self._type(extra, f"{hint}Value")]  # type: ignore[misc]
            return dict[str, Any]
        if kind == "array":
            item = self._type(schema.get("items"), f"{hint}Item")
            return list[item]  # type: ignore[valid-type]
        if kind == "string":
            return str
        if kind == "integer":
            return int
        if kind == "number":
            return float
        if kind == "boolean":
            return bool
        return Any

    def _all_of(self, schema: dict[str, Any], hint: str, class_hint: str | None) -> Any:
        props: dict[str, Any] = {}
        stack = list(schema.get("allOf") or [])
        own = {k: v for k, v in schema.items() if k != "allOf"}
        if own.get("properties"):
            stack.append(own)
        seen: set[int] = set()
        while stack:
            part = stack.pop(0)
            try:
                part = self.api.resolve(part)
            except RestwrightError:
                return Any
            if not isinstance(part, dict) or id(part) in seen:
                continue
            seen.add(id(part))
            if isinstance(part.get("allOf"), list):
                stack.extend(part["allOf"])
            kind = part.get("type")
            if kind not in (None, "object"):
                return Any
            if isinstance(part.get("properties"), dict):
                props.update(part["properties"])
        if not props:
            return dict[str, Any]
        return self._model(class_hint or self._claim(hint), props, hint)

    def _model(self, name: str, props: dict[str, Any], hint: str) -> Any:
        pydantic = self._pydantic
        fields: dict[str, Any] = {}
        used = NameAllocator("underscore")
        forward = False
        for prop, sub in props.items():
            field = python_identifier(str(prop), fallback="field")
            if field.startswith("_"):
                field = "field" + field
            if field in self._reserved_fields:
                field += "_"
            field = used.claim(field)
            annotation = self._type(sub, f"{name}{class_name(str(prop), 'Field')}")
            if isinstance(annotation, str) or _mentions_str(annotation):
                forward = True
            annotation = Optional[annotation] if annotation is not Any else Any  # noqa: UP045
            if field == prop:
                fields[field] = (annotation, None)
            else:
                fields[field] = (annotation, pydantic.Field(default=None, alias=str(prop)))
        try:
            model = pydantic.create_model(
                name, __config__=self._config, __module__=__name__, **fields
            )
        except Exception as exc:
            logger.debug("cannot build model %s: %s", name, exc)
            return dict[str, Any]
        model.__doc__ = f"Model of the {hint!r} schema (built from the API document)."
        self._namespace[name] = model
        if forward:
            self._pending.append(model)
        return model


def _mentions_str(annotation: Any) -> bool:
    """True when ``annotation`` contains a forward reference (a string) somewhere."""
    args = getattr(annotation, "__args__", None)
    if not args:
        return False
    return any(isinstance(a, str) or _mentions_str(a) for a in args)
