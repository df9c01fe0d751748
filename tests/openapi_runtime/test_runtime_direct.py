"""Direct calls (:mod:`restwright.openapi.direct`): the function written per operation for
its commonest calls must send what the general path sends, return what it returns, and
leave the drift policy's counts and findings exactly as they were - seen by the project's
fault server, sync and async."""

from __future__ import annotations

import traceback
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

from restwright.errors import ApiError, InvalidRequestError, ValidationError
from restwright.openapi import DriftPolicy

from ._support import call


def _query(name: str, schema: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "schema": schema, **extra}


_ECHO = {"200": {"description": "echo", "content": {"application/json": {"schema": {}}}}}

DOC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "direct", "version": "1"},
    "paths": {
        "/echo/{name}/search": {
            "get": {
                "operationId": "search",
                "tags": ["echo"],
                "parameters": [
                    {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}},
                    _query("page", {"type": "integer"}),
                    _query("flag", {"type": "boolean"}),
                    _query("word", {"type": "string"}),
                    _query("tag", {"type": "string", "enum": ["a", "b"]}),
                ],
                "responses": _ECHO,
            }
        },
        "/echo/listing": {
            "get": {
                "operationId": "listing",
                "tags": ["echo"],
                "parameters": [_query("per_page", {"type": "integer"}, required=True)],
                "responses": _ECHO,
            }
        },
        "/echo/{name}/shaped": {
            "get": {
                "operationId": "shaped",
                "tags": ["echo"],
                "parameters": [
                    {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {
                    "200": {
                        "description": "an echo that lacks a documented field",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["target", "missing_field"],
                                    "properties": {"target": {"type": "string"}},
                                }
                            }
                        },
                    }
                },
            }
        },
        "/echo/{name}/wrong": {
            "get": {
                "operationId": "wrong",
                "tags": ["echo"],
                "parameters": [
                    {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {
                    "200": {
                        "description": "an echo whose target is documented as a number",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {"target": {"type": "integer"}},
                                }
                            }
                        },
                    }
                },
            }
        },
        "/echo/feed": {
            "get": {
                "operationId": "feed",
                "tags": ["echo"],
                "responses": {
                    "200": {
                        "description": "documented as XML; the echo answers JSON",
                        "content": {"application/xml": {"schema": {"type": "string"}}},
                    }
                },
            }
        },
        "/echo/{name}/headed": {
            "get": {
                "operationId": "headed",
                "tags": ["echo"],
                "parameters": [
                    {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}},
                    {"name": "X-Trace", "in": "header", "schema": {"type": "string"}},
                ],
                "responses": _ECHO,
            }
        },
        "/echo/{name}/q?mode=fixed": {
            "get": {
                "operationId": "fixed",
                "tags": ["echo"],
                "parameters": [
                    {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}},
                    _query("page", {"type": "integer"}),
                ],
                "responses": _ECHO,
            }
        },
        "/echo/deep": {
            "get": {
                "operationId": "deep",
                "tags": ["echo"],
                "parameters": [
                    _query("filter", {"type": "object"}, style="deepObject", explode=True)
                ],
                "responses": _ECHO,
            }
        },
    },
}


def _counting(client: Any) -> list[dict[str, Any]]:
    """The calls that go to the general path (the client's ``_invoke``), recorded: set up
    before the first call, since a direct call binds ``_invoke`` when it is written."""
    general: list[dict[str, Any]] = []
    invoke = client._invoke

    def counted(plan: Any, args: tuple[Any, ...], kwargs: dict[str, Any], *rest: Any) -> Any:
        general.append(dict(kwargs))
        return invoke(plan, args, kwargs, *rest)

    client._invoke = counted
    return general


