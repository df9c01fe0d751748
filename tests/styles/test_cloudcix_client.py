"""Every method of cloudcix's ``Client`` (the seed's reference), against a CloudCIX
look-alike: exact method, path, query, headers and body; results are Responses; sync and
async; settings from the environment and from a settings module."""

from __future__ import annotations

import datetime
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.servers.styles_server import CIX_TOKEN, StyleServer

import restwright
from restwright.cloudcix import Client, load_settings, service_location


@pytest.fixture
def address(cix_client: Any) -> Any:
    return cix_client("Membership", "Address/")


def only(server: StyleServer) -> Any:
    (seen,) = server.seen
    return seen


def assert_cix_headers(seen: Any, *, json_body: bool) -> None:
    """Exactly the headers a CloudCIX call sends (Host aside), in order."""
    expected = {
        "User-Agent": f"restwright/{restwright.__version__}",
        "Accept": "application/json",
        "Accept-Encoding": "gzip, deflate",
    }
    if json_body:
        expected.update({"Content-Type": "application/json", "Content-Length": str(len(seen.body))})
    elif seen.method in ("POST", "PUT", "PATCH"):
        expected["Content-Length"] = "0"
    expected["X-Auth-Token"] = CIX_TOKEN
    assert [(k, v) for k, v in seen.headers if k != "Host"] == list(expected.items())
    if not json_body:
        assert seen.body == b""


def test_create(address: Any, drive: Any, cix_server: StyleServer) -> None:
    response = drive(address.create(token=CIX_TOKEN, data={"name": "CIX"}, params={"x": 1}))
    assert isinstance(response, restwright.Response)
    assert response.status_code == 201
    assert response.json() == {"content": {"name": "CIX", "id": 103}}
    seen = only(cix_server)
    assert (seen.method, seen.path, seen.query) == ("POST", "/Membership/v1/Address/", [("x", "1")])
    assert seen.body == b'{"name":"CIX"}'
    assert_cix_headers(seen, json_body=True)


def test_read(address: Any, drive: Any, cix_server: StyleServer) -> None:
    response = drive(address.read(2, token=CIX_TOKEN))
    assert response.json() == {"content": {"id": 2, "name": "item-2"}}
    seen = only(cix_server)
    assert (seen.method, seen.path, seen.query) == ("GET", "/Membership/v1/Address/2/", [])
    assert_cix_headers(seen, json_body=False)


@pytest.mark.parametrize(
    ("verb", "method", "pk", "stored"),
    [
        ("update", "PUT", 2, {"id": "2", "city": "Cork"}),  # PUT replaces
        ("partial_update", "PATCH", 3, {"id": 3, "name": "item-3", "city": "Cork"}),
    ],
)
def test_update_is_put_and_partial_update_is_patch(
    address: Any, drive: Any, cix_server: StyleServer, verb: str, method: str, pk: int, stored: Any
) -> None:
    response = drive(getattr(address, verb)(pk, token=CIX_TOKEN, data={"city": "Cork"}))
    assert response.json() == {"content": stored}
    seen = only(cix_server)
    assert (seen.method, seen.path, seen.body) == (
        method,
        f"/Membership/v1/Address/{pk}/",
        b'{"city":"Cork"}',
    )
    assert_cix_headers(seen, json_body=True)


def test_delete(address: Any, drive: Any, cix_server: StyleServer) -> None:
    response = drive(address.delete(1, token=CIX_TOKEN))
    assert response.status_code == 204
    seen = only(cix_server)
    assert (seen.method, seen.path, seen.body) == ("DELETE", "/Membership/v1/Address/1/", b"")
    assert_cix_headers(seen, json_body=False)


def test_list_with_filter_params(address: Any, drive: Any, cix_server: StyleServer) -> None:
    params = {"search[name__icontains]": "cix", "order": "name", "active": True}
    response = drive(address.list(token=CIX_TOKEN, params=params))
    body = response.json()
    assert body["_metadata"] == {"total_records": 7, "page": 0, "limit": 50}
    assert len(body["content"]) == 7
    seen = only(cix_server)
    assert (seen.method, seen.path) == ("GET", "/Membership/v1/Address/")
    assert seen.query == [("search[name__icontains]", "cix"), ("order", "name"), ("active", "true")]
    assert_cix_headers(seen, json_body=False)


def test_head_with_and_without_pk(address: Any, drive: Any, cix_server: StyleServer) -> None:
    assert drive(address.head(token=CIX_TOKEN)).status_code == 200
    assert drive(address.head(token=CIX_TOKEN, pk=2)).status_code == 200
    assert drive(address.head(CIX_TOKEN, 99)).status_code == 404
    for seen in cix_server.seen:
        assert_cix_headers(seen, json_body=False)
    paths = [(s.method, s.path) for s in cix_server.seen]
    assert paths == [
        ("HEAD", "/Membership/v1/Address/"),
        ("HEAD", "/Membership/v1/Address/2/"),
        ("HEAD", "/Membership/v1/Address/99/"),
    ]


