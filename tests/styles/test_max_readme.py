"""Every example of maxclient's README, against a MAX look-alike: the exact request each one
sends (method, path, query, headers, body) and what it returns; sync and async."""

from __future__ import annotations

import hashlib
import io
import json
from typing import Any

import pytest
from tests.servers.styles_server import MAX_TOKEN, StyleServer

import restwright
from restwright.max import RequestError

ACTOR = "carles.bruguera"


@pytest.fixture
def client(max_client: Any) -> Any:
    client = max_client(oauth_server="http://127.0.0.1:9")  # never used: token set directly
    client.setActor(ACTOR)
    client.setToken(MAX_TOKEN)
    return client


def only(server: StyleServer) -> Any:
    (seen,) = server.seen
    return seen


ENGINE_HEADERS = {
    "User-Agent": f"restwright/{restwright.__version__}",
    "Accept": "application/json",
    "Accept-Encoding": "gzip, deflate",
}


def assert_max_headers(seen: Any, *, json_body: bool) -> None:
    """Exactly the headers a MAX call sends (Host aside), in order."""
    body_headers = (
        {"Content-Type": "application/json", "Content-Length": str(len(seen.body))}
        if json_body
        else {}
    )
    expected = {
        **ENGINE_HEADERS,
        **body_headers,
        "X-Oauth-Token": MAX_TOKEN,
        "X-Oauth-Username": ACTOR,
        "X-Oauth-Scope": "widgetcli",
    }
    assert [(k, v) for k, v in seen.headers if k != "Host"] == list(expected.items())
    if not json_body:
        assert seen.body == b""


def test_set_actor_and_token_send_max_headers(client: Any, drive: Any, max_server: Any) -> None:
    assert client.actor == ACTOR and client.getActor() == ACTOR
    assert client.token == MAX_TOKEN
    assert drive(client.people[ACTOR].activities.get()) == []
    seen = only(max_server)
    assert (seen.method, seen.path, seen.query) == ("GET", f"/people/{ACTOR}/activities", [])
    assert_max_headers(seen, json_body=False)
    assert MAX_TOKEN not in repr(client) and MAX_TOKEN not in repr(client.client)


def test_rpc_add_user_and_get_user(client: Any, drive: Any, max_server: Any) -> None:
    assert drive(client.addUser("ana")) == (True, 201, {})
    assert drive(client.getUser("ana")) == (True, 200, {})
    post, get = max_server.seen
    assert (post.method, post.path, post.body) == ("POST", "/people/ana", b"{}")
    assert_max_headers(post, json_body=True)
    assert (get.method, get.path) == ("GET", "/people/ana")
    assert_max_headers(get, json_body=False)


def test_rpc_add_user_keeps_display_name_only(client: Any, drive: Any, max_server: Any) -> None:
    result = drive(client.addUser("ana", displayName="Ana", password="no"))
    assert result == (True, 201, {"displayName": "Ana"})
    assert only(max_server).json == {"displayName": "Ana"}


def test_rpc_failure_is_a_tuple_not_an_exception(client: Any, drive: Any) -> None:
    ok, status, content = drive(client.getUser("nobody"))
    assert (ok, status) == (False, 404)
    assert content == {"error": "ObjectNotFound", "error_description": "/people/nobody not found"}
    assert client.last_response_code == 404


def test_post_without_fields_sends_an_empty_object(
    client: Any, drive: Any, max_server: Any
) -> None:
    assert drive(client.people["ana"].post()) == {}
    seen = only(max_server)
    assert (seen.method, seen.path, seen.body) == ("POST", "/people/ana", b"{}")
    assert_max_headers(seen, json_body=True)


def test_fields_become_the_json_body(client: Any, drive: Any, max_server: Any) -> None:
    assert drive(client.people["ana"].post(displayName="User Name")) == {"displayName": "User Name"}
    assert only(max_server).body == b'{"displayName":"User Name"}'


def test_data_gives_the_same_body(client: Any, drive: Any, max_server: Any) -> None:
    params = dict(displayName="User Name")
    drive(client.people["ana"].post(data=params))
    assert only(max_server).body == b'{"displayName":"User Name"}'


def test_defaults_are_shown_and_merged(client: Any, drive: Any, max_server: Any) -> None:
    activities = client.people[ACTOR].activities
    assert activities.defaults("post") == {"object": {"objectType": "note"}}
    assert client.people[ACTOR].defaults("post") == {}
    activities.defaults("post")["object"]["objectType"] = "changed"  # a copy
    drive(activities.post(generator="Twitter"))
    assert only(max_server).json == {"object": {"objectType": "note"}, "generator": "Twitter"}


def test_key_subkey_fields_nest(client: Any, drive: Any, max_server: Any) -> None:
    drive(client.people[ACTOR].activities.post(generator="Twitter", object_content="Hello world"))
    seen = only(max_server)
    assert (seen.method, seen.path) == ("POST", f"/people/{ACTOR}/activities")
    assert seen.json == {
        "object": {"objectType": "note", "content": "Hello world"},
        "generator": "Twitter",
    }
    assert_max_headers(seen, json_body=True)


