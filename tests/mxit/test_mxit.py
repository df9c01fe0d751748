"""restwright.mxit against the stand-in for Mxit's API and auth site, sync and async:
tokens and scopes per call, clear errors without a user token, binaries in and out."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from restwright.errors import InvalidRequestError, NotFound, OAuth2Error
from restwright.mxit import CONTACT_LIST_FILTER

from .conftest import Runner

try:
    from tests.engine._harness import traced_peak
    from tests.servers.mxit_server import chunks_of
except ImportError:
    from engine._harness import traced_peak  # type: ignore[no-redef]
    from servers.mxit_server import chunks_of  # type: ignore[no-redef]


def login(mxit: Runner, scope: str, **options: object) -> object:
    client = mxit.client(redirect_uri="http://example.org", **options)
    mxit.run(client.oauth.get_user_token, scope, mxit.server.consent(scope))
    return client


def test_app_calls_get_a_token_per_scope(mxit: Runner) -> None:
    client = mxit.client()
    assert mxit.run(client.users.get_user_id, "someone") == "u-someone"
    assert mxit.run(client.users.get_display_name, "someone") == "Display someone"
    mxit.run(client.messaging.send_message, "app", ["u1"], "hi", contains_markup=False)
    # one token for profile/public (reused), one for message/send
    assert mxit.server.auth.token_requests == ["client_credentials", "client_credentials"]
    scopes = {t.scope for t in mxit.server.auth.access_tokens.values()}
    assert scopes == {"profile/public", "message/send"}
    assert mxit.server.messages[-1]["ContainsMarkup"] is False


def test_per_call_scope_is_sent_to_the_auth_site(mxit: Runner) -> None:
    client = mxit.client()
    with pytest.raises(OAuth2Error) as info:  # the auth site does not know that scope
        mxit.run(client.users.get_user_id, "someone", scope="profile/unknown")
    assert info.value.error == "invalid_scope"


def test_user_calls_need_the_user_token(mxit: Runner) -> None:
    client = mxit.client(redirect_uri="http://example.org")
    with pytest.raises(OAuth2Error) as info:
        mxit.run(client.users.get_full_profile)
    assert info.value.error == "login_required"
    assert "auth_url" in str(info.value)
    assert mxit.server.calls == []  # nothing reached the API
    with pytest.raises(OAuth2Error):
        mxit.run(client.oauth.get_user_token, "profile/private")


def test_a_user_token_covers_only_its_scope(mxit: Runner) -> None:
    client = login(mxit, "graph/read")
    assert mxit.run(client.users.get_friend_suggestions) == ["suggested_friend"]
    mxit.server.contacts["alice"] = ["a", "b", "c"]
    listed = mxit.run(
        client.users.get_contact_list, CONTACT_LIST_FILTER["friends"], skip=1, count=1
    )
    assert listed == {"Filter": "@Friends", "Contacts": [{"UserId": "b"}]}
    with pytest.raises(OAuth2Error) as info:
        mxit.run(client.users.add_contact, "x")  # contact/invite was not granted
    assert info.value.error == "login_required"


def test_auth_url_and_code_exchange(mxit: Runner) -> None:
    client = mxit.client(redirect_uri="http://example.org", state="xyz")
    url = client.oauth.auth_url("status/write")
    assert url.startswith(f"{mxit.server.auth.url}/authorize?")
    assert "state=xyz" in url and "scope=status%2Fwrite" in url
    assert "redirect_uri=http%3A%2F%2Fexample.org" in url
    token = mxit.run(
        client.oauth.get_user_token, "status/write", mxit.server.consent("status/write")
    )
    assert token in mxit.server.auth.access_tokens
    assert mxit.run(client.oauth.get_user_token, "status/write") == token  # cached
    mxit.run(client.users.set_status, "hello")
    assert mxit.server.statuses["alice"] == "hello"


def test_expired_tokens_are_renewed(mxit: Runner) -> None:
    client = login(mxit, "profile/private")
    mxit.run(client.users.get_user_id, "x")
    mxit.server.auth.expire_access_tokens()
    assert mxit.run(client.users.get_full_profile)["UserId"] == "alice"  # refreshed
    assert mxit.run(client.users.get_user_id, "x") == "u-x"  # a new app token
    assert mxit.server.auth.token_requests == [
        "authorization_code",
        "client_credentials",
        "refresh_token",
        "client_credentials",
    ]


def test_binaries_in_and_out(mxit: Runner, tmp_path: Path) -> None:
    client = login(mxit, "avatar/write content/write content/read")
    source = tmp_path / "in.bin"
    source.write_bytes(b"".join(chunks_of(1_000_000, b"upload")))
    mxit.run(client.users.set_avatar, input_file_path=source, content_type="image/jpeg")
    assert mxit.server.avatars["alice"] == (source.read_bytes(), "image/jpeg")
    mxit.run(client.users.set_avatar, data=b"tiny")
    assert mxit.server.avatars["alice"] == (b"tiny", "application/octet-stream")
    file_id = mxit.run(
        client.users.upload_gallery_file, "example folder name", "pic", input_file_path=source
    )
    out = tmp_path / "out.bin"
    assert mxit.run(client.users.get_gallery_file, file_id, output_file_path=out) is None
    assert out.read_bytes() == source.read_bytes()
    assert mxit.run(client.users.get_gallery_file, file_id) == source.read_bytes()
    with pytest.raises(InvalidRequestError):
        mxit.run(client.users.set_avatar)
    with pytest.raises(NotFound):
        mxit.run(client.users.get_gallery_file, "missing", output_file_path=tmp_path / "x")
    assert not (tmp_path / "x").exists()  # no partial file left behind


def test_an_upload_from_a_path_is_the_engines_replayable_file_body(tmp_path: Path) -> None:
    """``input_file_path=`` becomes the engine's ``FileBody`` (still importable from
    ``restwright.mxit.calls``): streamed, sent with its length, and re-sendable."""
    from restwright.engine import file_bodies
    from restwright.mxit import calls

    assert calls.FileBody is file_bodies.FileBody
    source = tmp_path / "in.bin"
    source.write_bytes(b"x" * 70_000)
    body, headers = calls.binary_body(None, source, "image/png")
    assert isinstance(body, file_bodies.FileBody) and body.replayable
    assert body.length == 70_000 and headers == {"Content-Type": "image/png"}
    assert b"".join(body) == b"".join(body) == source.read_bytes()


def test_avatar_download_is_streamed_to_the_file(mxit: Runner, tmp_path: Path) -> None:
    client = mxit.client()
    out = tmp_path / "big.png"
    mxit.run(client.users.get_avatar, "small")  # the token, and first-use imports, first
    with traced_peak() as memory:
        mxit.run(client.users.get_avatar, "big", output_file_path=out)
    size = mxit.server.big_avatar_size
    assert out.stat().st_size == size
    expected = hashlib.sha256()
    for chunk in chunks_of(size):
        expected.update(chunk)
    got = hashlib.sha256()
    with open(out, "rb") as fh:
        while block := fh.read(1 << 20):
            got.update(block)
    assert got.hexdigest() == expected.hexdigest()
    # the 32 MB body was never held whole (the engine's socket buffers stay under 11 MB)
    assert memory["peak"] < size // 2


def test_gallery_and_profile_calls(mxit: Runner) -> None:
    client = login(mxit, "content/read content/write profile/write profile/private")
    mxit.run(client.users.create_gallery_folder, "a folder")
    assert "a folder" in mxit.run(client.users.get_gallery_folder_list)
    mxit.run(client.users.rename_gallery_folder, "a folder", "c")
    items = mxit.run(client.users.get_gallery_item_list, "example folder name", count=1)
    assert items == [{"FileId": "example_file_id", "FileName": "example file"}]
    mxit.run(client.users.rename_gallery_file, "example_file_id", "renamed")
    mxit.run(client.users.delete_gallery_file, "example_file_id")
    mxit.run(client.users.delete_gallery_folder, "c")
    assert mxit.run(client.users.get_gallery_folder_list) == [
        "example folder name",
        "old example folder name",
    ]
    calls = len(mxit.server.calls)
    assert mxit.run(client.users.update_profile) is None  # nothing to change: nothing sent
    assert len(mxit.server.calls) == calls
    mxit.run(client.users.update_profile, about_me="me", gender=1, where_am_i="here")
    profile = mxit.run(client.users.get_full_profile)
    assert (profile["AboutMe"], profile["Gender"], profile["WhereAmI"]) == ("me", 1, "here")


def test_file_offers_use_the_app_token(mxit: Runner) -> None:
    client = mxit.client()
    file_id = mxit.run(
        client.users.upload_file_and_send_file_offer,
        "doc.txt",
        "u-bob",
        data=b"doc",
        auto_open=True,
    )
    mxit.run(client.users.send_file_offer, file_id, "u-carol")
    assert [o["user_id"] for o in mxit.server.offers] == ["u-bob", "u-carol"]
    assert mxit.server.offers[0]["auto_open"] == "true"
    assert mxit.server.files[file_id]["data"] == b"doc"


def test_errors_and_secrets(mxit: Runner) -> None:
    client = mxit.client(client_secret="not-the-secret")
    with pytest.raises(OAuth2Error) as info:
        mxit.run(client.users.get_status, "x")
    assert info.value.error == "invalid_client"
    assert "not-the-secret" not in str(info.value) + repr(info.value.request)
    assert "not-the-secret" not in repr(client)
    no_redirect = mxit.client()
    with pytest.raises(InvalidRequestError):
        mxit.run(no_redirect.oauth.get_user_token, "status/write", "code")
