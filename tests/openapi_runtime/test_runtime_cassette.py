"""The OpenAPI runtime client through a cassette, on a real Kinto's own Swagger document."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from tests.servers.kinto_server import flush

from restwright.transports.cassette import Cassette

from ._support import call

pytestmark = pytest.mark.kinto

AUTH = ("alice", "s3cret")


async def test_operations_replay_offline(kinto_url: str, make_client: Any, tmp_path: Path) -> None:
    path = tmp_path / "runtime.yaml"
    bucket = f"b-{uuid.uuid4().hex[:8]}"

    async def scenario(cassette: Cassette) -> Any:
        api = make_client(kinto_url + "/__api__", auth=AUTH, transport=cassette.transport())
        await call(api.buckets.create_bucket, body={"data": {"id": bucket}})
        await call(api.collections.create_collection, bucket, body={"data": {"id": "tasks"}})
        created = await call(api.records.create_record, bucket, "tasks", body={"data": {"n": 1}})
        return await call(api.records.get_record, bucket, "tasks", created["data"]["id"])

    with Cassette(path) as cassette:
        live = await scenario(cassette)
    flush(kinto_url)
    # The document itself is fetched by the loader (cached), not through the transport.
    with Cassette(path, mode="replay") as cassette:
        assert await scenario(cassette) == live
