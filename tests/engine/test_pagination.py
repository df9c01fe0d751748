"""Pagination in every documented style, pages and items, sync and async."""

from __future__ import annotations

import base64
from typing import Any

import pytest

import restwright

from ._harness import PAGE_SIZE, TOTAL_ITEMS

ALL_IDS = list(range(TOTAL_ITEMS))
N_PAGES = -(-TOTAL_ITEMS // PAGE_SIZE)  # 5 pages of 5, 5, 5, 5, 3 items

# (server style, paginate() keyword arguments, where the server puts the items)
STYLES: list[tuple[str, dict[str, Any], str | None]] = [
    ("link", {"style": "link"}, "data"),
    ("link-relative", {"style": "link"}, "data"),
    ("header", {"style": "header"}, "data"),
    ("next-url", {"style": "next_url"}, "results"),
    (
        "next-url-nested",
        {"style": "next_url", "next_field": "links.next", "items_key": "payload.entries"},
        "payload.entries",
    ),
    ("cursor", {"style": "cursor"}, "data"),
    ("offset", {"style": "offset", "page_size": PAGE_SIZE}, "items"),
    ("page", {"style": "page", "page_param": "page", "page_size": PAGE_SIZE}, None),
]
STYLE_IDS = [s[0] for s in STYLES]


def page_items(page: Any, where: str | None) -> list[Any]:
    body = page.json()
    if where is None:
        return list(body)
    for key in where.split("."):
        body = body[key]
    return list(body)


@pytest.mark.parametrize(("server_style", "kwargs", "where"), STYLES, ids=STYLE_IDS)
def test_pages(api, fault_server, server_style, kwargs, where):
    pages = api.pages(f"/pages/{server_style}", **kwargs)
    assert len(pages) == N_PAGES
    assert all(p.status_code == 200 for p in pages)
    ids = [item["id"] for p in pages for item in page_items(p, where)]
    assert ids == ALL_IDS
    assert len(fault_server.requests_to("/pages/")) == N_PAGES


@pytest.mark.parametrize(("server_style", "kwargs", "where"), STYLES, ids=STYLE_IDS)
def test_items(api, fault_server, server_style, kwargs, where):
    items = api.items(f"/pages/{server_style}", **kwargs)
    assert [item["id"] for item in items] == ALL_IDS
    assert items[7] == {"id": 7, "name": "item-7"}
    assert len(fault_server.requests_to("/pages/")) == N_PAGES


def test_cursor_is_sent_back(api, fault_server):
    api.items("/pages/cursor", style="cursor", params={"size": 5})
    seen = fault_server.requests_to("/pages/cursor")
    assert seen[0].query_list("cursor") == []
    cursors = [r.query_list("cursor") for r in seen[1:]]
    expected = [base64.urlsafe_b64encode(f"at:{n}".encode()).decode() for n in (5, 10, 15, 20)]
    assert cursors == [[c] for c in expected]
    assert all(r.query_list("size") == ["5"] for r in seen)


def test_offset_parameters_and_other_params_kept(api, fault_server):
    items = api.items("/pages/offset", style="offset", page_size=PAGE_SIZE, params={"filter": "x"})
    assert [i["id"] for i in items] == ALL_IDS
    seen = fault_server.requests_to("/pages/offset")
    assert [r.query_list("offset") for r in seen] == [["0"], ["5"], ["10"], ["15"], ["20"]]
    assert all(r.query_list("limit") == [str(PAGE_SIZE)] for r in seen)
    assert all(r.query_list("filter") == ["x"] for r in seen)


def test_offset_page_size_is_the_limit(api, fault_server):
    items = api.items("/pages/offset", style="offset", page_size=10)
    assert [i["id"] for i in items] == ALL_IDS
    seen = fault_server.requests_to("/pages/offset")
    assert [r.query_list("offset") for r in seen] == [["0"], ["10"], ["20"]]
    assert all(r.query_list("limit") == ["10"] for r in seen)


def test_offset_exact_multiple_stops_at_the_empty_page(api, fault_server):
    items = api.items("/pages/offset", style="offset", page_size=PAGE_SIZE, params={"total": 20})
    assert [i["id"] for i in items] == list(range(20))
    offsets = [r.query_list("offset") for r in fault_server.requests_to("/pages/offset")]
    assert offsets[:4] == [["0"], ["5"], ["10"], ["15"]]
    assert len(offsets) in (4, 5)  # 5 when the empty page is fetched to find the end


def test_page_numbers(api, fault_server):
    pages = api.pages(
        "/pages/page", style="page", page_size=PAGE_SIZE, params={"per_page": PAGE_SIZE}
    )
    assert len(pages) == N_PAGES
    seen = fault_server.requests_to("/pages/page")
    assert [r.query_list("page") for r in seen] == [[str(n)] for n in range(1, N_PAGES + 1)]


def test_first_page(api, fault_server):
    pages = api.pages("/pages/page", style="page", page_size=PAGE_SIZE, first_page=2)
    seen = fault_server.requests_to("/pages/page")
    assert seen[0].query_list("page") == ["2"]
    ids = [i["id"] for p in pages for i in p.json()]
    assert ids == ALL_IDS[PAGE_SIZE:]


@pytest.mark.parametrize("server_style", ["link", "link-relative", "header"])
def test_default_style_detects_link_and_next_page(api, fault_server, server_style):
    pages = api.pages(f"/pages/{server_style}")
    ids = [item["id"] for p in pages for item in p.json()["data"]]
    assert ids == ALL_IDS
    assert len(fault_server.requests_to("/pages/")) == N_PAGES
    items = api.items(f"/pages/{server_style}")
    assert [i["id"] for i in items] == ALL_IDS


def test_default_style_without_pagination_is_one_page(api, fault_server):
    pages = api.pages("/echo/single")
    assert len(pages) == 1
    assert len(fault_server.requests) == 1


@pytest.mark.parametrize("server_style", ["link", "header"])
def test_next_links_keep_params_once(api, fault_server, server_style):
    # the server writes "," and ";" raw in its next links: a Link parser must cope
    api.pages(f"/pages/{server_style}", params={"_limit": 5, "filter": "a b,c;d"})
    seen = fault_server.requests_to("/pages/")
    assert len(seen) == N_PAGES
    for record in seen:
        assert record.query_list("_limit") == ["5"]
        assert record.query_list("filter") == ["a b,c;d"]


@pytest.mark.parametrize("style", ["link", None])
def test_link_header_fields_on_separate_lines(api, fault_server, style):
    items = api.items("/pages/link", style=style, params={"link_lines": 1})
    assert [i["id"] for i in items] == ALL_IDS
    assert len(fault_server.requests_to("/pages/")) == N_PAGES


@pytest.mark.parametrize(("server_style", "kwargs", "where"), STYLES, ids=STYLE_IDS)
def test_max_pages(api, fault_server, server_style, kwargs, where):
    pages = api.pages(f"/pages/{server_style}", max_pages=2, **kwargs)
    assert len(pages) == 2
    assert [i["id"] for p in pages for i in page_items(p, where)] == ALL_IDS[: 2 * PAGE_SIZE]
    assert len(fault_server.requests_to("/pages/")) == 2
    items = api.items(f"/pages/{server_style}", max_pages=3, **kwargs)
    assert [i["id"] for i in items] == ALL_IDS[: 3 * PAGE_SIZE]


def test_items_key_dotted(api):
    items = api.items(
        "/pages/next-url-nested",
        style="next_url",
        next_field="links.next",
        items_key="payload.entries",
    )
    assert [i["id"] for i in items] == ALL_IDS


SECRET = "pagination-s3cret"

AUTHS = {
    "bearer": lambda: restwright.BearerAuth(SECRET),
    "basic": lambda: ("pager", SECRET),
    "header": lambda: restwright.HeaderAuth("X-Auth-Token", SECRET),
    "apikey-query": lambda: restwright.APIKeyAuth("api_key", SECRET, location="query"),
    "apikey-cookie": lambda: restwright.APIKeyAuth("session", SECRET, location="cookie"),
}


def carries_credentials(record) -> bool:
    text = repr(record.headers) + record.query_string
    basic = base64.b64encode(f"pager:{SECRET}".encode()).decode()
    return SECRET in text or basic in text or record.header("Authorization") is not None


@pytest.mark.parametrize("auth_kind", list(AUTHS))
@pytest.mark.parametrize(("server_style", "style"), [("link", "link"), ("header", None)])
def test_next_link_to_another_origin_drops_credentials(
    make_client, fault_server, other_server, auth_kind, server_style, style
):
    api = make_client(auth=AUTHS[auth_kind](), retry=0)
    # the server does not copy the API key parameter into its links (see the next test)
    pages = api.pages(
        f"/pages/{server_style}", style=style, params={"cross_at": 2, "drop": "api_key"}
    )
    ids = [item["id"] for p in pages for item in p.json()["data"]]
    assert ids == ALL_IDS
    home = fault_server.requests_to("/pages/")
    away = other_server.requests_to("/pages/")
    assert len(home) == 2
    assert len(away) == N_PAGES - 2
    # credentials went to our origin ...
    assert all(carries_credentials(r) for r in home)
    # ... never to the other one
    for record in away:
        assert not carries_credentials(record), record
        assert record.header("Cookie") is None


def test_pages_are_lazy(make_client, fault_server, client_kind):
    """Iteration fetches a page only when it is reached."""
    api = make_client(retry=0)
    if client_kind == "sync":
        iterator = iter(api.raw.paginate("/pages/link", style="link"))
        first = next(iterator)
        assert first.status_code == 200
        assert len(fault_server.requests_to("/pages/")) == 1
        next(iterator)
        assert len(fault_server.requests_to("/pages/")) == 2
    else:

        async def walk() -> None:
            iterator = api.raw.paginate("/pages/link", style="link").__aiter__()
            first = await iterator.__anext__()
            assert first.status_code == 200
            assert len(fault_server.requests_to("/pages/")) == 1
            await iterator.__anext__()
            assert len(fault_server.requests_to("/pages/")) == 2

        api.run(walk())


def test_query_api_key_is_not_duplicated_on_next_links(make_client, fault_server):
    """The server copies ``api_key`` into its links; the client must not add a second one."""
    api = make_client(auth=AUTHS["apikey-query"](), retry=0)
    pages = api.pages("/pages/link", style="link")
    assert len(pages) == N_PAGES
    for record in fault_server.requests_to("/pages/"):
        assert record.query_list("api_key") == [SECRET], record.target


def test_query_api_key_echoed_into_a_cross_origin_link_is_not_sent(
    make_client, fault_server, other_server
):
    """Strict reading of "followed without the auth-specific params": even when the server
    copied the key into a next link that points at another origin, it is not sent there."""
    api = make_client(auth=AUTHS["apikey-query"](), retry=0)
    pages = api.pages("/pages/link", style="link", params={"cross_at": 1})
    assert len(pages) == N_PAGES
    away = other_server.requests_to("/pages/")
    assert len(away) == N_PAGES - 1
    for record in away:
        assert record.query_list("api_key") == [], record.target
