"""Direct calls: the commonest call of one operation, written as one function.

A call through the runtime client goes ``_invoke`` -> ``_prepare`` -> the engine's
``send`` -> ``_finish``: general code that dispatches on the kind of every argument and
on the shape of every response, in five Python frames.  Most calls are far simpler - ``GET
/users/{user_id}`` with a string that needs no encoding, maybe a page number, and a JSON
answer that no drift check is due for - yet each paid for the general machinery: in a
generated ``users.get_user``, about a sixth of the instructions above the bare engine.

So, as :mod:`dataclasses` writes an ``__init__`` for each class, this module writes one
function per operation, from the operation's :class:`DirectSpec`: it checks that the call
is the simple kind (every value of a type it knows, nothing to encode, no option given),
joins the path's literal pieces with the values, sends, and turns a JSON body into the
result in the same frame.  The source is the same for the sync and the asyncio client
(``await`` where the client's methods are coroutines), so the two cannot drift apart.

Anything else - a value to check or encode, an option, a response whose body the drift
policy wants checked, a media type that is not JSON, a body that does not fit its model,
an error status - goes to the general path with what is known so far: the arguments (the
call is then made there, as if the direct function did not exist) or the response (which
``_finish`` treats as it treats every other; the drift policy has counted it once, here).
The general path is the reference: the tests check that both give the same request and
the same result.
"""

from __future__ import annotations

import hashlib
import keyword
import linecache
from collections.abc import Callable, Mapping
from typing import Any, Literal, NamedTuple

from ..engine.urls import plain_path, plain_segment
from ..errors import ApiError, DecodeError
from .drift import Misfit

__all__ = ["DirectSpec", "QueryValue", "write_direct"]


class QueryValue(NamedTuple):
    """A query parameter a direct call sends: ``wire=value`` for the scalar types it takes
    (those its check, if any, would pass without looking: see ``validate.fast_types``)."""

    name: str
    """The Python name."""
    wire: str
    """The parameter's name in the query (one that needs no encoding)."""
    required: bool
    takes_int: bool
    takes_str: bool
    takes_bool: bool


class DirectSpec(NamedTuple):
    """What a direct call of one operation sends (made by ``CallPlan.direct_spec``)."""

    method: str
    literals: tuple[str, ...]
    """The path's literal pieces, around the path values (one more than ``path_names``)."""
    path_names: tuple[str, ...]
    """The Python names of the path parameters, in the path's order."""
    query: tuple[QueryValue, ...]
    names: frozenset[str]
    """Every argument a direct call may be given (the rest go to the general path)."""
    options: tuple[str, ...]
    """Arguments that must be ``None`` (the generated methods pass every option)."""
    accept: str | None
    """The ``Accept`` header, if the operation needs one."""


#: How the result is made from a JSON body no check is due for.
#: ``"model"``: the model given (a generated method's return type); ``"models"``: the
#: model of the status and media type (``models=True``); ``"json"``: the decoded JSON.
ResultKind = Literal["model", "models", "json"]


def _arguments(spec: DirectSpec, fallback: str) -> list[str]:
    """The lines that turn the arguments ``a`` into ``target``, or give up to ``fallback``."""
    given = "".join(f" or get({option!r}) is not None" for option in spec.options)
    lines = ["get = a.get", f"if not a.keys() <= NAMES{given}:", f"    return {fallback}"]
    for i, name in enumerate(spec.path_names):
        lines.append(f"v{i} = get({name!r})")
        # (letters and digits, the commonest values, pass two C-level tests; the rest, a
        # match of the unreserved characters)
        lines.append(
            f"if type(v{i}) is not str or not (v{i}.isalnum() and v{i}.isascii())"
            f" and plain(v{i}) is None:"
        )
        lines.append(f"    return {fallback}")
    target = " + ".join(
        f"L{i}" if i == len(spec.path_names) else f"L{i} + v{i}"
        for i in range(len(spec.path_names) + 1)
    )
    lines.append(f"target = {target}")
    if spec.query:
        lines.append("query = []")
        for i, q in enumerate(spec.query):
            value = f"q{i}"
            lines.append(f"{value} = get({q.name!r})")
            branches: list[tuple[str, str]] = []
            if q.takes_bool:  # before int: a bool is an int
                branches.append((f"{value} is True", f"{q.wire + '=true'!r}"))
                branches.append((f"{value} is False", f"{q.wire + '=false'!r}"))
            if q.takes_int:
                branches.append((f"type({value}) is int", f"{q.wire + '='!r} + str({value})"))
            if q.takes_str:
                branches.append(
                    (
                        f"type({value}) is str and plain({value}) is not None",
                        f"{q.wire + '='!r} + {value}",
                    )
                )
            lines.append(f"if {value} is not None:")
            keyword = "if"
            for test, text in branches:
                lines.append(f"    {keyword} {test}:")
                lines.append(f"        query.append({text})")
                keyword = "elif"
            if branches:
                lines.append("    else:")
                lines.append(f"        return {fallback}")
            else:
                lines.append(f"    return {fallback}")
            if q.required:
                lines.append("else:")
                lines.append(f"    return {fallback}")
        lines.append("if query:")
        lines.append("    target = target + '?' + '&'.join(query)")
    if spec.accept is not None:
        lines.append("request = build(METHOD, target, headers={'Accept': ACCEPT})")
    elif spec.literals[0].startswith("/") and all(map(plain_path, spec.literals)):
        # the whole target is its own encoding (the values were checked above)
        lines.append("request = build_plain(METHOD, target)")
    else:
        lines.append("request = build(METHOD, target)")
    return lines


