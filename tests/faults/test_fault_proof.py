"""Proof under faults: calls through a fault-injecting proxy to a real server, counted on
the server side.  Whatever the fault, every call ends in success or a typed restwright
error, nothing the client was told is done is missing on the server, and a POST without an
Idempotency-Key is never applied twice.  (``bench/faults.py`` runs thousands per case.)"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.servers.fault_proof import METHODS, run_async, run_sync  # noqa: E402
from tests.servers.fault_proxy import MODES, FaultProxy, LedgerServer, ledger_behind_proxy  # noqa: E402

CALLS = 80

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[LedgerServer, FaultProxy]]:
    with ledger_behind_proxy(rate=0.15, stall=0.6, drip=0.0005) as pair:
        yield pair


@pytest.mark.parametrize("bulk", [False, True], ids=["single", "bulk"])
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("mode", MODES)
def test_nothing_lost_nothing_applied_twice(
    servers: tuple[LedgerServer, FaultProxy], mode: str, kind: str, method: str, bulk: bool
) -> None:
    ledger, proxy = servers
    ledger.reset()
    proxy.mode = mode
    proxy.injected.clear()
    run = run_sync if kind == "sync" else run_async
    tally = run(proxy.base_url, ledger, method, CALLS, bulk=bulk)
    assert proxy.injected[mode] > 0  # the faults really happened
    assert tally.attempted == CALLS
    assert tally.other_errors == []  # every failure is a typed restwright error
    assert tally.lost == 0
    if method == "post":
        assert tally.duplicated == 0
    if method == "post+idempotency-key":
        assert tally.duplicated == 0  # re-sent with its key, deduplicated by the server
    if mode in ("503", "429", "drip", "reset-before"):
        assert tally.succeeded + tally.typed_errors == CALLS
