"""Retries: which statuses, methods and transport failures are retried, and how long to wait."""

from __future__ import annotations

import contextlib
import threading
import uuid

import pytest

import restwright
from restwright import errors

from ._harness import FaultServer, free_port


def fast(total: int = 2, **kw) -> restwright.Retry:
    return restwright.Retry(total=total, backoff=0.01, **kw)


def new_key() -> str:
    return uuid.uuid4().hex


@pytest.mark.parametrize(
    ("status", "extra"),
    [(429, {"retry_after": 0}), (503, {"retry_after": 0}), (502, {}), (504, {})],
)
def test_retryable_status_is_retried_until_success(make_client, fault_server, status, extra):
    api = make_client(retry=fast(total=2))
    key = new_key()
    response = api.get(f"/flaky/{key}", params={"fails": 2, "status": status, **extra})
    assert response.status_code == 200
    assert response.json() == {"attempts": 3, "method": "GET"}
    assert len(fault_server.requests_to(f"/flaky/{key}")) == 3


def test_retries_exhausted_raise_the_last_error(make_client, fault_server):
    api = make_client(retry=fast(total=2))
    key = new_key()
    with pytest.raises(errors.ServerError) as info:
        api.get(f"/flaky/{key}", params={"fails": 10, "status": 503, "retry_after": 0})
    assert info.value.status_code == 503
    assert info.value.message == "flaky failure 3/10"
    assert len(fault_server.requests_to(f"/flaky/{key}")) == 3


def test_too_many_requests_exhausted(make_client, fault_server):
    api = make_client(retry=fast(total=1))
    key = new_key()
    with pytest.raises(errors.TooManyRequests):
        api.get(f"/flaky/{key}", params={"fails": 10, "status": 429, "retry_after": 0})
    assert len(fault_server.requests_to(f"/flaky/{key}")) == 2


def test_integer_retry_is_total(make_client, fault_server):
    api = make_client(retry=1)
    key = new_key()
    with pytest.raises(errors.ServerError):
        api.get(f"/flaky/{key}", params={"fails": 10, "status": 503, "retry_after": 0})
    assert len(fault_server.requests_to(f"/flaky/{key}")) == 2


@pytest.mark.parametrize("retry", [0, None])
def test_no_retries(make_client, fault_server, retry):
    api = make_client(retry=retry)
    key = new_key()
    with pytest.raises(errors.ServerError):
        api.get(f"/flaky/{key}", params={"fails": 1, "status": 503, "retry_after": 0})
    assert len(fault_server.requests_to(f"/flaky/{key}")) == 1


def test_status_outside_retry_statuses_is_not_retried(make_client, fault_server):
    api = make_client(retry=fast(total=3))
    key = new_key()
    with pytest.raises(errors.ServerError) as info:
        api.get(f"/flaky/{key}", params={"fails": 1, "status": 500})
    assert info.value.status_code == 500
    assert len(fault_server.requests_to(f"/flaky/{key}")) == 1


def test_custom_retry_statuses(make_client, fault_server):
    api = make_client(retry=fast(total=2, statuses=(500,)))
    key = new_key()
    assert api.get(f"/flaky/{key}", params={"fails": 1, "status": 500}).json()["attempts"] == 2
    key = new_key()
    with pytest.raises(errors.ServerError):  # 503 is no longer in the list
        api.get(f"/flaky/{key}", params={"fails": 1, "status": 503, "retry_after": 0})
    assert len(fault_server.requests_to(f"/flaky/{key}")) == 1


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS", "PUT", "DELETE"])
def test_idempotent_methods_are_retried(make_client, fault_server, method):
    api = make_client(retry=fast(total=2))
    key = new_key()
    response = api.request(
        method, f"/flaky/{key}", params={"fails": 1, "status": 503, "retry_after": 0}
    )
    assert response.status_code == 200
    seen = fault_server.requests_to(f"/flaky/{key}")
    assert [r.method for r in seen] == [method, method]


