"""Run many calls through the fault proxy and account for each on the server side.

Used by ``tests/faults/test_fault_proof.py`` (a few hundred calls per case, with the
invariants asserted) and ``bench/faults.py`` (thousands per case, printed as a table).
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from typing import Any

import restwright
from restwright.errors import RestwrightError

from .fault_proxy import LedgerServer

METHODS = ("post", "post+idempotency-key", "put")
RETRY = restwright.Retry(total=3, backoff=0.005, max_backoff=0.02)
TIMEOUT = restwright.Timeout(connect=2.0, read=0.3)


@dataclass
class Tally:
    """What became of the calls of one case, counted by the client and by the server."""

    attempted: int = 0
    succeeded: int = 0
    typed_errors: int = 0
    other_errors: list[str] = field(default_factory=list)
    duplicated: int = 0  # applied more than once by the server (POST without a key: must be 0)
    lost: int = 0  # the client was told "done" and the server has nothing (must be 0)
    unknown: int = 0  # a typed error, and the server applied it anyway (the caller is told)

    def row(self) -> tuple[int, int, int, int, int, int, int]:
        return (
            self.attempted,
            self.succeeded,
            self.typed_errors,
            len(self.other_errors),
            self.duplicated,
            self.lost,
            self.unknown,
        )


def _call(client: Any, method: str, key: str) -> Any:
    if method == "put":
        return client.put("/items/{key}", path_params={"key": key}, json={"key": key})
    extra = {"idempotency_key": key} if method == "post+idempotency-key" else {}
    return client.post("/items", json={"key": key}, **extra)


Outcomes = dict[str, "BaseException | None"]  # per item key: None for success


def _from_bulk(result: Any) -> Outcomes:
    outcomes: Outcomes = {key: None for key, _ in result.succeeded}
    outcomes.update(result.failed)
    return outcomes


def tally(ledger: LedgerServer, method: str, outcomes: Outcomes) -> Tally:
    """Count the client's outcomes, and audit them against what the server applied."""
    counts = Tally()
    applied = ledger.writes if method == "put" else ledger.creates
    for key, error in outcomes.items():
        counts.attempted += 1
        if error is None:
            counts.succeeded += 1
        elif isinstance(error, RestwrightError):
            counts.typed_errors += 1
        else:
            counts.other_errors.append(f"{type(error).__name__}: {error}")
        count = applied.get(key, 0)
        if method != "put" and count > 1:
            counts.duplicated += 1
        if error is None and count == 0:
            counts.lost += 1
        if error is not None and count > 0:
            counts.unknown += 1
    return counts


def run_sync(url: str, ledger: LedgerServer, method: str, calls: int, *, bulk: bool) -> Tally:
    keys = [uuid.uuid4().hex for _ in range(calls)]
    outcomes: Outcomes = {}
    with restwright.Client(url, retry=RETRY, timeout=TIMEOUT) as client:
        if bulk:
            return tally(
                ledger,
                method,
                _from_bulk(client.bulk(keys, lambda c, k: _call(c, method, k), concurrency=8)),
            )
        for key in keys:
            try:
                _call(client, method, key)
            except BaseException as exc:  # counted, whatever it is
                outcomes[key] = exc
            else:
                outcomes[key] = None
    return tally(ledger, method, outcomes)


def run_async(url: str, ledger: LedgerServer, method: str, calls: int, *, bulk: bool) -> Tally:
    async def one(client: Any, key: str) -> Any:
        return await _call(client, method, key)

    async def main() -> Outcomes:
        keys = [uuid.uuid4().hex for _ in range(calls)]
        outcomes: Outcomes = {}
        async with restwright.AsyncClient(url, retry=RETRY, timeout=TIMEOUT) as client:
            if bulk:
                return _from_bulk(await client.bulk(keys, one, concurrency=16))
            for key in keys:
                try:
                    await one(client, key)
                except BaseException as exc:
                    outcomes[key] = exc
                else:
                    outcomes[key] = None
        return outcomes

    return tally(ledger, method, asyncio.run(main()))
