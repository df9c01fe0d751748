"""What really goes over the wire, seen by the project's fault server (``/echo``): path
styles Prism cannot parse (label, matrix, arrays), bodies, streamed raw uploads."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

import restwright
from restwright.errors import ReadError, ValidationError

from ._support import call


def _path(name: str, style: str, explode: bool) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "style": style,
        "explode": explode,
        "schema": {"type": "array", "items": {"type": "string"}},
    }


DOC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "echo", "version": "1"},
    "paths": {
        "/echo/{simple}/{label}/{matrix}": {
            "get": {
                "operationId": "paths",
                "tags": ["echo"],
                "parameters": [
                    _path("simple", "simple", False),
                    _path("label", "label", True),
                    _path("matrix", "matrix", False),
                ],
                "responses": {"200": {"description": "echo"}},
            }
        },
        "/echo/{kind}/{item_id}": {
            "get": {
                "operationId": "item",
                "tags": ["echo"],
                "parameters": [
                    {
                        "name": "item_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer"},
                    },
                    {"name": "kind", "in": "path", "required": True, "schema": {"type": "string"}},
                ],
                "responses": {"200": {"description": "echo"}},
            }
        },
        "/echo/ping": {
            "get": {
                "operationId": "ping",
                "tags": ["echo"],
                "responses": {"200": {"description": "echo"}},
            }
        },
        "/echo/{name}/one": {
            "get": {
                "operationId": "one",
                "tags": ["echo"],
                "parameters": [
                    {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {"200": {"description": "echo"}},
            }
        },
        "/echo/{owner}/{repo}/pair": {
            "get": {
                "operationId": "pair",
                "tags": ["echo"],
                "parameters": [
                    {"name": "owner", "in": "path", "required": True, "schema": {"type": "string"}},
                    {"name": "repo", "in": "path", "required": True, "schema": {"type": "string"}},
                ],
                "responses": {"200": {"description": "echo"}},
            }
        },
        "/echo/upload": {
            "put": {
                "operationId": "upload",
                "tags": ["echo"],
                "requestBody": {
                    "content": {
                        "application/octet-stream": {
                            "schema": {"type": "string", "format": "binary"}
                        }
                    }
                },
                "responses": {"200": {"description": "echo"}},
            },
            "post": {
                "operationId": "form",
                "tags": ["echo"],
                "requestBody": {
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "meta": {"type": "object"},
                                    "tags": {"type": "array", "items": {"type": "string"}},
                                    "files": {
                                        "type": "array",
                                        "items": {"type": "string", "format": "binary"},
                                    },
                                },
                            }
                        }
                    }
                },
                "responses": {"200": {"description": "echo"}},
            },
            "patch": {
                "operationId": "merge",
                "tags": ["echo"],
                "requestBody": {
                    "content": {"application/merge-patch+json": {"schema": {"type": "object"}}}
                },
                "responses": {"200": {"description": "echo"}},
            },
        },
    },
}


async def test_path_styles_on_the_wire(
    client_kind: str, make_client: Any, fault_server: Any
) -> None:
    client = make_client(DOC, base_url=fault_server.base_url)
    echo = await call(client.echo.paths, ["a/b", "c,d"], ["x.y", "z"], ["1", "2"])
    assert echo["target"] == "/echo/a%2Fb,c%2Cd/.x%2Ey.z/;matrix=1,2"


async def test_path_only_calls_on_the_wire(
    client_kind: str, make_client: Any, fault_server: Any
) -> None:
    """Path-only operations: each value one encoded segment, in the path's positional order;
    options given as None are "not given"; wrong types, missing and unknown arguments fail."""
    client = make_client(DOC, base_url=fault_server.base_url)
    echo = await call(client.echo.item, "a/b", 7)  # positional: in the path's order
    assert echo["target"] == "/echo/a%2Fb/7"
    echo = await call(client.echo.item, item_id=8, kind="..")
    assert echo["target"] == "/echo/%2E%2E/8"
    echo = await call(client.echo.item, "x y", item_id=9)
    assert echo["target"] == "/echo/x%20y/9"
    echo = await call(client.echo.item, kind="k", item_id=10, headers=None, timeout=None)
    assert echo["target"] == "/echo/k/10"  # options given as None: "not given"
    with pytest.raises(ValidationError):
        await call(client.echo.item, "a", "seven")
    with pytest.raises(TypeError, match="positional argument"):
        await call(client.echo.item, "a", 1, 2)
    with pytest.raises(ValidationError, match="missing required argument 'item_id'"):
        await call(client.echo.item, kind="a", timeout=5)
    with pytest.raises(TypeError, match="unexpected keyword argument"):
        await call(client.echo.item, kind="a", item=7)


async def test_string_path_calls_are_direct_with_the_same_result(
    client_kind: str, make_client: Any, fault_server: Any
) -> None:
    """An operation whose arguments are only string path parameters has a direct call
    (:mod:`restwright.openapi.direct`) that joins the path without the general loop; every
    other call falls back to the loop, and both give what the loop alone would."""
    client = make_client(DOC, base_url=fault_server.base_url)
    assert client._call_plan("pair").direct_spec is not None
    assert client._call_plan("item").direct_spec is None  # an integer: the loop serializes it
    forms: list[tuple[dict[str, Any], str]] = [
        ({"owner": "octo", "repo": "hello"}, "/echo/octo/hello/pair"),  # the direct call
        ({"owner": "o", "repo": "r", "headers": None, "timeout": None}, "/echo/o/r/pair"),
        ({"owner": "a/b", "repo": ".."}, "/echo/a%2Fb/%2E%2E/pair"),  # values to encode
        ({"owner": "o", "repo": "r", "timeout": 5}, "/echo/o/r/pair"),  # an option given
        ({"owner": "o", "repo": "r.git~1"}, "/echo/o/r.git~1/pair"),
        ({"owner": 7, "repo": "r"}, "/echo/7/r/pair"),  # an integer for a string: the loop
    ]
    for kwargs, target in forms:
        assert (await call(client.echo.pair, **kwargs))["target"] == target
    assert (await call(client.echo.pair, "x", "y"))["target"] == "/echo/x/y/pair"
    with pytest.raises(ValidationError):
        await call(client.echo.pair, owner=["a"], repo="r")
    with pytest.raises(ValidationError, match="missing required argument 'repo'"):
        await call(client.echo.pair, owner="o")
    with pytest.raises(ValidationError, match="missing required argument 'repo'"):
        await call(client.echo.pair, owner="o", repo=None, headers=None, timeout=None)
    with pytest.raises(TypeError, match="unexpected keyword argument 'own'"):
        await call(client.echo.pair, owner="o", repo="r", own=None)
    assert client._call_plan("one").direct_spec is not None  # one parameter
    for kwargs, target in [
        ({"name": "me"}, "/echo/me/one"),
        ({"name": "me", "headers": None, "timeout": None}, "/echo/me/one"),
        ({"name": "a b"}, "/echo/a%20b/one"),
        ({"name": "me", "headers": {"X-Trace": "1"}}, "/echo/me/one"),
    ]:
        assert (await call(client.echo.one, **kwargs))["target"] == target
    assert (await call(client.echo.one, "you"))["target"] == "/echo/you/one"
    with pytest.raises(ValidationError, match="missing required argument 'name'"):
        await call(client.echo.one, name=None, headers=None, timeout=None)
    assert client._call_plan("ping").direct_spec is not None  # no argument at all
    for kwargs in ({}, {"headers": None, "timeout": None}, {"timeout": 5}):
        assert (await call(client.echo.ping, **kwargs))["target"] == "/echo/ping"
    with pytest.raises(TypeError, match="unexpected keyword argument 'owner'"):
        await call(client.echo.ping, owner="o")


async def test_bodies_on_the_wire(
    client_kind: str, make_client: Any, fault_server: Any, tmp_path: Path
) -> None:
    client = make_client(DOC, base_url=fault_server.base_url)
    payload = tmp_path / "payload.bin"
    payload.write_bytes(bytes(range(256)) * 1000)
    echo = await call(client.echo.upload, body=payload)
    assert echo["body_sha256"] == hashlib.sha256(payload.read_bytes()).hexdigest()
    header = dict((k.lower(), v) for k, v in echo["headers"])
    assert header["content-type"] == "application/octet-stream"
    assert header["content-length"] == str(256 * 1000)

    echo = await call(
        client.echo.form,
        body={"meta": {"a": 1}, "tags": ["x", "y"], "files": [b"one", ("two.txt", b"two")]},
    )
    parts = [(p["name"], p.get("filename"), p.get("text")) for p in echo["parts"]]
    assert parts == [
        ("meta", None, '{"a":1}'),
        ("tags", None, "x"),
        ("tags", None, "y"),
        ("files", "files", "one"),
        ("files", "two.txt", "two"),
    ]

    echo = await call(client.echo.merge, body={"a": None})
    header = dict((k.lower(), v) for k, v in echo["headers"])
    assert header["content-type"] == "application/merge-patch+json"
    assert echo["json"] == {"a": None}


def _raw_put(operation_id: str, *query: str) -> dict[str, Any]:
    return {
        "operationId": operation_id,
        "tags": ["files"],
        "parameters": [
            {"name": name, "in": "query", "schema": {"type": "string"}} for name in query
        ],
        "requestBody": {
            "required": True,
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        },
        "responses": {"200": {"description": "echo"}},
    }


RAW_DOC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "raw uploads", "version": "1"},
    "paths": {
        "/flaky/{key}": {
            "parameters": [
                {"name": "key", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "put": _raw_put("put_flaky", "fails", "fault"),
            "post": _raw_put("post_flaky", "fails", "fault"),
        },
        "/redirect/{code}": {
            "parameters": [
                {"name": "code", "in": "path", "required": True, "schema": {"type": "integer"}}
            ],
            "put": _raw_put("put_redirected", "to"),
        },
    },
}


async def test_a_raw_file_body_is_sent_again_whole(
    client_kind: str, make_client: Any, fault_server: Any, tmp_path: Path
) -> None:
    """A raw ``Path`` body (and a seekable file) goes again, whole and with its length,
    after a reset and a 307; a POST is not sent twice."""
    data = bytes(range(256)) * 600
    payload = tmp_path / "payload.bin"
    payload.write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    client = make_client(
        RAW_DOC, base_url=fault_server.base_url, retry=restwright.Retry(total=2, backoff=0.01)
    )
    answer = await call(client.files.put_flaky, "k1", body=payload, fails="1", fault="reset-before")
    assert answer == {"attempts": 2, "method": "PUT"}
    echo = await call(client.files.put_redirected, 307, body=payload, to="/echo/landed")
    assert echo["path"] == "/echo/landed" and echo["body_sha256"] == digest
    with payload.open("rb") as fh:
        fh.seek(1000)
        answer = await call(client.files.put_flaky, "k2", body=fh, fails="1", fault="reset-before")
        assert answer["attempts"] == 2
    seen = fault_server.requests
    assert [r.path for r in seen] == ["/flaky/k1"] * 2 + ["/redirect/307", "/echo/landed"] + [
        "/flaky/k2"
    ] * 2
    for record in seen[:4]:
        assert record.body_sha256 == digest
        assert record.header("Content-Length") == str(len(data))
    for record in seen[4:]:
        assert record.body_sha256 == hashlib.sha256(data[1000:]).hexdigest()
        assert record.header("Content-Length") == str(len(data) - 1000)
    fault_server.reset()
    with pytest.raises(ReadError):
        await call(client.files.post_flaky, "k3", body=payload, fails="1", fault="reset-before")
    assert [r.body_sha256 for r in fault_server.requests] == [digest]
    with pytest.raises(ValidationError, match=r"no such file 'absent\.bin'") as info:
        await call(client.files.put_flaky, "k4", body=tmp_path / "absent.bin")
    assert info.value.parameter == "body"
