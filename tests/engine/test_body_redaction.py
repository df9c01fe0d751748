"""Secrets inside request bodies (a login password, an OAuth client secret) never show in
errors, curl output or dry-run logs, while the server still receives them intact."""

from __future__ import annotations

import logging
import pickle

import pytest

import restwright
from restwright import errors

SECRET = "hunter2-body-secret"


def test_json_password_is_masked_in_errors_but_sent(make_client, fault_server):
    api = make_client(retry=0)
    with pytest.raises(errors.ApiError) as info:
        api.post(
            "/status/400",
            json={"data": {"username": "bob", "password": SECRET, "nested": [{"token": SECRET}]}},
        )
    exc = info.value
    assert SECRET not in repr(exc.request.content)
    assert SECRET not in exc.request.to_curl()
    assert SECRET not in repr(pickle.loads(pickle.dumps(exc)).request.content)
    assert b'"username":"bob"' in exc.request.content  # only secrets are masked
    assert fault_server.requests[0].body_size > len(SECRET)  # the server got the real body


def test_form_client_secret_is_masked(make_client, fault_server):
    api = make_client(retry=0)
    echo = api.post(
        "/echo", data={"grant_type": "client_credentials", "client_secret": SECRET}
    ).json()
    assert ["client_secret", SECRET] in echo["form"]
    with pytest.raises(errors.ApiError) as info:
        api.post("/status/401", data={"client_id": "app", "client_secret": SECRET})
    assert SECRET not in info.value.request.to_curl()
    assert "client_id=app" in info.value.request.to_curl()


def test_dry_run_log_masks_body_secrets(caplog):
    caplog.set_level(logging.DEBUG, logger="restwright")
    with restwright.Client("http://127.0.0.1:9/v1", dry_run=True) as api:
        response = api.put("/accounts/bob", json={"data": {"password": SECRET}})
    assert response.status_code == 200
    assert any("dry run" in r.getMessage() for r in caplog.records)
    assert all(SECRET not in r.getMessage() for r in caplog.records)
    assert SECRET in response.request.to_curl(reveal_credentials=True)


def test_form_body_with_raw_non_ascii_bytes_is_masked_not_refused() -> None:
    from restwright.engine.redaction import mask_body

    body = "password=s3cret&name=Andr\xe9".encode("latin-1")
    masked = mask_body(body, "application/x-www-form-urlencoded")
    assert masked == b"password=%5BREDACTED%5D&name=Andr\xe9"