@pytest.mark.parametrize("total", [0, 7, 100, 200, 250])
def test_get_all_walks_every_page(
    address: Any, drive: Any, cix_server: StyleServer, total: int
) -> None:
    cix_server.cix_total = total
    items = drive(address.get_all(token=CIX_TOKEN, params={"order": "id"}))
    assert items == [{"id": i, "name": f"record-{i}"} for i in range(total)]
    pages = max(1, -(-total // 100))  # no request for the empty page after the last one
    assert [s.query for s in cix_server.seen] == [
        [("order", "id"), ("page", str(page)), ("limit", "100")] for page in range(pages)
    ]
    for seen in cix_server.seen:
        assert_cix_headers(seen, json_body=False)


def test_url_ids_fill_other_placeholders(
    cix_client: Any, drive: Any, cix_server: StyleServer
) -> None:
    link = cix_client("Membership", "Address/{address_id}/Link/")
    drive(link.read(5, token=CIX_TOKEN, address_id=12))
    drive(link.create(token=CIX_TOKEN, address_id="a/b", data={}))
    drive(link.get_all(token=CIX_TOKEN, address_id=12))
    assert [s.path for s in cix_server.seen] == [
        "/Membership/v1/Address/12/Link/5/",
        "/Membership/v1/Address/a%2Fb/Link/",
        "/Membership/v1/Address/12/Link/",
    ]


@pytest.mark.parametrize("pk", ["../admin", "a/b", "..", "x?y#z", "é ü"])
def test_hostile_pk_stays_one_segment(
    address: Any, drive: Any, cix_server: StyleServer, pk: str
) -> None:
    cix_server.cix_items[pk] = {"id": pk}
    response = drive(address.read(pk, token=CIX_TOKEN))
    assert response.json() == {"content": {"id": pk}}
    (seen,) = cix_server.seen
    prefix = "/Membership/v1/Address/"
    assert seen.path.startswith(prefix) and seen.path.endswith("/")
    assert "/" not in seen.path[len(prefix) : -1]


def test_errors_are_returned_as_responses(address: Any, drive: Any) -> None:
    response = drive(address.read(99, token=CIX_TOKEN))
    assert response.status_code == 404
    assert response.json() == {"error_code": "not_found", "detail": "No object 99"}
    unauthorized = drive(address.list(token="wrong-token"))
    assert unauthorized.status_code == 401
    assert "wrong-token" not in unauthorized.request.to_curl()


def test_get_all_raises_when_a_page_fails(address: Any, drive: Any) -> None:
    with pytest.raises(restwright.errors.Unauthorized):
        drive(address.get_all(token="wrong-token"))


# -- settings ----------------------------------------------------------------------------


def test_settings_from_the_environment() -> None:
    settings = load_settings({"CLOUDCIX_API_URL": "https://api.example/", "OTHER": "x"})
    assert settings.api_url == "https://api.example/"
    assert settings.api_version == 1
    assert service_location(settings, "Membership", "Address/") == (
        "https://api.example",
        "/Membership/v1/Address/",
    )


def test_settings_module_then_environment(tmp_path: Path, monkeypatch: Any) -> None:
    (tmp_path / "cix_test_settings.py").write_text(
        "CLOUDCIX_API_URL = 'https://module.example/'\n"
        "CLOUDCIX_API_VERSION = 2\n"
        "CLOUDCIX_API_V2_URL = 'https://api.cloudcix.example/'\n"
        "CLOUDCIX_API_USERNAME = 'me@example'\n"
        "lowercase = 'ignored'\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    env = {"CLOUDCIX_SETTINGS_MODULE": "cix_test_settings"}
    settings = load_settings(env)
    assert (settings.api_url, settings.api_version) == ("https://module.example/", 2)
    assert settings.values["CLOUDCIX_API_USERNAME"] == "me@example"
    assert "lowercase" not in settings.values
    assert service_location(settings, "Membership", "Address/{address_id}/Link/") == (
        "https://membership.api.cloudcix.example",
        "/address/{address_id}/link/",
    )
    overridden = load_settings({**env, "CLOUDCIX_API_VERSION": "1"})
    assert overridden.api_version == 1
    sys.modules.pop("cix_test_settings", None)


def test_missing_settings_raise_a_clear_error() -> None:
    with pytest.raises(restwright.InvalidRequestError, match="CLOUDCIX_API_URL"):
        load_settings({})


def test_version_2_url_in_a_dry_run(monkeypatch: Any) -> None:
    monkeypatch.setenv("CLOUDCIX_API_URL", "https://api.cloudcix.example/")
    monkeypatch.setenv("CLOUDCIX_API_VERSION", "2")
    sent: list[restwright.Request] = []
    with Client("Membership", "Address/", dry_run=True, hooks={"request": sent.append}) as client:
        assert client.read(7, token=CIX_TOKEN).status_code == 200
    assert sent[0].url == "https://membership.api.cloudcix.example/address/7/"
    assert CIX_TOKEN not in sent[0].to_curl()
    assert "X-Auth-Token: [REDACTED]" in sent[0].to_curl()


def test_params_are_written_as_cloudcix_writes_them(
    address: Any, drive: Any, cix_server: StyleServer
) -> None:
    params = {
        "search[id__in]": [1, 2, 3],
        "search[created__gte]": datetime.datetime(2026, 1, 2, 3, 4, 5),
        "search[day]": datetime.date(2026, 1, 2),
        "active": False,
        "skip": None,
        "search[name]": "John Smith",
    }
    drive(address.list(token=CIX_TOKEN, params=params))
    drive(address.get_all(token=CIX_TOKEN, params={"search[id__in]": (4, 5)}))
    first, second = cix_server.seen
    assert first.query == [
        ("search[id__in]", "[1,2,3]"),
        ("search[created__gte]", "2026-01-02T03:04:05"),
        ("search[day]", "2026-01-02"),
        ("active", "false"),
        ("search[name]", "John Smith"),
    ]
    assert second.query[0] == ("search[id__in]", "(4,5)")