async def test_direct_calls_send_what_the_general_path_sends(
    client_kind: str, make_client: Any, fault_server: Any
) -> None:
    client = make_client(DOC, base_url=fault_server.base_url)
    general = _counting(client)
    search = client.echo.search
    forms: list[tuple[dict[str, Any], bool]] = [  # (arguments, sent directly)
        ({"name": "me"}, True),
        ({"name": "me", "page": 2}, True),
        ({"name": "me", "page": 2, "flag": True, "word": "hello"}, True),
        ({"name": "me", "flag": False}, True),
        ({"name": "me", "page": None, "headers": None, "timeout": None}, True),
        ({"name": "me", "word": "two words"}, False),  # a value to encode
        ({"name": "a/b"}, False),
        ({"name": "é"}, False),  # a letter, but not ASCII
        ({"name": ".."}, False),
        ({"name": ""}, False),
        ({"name": "me", "tag": "a"}, False),  # an enum: its check runs
        ({"name": "me", "page": "2"}, False),  # a string for an integer: the check says
        ({"name": "me", "page": True}, False),  # a bool is no integer here
        ({"name": "me", "timeout": 5}, False),
        ({"name": "me", "headers": {"X-Trace": "1"}}, False),
    ]
    plan = client._call_plan("search")
    assert plan.direct_spec is not None
    for arguments, direct in forms:
        before = len(general)
        try:
            sent = await call(search, **arguments)
        except (ValidationError, InvalidRequestError):  # (an empty path value)
            sent = None
        assert (len(general) == before) is direct, arguments
        try:
            reference = await call(client._invoke, plan, (), dict(arguments))
        except (ValidationError, InvalidRequestError):
            assert sent is None
            continue
        assert sent is not None
        assert sent["target"] == reference["target"], arguments
    with pytest.raises(ValidationError, match="missing required argument 'name'"):
        await call(search, page=1)
    with pytest.raises(TypeError, match="unexpected keyword argument 'pages'"):
        await call(search, name="me", pages=1)

    # a required query parameter missing goes to the general path, which says so
    assert (await call(client.echo.listing, per_page=5))["target"] == "/echo/listing?per_page=5"
    with pytest.raises(ValidationError, match="missing required argument 'per_page'"):
        await call(client.echo.listing)

    # a documented media type that is not JSON asks for it
    echo = await call(client.echo.feed)
    assert ["Accept", "application/xml"] in echo["headers"]

    # what a direct call cannot send has no direct call
    assert client._call_plan("headed").direct_spec is None
    assert client._call_plan("deep").direct_spec is None
    assert client._call_plan("fixed").direct_spec is None  # a query in the path itself
    fixed = await call(client.echo.fixed, name="me", page=2)
    assert fixed["target"] == "/echo/me/q?mode=fixed&page=2"
    assert (await call(client.echo.headed, name="me", x_trace="t"))["target"] == "/echo/me/headed"


async def test_sampled_bodies_are_counted_once(
    client_kind: str, make_client: Any, fault_server: Any
) -> None:
    """The direct call asks the policy about each response once, and hands a response it
    wants checked to the general path without asking again: with ``first=3`` exactly three
    of eight drifting bodies are checked, as on the general path."""
    found = []
    for direct in (True, False):
        policy = DriftPolicy("sample", first=3, every=10**9)
        client = make_client(DOC, base_url=fault_server.base_url, drift=policy)
        for _ in range(8):
            if direct:
                result = await call(client.echo.shaped, name="me")
            else:
                result = await call(client.echo.shaped, "me")  # positional: the general path
            assert result["target"] == "/echo/me/shaped"
        body = [e for e in client.drift if e.kind == "body"]
        assert {e.pointer for e in body} == {"/missing_field"}
        found.append(len(body))
    assert found == [3, 3]


async def test_media_type_drift_is_found_on_every_direct_call(
    client_kind: str, make_client: Any, fault_server: Any
) -> None:
    """A response whose body no check is due for still has its status and media type
    checked: the echo's JSON, documented as XML, is drift on every call."""
    client = make_client(
        DOC, base_url=fault_server.base_url, drift=DriftPolicy("sample", first=0, every=10**9)
    )
    general = _counting(client)
    for _ in range(5):
        assert (await call(client.echo.feed))["target"] == "/echo/feed"
    assert general == []
    kinds = [e.kind for e in client.drift]
    assert kinds == ["content-type"] * 5
    assert client.drift[0].expected == "application/xml"


