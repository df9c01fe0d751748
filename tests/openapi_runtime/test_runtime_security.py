"""Security schemes -> engine auth: which credential each operation sends, and the OAuth 2
client-credentials flow against a real local token server (caching, expiry, 401 retry)."""

from __future__ import annotations

import base64
import http.server
import json
import threading
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest

import restwright
from restwright.errors import InvalidRequestError, Unauthorized
from restwright.openapi.runtime import from_openapi
from restwright.openapi.security import AllOfAuth, OAuth2ClientCredentials

from ._support import Recorder, call
from .conftest import PRISM_DOCUMENTS

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
    auth = OAuth2ClientCredentials("http://t.test/token", "id", "very-secret")
    assert "very-secret" not in repr(auth)
    assert "very-secret" not in auth.token_request().redacted().to_curl()
    client, _ = pet({"bearerAuth": "tok-123"})
    assert "tok-123" not in repr(client.engine.with_options(auth=restwright.BearerAuth("tok-123")))


# -- OAuth 2 client credentials against a real token server --------------------------------


class _OAuthState:
    def __init__(self) -> None:
        self.tokens: set[str] = set()
        self.issued = 0
        self.token_forms: list[dict[str, str]] = []
        self.api_auth: list[str] = []
        self.expires_in = 3600
        self.fail_token = False
        self.lock = threading.Lock()


class _OAuthHandler(http.server.BaseHTTPRequestHandler):
    server: Any

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _json(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        state: _OAuthState = self.server.state
        length = int(self.headers.get("Content-Length") or 0)
        form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
        basic = self.headers.get("Authorization", "")
        if basic.startswith("Basic "):
            user, _, secret = base64.b64decode(basic[6:]).decode().partition(":")
            form["basic"] = f"{urllib.parse.unquote(user)}:{urllib.parse.unquote(secret)}"
            form.setdefault("client_secret", urllib.parse.unquote(secret))
        with state.lock:
            state.token_forms.append(form)
            if state.fail_token or form.get("client_secret") != "sec":
                self._json(401, {"error": "invalid_client", "error_description": "bad client"})
                return
            state.issued += 1
            token = f"tok-{state.issued}"
            state.tokens.add(token)
        self._json(
            200, {"access_token": token, "token_type": "bearer", "expires_in": state.expires_in}
        )

    def do_GET(self) -> None:
        state: _OAuthState = self.server.state
        auth = self.headers.get("Authorization", "")
        with state.lock:
            state.api_auth.append(auth)
            valid = auth.startswith("Bearer ") and auth[7:] in state.tokens
        if valid:
            self._json(200, {"pong": True})
        else:
            self._json(401, {"message": "bad token"})


@pytest.fixture
def oauth_server() -> Iterator[tuple[str, _OAuthState]]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _OAuthHandler)
    httpd.daemon_threads = True
    httpd.state = _OAuthState()  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", httpd.state  # type: ignore[attr-defined]
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


OAUTH_DOC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "oauth", "version": "1"},
    "paths": {
        "/ping": {
            "get": {
                "operationId": "ping",
                "tags": ["secured"],
                "responses": {
                    "200": {
                        "description": "pong",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        }
    },
    "security": [{"cc": ["read"]}],
    "components": {
        "securitySchemes": {
            "cc": {
                "type": "oauth2",
                "flows": {
                    "clientCredentials": {
                        "tokenUrl": "/oauth/token",
                        "scopes": {"read": "Read", "write": "Write"},
                    }
                },
            }
        }
    },
}


async def test_oauth2_client_credentials_flow(
    client_kind: str, make_client: Any, oauth_server: tuple[str, _OAuthState]
) -> None:
    url, state = oauth_server
    client = make_client(OAUTH_DOC, base_url=url, auth={"client_id": "app", "client_secret": "sec"})
    assert await call(client.secured.ping) == {"pong": True}
    assert await call(client.secured.ping) == {"pong": True}
    assert state.issued == 1  # the token is cached
    assert state.token_forms == [
        {
            "grant_type": "client_credentials",
            "scope": "read write",
            "basic": "app:sec",
            "client_secret": "sec",
        }
    ]
    assert state.api_auth == ["Bearer tok-1", "Bearer tok-1"]

    # the server forgets the token: one 401, a new token, the request again
    state.tokens.clear()
    assert await call(client.secured.ping) == {"pong": True}
    assert state.issued == 2
    assert state.api_auth[-2:] == ["Bearer tok-1", "Bearer tok-2"]

    # an expired token is replaced before it is used
    auth = client._security.auth_for_scheme("cc")
    auth._expires_at = 0.0
    assert await call(client.secured.ping) == {"pong": True}
    assert state.issued == 3
    assert state.api_auth[-1] == "Bearer tok-3"


async def test_oauth2_client_secret_in_the_body(
    client_kind: str, make_client: Any, oauth_server: tuple[str, _OAuthState]
) -> None:
    url, state = oauth_server
    creds = {"client_id": "app", "client_secret": "sec", "scopes": ["read"], "client_auth": "body"}
    client = make_client(OAUTH_DOC, base_url=url, auth=creds)
    assert await call(client.secured.ping) == {"pong": True}
    assert state.token_forms == [
        {
            "client_id": "app",
            "client_secret": "sec",
            "grant_type": "client_credentials",
            "scope": "read",
        }
    ]


async def test_oauth2_token_errors_do_not_leak_the_secret(
    client_kind: str, make_client: Any, oauth_server: tuple[str, _OAuthState]
) -> None:
    url, state = oauth_server
    client = make_client(
        OAUTH_DOC, base_url=url, auth={"cc": {"client_id": "a", "client_secret": "wrong-secret"}}
    )
    with pytest.raises(Unauthorized) as info:
        await call(client.secured.ping)
    error = info.value
    assert "token request failed: bad client" in str(error)
    assert error.request is not None and error.request.content is None
    assert "wrong-secret" not in repr(error.__dict__)
    assert state.api_auth == []  # the API was never called without a token


async def test_oauth2_a_token_just_fetched_is_not_retried(
    client_kind: str, make_client: Any, oauth_server: tuple[str, _OAuthState]
) -> None:
    url, state = oauth_server
    client = make_client(OAUTH_DOC, base_url=url, auth=("app", "sec"))
    # the API refuses every token: with a fresh token there is no point in retrying
    real_tokens = state.tokens

    class Refusing(set):  # type: ignore[type-arg]
        def __contains__(self, item: object) -> bool:
            return False

    state.tokens = Refusing()
    with pytest.raises(Unauthorized):
        await call(client.secured.ping)
    assert state.issued == 1 and len(state.api_auth) == 1
    state.tokens = real_tokens
