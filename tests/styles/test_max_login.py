"""MAX's login: the OAuth2 password grant against an OAuth2 look-alike, the OAuth2 server
found through MAX's ``/info``, and the interactive login driven through a pseudo-terminal."""

from __future__ import annotations

import logging
import os
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from tests.servers.styles_server import MAX_TOKEN, StyleServer

import restwright

pexpect = pytest.importorskip("pexpect")

SRC = Path(__file__).resolve().parents[2] / "src"


def test_login_with_credentials(
    max_client: Any, drive: Any, max_server: StyleServer, oauth_server: StyleServer
) -> None:
    client = max_client(oauth_server=oauth_server.base_url)
    assert drive(client.login(username="carles.bruguera", password="password")) == MAX_TOKEN
    assert (client.actor, client.token) == ("carles.bruguera", MAX_TOKEN)
    (token_request,) = oauth_server.seen
    assert (token_request.method, token_request.path) == ("POST", "/token")
    assert token_request.header("Content-Type") == "application/x-www-form-urlencoded"
    assert token_request.form == {
        "grant_type": "password",
        "client_id": "MAX",
        "scope": "widgetcli",
        "username": "carles.bruguera",
        "password": "password",
    }
    assert token_request.header("X-Oauth-Token") is None  # MAX's auth stays on MAX
    assert drive(client.getUser())[:2] == (False, 404)  # authenticated: 404, not 401
    (call,) = max_server.seen
    assert call.header("X-Oauth-Token") == MAX_TOKEN
    assert call.header("X-Oauth-Username") == "carles.bruguera"


def test_oauth_server_from_max_info(
    max_client: Any, drive: Any, max_server: StyleServer, oauth_server: StyleServer
) -> None:
    client = max_client()
    assert drive(client.oauth_server) == oauth_server.base_url
    assert drive(client.login("ana", "s3cret")) == MAX_TOKEN
    info, *rest = max_server.seen
    assert (info.method, info.path, info.header("X-Oauth-Token")) == ("GET", "/info", None)
    assert rest == []  # /info is read once
    assert drive(client.server_info)["max.version"] == "5.1"
    assert len(max_server.seen) == 1


def test_bad_password_raises_with_the_servers_words(
    max_client: Any, drive: Any, oauth_server: StyleServer, caplog: Any
) -> None:
    client = max_client(oauth_server=oauth_server.base_url)
    with (
        caplog.at_level(logging.DEBUG, logger="restwright"),
        pytest.raises(restwright.errors.OAuth2Error) as caught,
    ):
        drive(client.login("ana", "wrong-password-value"))
    exc = caught.value
    assert (exc.error, exc.status_code) == ("invalid_grant", 400)
    assert "Bad username or password" in str(exc)
    assert "wrong-password-value" not in str(exc)
    assert "wrong-password-value" not in exc.request.to_curl()
    assert "wrong-password-value" not in caplog.text
    assert (client.token, client.actor) == (None, None)
    assert len(oauth_server.seen) == 1  # a refused POST is not re-sent


def test_login_without_terminal_refuses_to_wait(
    max_client: Any, drive: Any, oauth_server: StyleServer
) -> None:
    client = max_client(oauth_server=oauth_server.base_url)
    with pytest.raises(restwright.errors.OAuth2Error, match="terminal") as caught:
        drive(client.login(username="ana"))
    assert caught.value.error == "login_required"
    assert oauth_server.seen == []


def test_login_in_a_dry_run_sends_nothing(max_client: Any, drive: Any) -> None:
    sent: list[restwright.Request] = []
    client = max_client(
        oauth_server="http://127.0.0.1:9", dry_run=True, hooks={"request": sent.append}
    )
    assert drive(client.login("ana", "s3cret")) == "dry-run-token"
    drive(client.people[":me"].get())
    token_request, call = sent
    assert token_request.url == "http://127.0.0.1:9/token"
    assert "s3cret" not in token_request.to_curl()
    assert call.headers["X-Oauth-Token"] == "dry-run-token"
    assert "dry-run-token" not in call.to_curl()


SCRIPT = textwrap.dedent(
    """
    import asyncio, sys
    from restwright.max import AsyncMaxClient, MaxClient

    url, kind = sys.argv[1], sys.argv[2]
    if kind == "sync":
        with MaxClient(url) as client:
            token = client.login()
            print("TOKEN", token[:6], client.actor, client.getUser()[:2], flush=True)
    else:
        async def main():
            async with AsyncMaxClient(url) as client:
                token = await client.login(username=sys.argv[3] if len(sys.argv) > 3 else None)
                print("TOKEN", token[:6], client.actor, (await client.getUser())[:2], flush=True)
        asyncio.run(main())
    """
)


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_interactive_login_on_a_terminal(
    tmp_path: Path, max_server: StyleServer, oauth_server: StyleServer, kind: str
) -> None:
    script = tmp_path / "login.py"
    script.write_text(SCRIPT)
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    child = pexpect.spawn(
        sys.executable,
        [str(script), max_server.base_url, kind],
        env=env,
        encoding="utf-8",
        timeout=30,
    )
    try:
        child.expect_exact(f"Username for {oauth_server.base_url}/token: ")
        child.sendline("ana")
        child.expect_exact("Password for ana: ")
        child.sendline("s3cret")
        child.expect(r"TOKEN (\S+) ana \(False, 404\)")
        assert "s3cret" not in child.before  # the password was not echoed
        assert child.match.group(1) == MAX_TOKEN[:6]
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
    assert oauth_server.seen[0].form["username"] == "ana"


def test_interactive_login_asks_only_for_what_is_missing(
    tmp_path: Path, max_server: StyleServer, oauth_server: StyleServer
) -> None:
    script = tmp_path / "login.py"
    script.write_text(SCRIPT)
    child = pexpect.spawn(
        sys.executable,
        [str(script), max_server.base_url, "async", "carles.bruguera"],
        env={**os.environ, "PYTHONPATH": str(SRC)},
        encoding="utf-8",
        timeout=30,
    )
    try:
        index = child.expect_exact(["Username for", "Password for carles.bruguera: "])
        assert index == 1
        child.sendline("password")
        child.expect(r"TOKEN \S+ carles.bruguera")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