@pytest.mark.parametrize("status", [429, 503])
@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_non_idempotent_methods_are_not_retried_on_status(
    make_client, fault_server, method, status
):
    api = make_client(retry=fast(total=3))
    key = new_key()
    with pytest.raises(errors.ApiError) as info:
        api.request(
            method,
            f"/flaky/{key}",
            params={"fails": 1, "status": status, "retry_after": 0},
            json={"n": 1},
        )
    assert info.value.status_code == status
    assert len(fault_server.requests_to(f"/flaky/{key}")) == 1


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_idempotency_key_makes_post_retryable(make_client, fault_server, method):
    api = make_client(retry=fast(total=2))
    key = new_key()
    response = api.request(
        method,
        f"/flaky/{key}",
        params={"fails": 2, "status": 503, "retry_after": 0},
        json={"n": 1},
        idempotency_key="idem-42",
    )
    assert response.json() == {"attempts": 3, "method": method}
    seen = fault_server.requests_to(f"/flaky/{key}")
    assert len(seen) == 3
    assert [r.header("Idempotency-Key") for r in seen] == ["idem-42"] * 3
    # the body is re-sent whole each time
    assert len({r.body_size for r in seen}) == 1
    assert all(r.body_complete and r.body_size > 0 for r in seen)


def test_idempotency_key_header_makes_post_retryable(make_client, fault_server):
    """The call "carries an Idempotency-Key" whether it came as a keyword or a header."""
    api = make_client(retry=fast(total=2))
    key = new_key()
    response = api.post(
        f"/flaky/{key}",
        params={"fails": 1, "status": 503, "retry_after": 0},
        json={"n": 1},
        headers={"Idempotency-Key": "manual-1"},
    )
    assert response.json()["attempts"] == 2
    seen = fault_server.requests_to(f"/flaky/{key}")
    assert [r.header("Idempotency-Key") for r in seen] == ["manual-1", "manual-1"]


@pytest.mark.timeout(30)
def test_read_timeout_retried_for_get_not_for_post(make_client, fault_server):
    api = make_client(timeout=(5.0, 0.3), retry=fast(total=1))
    with pytest.raises(errors.TimeoutError):
        api.get("/stall", params={"seconds": 3, "n": "get"})
    assert len(fault_server.wait_for_requests("/stall", 2)) == 2
    fault_server.reset()
    with pytest.raises(errors.TimeoutError):
        api.post("/stall", params={"seconds": 3, "n": "post"}, json={})
    assert len(fault_server.wait_for_requests("/stall", 1, settle=0.5)) == 1


def test_get_is_resent_after_reset_before_response(make_client, fault_server):
    api = make_client(retry=fast(total=2))
    key = new_key()
    response = api.get(f"/flaky/{key}", params={"fails": 2, "fault": "reset-before"})
    assert response.json()["attempts"] == 3
    assert len(fault_server.requests_to(f"/flaky/{key}")) == 3


def test_get_is_resent_after_reset_mid_body(make_client, fault_server):
    api = make_client(retry=fast(total=2))
    key = new_key()
    response = api.get(f"/flaky/{key}", params={"fails": 1, "fault": "reset-after-headers"})
    assert response.json()["attempts"] == 2
    assert len(fault_server.requests_to(f"/flaky/{key}")) == 2


@pytest.mark.parametrize("fault", ["reset-before", "reset-after-headers"])
def test_post_is_not_resent_after_a_reset(make_client, fault_server, fault):
    api = make_client(retry=fast(total=3))
    key = new_key()
    with pytest.raises((errors.ReadError, errors.DecodeError)) as info:
        api.post(f"/flaky/{key}", params={"fails": 1, "fault": fault}, json={"order": 1})
    assert info.value.request_sent is True
    seen = fault_server.requests_to(f"/flaky/{key}")
    assert len(seen) == 1
    assert seen[0].body_complete


def test_post_with_idempotency_key_is_resent_after_a_reset(make_client, fault_server):
    api = make_client(retry=fast(total=2))
    key = new_key()
    response = api.post(
        f"/flaky/{key}",
        params={"fails": 1, "fault": "reset-after-headers"},
        json={"order": 1},
        idempotency_key="order-1",
    )
    assert response.json() == {"attempts": 2, "method": "POST"}
    assert len(fault_server.requests_to(f"/flaky/{key}")) == 2


