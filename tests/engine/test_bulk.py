"""``client.bulk``: every item accounted for, counted on the server side too."""

from __future__ import annotations

import collections
import multiprocessing
import os
import pickle
import signal
import subprocess
import sys
import textwrap
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest

import restwright
from restwright.errors import BulkError, NotFound, ServerError

from ._harness import FaultServer
from .bulk_jobs import FAILING, post_item, post_item_async

ITEMS = list(range(100))


def sent_items(server: FaultServer) -> collections.Counter[int]:
    """How many times the server received each item (``?i=N``)."""
    return collections.Counter(
        int(value) for r in server.requests for name, value in r.query if name == "i"
    )


def check_every_item(result: Any, server: FaultServer) -> None:
    assert len(result) == len(ITEMS)
    assert sorted(value for _, value in result.succeeded) == sorted(set(ITEMS) - FAILING)
    assert sorted(result.failed_items) == sorted(FAILING)
    assert all(isinstance(error, ServerError) for _, error in result.failed)
    assert sent_items(server) == collections.Counter(ITEMS)  # each item sent exactly once


def test_sync_bulk_accounts_for_every_item(fault_server: FaultServer) -> None:
    done: list[tuple[int, int | None]] = []
    with restwright.Client(fault_server.base_url) as client:
        result = client.bulk(
            ITEMS, post_item, concurrency=8, progress=lambda n, total: done.append((n, total))
        )
    check_every_item(result, fault_server)
    assert done[-1] == (100, 100) and len(done) == 100
    assert not result.ok
    with pytest.raises(BulkError, match="6 of 100 items failed; first: ServerError") as info:
        result.raise_for_failures()
    assert sorted(item for item, _ in info.value.failures) == sorted(FAILING)


async def test_async_bulk_accounts_for_every_item(fault_server: FaultServer) -> None:
    async with restwright.AsyncClient(fault_server.base_url) as client:
        result = await client.bulk(iter(ITEMS), post_item_async, concurrency=16, progress=True)
    check_every_item(result, fault_server)


def flaky(client: Any, item: int) -> int:
    """Fails once per item (the fault server's per-key counter), then succeeds."""
    return int(client.get(f"/flaky/bulk-{item}", params={"fails": 1}, retry=0).json()["attempts"])


async def flaky_async(client: Any, item: int) -> int:
    response = await client.get(f"/flaky/abulk-{item}", params={"fails": 1}, retry=0)
    return int(response.json()["attempts"])


def test_retry_failed_runs_only_the_failed_items(fault_server: FaultServer) -> None:
    with restwright.Client(fault_server.base_url) as client:
        first = client.bulk(range(10), flaky, concurrency=4)
        assert first.failed_items and not first.succeeded
        second = first.retry_failed()
    assert sorted(item for item, _ in second.succeeded) == list(range(10))
    assert {value for _, value in second.succeeded} == {2}


async def test_retry_failed_async(fault_server: FaultServer) -> None:
    async with restwright.AsyncClient(fault_server.base_url) as client:
        first = await client.bulk(range(10), flaky_async, concurrency=4)
        second = await first.retry_failed()
    assert len(first.failed) == 10 and len(second.succeeded) == 10 and second.ok


def test_a_throttled_answer_holds_every_worker(fault_server: FaultServer) -> None:
    """One worker's 429 + Retry-After: 1 makes all the others wait, not only itself."""

    def call(client: Any, item: int) -> None:
        if item == 5:
            client.get("/flaky/throttle", params={"fails": 1, "status": 429, "retry_after": 1})
        else:  # each worker keeps busy for ~2 s in all, well past the 1 s asked
            client.get("/stall", params={"seconds": 0.04, "i": item})

    with restwright.Client(fault_server.base_url, retry=restwright.Retry(total=2)) as client:
        assert client.bulk(range(400), call, concurrency=8).ok
    throttled = [r for r in fault_server.requests if r.path == "/flaky/throttle"]
    refused_at = throttled[0].arrived
    # requests already in flight when the 429 came back may arrive just after it; none
    # is sent while the server asked everyone to wait
    held = [r for r in fault_server.requests if refused_at + 0.3 < r.arrived < refused_at + 0.9]
    assert held == []
    assert throttled[1].arrived >= refused_at + 0.9