def _result(kind: ResultKind, checked: bool) -> list[str]:
    """The lines that make the result of ``response`` (sent by ``request``)."""
    model = "model" if kind == "model" else "None"
    finish = "finish(plan, response, False, {model}, {check})"
    lines = ["status = response.status_code"]
    if checked:  # counted once, here: _finish is told, not asked again
        lines.append("skip = skips.get(status)")  # wants_body's own first step, inline
        lines.append("if skip:")
        lines.append("    skips[status] = skip - 1")
        lines.append("elif wants_body(status):")
        lines.append(f"    return {finish.format(model=model, check='True')}")
    lines.append("ctype = response.headers.get('content-type')")
    lines.append("content = response.content")
    lines.append("if not content or kinds.get(ctype) != JSON:")
    lines.append(f"    return {finish.format(model=model, check='False')}")
    if kind == "json":
        lines.append("try:")
        lines.append("    result = response.json()")
        lines.append("except DecodeError:")
        lines.append(f"    return {finish.format(model=model, check='False')}")
    else:
        if kind == "models":
            lines.append("model = body_model(factory, status, ctype)")
            lines.append("if model is None:")
            lines.append(f"    return {finish.format(model=model, check='False')}")
        lines.append("try:")
        lines.append(
            f"    result = {'from_bytes' if kind == 'model' else 'model.from_bytes'}(content)"
        )
        lines.append("except Misfit as misfit:")
        lines.append("    return client._misfit(plan, response, model, misfit, None)")
        lines.append("except ValueError:  # not JSON: _finish says what it is")
        lines.append(f"    return {finish.format(model=model, check='False')}")
    if checked:
        lines.append("found = plans.get((status, ctype))")  # fixed_of's own lookup, inline
        lines.append("fixed = fixed_of(status, ctype) if found is None else found[0]")
        lines.append("if fixed:")
        lines.append("    client._drifted(plan, list(fixed), response)")
    lines.append("return result")
    return lines


def write_direct(
    client: Any,
    plan: Any,
    spec: DirectSpec | None,
    *,
    kind: ResultKind,
    json_types: Mapping[str | None, int],
    json_kind: int,
    model: Any = None,
    errors: Mapping[int, Any] | None = None,
    translate: Callable[[ApiError, Any], ApiError] | None = None,
    is_async: bool = False,
) -> Callable[[dict[str, Any]], Any]:
    """The direct function of ``plan``'s operation for ``client``: ``fn(arguments)``.

    ``json_types`` maps a ``Content-Type`` to its kind (the runtime's cache), whose
    ``json_kind`` a JSON body has (another, or one not seen yet, goes to ``_finish``).
    ``spec`` None (an operation whose arguments always need the general path) gives a
    function that calls it at once.  ``errors`` and ``translate``: a typed client's status
    classes (see :func:`.typed.translate_error`), applied to every ``ApiError`` raised.
    """
    await_ = "await " if is_async else ""
    fallback = f"{await_}invoke(plan, (), a, {'model' if kind == 'model' else 'None'})"
    body: list[str] = []
    if spec is None:
        body.append(f"return {fallback}")
    else:
        body.extend(_arguments(spec, fallback))
        body.append("try:")
        body.append(f"    response = {await_}send(request)")
        body.append("except ApiError as exc:")
        body.append("    client._error_drift(plan, exc)")
        body.append("    raise")
        body.extend(_result(kind, plan.checker.enabled))
    if errors:
        body = ["try:", *(f"    {line}" for line in body)]
        body.append("except ApiError as exc:")
        body.append("    raise translate(exc, errors) from None")
    names: dict[str, Any] = {
        "client": client,
        "plan": plan,
        "model": model,
        "errors": errors,
        "translate": translate,
        "invoke": client._invoke,
        "finish": client._finish,
        "send": plan.engine.send,
        "build": plan.engine.build_request,
        "build_plain": plan.engine.build_plain_request,
        "wants_body": plan.checker.wants_body,
        "skips": plan.checker.skips,
        "plans": plan.checker.plans,
        "from_bytes": None if model is None else model.from_bytes,
        "fixed_of": plan.checker.fixed,
        "body_model": plan.body_model,
        "factory": client._model_factory,
        "kinds": json_types,
        "JSON": json_kind,
        "plain": plain_segment,
        "ApiError": ApiError,
        "DecodeError": DecodeError,
        "Misfit": Misfit,
    }
    if spec is not None:
        names["NAMES"] = spec.names
        names["METHOD"] = spec.method
        names["ACCEPT"] = spec.accept
        names.update({f"L{i}": text for i, text in enumerate(spec.literals)})
    label = plan.label
    name = _identifier(label)
    source = "\n".join(
        [
            f"def __make__({', '.join(names)}):",
            f"    {'async ' if is_async else ''}def {name}(a):",
            *(f"        {line}" for line in body),
            f"    return {name}",
            "",
        ]
    )
    # Tracebacks through a direct call show its lines: the source is registered under a
    # name of its own (the same source, written again by another client, shares it).
    digest = hashlib.sha1(source.encode(), usedforsecurity=False).hexdigest()[:12]
    filename = f"<restwright direct call {label} {digest}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace: dict[str, Any] = {}
    exec(compile(source, filename, "exec"), namespace)
    function: Callable[[dict[str, Any]], Any] = namespace["__make__"](**names)
    function.__doc__ = f"The direct call of {label}() (see restwright.openapi.direct)."
    return function


def _identifier(label: str) -> str:
    name = "".join(c if c.isalnum() or c == "_" else "_" for c in label)
    return name if name.isidentifier() and not keyword.iskeyword(name) else f"call_{name}"
