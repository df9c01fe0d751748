"""The Kinto client through a cassette: recorded against a real Kinto, replayed after the
server forgot everything (so the answers can only come from the cassette)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.servers.kinto_server import flush

import restwright
import restwright.kinto as kinto_http
from restwright.errors import CassetteError
from restwright.transports.cassette import Cassette


def client_on(kt: Any, cassette: Cassette) -> Any:
    engine_class = restwright.AsyncClient if kt.is_async else restwright.Client
    session_class = kinto_http.AsyncSession if kt.is_async else kinto_http.Session
    engine = engine_class(kt.url, auth=kt.ALICE, transport=cassette.transport())
    return kt.client(session=session_class(kt.url, engine=engine), bucket="b", collection="c")


async def test_kinto_calls_replay_offline(kt: Any, tmp_path: Path) -> None:
    path = tmp_path / "kinto.json"

    async def scenario(client: Any) -> tuple[Any, Any, list[str]]:
        await kt(client.create_bucket())
        await kt(client.create_collection())
        created = await kt(client.create_record(data={"id": "r1", "title": "Dune"}))
        got = await kt(client.get_record(id="r1"))
        ids = [r["id"] for r in await kt(client.get_records())]
        return created, got, ids

    with Cassette(path) as cassette:
        live = await scenario(client_on(kt, cassette))
    assert "alice-s3cret" not in path.read_text()

    flush(kt.url)
    with Cassette(path, mode="replay") as cassette:
        client = client_on(kt, cassette)
        assert await scenario(client) == live
        with pytest.raises(CassetteError, match="closest recorded"):
            await kt(client.get_record(id="r2"))
    with pytest.raises(kinto_http.KintoException):  # the server really forgot: nothing replayed
        await kt(kt.client(bucket="b", collection="c").get_record(id="r1"))
