"""Parallel batches against a real Kinto on PostgreSQL, where concurrent chunks conflict.

Kinto on PostgreSQL answers "409 Integrity constraint violated, please retry" when two
transactions write into one collection at once, and rolls back the chunk up to that 409
(see ``test_kinto_batch_conflicts.py`` for the exact rules).  ``batch(parallel=N)`` makes
such conflicts on purpose; these tests check that nothing is lost or applied twice anyway.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.servers.kinto_server import kinto_server
from tests.servers.postgres import find_postgres_bindir, postgres_server

import restwright.kinto as kinto_http

pytestmark = pytest.mark.kinto

ALICE = ("alice", "alice-s3cret")
RESENT = "re-sending"


@pytest.fixture(scope="module")
def pg_kinto_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if find_postgres_bindir() is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed (scripts/bootstrap installs it)")
        pytest.skip("PostgreSQL is not installed (scripts/bootstrap installs it)")
    tmp: Path = tmp_path_factory.mktemp("kinto-pg")
    with postgres_server(tmp) as storage_url, kinto_server(tmp, storage_url=storage_url) as url:
        yield url


async def _collection(url: str, name: str) -> Any:
    client = kinto_http.AsyncClient(server_url=url, auth=ALICE, bucket="pg", collection=name)
    await client.create_bucket(if_not_exists=True)
    await client.create_collection(if_not_exists=True)
    return client


async def test_parallel_batch_lands_every_record_once_despite_conflicts(
    pg_kinto_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="restwright.kinto.batch")
    ids = [f"r{i:04d}" for i in range(300)]
    conflicts = 0
    for attempt in range(3):  # conflicts come from timing: look until one was seen
        client = await _collection(pg_kinto_url, f"parallel{attempt}")
        try:
            caplog.clear()
            async with client.batch(parallel=4) as batch:
                for record_id in ids:
                    await batch.create_record(id=record_id, data={"n": record_id})
            assert [r["data"]["id"] for r in batch.results()] == ids
            stored = await client.get_records(_fields="id")
            assert sorted(r["id"] for r in stored) == ids  # each exactly once
        finally:
            await client.aclose()
        conflicts = sum(RESENT in r.getMessage() for r in caplog.records)
        if conflicts:
            break
    assert conflicts, "no conflict in 3 parallel batches: the test did not exercise re-sends"


async def test_parallel_batch_reports_every_rolled_back_change(pg_kinto_url: str) -> None:
    """Chunks holding a PATCH are never re-sent: whatever Kinto rolled back is reported."""
    client = await _collection(pg_kinto_url, "reported")
    ids = [f"r{i:04d}" for i in range(200)]
    try:
        await client.create_record(id="anchor", data={"n": 0})
        failure: kinto_http.KintoBatchException | None = None
        try:
            async with client.batch(parallel=4) as batch:
                for i, record_id in enumerate(ids):
                    await batch.create_record(id=record_id, data={"n": i})
                    if i % 9 == 8:  # one PATCH in every chunk of 10
                        await batch.patch_record(id="anchor", data={"n": i})
        except kinto_http.KintoBatchException as exc:
            failure = exc
        stored = {r["id"] for r in await client.get_records(_fields="id")}
    finally:
        await client.aclose()
    missing = set(ids) - stored
    if failure is None:
        assert not missing
        return
    reported = {
        e.request["path"].rsplit("/", 1)[-1]
        for e in failure.exceptions
        if isinstance(getattr(e, "request", None), dict) and "/records/" in e.request["path"]
    }
    reported |= {r["path"].rsplit("/", 1)[-1] for r in getattr(failure, "failed", [])}
    assert missing <= reported  # nothing lost without a word
    aborted = {r["path"].rsplit("/", 1)[-1] for r in failure.aborted}
    assert not aborted & stored  # what is said to be rolled back really is
