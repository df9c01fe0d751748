"""Kinto exceptions, built on restwright's error classes.

:class:`KintoException` (and :class:`BucketNotFound`, :class:`CollectionNotFound`,
:class:`KintoBatchException`) keep kinto-http's names, constructor and ``request`` /
``response`` attributes, and are :class:`restwright.errors.RestwrightError` subclasses.
When the server answered with an error status, the exception raised is *also* an instance
of the matching :mod:`restwright.errors` class: a 404 is both a ``KintoException`` and a
``restwright.errors.NotFound``, a 412 both a ``KintoException`` and a
``restwright.errors.PreconditionFailed``.  Those combined classes are created on demand and
cached per ``(kinto class, restwright class)`` pair (see :func:`kinto_error_class`).

``request`` / ``response`` are restwright's *redacted* copies (no credential can leak
through a log or a traceback); for a failed batch sub-request they are the dicts of the
batch response (``RequestDict`` / ``ResponseDict``, with ``.path_url`` / ``.status_code``).
"""

from __future__ import annotations

import threading
from typing import Any

from ..errors import ApiError, RestwrightError, error_for_status

__all__ = [
    "BackoffException",
    "BucketNotFound",
    "CollectionNotFound",
    "KintoBatchException",
    "KintoException",
    "RequestDict",
    "ResponseDict",
    "kinto_error_class",
]


class KintoException(RestwrightError):
    """A Kinto operation failed; ``request`` and ``response`` say how (when known)."""

    request: Any = None
    response: Any = None

    def __init__(self, message: str | None = None, exception: BaseException | None = None):
        Exception.__init__(self, message)
        self.message: str | None = message  # type: ignore[assignment]
        if exception is not None:
            self.request = getattr(exception, "request", None)
            self.response = getattr(exception, "response", None)
            for attr in ("status_code", "body"):
                if hasattr(exception, attr):
                    setattr(self, attr, getattr(exception, attr))
        else:
            self.request = None
            self.response = None

    def __str__(self) -> str:
        if self.request is not None and self.response is not None:
            request, response = self.request, self.response
            return f"{request.method} {_path_url(request)} - {response.status_code} {self.message}"
        return self.message or ""

    def __reduce__(self) -> tuple[Any, ...]:
        cls = type(self)
        kinto_base = cls.__dict__.get("_kinto_base", cls)
        api_base = cls.__dict__.get("_api_base")
        return (_rebuild, (kinto_base, api_base, self.__dict__, self.args))


class BucketNotFound(KintoException):
    """The bucket could not be read (missing, or not readable by these credentials)."""


class CollectionNotFound(KintoException):
    """The collection does not exist."""


class BackoffException(KintoException):
    """Kept for compatibility with kinto-http; restwright waits out ``Backoff`` instead."""

    def __init__(
        self, message: str | None, backoff: int, exception: BaseException | None = None
    ) -> None:
        self.backoff = backoff
        super().__init__(message, exception)


class KintoBatchException(KintoException):
    """One or more sub-requests of a batch failed.

    ``exceptions``: one :class:`KintoException` per failed sub-request (each also an
    instance of the matching restwright status error).  ``results``: the ``(body, headers)``
    of every batch chunk that was answered, so every sub-response is there.  ``unsent``:
    the sub-requests that were *not* sent because an earlier chunk failed with a server
    error (empty otherwise), so no sub-request is silently lost.  ``aborted``: the
    sub-requests that answered 2xx in a chunk the server then rolled back (Kinto aborts a
    batch chunk's transaction when one of its sub-requests gets a 409): they were *not*
    applied, and each also has an entry in ``exceptions``.
    """

    def __init__(
        self,
        exceptions: list[BaseException],
        results: list[tuple[Any, Any]],
        unsent: list[dict[str, Any]] | None = None,
    ) -> None:
        message = "\n".join(str(e) for e in exceptions)
        if unsent:
            message += f"\n{len(unsent)} sub-request(s) not sent"
        super().__init__(message)
        self.exceptions = exceptions
        self.results = results
        self.unsent = list(unsent or [])
        self.aborted: list[Any] = []


