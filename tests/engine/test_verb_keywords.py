"""The verbs' keyword arguments: one typed definition, errors that name the public method."""

from __future__ import annotations

import inspect

import pytest

import restwright
from restwright.engine.base_client import BuildOptions, RequestOptions


@pytest.mark.parametrize("verb", ["get", "post", "put", "patch", "delete", "head", "options"])
def test_a_misspelled_keyword_names_the_verb_and_the_right_spelling(api, fault_server, verb):
    with pytest.raises(TypeError) as info:
        getattr(api, verb)("/echo", parms={"a": 1})
    message = str(info.value)
    assert message.startswith(f"{verb}() got an unexpected keyword argument 'parms'")
    assert "did you mean 'params'" in message
    assert "build_request" not in message
    assert fault_server.requests == []  # nothing was sent


def test_request_names_itself(api):
    with pytest.raises(TypeError, match=r"^request\(\) .*'jsn'.*did you mean 'json'"):
        api.request("POST", "/echo", jsn={})


def test_sync_and_async_verbs_share_one_signature():
    for name in ("get", "post", "put", "patch", "delete", "head", "options", "request"):
        sync = inspect.signature(getattr(restwright.Client, name))
        async_ = inspect.signature(getattr(restwright.AsyncClient, name))
        assert sync == async_, name
        assert "Unpack[RequestOptions]" in str(sync.parameters["kwargs"].annotation)
    assert set(RequestOptions.__annotations__) == set(BuildOptions.__annotations__) | {
        "retry",
        "idempotent",
    }
    built = inspect.signature(restwright.Client.build_request).parameters
    assert set(BuildOptions.__annotations__) == {
        n for n, p in built.items() if p.kind is p.KEYWORD_ONLY
    }


def test_dir_of_the_package_lists_public_entry_points_only():
    import restwright.openapi

    names = dir(restwright)
    for public in ("from_openapi", "from_openapi_async", "AsyncClient", "Client", "kinto"):
        assert public in names
    for internal in ("TYPE_CHECKING", "annotations", "lazy_getattr", "public_dir"):
        assert internal not in names
        assert internal not in dir(restwright.openapi)
    # every name listed resolves (the lazy ones included)
    for name in names:
        assert getattr(restwright, name) is not None


@pytest.mark.parametrize("base", ["http://127.0.0.1:9", "http://127.0.0.1:9/api/v4/"])
@pytest.mark.parametrize("method", ["GET", "DELETE", "POST", "PUT", "PATCH"])
def test_a_plain_request_is_what_build_request_builds(base, method):
    """``build_plain_request`` (the direct calls' builder) skips the checks its callers did
    already, and builds the same request: target below the base path, the client's
    headers, ``Content-Length: 0`` on a bodiless POST/PUT/PATCH, the client's timeout."""
    client = restwright.Client(base, headers={"X-App": "1"}, auth=restwright.BearerAuth("t"))
    for target in ("/users/me", "/users/me/posts?page=2&flag=true"):
        plain = client.build_plain_request(method, target)
        built = client.build_request(method, target)
        assert (plain.method, plain.origin, plain.target, plain.content, plain.timeout) == (
            built.method,
            built.origin,
            built.target,
            built.content,
            built.timeout,
        )
        assert list(plain.headers.raw()) == list(built.headers.raw())
        plain.headers["X-Changed"] = "1"  # a request's headers are its own
        assert "X-Changed" not in client.build_plain_request(method, target).headers
    client.close()
