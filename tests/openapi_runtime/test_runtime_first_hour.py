"""What a new user runs into first: names, base_url, auth that does not fit, typos."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from restwright.errors import InvalidRequestError

from ._support import call

PASSWORD = "s3cret"  # the password tests/servers/mattermost_login.py accepts


def _tagged_document() -> dict[str, Any]:
    def op(operation_id: str, path_params: tuple[str, ...] = ()) -> dict[str, Any]:
        return {
            "operationId": operation_id,
            "tags": ["repos"],
            "parameters": [
                {"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
                for p in path_params
            ],
            "responses": {"200": {"description": "the echo"}},
        }

    return {
        "openapi": "3.0.3",
        "info": {"title": "tagged", "version": "1"},
        "servers": [{"url": "http://placeholder.invalid"}],
        "paths": {
            "/repos/{owner}/{repo}": {"get": op("repos/get", ("owner", "repo"))},
            "/orgs/{org}/repos": {"get": op("repos-list-for-org", ("org",))},
            "/repos/{owner}": {"delete": op("ReposDelete", ("owner",))},
            "/import": {"post": op("repos/import")},  # "import" is a keyword: stays long
            "/a": {"get": op("repos/update")},  # two operations want "update": both stay long
            "/b": {"get": op("update")},
        },
    }


async def test_operations_that_repeat_their_tag_drop_it(make_client, fault_server) -> None:
    client = make_client(_tagged_document(), base_url=f"{fault_server.base_url}/echo")
    assert dir(client.repos) == [
        "delete",
        "get",
        "list_for_org",
        "repos_import",
        "repos_update",
        "update",
    ]
    echo = await call(client.repos.get, owner="octo", repo="hello")
    assert echo["path"] == "/echo/repos/octo/hello"
    assert client.repos.get.__name__ == "get"
    assert client.repos.get.__qualname__ == "repos.get"
    # the full operationId, and the long Python name, keep working
    assert (await call(client.call, "repos/get", owner="a", repo="b"))["path"] == "/echo/repos/a/b"
    assert (await call(client.repos.repos_list_for_org, org="x"))["path"] == "/echo/orgs/x/repos"
    assert (await call(client.repos.delete, "o"))["method"] == "DELETE"


async def test_typos_get_suggestions(make_client, fault_server) -> None:
    client = make_client(_tagged_document(), base_url=f"{fault_server.base_url}/echo")
    with pytest.raises(AttributeError, match=r"no operation 'gett'; did you mean 'get'"):
        client.repos.gett  # noqa: B018
    with pytest.raises(AttributeError, match=r"no attribute or tag 'repo'; did you mean 'repos'"):
        client.repo  # noqa: B018
    with pytest.raises(AttributeError, match=r"no operation 'repos/gte'; did you mean 'repos/get'"):
        client.operation("repos/gte")
    with pytest.raises(TypeError, match=r"^get\(\) .* 'ownr'; did you mean 'owner'"):
        await call(client.repos.get, ownr="o", repo="r")
    assert fault_server.requests == []


async def test_base_url_that_already_ends_with_the_api_prefix(
    make_client, mattermost_doc: Path, mattermost_login_url: str
) -> None:
    # Mattermost's server has no path: its operation paths all start with /api/v4.
    for base_url in (mattermost_login_url, f"{mattermost_login_url}/api/v4"):
        mm = make_client(mattermost_doc, base_url=base_url)
        response = await call(
            mm.users.login, body={"login_id": "me", "password": PASSWORD}, return_response=True
        )
        assert response.request.target == "/api/v4/users/login"
        assert response.status_code == 201


def test_a_placeholder_server_asks_for_base_url(mattermost_doc: Path) -> None:
    from restwright import from_openapi

    with pytest.raises(
        InvalidRequestError,
        match=r"placeholder server .*your-mattermost-url.*"
        r"pass base_url=",
    ):
        from_openapi(mattermost_doc)
    document = _tagged_document()
    document["servers"] = [{"url": "https://{tenant}.api.test/v1"}]
    with pytest.raises(InvalidRequestError, match="pass base_url="):
        from_openapi(document)


def test_auth_that_fits_no_declared_scheme_is_refused(mattermost_doc: Path) -> None:
    from restwright import BasicAuth, from_openapi

    with pytest.raises(InvalidRequestError) as info:
        from_openapi(mattermost_doc, base_url="http://127.0.0.1:9", auth=("me", PASSWORD))
    message = str(info.value)
    assert "a (user, password) tuple" in message
    assert "'bearerAuth' (HTTP bearer: a token string)" in message
    assert PASSWORD not in message
    # an Auth object is the explicit way to send it anyway
    from_openapi(mattermost_doc, base_url="http://127.0.0.1:9", auth=BasicAuth("me", "x")).close()


@pytest.mark.parametrize(
    ("url", "placeholder"),
    [
        ("http://your-mattermost-url.com", True),
        ("https://yourdomain.com/api", True),
        ("https://{host}/v1", True),
        ("https://api.example.com", True),
        ("https://api.github.com", False),
        ("http://127.0.0.1:8888/v1", False),
        ("https://yourls.org", False),
    ],
)
def test_placeholder_hosts(url: str, placeholder: bool) -> None:
    from restwright.openapi.servers import is_placeholder_host

    assert is_placeholder_host(url) is placeholder


def _echo_document() -> dict[str, Any]:
    """The fault server's echo, documented as answering ``{"json": <a boolean>}``."""
    answer = {"type": "object", "properties": {"json": {"type": "boolean"}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "echo", "version": "1"},
        "paths": {
            "/echo": {
                "post": {
                    "operationId": "echo",
                    "requestBody": {"content": {"application/json": {"schema": {}}}},
                    "responses": {
                        "200": {
                            "description": "the echo",
                            "content": {"application/json": {"schema": answer}},
                        }
                    },
                }
            }
        },
    }


