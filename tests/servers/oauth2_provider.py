"""A real OAuth 2 authorization server for tests, built on authlib's Flask integration.

:class:`OAuth2Provider` runs a Flask app (authlib's ``AuthorizationServer``) with werkzeug's
threaded server in a background thread, on ``127.0.0.1`` and a free port.  It knows:

* the grants ``authorization_code`` (PKCE S256 required unless ``pkce=False``),
  ``client_credentials``,
  ``password`` and ``refresh_token``; clients authenticate with HTTP Basic, form fields, or
  (public clients) with nothing;
* ``GET /authorize``: the user consents at once (as :attr:`OAuth2Provider.user`) and is
  redirected to ``redirect_uri`` with ``code`` and ``state``; ``?deny=1`` → ``access_denied``;
* ``POST /token``; ``GET /.well-known/openid-configuration`` (discovery);
* ``/api/{anything}``: a resource that answers ``{"user", "client_id", "scope", "path",
  "method", "body_size"}`` for a valid token whose scope covers ``?need=a+b`` (else 403
  ``insufficient_scope``); an unknown, revoked or expired token gets 401 ``invalid_token``.

``scopes`` are the scopes it grants.  :meth:`consent` and :meth:`browser` play the user.
Tests steer it directly: :meth:`expire_access_tokens`, :meth:`revoke_refresh_tokens`,
:attr:`token_requests` (the grant types received, in order) and :attr:`access_tokens`.
"""

from __future__ import annotations

import http.client
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc7636 import CodeChallenge
from flask import Flask, jsonify, request
from werkzeug.serving import make_server

# authlib refuses plain http unless told: the provider only ever listens on loopback.
os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")

SCOPES = (
    "read",
    "write",
    "admin",
    "openid",
    "email",
)
USERS = {"alice": "wonderland", "bob": "builder"}


@dataclass
class RegisteredClient:
    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...] = ()
    scopes: tuple[str, ...] = SCOPES

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        return self.redirect_uris[0] if self.redirect_uris else None

    def get_allowed_scope(self, scope: str | None) -> str:
        return " ".join(s for s in (scope or "").split() if s in self.scopes)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        if redirect_uri in self.redirect_uris:
            return True
        # RFC 8252 section 7.3: any port on the loopback address for native apps.
        return redirect_uri.startswith("http://127.0.0.1:")

    def check_client_secret(self, client_secret: str) -> bool:
        return bool(self.client_secret) and client_secret == self.client_secret

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        if not self.client_secret:
            return method == "none"
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return True


@dataclass
class Code:
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    user: str
    code_challenge: str | None
    code_challenge_method: str | None

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope


@dataclass
class Token:
    access_token: str
    refresh_token: str | None
    client_id: str
    user: str | None
    scope: str
    expires_at: float
    revoked: bool = False
    refresh_revoked: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def check_client(self, client: RegisteredClient) -> bool:
        return client.client_id == self.client_id

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return int(self.expires_at - time.time())

    def is_revoked(self) -> bool:
        return self.refresh_revoked

    def is_expired(self) -> bool:
        return False  # refresh tokens do not expire here; access tokens: see _resource


class ThreadedApp:
    """A Flask app served by werkzeug (threaded) in a background thread on 127.0.0.1, on a
    free port: :meth:`start`, :meth:`stop`, :attr:`url`."""

    app: Flask
    name = "flask-app"
    port = 0
    _server: Any = None
    _thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.port = self._server.server_port
        self._thread = threading.Thread(
            target=self._server.serve_forever, name=self.name, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)


