"""The documented ``Response`` surface, as filled from a real exchange."""

from __future__ import annotations

import datetime as dt

import pytest

import restwright


def test_response_attributes(api, fault_server):
    response = api.get(
        "/echo/attrs", params={"set_header": ["X-Multi:a", "X-Multi:b"], "status": 201}
    )
    assert isinstance(response, restwright.Response)
    assert response.status_code == 201
    assert response.reason == "Created"
    assert response.is_success
    assert response.headers.get_list("X-Multi") == ["a", "b"]
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["CONTENT-TYPE"] == response.headers["Content-Type"]
    assert isinstance(response.content, bytes)
    assert response.text == response.content.decode("utf-8")
    assert response.json()["path"] == "/echo/attrs"
    assert response.request.method == "GET"
    assert str(response.url).startswith(fault_server.url("/echo/attrs?"))
    assert isinstance(response.elapsed, dt.timedelta)
    assert response.elapsed > dt.timedelta(0)
    assert "1.1" in str(response.http_version)
    assert response.etag is None
    response.raise_for_status()  # a success does not raise


def test_a_header_read_again_answers_each_head_exactly(api):
    """``headers.get`` answers a name from the last line it read for it when a head has
    that very line once (see ``ParsedHeaders.get``): each head of this run must still get
    its own value - another value, another case, the name twice, the first line again."""
    sent = [
        ["X-Kind:a"],
        ["X-Kind:a"],
        ["X-Kind:b"],
        ["X-Kind:B"],
        ["X-KIND:b"],
        ["X-Kind:a", "X-Kind:b"],
        ["X-Kind:a"],
        [],
        ["X-Kind:a"],
    ]
    for lines in sent:
        response = api.get("/echo/kind", params={"set_header": lines})
        got = response.headers.get("x-kind")
        want = ", ".join(line.partition(":")[2] for line in lines) or None
        assert got == want, lines
        assert response.headers.get_list("X-Kind") == [v for v in (want or "").split(", ") if v]


def test_redirect_returned_as_is_does_not_raise(api):
    response = api.post("/redirect/303")
    assert response.status_code == 303
    assert not response.is_success
    response.raise_for_status()  # 3xx is not an error


def test_head_has_no_body(api, fault_server):
    response = api.head("/echo/head")
    assert response.status_code == 200
    assert response.content == b""
    assert fault_server.requests[0].method == "HEAD"


def test_no_content(api):
    response = api.delete("/status/204", params={"style": "empty"})
    assert response.status_code == 204
    assert response.content == b""


def test_options_method(api, fault_server):
    assert api.options("/echo").json()["method"] == "OPTIONS"
    assert fault_server.requests[0].method == "OPTIONS"


def test_single_response_header(api):
    response = api.get("/echo", params={"set_header": "X-Note:plain"})
    assert response.headers["X-Note"] == "plain"


def test_patch_method(api, fault_server):
    assert api.patch("/echo", json={"a": 1}).json()["json"] == {"a": 1}
    assert fault_server.requests[0].method == "PATCH"


def test_gzip_body_is_decoded(api):
    """The engine advertises ``Accept-Encoding: gzip``: it must decode such answers."""
    response = api.get("/echo/zipped", params={"gzip": 1})
    assert response.json()["path"] == "/echo/zipped"


@pytest.mark.parametrize("name", ["close-delimited", "http10", "early-hints"])
def test_unusual_framing(make_client, fault_server, name):
    api = make_client(retry=0)
    response = api.get(f"/raw/{name}")
    assert response.status_code == 200
    assert response.json() == {"raw": True, "framing": "close"}
    assert len(fault_server.requests) == 1
    # and the client goes on with a fresh connection
    assert api.get("/echo/next").json()["path"] == "/echo/next"
