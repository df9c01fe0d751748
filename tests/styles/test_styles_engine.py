"""The styles are engine features: auth, retries, dry run and curl, hooks, redaction, logging
and async work through ``Resource`` and ``Service`` as through the engine; plus the
navigation rules (route maps, OpenAPI maps, body rules, hostile item names)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from tests.servers.styles_server import CIX_TOKEN, MAX_TOKEN, StyleServer

import restwright
from restwright.errors import ServerError, UnknownRouteError
from restwright.max import MAX_ROUTES


def max_auth(request: restwright.Request) -> None:
    request.headers["X-Oauth-Token"] = MAX_TOKEN
    request.headers["X-Oauth-Username"] = "ana"


@pytest.fixture
def api(engine_client: Any, max_server: StyleServer) -> Any:
    """Free navigation (``client.resources``) on the MAX look-alike, with a custom auth."""
    client = engine_client(max_server.base_url, auth=max_auth, retry=0)
    return client.resources


# -- navigation and bodies ----------------------------------------------------------------


def test_nothing_is_sent_until_a_method_is_called(api: Any, max_server: StyleServer) -> None:
    place = api.people["bob"].activities
    assert repr(place) == "<Resource /people/{}/activities at '/people/bob/activities'>"
    assert place.path == "/people/bob/activities"
    assert max_server.seen == []
    with pytest.raises(TypeError, match="not iterable"):
        list(place)


@pytest.mark.parametrize(
    ("item", "encoded"),
    [
        ("../admin", "..%2Fadmin"),
        ("..", "%2E%2E"),
        (".", "%2E"),
        ("a/b", "a%2Fb"),
        ("x?y=1#z", "x%3Fy%3D1%23z"),
        ("é ü", "%C3%A9%20%C3%BC"),
        ("%2F", "%252F"),
        ("{username}", "%7Busername%7D"),
        (42, "42"),
    ],
)
def test_hostile_items_are_one_segment(
    api: Any, drive: Any, max_server: StyleServer, item: Any, encoded: str
) -> None:
    drive(api.people[item].post(displayName="x"))
    assert max_server.seen[0].path == f"/people/{encoded}"


def test_empty_item_is_refused(api: Any, max_server: StyleServer) -> None:
    with pytest.raises(restwright.InvalidRequestError):
        api.people[""]
    assert max_server.seen == []


def test_collection_names_are_encoded_too(api: Any, drive: Any, max_server: StyleServer) -> None:
    drive(api.at("a b").at("../x").post())
    assert max_server.seen[0].path == "/a%20b/..%2Fx"


def test_body_rules(api: Any, drive: Any, max_server: StyleServer) -> None:
    drive(api.things["t"].put(a_b=1, **{"a.c": 2, "_id": 3, "x__y": 4}, plain=True))
    assert max_server.seen[0].json == {"a": {"b": 1, "c": 2}, "_id": 3, "x__y": 4, "plain": True}
    drive(api.things["t"].patch(data=[1, 2]))
    assert max_server.seen[1].body == b"[1,2]"
    assert max_server.seen[1].method == "PATCH"
    drive(api.things["t"].put(data=None, a=1))  # data=None is "not given", as in maxclient
    assert max_server.seen[2].body == b'{"a":1}'


def test_expansion_can_be_turned_off_or_bypassed(
    engine_client: Any, drive: Any, max_server: StyleServer
) -> None:
    client = engine_client(max_server.base_url, auth=max_auth)
    flat = restwright.Resource(client, expand_keys=False)
    drive(flat.things["t"].put(display_name="x", **{"a.b": 1}))
    literal = restwright.Resource(client, literal_keys=["display_name"])
    drive(literal.things["t"].put(display_name="x", object_content="y"))
    first, second = max_server.seen
    assert first.json == {"display_name": "x", "a.b": 1}
    assert second.json == {"display_name": "x", "object": {"content": "y"}}


def test_mistakes_raise_before_sending(api: Any, max_server: StyleServer) -> None:
    with pytest.raises(restwright.InvalidRequestError, match="takes no body"):
        api.people["bob"].get(limit=1)
    with pytest.raises(restwright.InvalidRequestError, match="whole body"):
        api.people["bob"].post(data={"a": 1}, b=2)
    assert max_server.seen == []


def test_header_injection_is_refused(api: Any, drive: Any, max_server: StyleServer) -> None:
    with pytest.raises(restwright.InvalidRequestError, match="CR, LF"):
        drive(api.people["bob"].get(headers={"X-A": "1\r\nX-B: 2"}))
    assert max_server.seen == []


def test_delete_sends_a_body_only_when_there_is_one(
    api: Any, drive: Any, max_server: StyleServer
) -> None:
    max_server.store["/people/a"] = max_server.store["/people/b"] = {}
    drive(api.people["a"].delete())
    drive(api.people["b"].delete(reason="spam"))
    plain, with_body = max_server.seen
    assert (plain.body, plain.header("content-type")) == (b"", None)
    assert with_body.json == {"reason": "spam"}


def test_rpc_results(api: Any, drive: Any) -> None:
    assert drive(api.people["x"].post(rpc=True)) == (True, 201, {})
    ok, status, content = drive(api.people["nobody"].get(rpc=True))
    assert (ok, status, content["error"]) == (False, 404, "ObjectNotFound")
    rpc_api = restwright.Resource(api._nav.client, rpc=True)
    assert drive(rpc_api.people["x"].get()) == (True, 200, {})


def test_rpc_does_not_hide_transport_errors(
    engine_client: Any, drive: Any, closed_port: int
) -> None:
    client = engine_client(f"http://127.0.0.1:{closed_port}", retry=0)
    with pytest.raises(restwright.ConnectError):
        drive(restwright.Resource(client, rpc=True).people["x"].get())


# -- route maps ---------------------------------------------------------------------------


def test_route_map_checks_each_step(engine_client: Any, max_server: StyleServer) -> None:
    checked = restwright.Resource(engine_client(max_server.base_url), routes=MAX_ROUTES)
    with pytest.raises(UnknownRouteError) as caught:
        _ = checked.people["bob"].activites
    assert caught.value.route == "/people/{username}/activites"
    assert caught.value.suggestions[0] == "/people/{username}/activities"
    assert "/people/{username}/activities" in str(caught.value)
    assert getattr(checked.people["bob"], "nope", None) is None  # an AttributeError too
    with pytest.raises(UnknownRouteError, match="no item under"):
        checked.contexts.public["x"]
    with pytest.raises(UnknownRouteError, match="no route ends at"):
        checked.admin.get()
    with pytest.raises(UnknownRouteError, match="no route named"):
        checked.route("usr")
    assert max_server.seen == []


def test_dir_lists_the_known_collections(engine_client: Any, max_server: StyleServer) -> None:
    checked = restwright.Resource(engine_client(max_server.base_url), routes=MAX_ROUTES)
    assert {"activities", "avatar", "timeline", "get", "post"} <= set(dir(checked.people["x"]))
    assert "people" not in dir(checked.people["x"])
    assert checked.contexts["c"].collections == [
        "activities",
        "avatar",
        "comments",
        "permissions",
        "subscriptions",
        "tags",
        "tokens",
    ]
    assert restwright.Resource(engine_client(max_server.base_url)).people.collections == []


def test_route_by_name(engine_client: Any, drive: Any, max_server: StyleServer) -> None:
    client = engine_client(max_server.base_url, auth=max_auth)
    checked = restwright.Resource(client, routes=MAX_ROUTES)
    place = checked.people["x"].route("like", activity="a1", username="bob")  # from the root
    assert (place.template, place.path) == (
        "/activities/{activity}/likes/{username}",
        "/activities/a1/likes/bob",
    )
    with pytest.raises(restwright.InvalidRequestError, match="needs a value"):
        checked.route("like", activity="a1")


def test_route_map_from_templates_with_defaults(
    engine_client: Any, drive: Any, max_server: StyleServer
) -> None:
    routes = restwright.RouteMap(
        [
            "/people/{username}",
            restwright.Route("/people/{username}/notes", "notes", {"post": {"kind": {"a": 1}}}),
        ]
    )
    checked = restwright.Resource(engine_client(max_server.base_url, auth=max_auth), routes=routes)
    drive(checked.people["bob"].notes.post(kind_b=2))
    assert max_server.seen[0].json == {"kind": {"a": 1, "b": 2}}
    assert checked.route("notes", username="x").defaults("post") == {"kind": {"a": 1}}


def _path_parameter(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "people", "version": "1"},
    "paths": {
        "/people/{username}": {
            "parameters": [_path_parameter("username")],
            "get": {"operationId": "getPerson", "responses": {"200": {"description": "ok"}}},
            "delete": {"operationId": "dropPerson", "responses": {"204": {"description": "ok"}}},
        },
        "/people/{name}/activities": {
            "parameters": [_path_parameter("name")],
            "post": {"operationId": "addActivity", "responses": {"201": {"description": "ok"}}},
        },
    },
}


def test_route_map_from_an_openapi_description(
    engine_client: Any, drive: Any, max_server: StyleServer
) -> None:
    pytest.importorskip("yaml")
    from restwright.openapi import load

    api = load(SPEC)
    checked = restwright.Resource(engine_client(max_server.base_url, auth=max_auth), routes=api)
    assert drive(checked.people["bob"].activities.post(text="hi")) == {"text": "hi"}
    assert max_server.seen[0].path == "/people/bob/activities"
    with pytest.raises(UnknownRouteError, match="PUT is not a method of"):
        checked.people["bob"].put()
    with pytest.raises(UnknownRouteError) as caught:
        _ = checked.people["bob"].activity
    assert caught.value.suggestions[0] == "/people/{name}/activities"


# -- engine features through the styles ---------------------------------------------------


def test_retries_apply_to_idempotent_calls_only(
    engine_client: Any, drive: Any, max_server: StyleServer
) -> None:
    client = engine_client(max_server.base_url, auth=max_auth, retry=restwright.Retry(2, backoff=0))
    max_server.fail_next(1, 503)
    assert drive(client.resources.people["bob"].put(a=1)) == {"a": 1}
    assert [s.method for s in max_server.seen] == ["PUT", "PUT"]
    max_server.fail_next(1, 503)
    with pytest.raises(ServerError):
        drive(client.resources.people["bob"].activities.post(a=1))
    assert [s.method for s in max_server.seen] == ["PUT", "PUT", "POST"]


def test_service_retries_and_idempotency_key(
    engine_client: Any, drive: Any, cix_server: StyleServer
) -> None:
    client = engine_client(cix_server.base_url, retry=restwright.Retry(2, backoff=0))
    service = restwright.Service(client, "/App/v1/Thing/")
    cix_server.fail_next(1, 503, {"Retry-After": "0"})
    response = drive(service.create(CIX_TOKEN, {"a": 1}, idempotency_key="k-1"))
    assert response.status_code == 201
    assert [s.header("Idempotency-Key") for s in cix_server.seen] == ["k-1", "k-1"]


def test_dry_run_and_curl_keep_secrets(engine_client: Any, drive: Any, max_server: Any) -> None:
    sent: list[restwright.Request] = []
    client = engine_client(
        max_server.base_url, auth=max_auth, dry_run=True, hooks={"request": sent.append}
    )
    assert drive(client.resources.people["bob"].activities.post(object_content="x")) == {}
    service = restwright.Service(client, "/App/v1/Thing/")
    assert drive(service.read(1, token=CIX_TOKEN)).status_code == 200
    assert max_server.seen == []
    first, second = (r.to_curl() for r in sent)
    assert "-X POST" in first and "/people/bob/activities" in first
    assert """{"object":{"content":"x"}}""" in first
    assert CIX_TOKEN not in second and "X-Auth-Token: [REDACTED]" in second


def test_hooks_and_logs_see_redacted_requests(
    engine_client: Any, drive: Any, cix_server: StyleServer, caplog: Any
) -> None:
    seen: list[restwright.Response] = []
    client = engine_client(cix_server.base_url, hooks={"response": seen.append})
    service = restwright.Service(client, "/App/v1/Thing/", raise_errors=True)
    with caplog.at_level(logging.DEBUG, logger="restwright"):
        drive(service.list(token=CIX_TOKEN))
        with pytest.raises(restwright.errors.Unauthorized) as caught:
            drive(service.list(token="bad-token-value"))
    assert [r.status_code for r in seen] == [200, 401]
    assert CIX_TOKEN not in caplog.text and "bad-token-value" not in caplog.text
    assert "bad-token-value" not in str(caught.value) + repr(caught.value.request.headers)


def test_a_url_as_pk_stays_on_the_api(
    engine_client: Any, drive: Any, cix_server: StyleServer, max_server: StyleServer
) -> None:
    client = engine_client(cix_server.base_url)
    service = restwright.Service(client, "/App/v1/Thing/")
    with pytest.raises(restwright.NotFound):
        drive(service.read(max_server.base_url + "/x", token=CIX_TOKEN))
    assert cix_server.seen[0].path.startswith("/App/v1/Thing/http%3A%2F%2F127.0.0.1")
    assert max_server.seen == []


def test_service_from_a_base_url() -> None:
    with restwright.Service("http://127.0.0.1:9/api", "/Thing/", dry_run=True) as service:
        response = service.update(3, data={"a": 1})
        assert response.request.url == "http://127.0.0.1:9/api/Thing/3/"
        assert response.request.method == "PUT"
    no_slash = restwright.Service(service.client, "/things")
    assert no_slash.read("a b").request.url == "http://127.0.0.1:9/api/things/a%20b"


MATTERMOST = (
    Path(__file__).resolve().parents[2].parent / "shared" / "specs" / "mattermost-openapi-v4.yaml"
)


def test_route_map_from_a_real_description(
    engine_client: Any, drive: Any, max_server: StyleServer
) -> None:
    """Mattermost's 400+ paths as a route map: checked steps, methods and close matches."""
    if not MATTERMOST.is_file():
        pytest.skip(f"the Mattermost description is absent ({MATTERMOST})")
    from restwright.openapi import load

    routes = restwright.RouteMap.from_openapi(load(MATTERMOST))
    assert len(routes) > 300
    api = restwright.Resource(engine_client(max_server.base_url, auth=max_auth), routes=routes)
    place = api.api.v4.users["a/b"].teams
    assert (place.template, place.path) == (
        "/api/v4/users/{user_id}/teams",
        "/api/v4/users/a%2Fb/teams",
    )
    drive(place.get(rpc=True))
    assert max_server.seen[0].path == "/api/v4/users/a%2Fb/teams"
    with pytest.raises(UnknownRouteError) as caught:
        _ = api.api.v4.users["x"].teem
    assert "/api/v4/users/{user_id}/teams" in caught.value.suggestions
    with pytest.raises(UnknownRouteError, match="DELETE is not a method of"):
        api.api.v4.users["x"].teams.delete()