def test_qs_is_the_query_string(client: Any, drive: Any, max_server: Any) -> None:
    max_server.store[f"/people/{ACTOR}/activities/1"] = {"id": 1}
    max_server.store[f"/people/{ACTOR}/activities/2"] = {"id": 2}
    result = drive(client.people[ACTOR].activities.get(qs={"limit": 1}))
    assert result == [{"id": 1}]
    seen = only(max_server)
    assert (seen.method, seen.path, seen.query) == (
        "GET",
        f"/people/{ACTOR}/activities",
        [("limit", "1")],
    )


def test_file_upload_sends_multipart(client: Any, drive: Any, max_server: Any) -> None:
    avatar = io.BytesIO(b"\x89PNG fake image")
    avatar.name = "/path/to/avatar.png"
    assert drive(client.people[ACTOR].avatar.post(file_upload=avatar)) == "Uploaded"
    seen = only(max_server)
    assert (seen.method, seen.path) == ("POST", f"/people/{ACTOR}/avatar")
    assert seen.header("Content-Type").startswith("multipart/form-data; boundary=")
    (part,) = seen.parts
    assert (part["name"], part["filename"], part["size"]) == ("file", "avatar.png", 15)


def test_file_upload_carries_fields_as_json_data(client: Any, drive: Any, max_server: Any) -> None:
    image = io.BytesIO(b"GIF89a")
    drive(client.contexts["http://ctx"].avatar.post(file_upload=image, displayName="Ctx"))
    parts = {p["name"]: p for p in only(max_server).parts}
    assert json.loads(parts["json_data"]["text"]) == {"displayName": "Ctx"}
    assert parts["file"]["size"] == 6


def test_errors_raise_request_error_with_the_status(client: Any, drive: Any) -> None:
    with pytest.raises(RequestError) as caught:
        drive(client.people["nobody"].get())
    exc = caught.value
    assert isinstance(exc, restwright.errors.NotFound)
    assert exc.status_code == 404
    assert exc.body == {"error": "ObjectNotFound", "error_description": "/people/nobody not found"}
    assert client.last_response.status_code == 404
    assert MAX_TOKEN not in str(exc) and MAX_TOKEN not in repr(exc.request.headers)


def test_head_returns_the_total_items(client: Any, drive: Any, max_server: Any) -> None:
    for i in range(3):
        max_server.store[f"/people/{ACTOR}/activities/{i}"] = {"id": i}
    assert drive(client.people[ACTOR].activities.head()) == 3
    assert only(max_server).method == "HEAD"


def test_me_and_context_hash_adapters(client: Any, drive: Any, max_server: Any) -> None:
    drive(client.people[":me"].subscriptions.post(object_url="http://ctx"))
    drive(client.contexts["http://ctx"].get(rpc=True))
    post, get = max_server.seen
    assert post.path == f"/people/{ACTOR}/subscriptions"
    assert post.json == {"object": {"objectType": "context", "url": "http://ctx"}}
    assert get.path == "/contexts/" + hashlib.sha1(b"http://ctx").hexdigest()
    already = "0" * 40  # a value that is a hash already is kept
    drive(client.contexts[already].get(rpc=True))
    assert max_server.seen[-1].path == f"/contexts/{already}"


def test_token_or_actor_with_cr_lf_is_refused(client: Any, max_server: Any) -> None:
    with pytest.raises(restwright.InvalidRequestError, match="CR, LF"):
        client.setToken("abc\r\nX-Admin: yes")
    with pytest.raises(restwright.InvalidRequestError, match="CR, LF"):
        client.actor = "bob\nX-Admin: yes"
    assert (client.token, client.actor) == (MAX_TOKEN, ACTOR)
    assert max_server.seen == []


def test_underscore_expansion_can_be_turned_off_or_bypassed(
    max_client: Any, drive: Any, max_server: Any
) -> None:
    flat = max_client(actor=ACTOR, expand_underscores=False)
    flat.token = MAX_TOKEN
    drive(flat.people[ACTOR].activities.post(object_content="x", **{"a.b": 1}))
    declared = max_client(actor=ACTOR, literal_keys=["display_name"])
    declared.token = MAX_TOKEN
    drive(declared.people[ACTOR].activities.post(display_name="D", object_content="y"))
    first, second = max_server.seen
    assert first.json == {"object": {"objectType": "note"}, "object_content": "x", "a.b": 1}
    assert second.json == {"object": {"objectType": "note", "content": "y"}, "display_name": "D"}


def test_closing_closes_the_connections(max_client: Any, drive: Any, max_server: Any) -> None:
    client = max_client(actor=ACTOR)
    client.token = MAX_TOKEN
    drive(client.people[ACTOR].activities.get())
    drive(client.people[ACTOR].activities.get())
    drive(client.aclose()) if hasattr(client, "aclose") else client.close()
    drive(client.people[ACTOR].activities.get())
    first, second, third = (seen.peer_port for seen in max_server.seen)
    assert first == second  # one kept-alive connection ...
    assert third != first  # ... closed by close()


def test_dir_shows_max_collections_not_resource_methods(client: Any) -> None:
    names = dir(client)
    assert {"people", "contexts", "activities", "addUser", "login"} <= set(names)
    assert "get" not in names and "at" not in names
