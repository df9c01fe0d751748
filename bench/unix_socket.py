"""Unix-socket benchmark: restwright's ``uds=`` against peers that speak HTTP over one.

The engine bench's nginx also listens on a Unix domain socket; each client GETs ``/item``
over that socket and parses the JSON, sequentially (sync) and with N requests in flight C
at a time (async), like ``bench.engine`` does over TCP (restwright over TCP is measured in
the same run for comparison).  Run from the repository root::

    .venv/bin/python -m bench.unix_socket [--quick] [--only restwright,pycurl,...] [--strict]

See bench/README.md.
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

from bench._measure import Result, print_table, ratio_line
from bench._nginx import nginx_server
from bench.engine import (
    ASYNC_PEERS,
    SYNC_PEERS,
    Peer,
    parse_args,
    restwright_sync,
    run_async,
    run_sync,
)

# The URL every peer is given; the socket path is bound to its factory (``unix_socket=``).
BASE = "http://localhost"


def over(sock: str, peers: list[Peer]) -> list[Peer]:
    """The engine bench's peers that can use a Unix socket, bound to ``sock``."""
    return [
        Peer(p.key, f"{p.name} uds", functools.partial(p.factory, unix_socket=sock), p.scale)
        for p in peers
        if p.key in KEYS
    ]


KEYS = ("restwright", "pycurl", "httpx", "aiohttp")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv, "python -m bench.unix_socket", __doc__, KEYS)
    sync_warmup, async_warmup = max(50, args.n // 20), args.concurrency * 4
    sync: dict[str, Result] = {}
    asyn: dict[str, Result] = {}
    with tempfile.TemporaryDirectory(prefix="bench-uds-") as folder:
        sock = str(Path(folder, "nginx.sock"))
        sync_peers, async_peers = over(sock, SYNC_PEERS), over(sock, ASYNC_PEERS)
        with nginx_server(unix_socket=sock) as tcp_base:
            print(f"sync: {args.n} sequential GETs per run over {sock} ...")
            for peer in sync_peers:
                if peer.key not in args.only:
                    continue
                if res := run_sync(peer, BASE, args.n, sync_warmup, args.repeat):
                    sync[peer.name] = res
            if "restwright" in args.only:
                tcp = Peer("restwright", "restwright tcp", restwright_sync)
                if res := run_sync(tcp, tcp_base, args.n, sync_warmup, args.repeat):
                    sync[tcp.name] = res
            print(f"async: {args.async_n} GETs at concurrency {args.concurrency} per run ...")
            for peer in async_peers:
                if peer.key not in args.only:
                    continue
                n, c = args.async_n, args.concurrency
                if res := run_async(peer, BASE, n, c, async_warmup, args.repeat):
                    asyn[peer.name] = res
    if sync:
        print_table(f"sync, sequential (best of {args.repeat})", list(sync.values()))
    if asyn:
        print_table(f"async, concurrency {args.concurrency}", list(asyn.values()))
    print("\ntargets (ratios of req/s; [CPU] = peer CPU us / restwright CPU us, >1 is better)")
    rw, rwa = sync.get("restwright uds"), asyn.get("restwright async uds")
    ok = ratio_line("sync uds: restwright / pycurl", rw, sync.get("pycurl uds"), 0.7)
    ok &= ratio_line("sync uds: restwright / httpx.Client", rw, sync.get("httpx.Client uds"), 2.5)
    ok &= ratio_line("sync: restwright uds / restwright tcp", rw, sync.get("restwright tcp"), 1.0)
    ok &= ratio_line("async uds: restwright / aiohttp", rwa, asyn.get("aiohttp uds"), 0.9)
    other = asyn.get("httpx.AsyncClient uds")
    ok &= ratio_line("async uds: restwright / httpx.AsyncClient", rwa, other, 10.0)
    return 0 if ok or not args.strict else 1


if __name__ == "__main__":
    raise SystemExit(main())
