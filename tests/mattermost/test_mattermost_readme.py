"""matterapi's README flows through ``restwright.mattermost`` against Prism serving
Mattermost's document (sync and async, with and without a session, token and login)."""

from __future__ import annotations

import inspect
import io
from pathlib import Path
from typing import Any

import pytest

from restwright import errors as rw_errors
from restwright.mattermost import AsyncClient, SyncClient
from restwright.mattermost.errors import InvalidOrMissingParameters, NotFound
from restwright.mattermost.models import (
    CreateChannelJsonBody,
    CreatePostJsonBody,
    CreateTeamJsonBody,
    FileInfo,
    User,
)

from .conftest import LOGIN_TOKEN

pytestmark = [pytest.mark.prism, pytest.mark.usefixtures("no_violations")]


async def _await(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


def _client(kind: str, url: str, auth: dict[str, str], client_options: dict[str, Any]) -> Any:
    cls = SyncClient if kind == "sync" else AsyncClient
    return cls(options={"url": url, "auth": auth, "client_options": client_options})


async def _readme_flow(api: Any, tmp_path: Path) -> None:
    user = await _await(api.users.get_user("me"))
    assert isinstance(user, User) and isinstance(user.id, str)
    channels = await _await(api.channels.get_all_channels(per_page=20))
    assert channels and isinstance(channels[0].id, str)
    post_list = await _await(api.posts.get_posts_for_channel("<channel_id>"))
    for post_id in post_list.order or []:
        assert isinstance(post_id, str)
    plugins = await _await(api.plugins.get_plugins())
    assert plugins.active is None or all(
        p.name is None or isinstance(p.name, str) for p in plugins.active
    )

    new_team = CreateTeamJsonBody(name="rebels", display_name="Rebels", type="I")
    team = await _await(api.teams.create_team(json_body=new_team))
    assert isinstance(team.id, str)
    same = await _await(api.teams.get_team_by_name(name=new_team.name))
    assert isinstance(same.id, str)

    new_channel = CreateChannelJsonBody(
        team_id=team.id, name="newchannelname", display_name="New Channel", type="O"
    )
    channel = await _await(api.channels.create_channel(json_body=new_channel))
    found = await _await(
        api.channels.get_channel_by_name(team_id=team.id, channel_name=new_channel.name)
    )
    assert isinstance(found.id, str)

    first = tmp_path / "testfile1.png"
    first.write_bytes(b"\x89PNG first")
    with first.open("rb") as fh:
        file_info = await _await(
            api.files.upload_file(
                channel_id=channel.id,
                multipart_data={
                    "files": {"upload1.png": fh, "upload2.png": io.BytesIO(b"\x89PNG second")}
                },
            )
        )
    assert file_info.file_infos and isinstance(file_info.file_infos[0], FileInfo)

    new_post = CreatePostJsonBody(
        channel_id=channel.id,
        message="A wild message appears",
        file_ids=[info.id for info in file_info.file_infos if info.id],
    )
    post = await _await(api.posts.create_post(json_body=new_post))
    assert isinstance(post.create_at, int)


async def _readme_flow_in_session(client: Any, tmp_path: Path) -> None:
    if isinstance(client, SyncClient):
        with client.session() as api:
            await _readme_flow(api, tmp_path)
    else:
        async with client.session() as api:
            await _readme_flow(api, tmp_path)


async def _close(client: Any) -> None:
    await _await(client.close() if hasattr(client, "close") else client.aclose())


@pytest.mark.parametrize("session", [False, True], ids=["direct", "session"])
async def test_readme_flow_with_token(
    client_kind: str,
    session: bool,
    mattermost_prism: str,
    prism_options: dict[str, Any],
    tmp_path: Path,
) -> None:
    client = _client(client_kind, mattermost_prism, {"token": "<yourtokenhere>"}, prism_options)
    try:
        if session:
            await _readme_flow_in_session(client, tmp_path)
        else:
            await _readme_flow(client, tmp_path)
    finally:
        await _close(client)


async def test_login_once_then_bearer_token(
    client_kind: str, login_prism: str, prism_options: dict[str, Any], tmp_path: Path
) -> None:
    sent: list[tuple[str, str | None]] = []

    def request_hook(request: Any) -> None:
        sent.append((request.target, request.headers.get("authorization")))

    options = {**prism_options, "hooks": {**prism_options["hooks"], "request": [request_hook]}}
    client = _client(
        client_kind, login_prism, {"login_id": "hansolo", "password": "lea1234"}, options
    )
    try:
        await _readme_flow_in_session(client, tmp_path)
        await _await(client.users.get_user("me"))  # the session's login is shared
    finally:
        await _close(client)
    logins = [target for target, _ in sent if target == "/api/v4/users/login"]
    assert len(logins) == 1
    others = [auth for target, auth in sent if target != "/api/v4/users/login"]
    assert others and all(auth == f"Bearer {LOGIN_TOKEN}" for auth in others)
    assert "lea1234" not in repr(client.auth)


async def test_login_without_token_header_is_unauthorized(
    client_kind: str, mattermost_prism: str, prism_options: dict[str, Any]
) -> None:
    client = _client(
        client_kind, mattermost_prism, {"login_id": "u", "password": "secret-pw"}, prism_options
    )
    try:
        with pytest.raises(rw_errors.Unauthorized) as info:
            await _await(client.users.get_user("me"))
        assert "secret-pw" not in str(info.value) and "secret-pw" not in repr(info.value.request)
    finally:
        await _close(client)


@pytest.mark.parametrize(
    ("status", "cls", "engine_cls"),
    [(400, InvalidOrMissingParameters, rw_errors.BadRequest), (404, NotFound, rw_errors.NotFound)],
)
async def test_typed_errors_are_restwright_errors(
    client_kind: str,
    status: int,
    cls: type[Exception],
    engine_cls: type[Exception],
    mattermost_prism: str,
    prism_options: dict[str, Any],
) -> None:
    client = _client(client_kind, mattermost_prism, {"token": "t"}, prism_options)
    try:
        with pytest.raises(cls) as info:
            await _await(client.users.get_user("me", headers={"Prefer": f"code={status}"}))
    finally:
        await _close(client)
    error = info.value
    assert isinstance(error, engine_cls) and isinstance(error, rw_errors.ApiError)
    assert error.status_code == status
    assert error.request is not None and error.response is not None


def test_options_are_checked() -> None:
    with pytest.raises(TypeError, match="url"):
        SyncClient(options={"auth": {"token": "t"}})
    with pytest.raises(TypeError, match="unknown Mattermost client options"):
        SyncClient(options={"url": "http://127.0.0.1:1", "debug": True})
    with pytest.raises(TypeError, match="unsupported client options"):
        SyncClient(options={"url": "http://127.0.0.1:1", "client_options": {"http2": True}})
