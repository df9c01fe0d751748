"""Bulk benchmark: 10,000 items against a local nginx at concurrency 64, in one run.

restwright's ``client.bulk`` (sync: threads; async: tasks) against what people write by
hand: a ``ThreadPoolExecutor`` + ``httpx.Client`` loop and an ``asyncio.gather`` +
``aiohttp`` loop (a semaphore bounding it to the same concurrency); then the same job on a
2-worker Dask ``LocalCluster``.  Each item is one ``GET`` + JSON parse.  Run from the
repository root::

    .venv/bin/python -m bench.bulk [--items 10000] [--concurrency 64] [--only ...] [--strict]

Targets (items/s, same run): restwright sync >= 2x the httpx loop; async >= 1x the aiohttp
loop.  See bench/README.md.
"""

from __future__ import annotations

import asyncio
import os
import platform
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bench._measure import Result, bench_parser, parse_bench_args, print_table, ratio_line, versions
from bench._nginx import ensure_nginx, nginx_server, nginx_version

KEYS = ("restwright", "restwright-async", "httpx-threads", "aiohttp-gather", "dask")
PACKAGES = ("restwright", "httpx", "aiohttp", "distributed")


def fetch_item(client: Any, item: int) -> Any:
    return client.get("/item", params={"i": item}).json()


async def fetch_item_async(client: Any, item: int) -> Any:
    return (await client.get("/item", params={"i": item})).json()


def timed(name: str, n: int, job: Any) -> Result:
    t0, c0 = time.perf_counter(), time.process_time()
    done = job()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    note = "" if done == n else f"only {done} of {n} items done"
    return Result(name, n, wall, cpu, note)


def run_restwright(base: str, n: int, concurrency: int) -> Result:
    import restwright

    with restwright.Client(base) as client:
        client.get("/item")

        def job() -> int:
            result = client.bulk(range(n), fetch_item, concurrency=concurrency)
            return len(result.succeeded)

        return timed("restwright bulk (threads)", n, job)


def run_restwright_async(base: str, n: int, concurrency: int) -> Result:
    import restwright

    async def main() -> Result:
        async with restwright.AsyncClient(base) as client:
            await client.get("/item")
            t0, c0 = time.perf_counter(), time.process_time()
            result = await client.bulk(range(n), fetch_item_async, concurrency=concurrency)
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
            return Result("restwright bulk (async)", n, wall, cpu, "" if result.ok else "failures")

    return asyncio.run(main())


def run_httpx_threads(base: str, n: int, concurrency: int) -> Result:
    import httpx

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    with httpx.Client(base_url=base, limits=limits) as client:
        client.get("/item")

        def job() -> int:
            with ThreadPoolExecutor(concurrency) as pool:
                futures = [pool.submit(fetch_item, client, i) for i in range(n)]
                return sum(1 for f in futures if f.exception() is None)

        return timed("ThreadPool + httpx.Client", n, job)


def run_aiohttp_gather(base: str, n: int, concurrency: int) -> Result:
    import aiohttp

    async def main() -> Result:
        connector = aiohttp.TCPConnector(limit=concurrency)
        async with aiohttp.ClientSession(base, connector=connector) as session:
            gate = asyncio.Semaphore(concurrency)

            async def one(i: int) -> Any:
                async with gate, session.get("/item", params={"i": i}) as response:
                    return await response.json()

            await one(0)
            t0, c0 = time.perf_counter(), time.process_time()
            results = await asyncio.gather(*(one(i) for i in range(n)), return_exceptions=True)
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
            failed = sum(isinstance(r, BaseException) for r in results)
            return Result(
                "asyncio.gather + aiohttp", n, wall, cpu, f"{failed} failed" if failed else ""
            )

    return asyncio.run(main())


def run_dask(base: str, n: int, concurrency: int) -> Result | None:
    try:
        import distributed
    except ImportError:
        print("  dask: distributed not installed, skipped")
        return None
    import restwright

    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as dask,
        restwright.Client(base) as client,
    ):

        def job() -> int:
            result = client.bulk(
                range(n), fetch_item, executor=dask, concurrency=concurrency, chunk_size=250
            )
            return len(result.succeeded)

        result = timed("restwright bulk on Dask (2 workers)", n, job)
        result.note = (result.note + " CPU: this process only").strip()
        return result


RUNNERS = {
    "restwright": run_restwright,
    "restwright-async": run_restwright_async,
    "httpx-threads": run_httpx_threads,
    "aiohttp-gather": run_aiohttp_gather,
}


def main(argv: list[str] | None = None) -> int:
    ap = bench_parser("bench.bulk", __doc__, KEYS)
    ap.add_argument("--items", type=int, default=10_000)
    ap.add_argument("--concurrency", type=int, default=64)
    args = parse_bench_args(ap, argv, KEYS)
    nginx = ensure_nginx()
    print(
        f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs; "
        f"{nginx_version(nginx)}, 1 worker\n{versions(*PACKAGES)}\n"
        f"{args.items} items, one GET /item + JSON parse each, concurrency {args.concurrency}; "
        "one timed run per client (wall and this process's CPU)."
    )
    results: dict[str, Result] = {}
    with nginx_server() as base:
        for key, runner in RUNNERS.items():
            if key in args.only:
                results[key] = runner(base, args.items, args.concurrency)
        if "dask" in args.only and (dask := run_dask(base, args.items, 8)) is not None:
            results["dask"] = dask
    print_table("bulk: items/s (req/s column)", list(results.values()))
    print("\ntargets (ratios of items/s; [CPU] = peer CPU / restwright CPU, >1 is better)")
    ok = ratio_line(
        "sync: restwright bulk / ThreadPool + httpx",
        results.get("restwright"),
        results.get("httpx-threads"),
        2.0,
    )
    ok &= ratio_line(
        "async: restwright bulk / gather + aiohttp",
        results.get("restwright-async"),
        results.get("aiohttp-gather"),
        1.0,
    )
    return 0 if ok or not args.strict else 1


if __name__ == "__main__":
    sys.exit(main())