async def test_drift_is_logged_once_per_operation_status_and_pointer(
    make_client, fault_server, caplog
) -> None:
    client = make_client(_echo_document(), base_url=fault_server.base_url)
    with caplog.at_level("WARNING", logger="restwright.openapi.drift"):
        for body in (1, "one", [1], 2):  # /json drifts with a different type each time
            await call(client.default.echo, body=body)
    logged = [r.getMessage() for r in caplog.records if r.name == "restwright.openapi.drift"]
    assert len(logged) == 1, logged
    assert "/json" in logged[0]
    assert len(client.drift) == 4
    client.drift.clear()
    with caplog.at_level("WARNING", logger="restwright.openapi.drift"):
        await call(client.default.echo, body=3)
    assert len([r for r in caplog.records if r.name == "restwright.openapi.drift"]) == 2


async def test_dry_run_answers_are_not_drift(make_client, caplog) -> None:
    client = make_client(_echo_document(), base_url="http://x.test", dry_run=True)
    with caplog.at_level("WARNING", logger="restwright.openapi.drift"):
        assert await call(client.default.echo, body=1) == {}
    assert len(client.drift) == 0
    assert not [r for r in caplog.records if r.name == "restwright.openapi.drift"]


async def test_with_login_then_calls_with_the_token(
    make_client, mattermost_doc: Path, mattermost_login_url: str
) -> None:
    from restwright.errors import Unauthorized

    mm = make_client(mattermost_doc, base_url=mattermost_login_url)
    login = {"login_id": "ada", "password": PASSWORD}
    logged_in = await call(mm.with_login, mm.users.login, body=login)
    assert (await call(logged_in.users.get_user, user_id="me"))["username"] == "ada"
    with pytest.raises(Unauthorized):  # the first client is left as it was
        await call(mm.users.get_user, user_id="me")
    by_id = await call(mm.with_login, "Login", body={**login, "login_id": "bob"})
    assert (await call(by_id.users.get_user, "me"))["username"] == "bob"
    with pytest.raises(InvalidRequestError, match=r"no token .*'X-Session'"):
        await call(mm.with_login, mm.users.login, body=login, token_header="X-Session")