def test_checkpoint_resumes_a_killed_job_without_redoing_items(
    fault_server: FaultServer, tmp_path: Path
) -> None:
    checkpoint = tmp_path / "job.ckpt"
    script = textwrap.dedent(
        f"""
        import os, signal, restwright

        def post(client, item):
            if item == 30:
                os.kill(os.getpid(), signal.SIGKILL)  # killed mid-job, before sending item 30
            client.post("/echo", params={{"i": item}})

        with restwright.Client({fault_server.base_url!r}) as client:
            client.bulk(range(100), post, concurrency=1, checkpoint={str(checkpoint)!r})
        """
    )
    source = str(Path(restwright.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([source, os.environ.get("PYTHONPATH", "")])}
    killed = subprocess.run([sys.executable, "-c", script], env=env, timeout=60)
    assert killed.returncode == -signal.SIGKILL
    assert sent_items(fault_server) == collections.Counter(range(30))

    def post(client: Any, item: int) -> None:
        client.post("/echo", params={"i": item})

    with restwright.Client(fault_server.base_url) as client:
        result = client.bulk(range(100), post, concurrency=4, checkpoint=checkpoint)
    assert (result.skipped, len(result.succeeded), result.ok) == (30, 70, True)
    assert sent_items(fault_server) == collections.Counter(range(100))
    assert len(checkpoint.read_text().splitlines()) == 100
    assert checkpoint.stat().st_mode & 0o777 == 0o600


def test_bad_options_are_refused(fault_server: FaultServer) -> None:
    with restwright.Client(fault_server.base_url) as client:
        with pytest.raises(ValueError, match="concurrency must be a positive integer"):
            client.bulk([1], post_item, concurrency=0)
        with pytest.raises(TypeError, match="fn must be callable"):
            client.bulk([1], "post")  # type: ignore[arg-type]


# -- clients across processes ------------------------------------------------------------------


def test_clients_pickle_without_their_connections(fault_server: FaultServer) -> None:
    with restwright.Client(
        fault_server.base_url, auth=("u", "p"), headers={"X-A": "1"}, retry=3, timeout=2.5
    ) as client:
        client.get("/echo")
        copy = pickle.loads(pickle.dumps(client.with_options(headers={"X-B": "2"})))
    with copy:
        echo = copy.get("/echo").json()
    names = {name for name, _ in echo["headers"]}
    assert {"X-A", "X-B", "Authorization"} <= names
    assert (copy.retry.total, copy.timeout.read) == (3, 2.5)


def _child_calls(client: restwright.Client, queue: Any) -> None:
    queue.put(client.get("/echo", params={"who": "child"}).json()["query"])


def test_a_forked_child_opens_its_own_connections(fault_server: FaultServer) -> None:
    with restwright.Client(fault_server.base_url) as client:
        client.get("/echo", params={"who": "parent"})  # a pooled keep-alive connection
        context = multiprocessing.get_context("fork")
        queue = context.Queue()
        child = context.Process(target=_child_calls, args=(client, queue))
        child.start()
        assert queue.get(timeout=30) == [["who", "child"]]
        child.join(30)
        assert client.get("/echo", params={"who": "parent"}).json()["query"] == [["who", "parent"]]
    ports = collections.defaultdict(set)
    for r in fault_server.requests:
        ports[r.query[0][1]].add(r.peer_port)
    assert len(ports["parent"]) == 1  # the parent kept its connection
    assert not ports["child"] & ports["parent"]  # the child never wrote into it


def test_bulk_on_a_process_pool(fault_server: FaultServer) -> None:
    with restwright.Client(fault_server.base_url) as client, ProcessPoolExecutor(2) as pool:
        result = client.bulk(ITEMS, post_item, executor=pool, concurrency=4, chunk_size=7)
    check_every_item(result, fault_server)


@pytest.mark.timeout(180)
def test_bulk_on_a_dask_cluster(fault_server: FaultServer) -> None:
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=2,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as dask,
    ):
        with restwright.Client(fault_server.base_url) as client:
            result = client.bulk(ITEMS, post_item, executor=dask, concurrency=4, chunk_size=10)
        check_every_item(result, fault_server)
        async_result = _run_async_on(dask, fault_server)
    assert sorted(async_result.failed_items) == sorted(FAILING)


def _run_async_on(dask: Any, server: FaultServer) -> Any:
    import asyncio

    async def main() -> Any:
        async with restwright.AsyncClient(server.base_url) as client:
            return await client.bulk(ITEMS, post_item_async, executor=dask, chunk_size=25)

    return asyncio.run(main())


def test_failures_carry_request_and_response(fault_server: FaultServer) -> None:
    def get(client: Any, item: int) -> None:
        client.get(f"/status/404?i={item}")

    with restwright.Client(fault_server.base_url) as client:
        result = client.bulk([1, 2], get)
    for _, error in result.failed:
        assert isinstance(error, NotFound)
        assert error.response.status_code == 404 and error.request.method == "GET"


def test_progress_bar_on_a_terminal(fault_server: FaultServer) -> None:
    """``progress=True`` draws rich's bar on stderr when it is a terminal (a real pty)."""
    pytest.importorskip("rich")
    import pty

    script = textwrap.dedent(
        f"""
        import restwright
        with restwright.Client({fault_server.base_url!r}) as client:
            result = client.bulk(range(50), lambda c, i: c.get("/echo"), progress=True)
        assert result.ok
        """
    )
    source = str(Path(restwright.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([source, os.environ.get("PYTHONPATH", "")])}
    env.update({"TERM": "xterm-256color", "COLUMNS": "100"})
    controller, terminal = pty.openpty()
    try:
        child = subprocess.Popen(
            [sys.executable, "-c", script],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=terminal,
            env=env,
        )
        os.close(terminal)
        output = b""
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            output += chunk
        assert child.wait(60) == 0
    finally:
        os.close(controller)
    text = output.decode("utf-8", "replace")
    assert "100%" in text and "\x1b[" in text  # a drawn bar, in colour
    piped = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, timeout=60)
    assert piped.returncode == 0 and piped.stderr == b""  # nothing when stderr is not a terminal
