"""Form and multipart ``encoding`` objects, and deepObject query arrays, on the wire.

Real documents (Stripe's among them) describe nested form fields with an ``encoding``
object and use ``style: deepObject`` for array query parameters; the fault server's echo
shows what was sent.
"""

from __future__ import annotations

from typing import Any

from ._support import call


def _document() -> dict[str, Any]:
    metadata = {"type": "object", "additionalProperties": {"type": "string"}}
    form = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "metadata": metadata,
            "expand": {"type": "array", "items": {"type": "string"}},
            "tags": {"type": "array", "items": {"type": "string"}},
            "settings": {"type": "object"},
        },
    }
    multipart = {
        "type": "object",
        "properties": {
            "file": {"type": "string", "format": "binary"},
            "meta": {"type": "object"},
        },
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": "encoding", "version": "1"},
        "paths": {
            "/echo/customers": {
                "post": {
                    "operationId": "create_customer",
                    "requestBody": {
                        "content": {
                            "application/x-www-form-urlencoded": {
                                "schema": form,
                                "encoding": {
                                    "metadata": {"style": "deepObject", "explode": True},
                                    "expand": {"style": "deepObject", "explode": True},
                                    "tags": {"style": "form", "explode": False},
                                    "settings": {"contentType": "application/json"},
                                },
                            }
                        }
                    },
                    "responses": {"200": {"description": "the echo"}},
                }
            },
            "/echo/uploads": {
                "post": {
                    "operationId": "upload",
                    "requestBody": {
                        "content": {
                            "multipart/form-data": {
                                "schema": multipart,
                                "encoding": {
                                    "file": {"contentType": "image/png"},
                                    "meta": {"contentType": "application/json"},
                                },
                            }
                        }
                    },
                    "responses": {"200": {"description": "the echo"}},
                }
            },
            "/echo/search": {
                "get": {
                    "operationId": "search",
                    "parameters": [
                        {
                            "name": "ids",
                            "in": "query",
                            "style": "deepObject",
                            "explode": True,
                            "schema": {"type": "array", "items": {"type": "string"}},
                        },
                        {
                            "name": "filter",
                            "in": "query",
                            "style": "deepObject",
                            "explode": True,
                            "schema": {"type": "object"},
                        },
                    ],
                    "responses": {"200": {"description": "the echo"}},
                }
            },
        },
    }


async def test_form_fields_follow_their_encoding(make_client, fault_server) -> None:
    client = make_client(_document(), base_url=fault_server.base_url)
    echo = await call(
        client.default.create_customer,
        body={
            "name": "Ada",
            "metadata": {"plan": "gold", "seats": "3"},
            "expand": ["sources", "tax"],
            "tags": ["a", "b"],
            "settings": {"theme": "dark"},
        },
    )
    assert echo["form"] == [
        ["name", "Ada"],
        ["metadata[plan]", "gold"],
        ["metadata[seats]", "3"],
        ["expand[0]", "sources"],
        ["expand[1]", "tax"],
        ["tags", "a,b"],
        ["settings", '{"theme":"dark"}'],
    ]


async def test_multipart_parts_get_their_documented_content_type(make_client, fault_server):
    client = make_client(_document(), base_url=fault_server.base_url)
    echo = await call(client.default.upload, body={"file": b"\x89PNG", "meta": {"alt": "logo"}})
    parts = {p["name"]: p for p in echo["parts"]}
    assert parts["file"]["content_type"] == "image/png"
    assert parts["meta"]["content_type"] == "application/json"
    assert parts["meta"]["text"] == '{"alt":"logo"}'


async def test_deep_object_arrays_are_indexed(make_client, fault_server) -> None:
    client = make_client(_document(), base_url=fault_server.base_url)
    echo = await call(client.default.search, ids=["a", "b"], filter={"status": "open"})
    assert echo["query"] == [["ids[0]", "a"], ["ids[1]", "b"], ["filter[status]", "open"]]
