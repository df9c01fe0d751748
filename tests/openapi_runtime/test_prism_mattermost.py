"""matterapi's README flows, through the runtime client built from Mattermost's own OpenAPI
document, against Prism mocking that document (sync and async from one test body)."""

from __future__ import annotations

import inspect
import io
from pathlib import Path
from typing import Any

import pytest

from ._support import call

pytestmark = [pytest.mark.prism, pytest.mark.usefixtures("no_violations")]


@pytest.fixture
def mm(mattermost_doc: Path, prism: Any, prism_hooks: Any, make_client: Any) -> Any:
    return make_client(
        mattermost_doc,
        base_url=prism(mattermost_doc),
        auth="<yourtokenhere>",
        hooks=prism_hooks,
        models=True,
    )


async def test_readme_flow(mm: Any, tmp_path: Path) -> None:
    # Get your own user object
    user = await call(mm.users.get_user, "me")
    assert type(user).__name__ == "User" and isinstance(user.id, str)

    # Get channels
    channels = await call(mm.channels.get_all_channels, per_page=20)
    assert isinstance(channels, list) and channels[0].id

    # Get posts for a channel
    post_list = await call(mm.posts.get_posts_for_channel, "<channel_id>")
    for post_id in post_list.order or []:
        assert isinstance(post_id, str)

    # Get a list of plugins
    plugins = await call(mm.plugins.get_plugins)
    assert plugins.active is None or isinstance(plugins.active, list)

    # Create a new team (the body as matterapi users write it: json_body=)
    team = await call(
        mm.teams.create_team,
        json_body={"name": "rebels", "display_name": "Rebels", "type": "I"},
    )
    assert isinstance(team.id, str)
    same = await call(mm.teams.get_team_by_name, name="rebels")
    assert isinstance(same.id, str)

    # Create a channel in it
    channel = await call(
        mm.channels.create_channel,
        json_body={
            "team_id": team.id,
            "name": "newchannelname",
            "display_name": "New Channel",
            "type": "O",
        },
    )
    assert isinstance(channel.id, str)
    found = await call(
        mm.channels.get_channel_by_name, team_id=team.id, channel_name="newchannelname"
    )
    assert isinstance(found.id, str)

    # Upload two files (matterapi's multipart_data={"files": {filename: file}})
    first = tmp_path / "testfile1.png"
    first.write_bytes(b"\x89PNG first")
    with first.open("rb") as fh1:
        file_info = await call(
            mm.files.upload_file,
            channel_id=channel.id,
            multipart_data={
                "files": {"upload1.png": fh1, "upload2.png": io.BytesIO(b"\x89PNG second")},
                "channel_id": channel.id,
            },
        )
    assert file_info.file_infos[0].id

    # Create a post including the uploaded files
    post = await call(
        mm.posts.create_post,
        json_body={
            "channel_id": channel.id,
            "message": "A wild message appears",
            "file_ids": [info.id for info in file_info.file_infos],
        },
    )
    assert isinstance(post.create_at, int)
    assert not mm.drift, mm.drift.report()


async def test_plain_json_and_introspection(
    mattermost_doc: Path, prism: Any, prism_hooks: Any, make_client: Any
) -> None:
    mm = make_client(mattermost_doc, base_url=prism(mattermost_doc), auth="tok", hooks=prism_hooks)
    me = await call(mm.call, "GetUser", user_id="me")
    assert isinstance(me, dict) and "username" in me
    assert "users" in dir(mm) and "get_user" in dir(mm.users)
    sig = inspect.signature(mm.users.get_user)
    assert next(iter(sig.parameters)) == "user_id"
    assert "Get a user" in (mm.users.get_user.__doc__ or "")
    files = await call(
        mm.files.upload_file,
        body={"files": [("a.txt", b"a", "text/plain"), ("b.txt", b"b")], "channel_id": "c"},
    )
    assert isinstance(files["file_infos"], list)
