"""Conditional requests: ``if_match`` / ``if_none_match`` and ``response.etag``."""

from __future__ import annotations

import uuid

import pytest

from restwright import errors


def test_etag_round_trip(api, fault_server):
    key = uuid.uuid4().hex
    first = api.get(f"/etag/{key}")
    etag = first.etag
    assert etag is not None and "v1" in etag

    # If-None-Match with the current tag: 304 is returned, not raised
    not_modified = api.get(f"/etag/{key}", if_none_match=etag)
    assert not_modified.status_code == 304
    assert fault_server.requests[-1].header("If-None-Match") == '"v1"'

    # If-Match with the current tag: the update goes through
    updated = api.put(f"/etag/{key}", json={"value": 1}, if_match=etag)
    assert updated.status_code == 200
    assert fault_server.requests[-1].header("If-Match") == '"v1"'
    assert "v2" in updated.etag

    # the old tag no longer matches
    with pytest.raises(errors.PreconditionFailed) as info:
        api.put(f"/etag/{key}", json={"value": 2}, if_match=etag)
    assert info.value.status_code == 412
    assert info.value.message == "Resource was modified meanwhile"
    assert api.get(f"/etag/{key}").json() == {"value": 1}


def test_bare_values_are_quoted(api, fault_server):
    key = uuid.uuid4().hex
    api.get(f"/etag/{key}")
    response = api.put(f"/etag/{key}", json={"value": 1}, if_match="v1")
    assert response.status_code == 200
    assert fault_server.requests[-1].header("If-Match") == '"v1"'
    assert api.get(f"/etag/{key}", if_none_match="v2").status_code == 304
    assert fault_server.requests[-1].header("If-None-Match") == '"v2"'


def test_if_none_match_star_is_not_quoted(api, fault_server):
    key = uuid.uuid4().hex
    api.get(f"/etag/{key}")  # the resource exists
    with pytest.raises(errors.PreconditionFailed):
        api.put(f"/etag/{key}", json={"value": 1}, if_none_match="*")
    assert fault_server.requests[-1].header("If-None-Match") == "*"


def test_delete_with_if_match(api, fault_server):
    key = uuid.uuid4().hex
    etag = api.get(f"/etag/{key}").etag
    with pytest.raises(errors.PreconditionFailed):
        api.delete(f"/etag/{key}", if_match="v999")
    assert api.delete(f"/etag/{key}", if_match=etag).json() == {"deleted": True}


def test_no_etag(api):
    assert api.get("/echo").etag is None