class _WrapDict(dict[str, Any]):
    """Batch requests/responses are dicts; give them attribute access like real ones."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


class RequestDict(_WrapDict):
    """A batch sub-request (``method``, ``path``, ``body``, ``headers``)."""

    @property
    def path_url(self) -> Any:
        return self["path"]


class ResponseDict(_WrapDict):
    """A batch sub-response (``status``, ``path``, ``body``, ``headers``)."""

    @property
    def status_code(self) -> Any:
        return self["status"]

    def json(self) -> Any:
        return self.get("body")


def _path_url(request: Any) -> Any:
    path = getattr(request, "path_url", None)
    if path is None:
        path = getattr(request, "target", None)
    if path is None:
        path = getattr(request, "url", "")
    return path


# -- kinto class x restwright status class ---------------------------------------------------

_CLASSES: dict[tuple[type[KintoException], type[ApiError]], type[KintoException]] = {}
_LOCK = threading.Lock()


def kinto_error_class(
    kinto_cls: type[KintoException], api_cls: type[ApiError] | None
) -> type[KintoException]:
    """The class that is both ``kinto_cls`` and ``api_cls`` (cached; created on demand)."""
    if api_cls is None or issubclass(kinto_cls, api_cls):
        return kinto_cls
    key = (kinto_cls, api_cls)
    cls = _CLASSES.get(key)
    if cls is None:
        with _LOCK:
            cls = _CLASSES.get(key)
            if cls is None:
                cls = type(
                    kinto_cls.__name__,
                    (kinto_cls, api_cls),
                    {
                        "__module__": kinto_cls.__module__,
                        "__qualname__": kinto_cls.__qualname__,
                        "__doc__": kinto_cls.__doc__,
                        "_kinto_base": kinto_cls,
                        "_api_base": api_cls,
                    },
                )
                _CLASSES[key] = cls
    return cls


def api_class_of(exc: BaseException) -> type[ApiError] | None:
    """The restwright status class ``exc`` is an instance of (``None`` if it is none)."""
    if not isinstance(exc, ApiError):
        return None
    api_base = type(exc).__dict__.get("_api_base")
    if api_base is not None:
        return api_base  # type: ignore[no-any-return]
    for klass in type(exc).__mro__:
        if issubclass(klass, ApiError) and not issubclass(klass, KintoException):
            return klass
    return None  # pragma: no cover - ApiError itself is in every ApiError's MRO


def make_error(
    kinto_cls: type[KintoException],
    message: str | None,
    *,
    cause: BaseException | None = None,
    api_cls: type[ApiError] | None = None,
    request: Any = None,
    response: Any = None,
    status_code: int | None = None,
    body: Any = None,
) -> KintoException:
    """Build a ``kinto_cls`` error, combined with the restwright class of the failure.

    With ``cause`` (a restwright ``ApiError`` or another ``KintoException``), its request,
    response, status code and body are carried over; otherwise they are taken from the
    keyword arguments (batch sub-responses) and the class from ``status_code``.
    """
    if cause is not None:
        api_cls = api_cls or api_class_of(cause)
        request = getattr(cause, "request", request)
        response = getattr(cause, "response", response)
        status_code = getattr(cause, "status_code", status_code)
        body = getattr(cause, "body", body)
    elif api_cls is None and status_code is not None and status_code >= 400:
        api_cls = error_for_status(status_code)
    cls = kinto_error_class(kinto_cls, api_cls)
    exc = cls.__new__(cls)
    Exception.__init__(exc, message)
    exc.message = message
    exc.request = request
    exc.response = response
    if api_cls is not None:
        exc.status_code = status_code  # type: ignore[attr-defined]
        exc.body = body  # type: ignore[attr-defined]
    return exc


def _rebuild(
    kinto_base: type[KintoException],
    api_base: type[ApiError] | None,
    state: dict[str, Any],
    args: tuple[Any, ...],
) -> KintoException:
    cls = kinto_error_class(kinto_base, api_base)
    exc = cls.__new__(cls)
    Exception.__init__(exc, *args)
    exc.__dict__.update(state)
    return exc
