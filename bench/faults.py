"""Fault-proof table: thousands of calls per case through a fault-injecting proxy.

For each fault mode (see ``tests/servers/fault_proxy.py``), client kind (sync, async), method
(POST, POST with an Idempotency-Key, PUT) and style (one call at a time, or ``client.bulk``),
N calls go through a TCP proxy that injects the fault into 15% of the requests on their way to
a real aiohttp server counting, per item, what it applied.  The table says what became of
them: succeeded, failed with a typed restwright error, failed otherwise (a bug), applied twice
by the server (must be 0 for POSTs), lost (the client was told "done" and the server has
nothing: must be 0), and "unknown" (a typed error although the server applied the call: the
caller was told it may have happened).  Run from the repository root::

    .venv/bin/python -m bench.faults [--calls 1000] [--only reset-after,...] [--strict]
"""

from __future__ import annotations

import sys
import time

from tests.servers.fault_proof import METHODS, Tally, run_async, run_sync
from tests.servers.fault_proxy import MODES, ledger_behind_proxy

from bench._measure import bench_parser, parse_bench_args


def main(argv: list[str] | None = None) -> int:
    ap = bench_parser("bench.faults", __doc__, MODES)
    ap.add_argument("--calls", type=int, default=1000, help="calls per case (default 1000)")
    ap.add_argument("--rate", type=float, default=0.15, help="share of requests faulted")
    args = parse_bench_args(ap, argv, MODES)
    header = ("attempted", "ok", "typed err", "other err", "twice", "lost", "unknown")
    print(f"{args.calls} calls per case, {args.rate:.0%} of requests faulted\n")
    print(
        f"{'mode':<13}{'client':<7}{'method':<22}{'style':<7}" + "".join(f"{h:>10}" for h in header)
    )
    ok = True
    totals = Tally()
    start = time.perf_counter()
    with ledger_behind_proxy(rate=args.rate, stall=0.6, drip=0.0005) as (ledger, proxy):
        for mode in MODES:
            if mode not in args.only:
                continue
            proxy.mode = mode
            for kind, run in (("sync", run_sync), ("async", run_async)):
                for method in METHODS:
                    for bulk in (False, True):
                        ledger.reset()
                        tally = run(proxy.base_url, ledger, method, args.calls, bulk=bulk)
                        style = "bulk" if bulk else "single"
                        cells = "".join(f"{v:>10}" for v in tally.row())
                        print(f"{mode:<13}{kind:<7}{method:<22}{style:<7}{cells}", flush=True)
                        bad = (
                            tally.other_errors
                            or tally.lost
                            or (method != "put" and tally.duplicated)
                        )
                        ok &= not bad
                        for name in (
                            "attempted",
                            "succeeded",
                            "typed_errors",
                            "duplicated",
                            "lost",
                            "unknown",
                        ):
                            setattr(totals, name, getattr(totals, name) + getattr(tally, name))
                        totals.other_errors += tally.other_errors
    cells = "".join(f"{v:>10}" for v in totals.row())
    print(f"{'all':<49}{cells}")
    print(f"\n{time.perf_counter() - start:.0f} s; injected: {dict(proxy.injected)}")
    verdict = "PASS" if ok else "MISS"
    print(f"nothing lost, no POST applied twice, every failure typed: {verdict}")
    return 0 if ok or not args.strict else 1


if __name__ == "__main__":
    sys.exit(main())