async def test_paginate_pages_by_number_from_the_document(
    make_client, mattermost_doc: Path, mattermost_login_url: str, client_kind: str
) -> None:
    mm = make_client(mattermost_doc, base_url=mattermost_login_url)
    mm = await call(mm.with_login, mm.users.login, body={"login_id": "a", "password": PASSWORD})
    pages = mm.paginate(mm.users.get_users, per_page=3)  # Mattermost counts pages from 0
    users = list(pages) if client_kind == "sync" else [user async for user in pages]
    assert [u["id"] for u in users] == [f"u{i:03}" for i in range(1, 8)]


def _pages_document(style: str, parameters: list[str], link_header: bool) -> dict[str, Any]:
    """The fault server's ``/pages/{style}`` collection, documented as an API would."""
    response: dict[str, Any] = {
        "description": "a page",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {"data": {"type": "array"}, "next_cursor": {"type": "string"}},
                }
            }
        },
    }
    if link_header:
        response["headers"] = {"Link": {"schema": {"type": "string"}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "pages", "version": "1"},
        "paths": {
            f"/pages/{style}": {
                "get": {
                    "operationId": "list_items",
                    "parameters": [
                        {"name": n, "in": "query", "schema": {"type": "string"}} for n in parameters
                    ],
                    "responses": {"200": response},
                }
            }
        },
    }


@pytest.mark.parametrize(
    ("style", "parameters", "link_header"),
    [("link", ["size"], True), ("cursor", ["cursor", "size"], False)],
)
async def test_paginate_follows_links_and_cursors(
    make_client, fault_server, client_kind: str, style: str, parameters: list[str], link_header
) -> None:
    from tests.servers.fault_server import TOTAL_ITEMS

    document = _pages_document(style, parameters, link_header)
    client = make_client(document, base_url=fault_server.base_url)
    pages = client.paginate("list_items", size="4")
    items = list(pages) if client_kind == "sync" else [i async for i in pages]
    assert [item["id"] for item in items] == list(range(TOTAL_ITEMS))
    assert len(fault_server.requests) == -(-TOTAL_ITEMS // 4)


async def test_with_options_changes_headers_and_shares_the_drift_log(
    make_client, fault_server
) -> None:
    client = make_client(_echo_document(), base_url=fault_server.base_url)
    tagged = client.with_options(headers={"X-Team": "blue"}, timeout=5.0)
    echo = await call(tagged.default.echo, body=True)
    assert ["X-Team", "blue"] in echo["headers"]
    await call(tagged.default.echo, body=1)  # drifts: recorded where both clients see it
    assert len(client.drift) == 1 and tagged.drift is client.drift
    plain = await call(client.default.echo, body=True)
    assert ["X-Team", "blue"] not in plain["headers"]


def _login_document(closed: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "object",
        "properties": {"login_id": {"type": "string"}, "password": {"type": "string"}},
    }
    if closed:
        body["additionalProperties"] = False
    return {
        "openapi": "3.0.3",
        "info": {"title": "login", "version": "1"},
        "paths": {
            "/echo/login": {
                "post": {
                    "operationId": "login",
                    "requestBody": {"content": {"application/json": {"schema": body}}},
                    "responses": {"200": {"description": "the echo"}},
                }
            }
        },
    }


async def test_a_misspelled_body_key_names_the_documented_one(make_client, fault_server) -> None:
    from restwright.errors import SpecWarning, ValidationError

    closed = make_client(_login_document(True), base_url=fault_server.base_url)
    with pytest.raises(ValidationError, match=r"no property 'pasword'; did you mean 'password'"):
        await call(closed.default.login, body={"login_id": "me", "pasword": "x"})
    assert fault_server.requests == []
    open_ = make_client(_login_document(False), base_url=fault_server.base_url)
    with pytest.warns(SpecWarning, match=r"no documented property 'pasword'; did you mean"):
        echo = await call(open_.default.login, body={"login_id": "me", "pasword": "x"})
    assert echo["json"] == {"login_id": "me", "pasword": "x"}  # sent as given
    echo = await call(open_.default.login, body={"login_id": "me", "extra": 1})  # no near key
    assert echo["json"]["extra"] == 1