class OAuth2Provider(ThreadedApp):
    """See the module docstring."""

    name = "oauth2-provider"

    def __init__(
        self, *, expires_in: int = 3600, scopes: tuple[str, ...] = SCOPES, pkce: bool = True
    ) -> None:
        self.expires_in = expires_in
        #: When set, the access token every grant hands out (to send a malformed one).
        self.forced_access_token: str | None = None
        self.scopes = scopes
        self.pkce = pkce
        self.user = "alice"
        self.clients: dict[str, RegisteredClient] = {}
        self.codes: dict[str, Code] = {}
        self.access_tokens: dict[str, Token] = {}
        self.token_requests: list[str] = []
        self.resource_calls: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        self.app = self._build_app()

    # -- registration and steering ------------------------------------------------------
    def register(
        self, client_id: str, client_secret: str = "", redirect_uris: tuple[str, ...] = ()
    ) -> RegisteredClient:
        client = RegisteredClient(client_id, client_secret, redirect_uris, self.scopes)
        self.clients[client_id] = client
        return client

    def expire_access_tokens(self) -> None:
        """Every access token issued so far is expired from now on (refresh tokens live)."""
        with self.lock:
            for token in self.access_tokens.values():
                token.expires_at = 0

    def revoke_refresh_tokens(self) -> None:
        with self.lock:
            for token in self.access_tokens.values():
                token.refresh_revoked = True

    def reset(self) -> None:
        with self.lock:
            self.codes.clear()
            self.access_tokens.clear()
            self.token_requests.clear()
            self.resource_calls.clear()
        self.user = "alice"
        self.expires_in = 3600
        self.forced_access_token = None

    # -- a scripted user --------------------------------------------------------------------
    def consent(self, authorize_url: str) -> dict[str, str]:
        """The user consents on the authorize page: the query of the redirect (``code``,
        ``state``), which is not followed (its target may be an app's public URL)."""
        status, location = visit(authorize_url)
        assert status == 302, status
        return dict(parse_qsl(urlsplit(location).query))

    def browser(self, seen: list[str] | None = None) -> Callable[[str], None]:
        """An ``open_browser`` that follows the authorize URL and then the redirect to the
        app's loopback listener, like a browser whose user consents."""

        def open_browser(url: str) -> None:
            if seen is not None:
                seen.append(url)
            status, location = visit(url)
            assert status == 302, status
            visit(location)

        return open_browser

    # -- the app ------------------------------------------------------------------------
    def _save_token(self, token: dict[str, Any], oauth_request: Any) -> None:
        user = oauth_request.user
        with self.lock:
            self.access_tokens[token["access_token"]] = Token(
                token["access_token"],
                token.get("refresh_token"),
                oauth_request.client.client_id,
                user,
                token.get("scope", ""),
                time.time() + token["expires_in"],
            )

    def _token_expiry(self, client: Any, grant_type: str) -> int:
        return self.expires_in

    def _build_app(self) -> Flask:
        app = Flask("oauth2_provider")
        provider = self
        server = AuthorizationServer(
            app, query_client=self.clients.get, save_token=self._save_token
        )
        server.scopes_supported = list(self.scopes)
        server.register_token_generator("default", self._token_generator())

        class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]

            def save_authorization_code(self, code: str, req: Any) -> None:
                provider.codes[code] = Code(
                    code,
                    req.client.client_id,
                    req.payload.redirect_uri,
                    req.payload.scope or "",
                    req.user,
                    req.payload.data.get("code_challenge"),
                    req.payload.data.get("code_challenge_method"),
                )

            def query_authorization_code(self, code: str, client: Any) -> Code | None:
                item = provider.codes.get(code)
                return item if item is not None and item.client_id == client.client_id else None

            def delete_authorization_code(self, authorization_code: Code) -> None:
                provider.codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code: Code) -> str:
                return authorization_code.user

        class PasswordGrant(grants.ResourceOwnerPasswordCredentialsGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]

            def authenticate_user(self, username: str, password: str) -> str | None:
                return username if USERS.get(username) == password else None

        class RefreshTokenGrant(grants.RefreshTokenGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]
            INCLUDE_NEW_REFRESH_TOKEN = True

            def authenticate_refresh_token(self, refresh_token: str) -> Token | None:
                for token in provider.access_tokens.values():
                    if token.refresh_token == refresh_token and not token.refresh_revoked:
                        return token
                return None

            def authenticate_user(self, credential: Token) -> str | None:
                return credential.user

            def revoke_old_credential(self, credential: Token) -> None:
                credential.refresh_revoked = True

        class ClientCredentialsGrant(grants.ClientCredentialsGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

        server.register_grant(AuthorizationCodeGrant, [CodeChallenge(required=self.pkce)])
        server.register_grant(PasswordGrant)
        server.register_grant(RefreshTokenGrant)
        server.register_grant(ClientCredentialsGrant)

        @app.get("/authorize")
        def authorize() -> Any:
            try:
                grant = server.get_consent_grant(end_user=provider.user)
            except OAuth2Error as error:
                return server.handle_error_response(None, error)
            user = None if request.args.get("deny") else provider.user
            return server.create_authorization_response(grant_user=user, grant=grant)

        @app.post("/token")
        def token() -> Any:
            provider.token_requests.append(request.form.get("grant_type", ""))
            return server.create_token_response()

        @app.get("/.well-known/openid-configuration")
        def discovery() -> Any:
            return jsonify(
                issuer=provider.url,
                authorization_endpoint=f"{provider.url}/authorize",
                token_endpoint=f"{provider.url}/token",
                scopes_supported=list(provider.scopes),
                grant_types_supported=[
                    "authorization_code",
                    "client_credentials",
                    "password",
                    "refresh_token",
                ],
                code_challenge_methods_supported=["S256"],
            )

        @app.route("/api/<path:rest>", methods=["GET", "POST", "PUT", "DELETE"])
        def resource(rest: str) -> Any:
            return provider._resource(rest)

        return app

    def _token_generator(self) -> Any:
        from authlib.oauth2.rfc6750 import BearerTokenGenerator

        def access_token(*_: Any, **__: Any) -> str:
            from authlib.common.security import generate_token

            return self.forced_access_token or generate_token(32)

        def refresh_token(*_: Any, **__: Any) -> str:
            from authlib.common.security import generate_token

            return generate_token(40)

        return BearerTokenGenerator(access_token, refresh_token, self._token_expiry)

    def check_token(self, need: set[str]) -> tuple[Token | None, Any]:
        """The token of the current Flask request if it is valid and covers ``need``; else
        ``(None, the error answer)``: 401 ``invalid_token`` or 403 ``insufficient_scope``.
        (The Mxit stand-in checks its calls with it too.)"""
        header = request.headers.get("Authorization", "")
        scheme, _, value = header.partition(" ")
        token = self.access_tokens.get(value) if scheme.lower() == "bearer" else None
        challenge = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
        self.resource_calls.append((request.method, value))
        if token is None or token.revoked:
            body = {"error": "invalid_token", "error_description": "unknown token"}
            return None, (jsonify(body), 401, challenge)
        if token.expires_at <= time.time():
            body = {"error": "invalid_token", "error_description": "the token expired"}
            return None, (jsonify(body), 401, challenge)
        if not need <= set(token.scope.split()):
            body = {"error": "insufficient_scope", "scope": " ".join(sorted(need))}
            return None, (jsonify(body), 403)
        return token, None

    def _resource(self, rest: str) -> Any:
        token, refusal = self.check_token(set(request.args.get("need", "").split()))
        if token is None:
            return refusal
        return jsonify(
            user=token.user,
            client_id=token.client_id,
            scope=token.scope,
            path=rest,
            method=request.method,
            body_size=len(request.get_data()),
        )


def visit(url: str) -> tuple[int, str]:
    """One GET on 127.0.0.1, redirects not followed: ``(status, Location)``."""
    parts = urlsplit(url)
    assert parts.hostname == "127.0.0.1", url
    conn = http.client.HTTPConnection("127.0.0.1", parts.port, timeout=10)
    try:
        conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""))
        response = conn.getresponse()
        response.read()
        return response.status, response.headers.get("Location", "")
    finally:
        conn.close()


@contextmanager
def running_provider(**options: Any) -> Iterator[OAuth2Provider]:
    """A started :class:`OAuth2Provider`, stopped on exit."""
    provider = OAuth2Provider(**options)
    provider.start()
    try:
        yield provider
    finally:
        provider.stop()
