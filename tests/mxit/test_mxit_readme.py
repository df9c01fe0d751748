"""Every example of the ``mxit`` package's README, run against the stand-in, sync and async.

The README (the seed ``001_6945b06d9d2cb06a.txt`` next to the repository, skipped when
absent) is run as written, with three changes: ``from mxit import`` imports
``restwright.mxit`` (``AsyncMxit as Mxit`` for the async run, where every API call is
awaited), the clients are pointed at the stand-in's two origins, and ``/path/to/...``
files live in a temporary folder.  Each block runs on a freshly seeded stand-in, as the
examples are independent of each other.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest

from .conftest import CLIENT_ID, CLIENT_SECRET, FreshCode, Runner, seed

SEED = Path(__file__).resolve().parents[2].parent / "shared" / "seeds" / "001_6945b06d9d2cb06a.txt"
FILE_BYTES = b"\x89PNG local image bytes" * 100


def readme_blocks() -> list[str]:
    if not SEED.exists():
        pytest.skip(f"the Mxit seed is absent ({SEED})")
    return re.findall(r"```python\n(.*?)```", SEED.read_text(), flags=re.S)


def adapt(block: str, kind: str, folder: Path) -> str:
    source = block.replace("/path/to/", f"{folder}/")
    source = source.replace(
        "Mxit(MXIT_CLIENT_ID, MXIT_CLIENT_SECRET",
        "Mxit(MXIT_CLIENT_ID, MXIT_CLIENT_SECRET, api_endpoint=API, auth_endpoint=AUTH",
    )
    if kind == "sync":
        return source.replace("from mxit import", "from restwright.mxit import")
    source = source.replace(
        "from mxit import Mxit", "from restwright.mxit import AsyncMxit as Mxit"
    )
    calls = r"client\.(?:users|messaging)\.|client\.oauth\.get_user_token"
    return re.sub(rf"^(\s*(?:\w+\s*=\s*)?)({calls})", r"\1await \2", source, flags=re.M)


def test_every_readme_example_runs(mxit: Runner, tmp_path: Path) -> None:
    blocks = readme_blocks()
    assert len(blocks) >= 28
    for name in ("avatar.png", "image.png"):
        (tmp_path / name).write_bytes(FILE_BYTES)
    code = FreshCode(mxit.server)
    namespace: dict[str, Any] = {
        "MXIT_CLIENT_ID": CLIENT_ID,
        "MXIT_CLIENT_SECRET": CLIENT_SECRET,
        "API": mxit.server.url,
        "AUTH": mxit.server.auth.url,
        "SCOPE": "profile/private",
        "RECEIVED_CODE": code,
        "RECEIVED_AUTH_CODE": code,
    }
    done = []
    for index, block in enumerate(blocks):
        seed(mxit.server)
        source = adapt(block, mxit.kind, tmp_path)
        compiled = compile(
            source, f"<README block {index}>", "exec", ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
        )
        result = eval(compiled, namespace)
        if result is not None:  # a coroutine: the block awaits
            mxit(result)
        if "client" in namespace and namespace["client"] not in mxit.clients:
            mxit.clients.append(namespace["client"])  # closed at teardown
        done.append(_check(index, block, mxit, namespace, tmp_path))
    assert all(done)


def _check(index: int, block: str, mxit: Runner, namespace: dict[str, Any], folder: Path) -> bool:
    """What each kind of example must have done on the stand-in."""
    server = mxit.server
    if "send_message(" in block:
        assert server.messages[-1]["sent_by"] == CLIENT_ID
        assert server.messages[-1]["To"] == "mxit_user_id_1,mxit_user_id_2"
    if "send_user_to_user_message(" in block:
        assert server.messages[-1]["sent_by"] == "alice"
    if "get_user_id(" in block and "file_offer" not in block:
        assert namespace["user_id"] == "u-example_mxit_id"
    if "set_status(" in block:
        assert server.statuses["alice"] == "Some awesome status"
    if "users.get_status(" in block:
        assert namespace["status"] == "status of example_mxit_id"
    if "get_display_name(" in block:
        assert namespace["display_name"] == "Display example_mxit_id"
    if 'users.get_avatar("example_mxit_id", output_file_path' in block:
        assert (folder / "avatar.png").read_bytes() == namespace["data"]
        assert namespace["data"].startswith(b"\x89PNG avatar")
    if "set_avatar(" in block:
        assert server.avatars["alice"][0] == (folder / "avatar.png").read_bytes()
    if "delete_avatar(" in block:
        assert "alice" not in server.avatars
    if "get_basic_profile(" in block:
        assert namespace["basic_profile"]["UserId"] == "example_user_id"
    if "get_full_profile(" in block:
        assert namespace["full_profile"]["UserId"] == "alice"
    if "update_profile(" in block:
        assert server.profiles["alice"] == {"Email": "test@test.com", "RelationshipStatus": 3}
    if "add_contact(" in block:
        assert server.contacts["alice"] == ["example_contact_id"]
    if "create_gallery_folder(" in block:
        assert "example folder name" in server.folders["alice"]
    if "delete_gallery_folder(" in block:
        assert "example folder name" not in server.folders["alice"]
    if "rename_gallery_folder(" in block:
        assert "new example folder name" in server.folders["alice"]
    if "delete_gallery_file(" in block:
        assert "example_file_id" not in server.files
    if "rename_gallery_file(" in block:
        assert server.files["example_file_id"]["name"] == "new file name"
    if "upload_gallery_file(" in block:
        new = server.folders["alice"]["example folder name"][-1]
        assert server.files[new]["data"] == (folder / "image.png").read_bytes()
        assert server.files[new]["content_type"] == "image/png"
    if "get_gallery_file(" in block:
        assert (folder / "image.png").read_bytes() == b"\x89PNG example file"
    if "upload_file_and_send_file_offer(" in block:
        offer = server.offers[-1]
        assert offer["user_id"] == "u-example_mxit_id"
        assert server.files[offer["file_id"]]["data"] == (folder / "image.png").read_bytes()
    if 'send_file_offer("example_file_id"' in block:
        assert server.offers[-1] == {
            "file_id": "example_file_id",
            "user_id": "u-example_mxit_id",
            "auto_open": "false",
        }
    if "auth_url(" in block:
        assert server.calls == []  # nothing sent
    return True
