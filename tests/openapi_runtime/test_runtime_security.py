"""Security schemes -> engine auth: which credential each operation sends, and the OAuth 2
and OpenID Connect schemes against a real authorization server (tests/servers)."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest

import restwright
from restwright.errors import InvalidRequestError, OAuth2Error
from restwright.openapi.runtime import from_openapi
from restwright.openapi.security import AllOfAuth, oauth2_grant

from ._support import Recorder, call
from .conftest import PRISM_DOCUMENTS

try:
    from tests.servers.oauth2_provider import OAuth2Provider, running_provider
except ImportError:
    from servers.oauth2_provider import OAuth2Provider, running_provider  # type: ignore[no-redef]

PET30 = PRISM_DOCUMENTS / "petstore-3.0.yaml"
BASIC = "Basic " + base64.b64encode(b"u:p").decode()


def pet(auth: Any, **kw: Any) -> tuple[Any, Recorder]:
    recorder = Recorder().answer(200, {})
    client = from_openapi(PET30, base_url="http://pets.test", auth=auth, transport=recorder, **kw)
    return client, recorder


def test_per_scheme_credentials() -> None:
    client, rec = pet(
        {
            "basicAuth": ("u", "p"),
            "bearerAuth": "tok",
            "apiKeyHeader": "k1",
            "apiKeyQuery": "k2",
            "apiKeyCookie": "k3",
        }
    )
    client.pets.list_pets(x_request_id="r", session="s")  # global requirement: bearer
    assert rec.last.headers["Authorization"] == "Bearer tok"
    client.pets.create_pet(body={"name": "x"})  # basic
    assert rec.last.headers["Authorization"] == BASIC
    client.store.get_inventory()
    assert rec.last.headers["X-API-Key"] == "k1"
    assert "Authorization" not in rec.last.headers
    client.store.list_orders()
    assert rec.last.target == "/store/orders?api_key=k2"
    client.store.get_store_session()
    assert rec.last.headers["Cookie"] == "store_session=k3"


def test_cookie_auth_joins_cookie_parameters() -> None:
    client, rec = pet({"bearerAuth": "tok", "apiKeyCookie": "k3"})
    client.pets.list_pets(x_request_id="r", session="s1")
    assert rec.last.headers["Cookie"] == "session=s1"
    client.store.get_store_session()
    assert rec.last.headers["Cookie"] == "store_session=k3"


def test_single_credential_is_matched_to_each_requirement() -> None:
    client, rec = pet("secret")
    client.pets.list_pets(x_request_id="r", session="s")
    assert rec.last.headers["Authorization"] == "Bearer secret"
    client.store.get_inventory()  # apiKey in a header
    assert rec.last.headers["X-API-Key"] == "secret"
    client.store.list_orders()  # apiKey in the query
    assert rec.last.target == "/store/orders?api_key=secret"
    # createPet wants basic auth: a string cannot be that, the default (bearer) is sent
    client.pets.create_pet(body={"name": "x"})
    assert rec.last.headers["Authorization"] == "Bearer secret"
    # an operation documenting no requirement still gets the credential (same origin)
    client.users.login_user(body={"username": "u", "password": "p"})
    assert rec.last.headers["Authorization"] == "Bearer secret"

    client, rec = pet(("u", "p"))
    client.pets.create_pet(body={"name": "x"})
    assert rec.last.headers["Authorization"] == BASIC
    client.pets.list_pets(x_request_id="r", session="s")  # bearer wanted: basic is sent
    assert rec.last.headers["Authorization"] == BASIC


def test_auth_objects_are_used_as_they_are() -> None:
    auth = restwright.HeaderAuth("X-Token", "t")
    client, rec = pet(auth)
    client.store.get_inventory()
    assert rec.last.headers["X-Token"] == "t"
    seen = []
    client, rec = pet(lambda request: seen.append(request.url))
    client.pets.get_pet_by_id(1)
    assert seen == ["http://pets.test/pets/1"]


def test_unknown_scheme_names_are_refused() -> None:
    with pytest.raises(InvalidRequestError, match="unknown security schemes"):
        pet({"nope": "x"})
    with pytest.raises(InvalidRequestError, match=r"'basicAuth' \(HTTP basic: a \(user, pass"):
        pet({"basicAuth": "not-a-tuple"})  # refused when the client is made, not at a call


def test_no_credentials_no_auth() -> None:
    client, rec = pet(None)
    client.pets.list_pets(x_request_id="r", session="s")
    assert "Authorization" not in rec.last.headers


def test_requirements_naming_several_schemes_apply_them_all() -> None:
    doc = {
        "openapi": "3.0.3",
        "info": {"title": "and", "version": "1"},
        "servers": [{"url": "http://api.test"}],
        "security": [{"key": [], "sig": []}],
        "paths": {"/x": {"get": {"operationId": "x", "responses": {"200": {"description": "ok"}}}}},
        "components": {
            "securitySchemes": {
                "key": {"type": "apiKey", "in": "header", "name": "X-Key"},
                "sig": {"type": "apiKey", "in": "query", "name": "sig"},
            }
        },
    }
    rec = Recorder().answer(200, {})
    client = from_openapi(doc, auth={"key": "k", "sig": "s"}, transport=rec)
    client.default.x()
    assert rec.last.headers["X-Key"] == "k"
    assert rec.last.target == "/x?sig=s"
    key, auth = client._security.resolve(client.api.operation("x"))
    assert key == "key+sig" and isinstance(auth, AllOfAuth)


def test_tokens_never_leak_in_reprs() -> None:
    from restwright.auth import ClientCredentials

    auth = ClientCredentials("http://t.test/token", "id", "very-secret")
    assert "very-secret" not in repr(auth)
    assert "very-secret" not in auth.token_request("client_credentials").redacted().to_curl()
    client, _ = pet({"bearerAuth": "tok-123"})
    assert "tok-123" not in repr(client.engine.with_options(auth=restwright.BearerAuth("tok-123")))


# -- OAuth 2 and OpenID Connect against a real authorization server -------------------------


@pytest.fixture(scope="module")
def _oauth_provider() -> Iterator[OAuth2Provider]:
    with running_provider() as provider:
        provider.register("app", "sec")
        provider.register("cli")
        yield provider


@pytest.fixture
def provider(_oauth_provider: OAuth2Provider) -> OAuth2Provider:
    _oauth_provider.reset()
    return _oauth_provider


def _op(operation_id: str, scopes: list[str]) -> dict[str, Any]:
    return {
        "operationId": operation_id,
        "tags": ["secured"],
        "security": [{"cc": scopes}],
        "responses": {
            "200": {
                "description": "the caller",
                "content": {"application/json": {"schema": {"type": "object"}}},
            }
        },
    }


def oauth_doc(scheme: dict[str, Any]) -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {"title": "oauth", "version": "1"},
        "paths": {
            "/api/read": {"get": _op("read_it", ["read"])},
            "/api/write": {"post": _op("write_it", ["read", "write"])},
        },
        "components": {"securitySchemes": {"cc": scheme}},
    }


CLIENT_CREDENTIALS = {
    "type": "oauth2",
    "flows": {
        "clientCredentials": {"tokenUrl": "/token", "scopes": {"read": "R", "write": "W"}},
        "password": {"tokenUrl": "/token", "scopes": {"read": "R", "write": "W"}},
    },
}


async def test_oauth2_client_credentials_per_operation_scopes(
    client_kind: str, make_client: Any, provider: OAuth2Provider
) -> None:
    client = make_client(
        oauth_doc(CLIENT_CREDENTIALS),
        base_url=provider.url,
        auth={"client_id": "app", "client_secret": "sec"},
    )
    assert (await call(client.secured.read_it))["scope"] == "read"
    assert (await call(client.secured.read_it))["scope"] == "read"  # cached
    assert set((await call(client.secured.write_it))["scope"].split()) == {"read", "write"}
    assert provider.token_requests == ["client_credentials", "client_credentials"]

    # the server forgets the tokens: one 401, a new token, the request again
    provider.expire_access_tokens()
    assert (await call(client.secured.read_it))["client_id"] == "app"
    assert provider.token_requests[-1] == "client_credentials"
    assert [m for m, _ in provider.resource_calls][-2:] == ["GET", "GET"]


async def test_oauth2_client_secret_in_the_body_and_errors_do_not_leak(
    client_kind: str, make_client: Any, provider: OAuth2Provider
) -> None:
    creds = {"client_id": "app", "client_secret": "sec", "client_auth": "body"}
    client = make_client(oauth_doc(CLIENT_CREDENTIALS), base_url=provider.url, auth=creds)
    assert (await call(client.secured.read_it))["client_id"] == "app"
    bad = make_client(
        oauth_doc(CLIENT_CREDENTIALS),
        base_url=provider.url,
        auth={"cc": {"client_id": "app", "client_secret": "wrong-secret", "client_auth": "body"}},
    )
    with pytest.raises(OAuth2Error) as info:
        await call(bad.secured.read_it)
    assert info.value.error == "invalid_client"
    assert "wrong-secret" not in repr(info.value.__dict__) + str(info.value)


async def test_oauth2_password_flow(
    client_kind: str, make_client: Any, provider: OAuth2Provider
) -> None:
    creds = {"client_id": "cli", "username": "bob", "password": "builder"}
    client = make_client(oauth_doc(CLIENT_CREDENTIALS), base_url=provider.url, auth=creds)
    assert (await call(client.secured.read_it))["user"] == "bob"
    assert provider.token_requests == ["password"]


async def test_openid_connect_discovery(
    client_kind: str, make_client: Any, provider: OAuth2Provider
) -> None:
    scheme = {
        "type": "openIdConnect",
        "openIdConnectUrl": "/.well-known/openid-configuration",
    }
    client = make_client(oauth_doc(scheme), base_url=provider.url, auth=("app", "sec"))
    assert (await call(client.secured.read_it))["scope"] == "read"
    assert set((await call(client.secured.write_it))["scope"].split()) == {"read", "write"}
    assert provider.token_requests == ["client_credentials", "client_credentials"]


async def test_authorization_code_scheme_says_how_to_log_in(
    client_kind: str, make_client: Any, provider: OAuth2Provider
) -> None:
    scheme = {
        "type": "oauth2",
        "flows": {
            "authorizationCode": {
                "authorizationUrl": "/authorize",
                "tokenUrl": "/token",
                "scopes": {"read": "R"},
            }
        },
    }
    client = make_client(oauth_doc(scheme), base_url=provider.url, auth={"client_id": "cli"})
    with pytest.raises(OAuth2Error) as info:
        await call(client.secured.read_it)
    assert info.value.error == "login_required"
    grant = oauth2_grant(client.api.security_schemes["cc"], {"client_id": "cli"}, provider.url)
    assert grant.auth_url("read").startswith(f"{provider.url}/authorize?")


async def test_openid_connect_without_discovery_document(
    client_kind: str, make_client: Any, provider: OAuth2Provider
) -> None:
    scheme = {"type": "openIdConnect", "openIdConnectUrl": "/no/such/discovery"}
    client = make_client(oauth_doc(scheme), base_url=provider.url, auth=("app", "sec"))
    with pytest.raises(OAuth2Error) as info:
        await call(client.secured.read_it)
    assert info.value.error == "invalid_discovery" and info.value.status_code == 404
    assert provider.token_requests == [] and provider.resource_calls == []
