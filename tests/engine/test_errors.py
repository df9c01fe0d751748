"""HTTP error statuses map to the documented exception classes, with the server's message."""

from __future__ import annotations

import pickle
from http import HTTPStatus

import pytest

from restwright import errors

STATUS_CLASSES = [
    (400, errors.BadRequest),
    (401, errors.Unauthorized),
    (403, errors.Forbidden),
    (404, errors.NotFound),
    (405, errors.ClientError),
    (409, errors.Conflict),
    (410, errors.ClientError),
    (412, errors.PreconditionFailed),
    (418, errors.ClientError),
    (422, errors.UnprocessableEntity),
    (429, errors.TooManyRequests),
    (451, errors.ClientError),
    (500, errors.ServerError),
    (501, errors.ServerError),
    (502, errors.ServerError),
    (503, errors.ServerError),
    (504, errors.ServerError),
    (599, errors.ServerError),
]


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


@pytest.mark.parametrize(("status", "cls"), STATUS_CLASSES, ids=[str(s) for s, _ in STATUS_CLASSES])
def test_status_maps_to_exception_class(make_client, fault_server, status, cls):
    api = make_client(retry=0)
    with pytest.raises(errors.ApiError) as info:
        api.get(f"/status/{status}")
    exc = info.value
    assert type(exc) is cls
    assert isinstance(exc, errors.ClientError if status < 500 else errors.ServerError)
    assert isinstance(exc, errors.RestwrightError)
    assert exc.status_code == status
    # Kinto-style body: the message comes from the JSON "message" field
    assert exc.message == f"kinto says {status}"
    assert exc.body == {
        "code": status,
        "errno": 100 + status % 100,
        "error": _reason(status),
        "message": f"kinto says {status}",
    }
    assert str(status) in str(exc)
    assert f"kinto says {status}" in str(exc)
    # request and response are attached
    assert exc.response is not None
    assert exc.response.status_code == status
    assert exc.request is not None
    assert exc.request.method == "GET"
    assert str(exc.request.url) == fault_server.url(f"/status/{status}")
    # no retry: the server saw the request exactly once
    assert len(fault_server.requests_to("/status/")) == 1


@pytest.mark.parametrize(
    ("style", "message", "body"),
    [
        ("detail", "detail says 422", {"detail": "detail says 422"}),
        (
            "oauth",
            "oauth says 422",
            {"error": "invalid_grant", "error_description": "oauth says 422"},
        ),
        ("error", "error says 422", {"error": "error says 422"}),
        # no JSON body: a short text/plain body, else the reason phrase
        ("text", "plain text says 422", None),
        ("empty", "Unprocessable Entity", None),
    ],
)
def test_error_message_from_body(make_client, style, message, body):
    api = make_client(retry=0)
    with pytest.raises(errors.UnprocessableEntity) as info:
        api.post("/status/422", params={"style": style}, json={"x": 1})
    exc = info.value
    assert exc.status_code == 422
    assert exc.message == message
    assert exc.body == body
    assert exc.request.method == "POST"
    assert message in str(exc)


def test_error_on_other_methods(make_client, fault_server):
    api = make_client(retry=0)
    with pytest.raises(errors.Conflict) as info:
        api.put("/status/409", json={"a": 1})
    assert info.value.request.method == "PUT"
    with pytest.raises(errors.NotFound) as info:
        api.delete("/status/404")
    assert info.value.request.method == "DELETE"
    with pytest.raises(errors.NotFound) as info:
        api.head("/status/404")
    assert info.value.status_code == 404
    assert [r.method for r in fault_server.requests] == ["PUT", "DELETE", "HEAD"]


def test_exception_pickles(make_client, fault_server):
    api = make_client(retry=0)
    with pytest.raises(errors.PreconditionFailed) as info:
        api.get("/status/412")
    exc = info.value
    clone = pickle.loads(pickle.dumps(exc))
    assert type(clone) is errors.PreconditionFailed
    assert clone.status_code == 412
    assert clone.message == exc.message == "kinto says 412"
    assert clone.body == exc.body
    assert str(clone) == str(exc)
    assert str(clone.request.url) == fault_server.url("/status/412")
    assert clone.response.status_code == 412


def test_streamed_error_raises_with_message(make_client):
    """A ``stream()`` call on an error status raises like any other call."""
    api = make_client(retry=0)
    with pytest.raises(errors.NotFound) as info:
        api.stream_read("GET", "/status/404")
    assert info.value.message == "kinto says 404"


def test_download_error_raises(make_client, tmp_path):
    api = make_client(retry=0)
    with pytest.raises(errors.Forbidden) as info:
        api.download("/status/403", to=tmp_path / "never.bin")
    assert info.value.message == "kinto says 403"