@pytest.mark.parametrize("body_kind", ["iterator", "path"])
def test_a_retry_never_sends_a_truncated_body(make_client, fault_server, tmp_path, body_kind):
    """A retried PUT re-sends its whole body; a body that cannot be replayed (an iterator)
    may make the engine give up instead, but never re-send it empty or cut."""
    data = b"0123456789" * 10_000
    path = tmp_path / "body.bin"
    path.write_bytes(data)
    api = make_client(retry=fast(total=2))
    key = new_key()
    if body_kind == "iterator":
        kwargs: dict = {"content": iter([data[:50_000], data[50_000:]])}
    else:
        kwargs = {"files": {"f": path}}
    params = {"fails": 1, "status": 503, "retry_after": 0}
    if body_kind == "iterator":
        with contextlib.suppress(errors.ServerError):  # giving up is acceptable here
            api.put(f"/flaky/{key}", params=params, **kwargs)
    else:
        assert api.put(f"/flaky/{key}", params=params, **kwargs).json()["attempts"] == 2
    seen = fault_server.requests_to(f"/flaky/{key}")
    sizes = [r.body_size for r in seen]
    assert sizes[0] >= len(data)
    assert all(size == sizes[0] for size in sizes), sizes


@pytest.mark.timeout(60)
def test_post_is_retried_when_the_connection_is_refused(make_client):
    """Nothing was sent when the connection was refused: even a POST may be retried.

    The port is closed when the call starts and a server starts listening on it 0.2 s
    later, while the client waits between attempts.
    """
    port = free_port()
    late = FaultServer("late", port=port)
    api = make_client(
        f"http://127.0.0.1:{port}",
        retry=restwright.Retry(total=5, backoff=0.5, max_backoff=1.0, retry_after=0.5),
    )
    opener = threading.Timer(0.2, late.start)
    opener.start()
    try:
        response = api.post("/echo/late", json={"n": 1})
        assert response.status_code == 200
        seen = late.requests
        assert [(r.method, r.path) for r in seen] == [("POST", "/echo/late")]
    finally:
        opener.join()
        late.stop()


@pytest.mark.timeout(20)
def test_retry_after_override_forces_the_delay(make_client, fault_server):
    # the server asks for 30 s; retry_after= overrides it (a 30 s wait hits the timeout)
    api = make_client(retry=restwright.Retry(total=1, backoff=0.01, retry_after=0.05))
    key = new_key()
    response = api.get(f"/flaky/{key}", params={"fails": 1, "status": 503, "retry_after": 30})
    assert response.json()["attempts"] == 2


@pytest.mark.timeout(20)
def test_retry_after_can_be_ignored(make_client, fault_server):
    api = make_client(retry=restwright.Retry(total=1, backoff=0.01, respect_retry_after=False))
    key = new_key()
    response = api.get(f"/flaky/{key}", params={"fails": 1, "status": 429, "retry_after": 30})
    assert response.json()["attempts"] == 2


@pytest.mark.timeout(20)
def test_max_backoff_caps_exponential_backoff(make_client, fault_server):
    api = make_client(retry=restwright.Retry(total=3, backoff=100.0, max_backoff=0.05))
    key = new_key()
    response = api.get(f"/flaky/{key}", params={"fails": 3, "status": 502})
    assert response.json()["attempts"] == 4


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    "variant",
    ["retry-after-seconds", "retry-after-http-date", "backoff-on-error", "backoff-on-success"],
)
def test_server_requested_delay_is_honoured(make_client, fault_server, variant):
    """The only timing assertion of the suite: the client waited at least ~1 s.

    Without honouring the server, the client would wait ~0.01 s (``backoff=0.01``).
    """
    api = make_client(retry=fast(total=2))
    key = new_key()
    if variant == "backoff-on-success":
        first = api.get(f"/flaky/{key}", params={"fails": 0, "success_backoff": 1})
        assert first.status_code == 200
        api.get("/echo/after-backoff")
        seen = fault_server.requests
        assert [r.path for r in seen] == [f"/flaky/{key}", "/echo/after-backoff"]
    else:
        params: dict[str, object] = {"fails": 1, "status": 503}
        if variant == "retry-after-seconds":
            params["retry_after"] = 1
        elif variant == "retry-after-http-date":
            # an HTTP-date 2 s ahead, truncated to the second: between 1 and 2 s from now
            params["retry_after"] = "date:2"
        else:
            params["backoff"] = 1
        response = api.get(f"/flaky/{key}", params=params)
        assert response.json()["attempts"] == 2
        seen = fault_server.requests_to(f"/flaky/{key}")
        assert len(seen) == 2
    waited = seen[1].arrived - seen[0].arrived
    assert waited >= 0.9, f"the client waited only {waited:.3f} s"
