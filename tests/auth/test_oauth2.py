"""restwright.auth.oauth2 against a real authorization server (authlib) on 127.0.0.1.

Every test runs for the sync and the async client (``client_kind``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from restwright.auth import AuthorizationCode, ClientCredentials, PasswordGrant
from restwright.errors import Forbidden, OAuth2Error, Unauthorized

try:
    from tests.servers.oauth2_provider import OAuth2Provider
except ImportError:
    from servers.oauth2_provider import OAuth2Provider  # type: ignore[no-redef]


def code_grant(provider: OAuth2Provider, **options: Any) -> AuthorizationCode:
    return AuthorizationCode(
        f"{provider.url}/authorize",
        f"{provider.url}/token",
        "web",
        "web-secret",
        redirect_uri="http://127.0.0.1:9/callback",
        **options,
    )


def logged_in(provider: OAuth2Provider, kind: str) -> AuthorizationCode:
    """A code grant whose user consented to ``read`` and whose code was exchanged."""
    grant = code_grant(provider)
    redirect = provider.consent(grant.auth_url("read"))
    fetch(grant, kind, redirect["code"], redirect["state"])
    return grant


def fetch(grant: AuthorizationCode, kind: str, code: str, state: str | None) -> Any:
    if kind == "async":
        return asyncio.run(grant.fetch_token_async(code, state))
    return grant.fetch_token(code, state)


# -- client credentials --------------------------------------------------------------------


def test_client_credentials_fetches_once_and_reuses(provider, make_api) -> None:
    auth = ClientCredentials(f"{provider.url}/token", "app", "app-secret", scopes="read")
    api = make_api(provider.url, auth=auth)
    first = api.get("/api/one", params={"need": "read"}).json()
    second = api.get("/api/two").json()
    assert first["client_id"] == "app" and first["scope"] == "read"
    assert second["path"] == "two"
    assert provider.token_requests == ["client_credentials"]


def test_per_call_scope_escalation_gets_its_own_token(provider, make_api) -> None:
    auth = ClientCredentials(f"{provider.url}/token", "app", "app-secret", scopes="read")
    api = make_api(provider.url, auth=auth)
    with pytest.raises(Forbidden):
        api.get("/api/x", params={"need": "write"})
    writer = api.with_options(auth=auth.scoped("write"))
    body = writer.post("/api/x", params={"need": "read write"}).json()
    assert set(body["scope"].split()) == {"read", "write"}
    # the narrower token is still cached and used for plain calls
    assert api.get("/api/y").json()["scope"] == "read"
    assert provider.token_requests == ["client_credentials", "client_credentials"]


def test_client_secret_post_and_wrong_secret(provider, make_api) -> None:
    good = ClientCredentials(
        f"{provider.url}/token", "app", "app-secret", client_auth="client_secret_post"
    )
    assert make_api(provider.url, auth=good).get("/api/x").json()["client_id"] == "app"
    bad = ClientCredentials(f"{provider.url}/token", "app", "not-the-secret")
    with pytest.raises(OAuth2Error) as caught:
        make_api(provider.url, auth=bad).get("/api/x")
    assert caught.value.error == "invalid_client"
    assert caught.value.status_code == 401
    assert "not-the-secret" not in repr(caught.value.request.headers.raw())
    assert "not-the-secret" not in str(caught.value)


def test_401_with_a_cached_token_is_retried_once_with_a_new_one(provider, make_api) -> None:
    auth = ClientCredentials(f"{provider.url}/token", "app", "app-secret")
    api = make_api(provider.url, auth=auth)
    api.get("/api/x")
    provider.expire_access_tokens()  # expired on the server, not yet for the client
    body = api.post("/api/x", content=b"payload").json()
    assert body["body_size"] == 7
    assert provider.token_requests == ["client_credentials", "client_credentials"]
    # the POST reached the resource twice: once refused, once accepted
    assert [m for m, _ in provider.resource_calls] == ["GET", "POST", "POST"]


def test_a_fresh_token_refused_is_not_retried(provider, make_api) -> None:
    auth = ClientCredentials(f"{provider.url}/token", "app", "app-secret")
    api = make_api(provider.url, auth=auth)
    provider.expires_in = -10  # the server hands out tokens already expired
    with pytest.raises(Unauthorized):
        api.get("/api/x")
    assert provider.token_requests == ["client_credentials"]


# -- password grant ------------------------------------------------------------------------


def test_password_grant_refreshes_an_expired_token(provider, make_api) -> None:
    auth = PasswordGrant(f"{provider.url}/token", "cli", "alice", "wonderland", scopes="read")
    api = make_api(provider.url, auth=auth)
    assert api.get("/api/me").json()["user"] == "alice"
    # the client sees its token as expired: the refresh token is used, no new password grant
    token = auth.token()
    assert token is not None
    token["expires_at"] = 0
    assert api.get("/api/me").json()["user"] == "alice"
    assert provider.token_requests == ["password", "refresh_token"]


def test_password_grant_revoked_refresh_falls_back_to_the_password(provider, make_api) -> None:
    auth = PasswordGrant(f"{provider.url}/token", "cli", "alice", "wonderland")
    api = make_api(provider.url, auth=auth)
    api.get("/api/me")
    provider.revoke_refresh_tokens()
    provider.expire_access_tokens()
    assert api.get("/api/me").json()["user"] == "alice"
    assert provider.token_requests == ["password", "refresh_token", "password"]


def test_password_grant_wrong_password(provider, make_api) -> None:
    auth = PasswordGrant(f"{provider.url}/token", "cli", "alice", "wrong-password")
    with pytest.raises(OAuth2Error) as caught:
        make_api(provider.url, auth=auth).get("/api/me")
    assert caught.value.status_code == 400 and caught.value.error
    shown = str(caught.value) + repr(caught.value.request.content)
    assert "wrong-password" not in shown


def test_password_grant_without_a_tty_refuses_clearly(provider, make_api, monkeypatch) -> None:
    auth = PasswordGrant(f"{provider.url}/token", "cli", username="alice")
    with open(os.devnull) as devnull, pytest.raises(OAuth2Error) as caught:
        monkeypatch.setattr("sys.stdin", devnull)
        make_api(provider.url, auth=auth).get("/api/me")
    assert caught.value.error == "login_required"
    assert provider.token_requests == []


def test_password_grant_asks_on_a_tty(provider, make_api, monkeypatch) -> None:
    class Tty:
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdin", Tty())
    monkeypatch.setattr("builtins.input", lambda prompt: "bob")
    monkeypatch.setattr("getpass.getpass", lambda prompt: "builder")
    auth = PasswordGrant(f"{provider.url}/token", "cli")
    assert make_api(provider.url, auth=auth).get("/api/me").json()["user"] == "bob"


# -- authorization code --------------------------------------------------------------------


def test_authorization_code_with_pkce(provider, make_api, client_kind) -> None:
    grant = code_grant(provider)
    url = grant.auth_url("read write")
    assert "code_challenge_method=S256" in url and "code_challenge=" in url
    redirect = provider.consent(url)
    fetch(grant, client_kind, redirect["code"], redirect["state"])
    body = make_api(provider.url, auth=grant).get("/api/me", params={"need": "write"}).json()
    assert body["user"] == "alice" and set(body["scope"].split()) == {"read", "write"}


def test_wrong_state_is_refused_before_anything_is_sent(provider, client_kind) -> None:
    grant = code_grant(provider)
    redirect = provider.consent(grant.auth_url("read"))
    with pytest.raises(OAuth2Error) as caught:
        fetch(grant, client_kind, redirect["code"], "forged-state")
    assert caught.value.error == "state_mismatch"
    assert provider.token_requests == []


def test_wrong_pkce_verifier_is_refused_by_the_provider(provider, client_kind) -> None:
    grant = code_grant(provider)
    first = provider.consent(grant.auth_url("read"))
    second_state = provider.consent(grant.auth_url("read"))["state"]
    # the first code with the second authorization's verifier
    with pytest.raises(OAuth2Error) as caught:
        fetch(grant, client_kind, first["code"], second_state)
    assert caught.value.error == "invalid_grant"
    assert "code_verifier=%5BREDACTED%5D" in caught.value.request.content.decode()


def test_a_call_without_a_user_token_says_how_to_log_in(provider, make_api) -> None:
    grant = code_grant(provider)
    with pytest.raises(OAuth2Error) as caught:
        make_api(provider.url, auth=grant).get("/api/me")
    assert caught.value.error == "login_required"
    assert "auth_url()" in str(caught.value)


def test_expired_user_token_is_refreshed_and_a_revoked_refresh_token_is_clear(
    provider, make_api, client_kind
) -> None:
    grant = logged_in(provider, client_kind)
    api = make_api(provider.url, auth=grant)
    provider.expire_access_tokens()
    assert api.get("/api/me").json()["user"] == "alice"  # 401, refreshed, retried
    assert provider.token_requests == ["authorization_code", "refresh_token"]
    provider.revoke_refresh_tokens()
    provider.expire_access_tokens()
    with pytest.raises(OAuth2Error) as caught:
        api.get("/api/me")
    assert caught.value.error == "invalid_grant"
    assert "log in again" in str(caught.value)


def test_login_in_browser_catches_the_code_on_loopback(provider, make_api, client_kind) -> None:
    grant = AuthorizationCode(
        f"{provider.url}/authorize", f"{provider.url}/token", "cli", scopes="read"
    )
    seen: list[str] = []
    if client_kind == "async":
        asyncio.run(grant.login_in_browser_async(open_browser=provider.browser(seen)))
    else:
        grant.login_in_browser(open_browser=provider.browser(seen))
    assert "redirect_uri=http%3A%2F%2F127.0.0.1%3A" in seen[0]
    assert make_api(provider.url, auth=grant).get("/api/me").json()["user"] == "alice"


def test_login_in_browser_denied_and_timeout(provider) -> None:
    grant = AuthorizationCode(f"{provider.url}/authorize", f"{provider.url}/token", "cli")

    def deny(url: str) -> None:
        provider.browser()(url + "&deny=1")

    with pytest.raises(OAuth2Error) as caught:
        grant.login_in_browser(open_browser=deny)
    assert caught.value.error == "access_denied"
    with pytest.raises(OAuth2Error) as caught:
        grant.login_in_browser(open_browser=lambda url: None, timeout=0.2)
    assert caught.value.error == "login_timeout"


# -- persistence and secrecy ---------------------------------------------------------------


def test_tokens_persist_only_when_asked_with_mode_0600(provider, make_api, tmp_path) -> None:
    path = tmp_path / "tokens.json"
    path.write_text("{}")
    path.chmod(0o644)  # a file that existed, readable by others: tightened on write
    auth = PasswordGrant(f"{provider.url}/token", "cli", "alice", "wonderland", token_file=path)
    make_api(provider.url, auth=auth).get("/api/me")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = PasswordGrant(f"{provider.url}/token", "cli", "alice", "wonderland", token_file=path)
    assert make_api(provider.url, auth=again).get("/api/me").json()["user"] == "alice"
    assert provider.token_requests == ["password"]  # the second one used the file
    assert list(Path(tmp_path).iterdir()) == [path]


def test_tokens_never_in_logs_or_reprs(provider, make_api, caplog) -> None:
    caplog.set_level(logging.DEBUG, logger="restwright")
    auth = ClientCredentials(f"{provider.url}/token", "app", "app-secret")
    api = make_api(provider.url, auth=auth)
    api.get("/api/me")
    provider.expire_access_tokens()
    api.get("/api/me")
    secrets = ["app-secret", *provider.access_tokens]
    logged = "".join(r.getMessage() for r in caplog.records if r.name.startswith("restwright"))
    assert "obtained an OAuth 2 token" in logged
    shown = logged + repr(auth) + repr(api.raw) + repr(auth.tokens)
    for secret in secrets:
        assert secret not in shown


def test_dry_run_shows_no_token(provider) -> None:
    import restwright

    auth = PasswordGrant(f"{provider.url}/token", "cli", "alice", "wonderland")
    with restwright.Client(provider.url, auth=auth, dry_run=True) as api:
        response = api.get("/api/me")
        curl = response.request.to_curl()
    assert "wonderland" not in curl and "dry-run-token" not in curl
    assert "[REDACTED]" in curl
    assert auth.token() is None and provider.token_requests == []


def test_a_streamed_call_fetches_its_token_first(provider, make_api, tmp_path) -> None:
    # the token response is read whole by the flow; only the caller's response streams
    auth = ClientCredentials(f"{provider.url}/token", "app", "app-secret")
    target = tmp_path / "me.json"
    make_api(provider.url, auth=auth).download("/api/me", target)
    assert json.loads(target.read_bytes())["client_id"] == "app"
    assert provider.token_requests == ["client_credentials"]


def test_a_token_that_would_split_the_header_is_refused(provider, make_api) -> None:
    provider.forced_access_token = "abc\r\nX-Injected: 1"
    auth = ClientCredentials(f"{provider.url}/token", "app", "app-secret")
    with pytest.raises(OAuth2Error) as caught:
        make_api(provider.url, auth=auth).get("/api/me")
    assert caught.value.error == "invalid_response"
    assert provider.resource_calls == []  # the API never saw the request


def test_concurrent_calls_with_an_expired_token_share_one_renewal(
    provider, make_api, client_kind
) -> None:
    # the provider rotates refresh tokens: the calls that lose the race must take the
    # winner's token instead of failing with the refused old refresh token
    grant = logged_in(provider, client_kind)
    api = make_api(provider.url, auth=grant)
    token = grant.token()
    assert token is not None
    token["expires_at"] = 0
    if api.is_async:

        async def many() -> list[Any]:
            return await asyncio.gather(*(api.raw.get("/api/me") for _ in range(8)))

        responses = api.run(many())
    else:
        with ThreadPoolExecutor(8) as pool:
            responses = list(pool.map(lambda _: api.get("/api/me"), range(8)))
    assert [r.json()["user"] for r in responses] == ["alice"] * 8
    assert provider.token_requests == ["authorization_code", "refresh_token"]  # one renewal


def test_a_failed_renewal_lets_the_next_call_try(provider, make_api, closed_port) -> None:
    from restwright.errors import ConnectError

    auth = ClientCredentials(f"http://127.0.0.1:{closed_port}/token", "app", "app-secret")
    api = make_api(provider.url, auth=auth, retry=0)
    with pytest.raises(ConnectError):
        api.get("/api/me")
    auth.token_url = f"{provider.url}/token"  # the token endpoint is back
    assert api.get("/api/me").json()["client_id"] == "app"
