"""History (history plugin) and attachments (kinto-attachment) on real Kinto, sync and async."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

import restwright.kinto as kinto_http
from restwright import errors

if TYPE_CHECKING:
    from conftest import Harness

pytestmark = pytest.mark.kinto


async def _setup(kt: Harness) -> Any:
    client = kt.client(bucket="b", collection="c")
    await kt(client.create_bucket())
    await kt(client.create_collection())
    return client


async def test_history_and_filters(kt: Harness) -> None:
    client = await _setup(kt)
    for i in range(6):
        await kt(client.create_record(id=f"r{i}", data={"n": i}))
    history = await kt(client.get_history())  # every page (the server pages by 5)
    assert len(history) == 8  # bucket + collection + 6 records
    assert {h["resource_name"] for h in history} == {"bucket", "collection", "record"}
    collections = await kt(client.get_history(resource_name="collection"))
    assert [h["collection_id"] for h in collections] == ["c"]
    latest = await kt(client.get_history(_limit=2, _sort="-last_modified"))
    assert [h["record_id"] for h in latest] == ["r5", "r4"]
    since = latest[1]["last_modified"]
    newer = await kt(client.get_history(_since=str(since)))
    assert [h["record_id"] for h in newer] == ["r5"]
    other = await kt(client.get_history(bucket="b", action="create", resource_name="record"))
    assert len(other) == 6


async def test_purge_history(kt: Harness) -> None:
    client = await _setup(kt)
    for i in range(6):
        await kt(client.create_record(id=f"r{i}", data={}))
    purged = await kt(client.purge_history())  # 8 entries: the server deletes 5 per request
    assert len(purged) == 8
    assert await kt(client.get_history()) == []
    with pytest.raises(errors.Forbidden):
        await kt(kt.client(auth=kt.BOB).get_history(bucket="b"))


def _file(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def _downloads(access_log: Path) -> list[str]:
    return [line for line in access_log.read_text().splitlines() if line.startswith("GET ")]


async def test_attachments_roundtrip_without_credentials(
    kt: Harness, tmp_path: Path, access_log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = await _setup(kt)
    await kt(client.create_record(id="doc", data={"title": "report"}))
    content = b"%PDF-1.4 fake report\n" * 500
    source = _file(tmp_path, "report.pdf", content)

    attachment = await kt(client.add_attachment(id="doc", filepath=str(source)))
    assert attachment["filename"] == "report.pdf"
    assert attachment["mimetype"] == "application/pdf"
    assert attachment["size"] == len(content)
    assert attachment["hash"] == hashlib.sha256(content).hexdigest()

    record = (await kt(client.get_record(id="doc")))["data"]
    assert record["title"] == "report"  # the record's fields were kept
    target = tmp_path / "out"
    target.mkdir()
    path = await kt(client.download_attachment(record, filepath=str(target)))
    assert path == str(target / "report.pdf")
    assert Path(path).read_bytes() == content
    # The file server is another origin: no credential was sent there.
    name = attachment["location"].rsplit("/", 1)[-1]
    assert _downloads(access_log) == [f"GET /{name} auth=no"]

    # Up to date: not downloaded again; overwrite=True forces it.
    assert await kt(client.download_attachment(record, filepath=path)) == path
    assert len(_downloads(access_log)) == 1
    await kt(client.download_attachment(record, filepath=path, overwrite=True))
    assert len(_downloads(access_log)) == 2
    # An outdated local copy is replaced.
    Path(path).write_bytes(b"stale")
    await kt(client.download_attachment(record, filepath=path, save_metadata=True))
    assert Path(path).read_bytes() == content
    assert json.loads(Path(path + ".meta.json").read_text())["id"] == "doc"

    # No filepath: the attachment's file name, in the current directory.
    monkeypatch.chdir(tmp_path)
    assert await kt(client.download_attachment(record)) == "report.pdf"
    assert (tmp_path / "report.pdf").read_bytes() == content
    assert all(line.endswith("auth=no") for line in _downloads(access_log))


async def test_attachment_with_data_permissions_and_mimetype(kt: Harness, tmp_path: Path) -> None:
    client = await _setup(kt)
    bob_id = (await kt(kt.client(auth=kt.BOB).server_info()))["user"]["id"]
    source = _file(tmp_path, "notes.bin", b"\x00\x01 notes")
    await kt(
        client.add_attachment(
            id="new-record",
            filepath=source,
            filename="renamed.txt",
            data={"kind": "notes"},
            permissions={"read": [bob_id]},
            mimetype="text/plain",
        )
    )
    record = await kt(client.get_record(id="new-record"))
    assert record["data"]["kind"] == "notes"
    assert record["data"]["attachment"]["filename"] == "renamed.txt"
    assert record["data"]["attachment"]["mimetype"] == "text/plain"
    assert bob_id in record["permissions"]["read"]


async def test_corrupted_download_is_refused(kt: Harness, tmp_path: Path, kinto_tmp: Path) -> None:
    client = await _setup(kt)
    source = _file(tmp_path, "data.json", b'{"valid": true}')
    await kt(client.add_attachment(id="r", filepath=source))
    record = (await kt(client.get_record(id="r")))["data"]
    # Tamper with the served file (same size, other bytes).
    served = kinto_tmp / "attachments" / record["attachment"]["location"].rsplit("/", 1)[-1]
    served.write_bytes(b'{"valid": fals}')
    target = tmp_path / "copy.json"
    target.write_bytes(b"previous")
    with pytest.raises(kinto_http.KintoException, match="SHA-256"):
        await kt(client.download_attachment(record, filepath=target))
    assert target.read_bytes() == b"previous"  # the good old file is untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.json", "data.json"]


async def test_remove_attachment_and_errors(kt: Harness, tmp_path: Path) -> None:
    client = await _setup(kt)
    source = _file(tmp_path, "a.txt", b"a")
    await kt(client.add_attachment(id="r", filepath=source))
    await kt(client.remove_attachment(id="r"))
    record = (await kt(client.get_record(id="r")))["data"]
    assert record.get("attachment") is None
    with pytest.raises(ValueError, match="no attachment"):
        await kt(client.download_attachment({"id": "r"}))
    bob = kt.client(auth=kt.BOB, bucket="b", collection="c")
    with pytest.raises(errors.Forbidden):
        await kt(bob.add_attachment(id="r", filepath=source))
    with pytest.raises(errors.Forbidden):
        await kt(bob.remove_attachment(id="r"))
