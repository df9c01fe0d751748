"""snake_case, Python identifiers and stable de-duplication."""

from __future__ import annotations

import keyword

import pytest
from hypothesis import given
from hypothesis import strategies as st

from restwright.openapi.naming import (
    NameAllocator,
    derived_operation_name,
    member_names,
    python_identifier,
    snake_case,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GetUser", "get_user"),
        ("getUserByID", "get_user_by_id"),
        ("users.list", "users_list"),
        ("If-Match", "if_match"),
        ("HTTPResponse", "http_response"),
        ("getUserIDs", "get_user_ids"),
        ("URLsForRepo", "urls_for_repo"),
        ("_since", "since"),
        ("bucket_id", "bucket_id"),
        ("X-Request-ID", "x_request_id"),
        ("repos/get-content", "repos_get_content"),
        ("getV2Users", "get_v2_users"),
        ("SaveAcknowledgementForPost", "save_acknowledgement_for_post"),
        ("__heartbeat__", "heartbeat"),
        ("", ""),
    ],
)
def test_snake_case(text: str, expected: str) -> None:
    assert snake_case(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("class", "class_"),
        ("None", "none"),
        ("async", "async_"),
        ("self", "self_"),
        ("2fa", "_2fa"),
        ("$", "value"),
        ("x\u00b2", "x2"),  # NFKC, as Python does for identifiers
        ("\u00fcber", "\u00fcber"),
    ],
)
def test_python_identifier(text: str, expected: str) -> None:
    assert python_identifier(text) == expected


@given(st.text())
def test_python_identifier_is_always_a_usable_name(text: str) -> None:
    name = python_identifier(text)
    assert name.isidentifier()
    assert not keyword.iskeyword(name)
    assert python_identifier(text) == name  # deterministic


def test_derived_operation_names() -> None:
    assert derived_operation_name("GET", "/buckets/{bid}/collections") == (
        "get_buckets_bid_collections"
    )
    assert derived_operation_name("delete", "/pets/{petId}") == "delete_pets_pet_id"
    assert derived_operation_name("get", "/") == "get"


def test_name_allocator_styles() -> None:
    numbers = NameAllocator("number")
    assert [numbers.claim(n) for n in ["a", "a", "a_2", "a"]] == ["a", "a_2", "a_2_2", "a_3"]
    underscores = NameAllocator("underscore")
    assert [underscores.claim(n) for n in ["a", "a", "a"]] == ["a", "a_", "a__"]
    assert "a_" in underscores
    with pytest.raises(ValueError):
        NameAllocator("other")


def test_member_names_drop_a_repeated_tag() -> None:
    names = ["repos_get", "repos_list_for_org", "get_user", "repos_import", "repos_2fa"]
    assert member_names("repos", names) == {
        "repos_get": "get",
        "repos_list_for_org": "list_for_org",
        "get_user": "get_user",  # does not repeat the tag
        "repos_import": "repos_import",  # "import" is a keyword
        "repos_2fa": "repos_2fa",  # "2fa" is no identifier
    }


def test_member_names_keep_the_long_name_on_a_collision() -> None:
    # "get" is taken by another operation: both claimants keep their full names
    assert member_names("repos", ["repos_get", "get", "repos_list"]) == {
        "repos_get": "repos_get",
        "get": "get",
        "repos_list": "list",
    }
    # the outcome does not depend on document order
    assert member_names("repos", ["get", "repos_get"]) == {"get": "get", "repos_get": "repos_get"}