async def test_models_come_from_direct_calls(
    client_kind: str, make_client: Any, fault_server: Any
) -> None:
    """With ``models=True`` the direct call validates the body into the model of its status
    and media type; a body that does not fit it is checked whatever the policy sampled, and
    its plain JSON returned."""
    client = make_client(
        DOC,
        base_url=fault_server.base_url,
        models=True,
        drift=DriftPolicy("sample", first=0, every=10**9),
    )
    general = _counting(client)
    result = await call(client.echo.shaped, name="me")
    assert type(result).__name__ == "ShapedResponse"
    assert result.target == "/echo/me/shaped"
    assert list(client.drift) == []  # no check was due
    for _ in range(3):
        result = await call(client.echo.wrong, name="me")
        assert result["target"] == "/echo/me/wrong"
    assert general == []
    assert [(e.pointer, e.expected) for e in client.drift] == [("/target", "integer")] * 3


async def test_a_failure_inside_a_direct_call_shows_its_lines(
    client_kind: str, make_client: Any, fault_server: Any
) -> None:
    """A traceback through a direct call shows the lines of the function written for the
    operation, as it does for any other frame; an operation named like a Python keyword
    gets a function all the same."""
    doc = {
        "openapi": "3.0.3",
        "info": {"title": "keyword", "version": "1"},
        "paths": {"/status/503": {"get": {"operationId": "import", "responses": _ECHO}}},
    }
    client = make_client(doc, base_url=fault_server.base_url, retry=0)
    function = client._call_plan("import").direct
    assert function.__name__ == "import_"
    with pytest.raises(ApiError) as caught:
        await call(client.operation("import"))
    text = "".join(traceback.format_exception(caught.value))
    assert "<restwright direct call" in text
    assert "response = " in text and "send(request)" in text


_DOCUMENTS = Path(__file__).resolve().parents[1]
REAL_DOCUMENTS = {
    "mattermost": files("restwright.mattermost.generated") / "_spec" / "mattermost-openapi-v4.yaml",
    "docker": _DOCUMENTS / "openapi" / "documents" / "docker-engine-swagger.yaml",
    "blockfrost": _DOCUMENTS / "generator" / "documents" / "blockfrost-openapi.yaml",
}
_VALUES = {"int": 7, "bool": True, "str": "plain-value_1.x~"}
#: Query parameters the fault server's echo reads itself (``status=`` sets the answer's).
_ECHO_CONTROLS = frozenset({"status", "gzip", "set_header", "then_close"})


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("name", sorted(REAL_DOCUMENTS))
async def test_every_direct_call_of_real_documents_sends_what_the_general_path_sends(
    name: str, client_kind: str, make_client: Any, fault_server: Any
) -> None:
    """Every operation of three real documents that has a direct call, called with plain
    values of every kind it takes: the fault server receives the same request line and
    headers from the direct call and from the general path, both return the same result,
    and the direct call does not fall back."""
    client = make_client(
        str(REAL_DOCUMENTS[name]), base_url=fault_server.url("/echo"), drift="off", retry=0
    )
    general = _counting(client)
    reference = type(client)._invoke.__get__(client)
    direct_ops = 0
    for index, operation in enumerate(client.operations):
        plan = client._call_plan(operation)
        spec = plan.direct_spec
        if spec is None:
            continue
        direct_ops += 1
        arguments: dict[str, Any] = {p: f"p{index}-{i}" for i, p in enumerate(spec.path_names)}
        for i, q in enumerate(spec.query):
            kinds = [
                k
                for k, takes in (("int", q.takes_int), ("bool", q.takes_bool), ("str", q.takes_str))
                if takes
            ]
            if q.wire in _ECHO_CONTROLS and not q.required:
                continue
            if kinds and (q.required or (index + i) % 3):
                arguments[q.name] = _VALUES[kinds[(index + i) % len(kinds)]]
        if index % 2:
            arguments.update(dict.fromkeys(spec.options))
        fault_server.reset()
        before = len(general)
        result = await call(plan.direct, dict(arguments))
        assert len(general) == before, (operation, arguments)
        assert result == await call(reference, plan, (), dict(arguments)), operation
        sent, again = fault_server.requests
        assert (sent.method, sent.target) == (again.method, again.target), operation
        assert sent.headers == again.headers, operation
    assert direct_ops >= {"mattermost": 271, "docker": 77, "blockfrost": 109}[name]
