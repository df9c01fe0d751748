"""OAuth 2 benchmark: requests carrying a client-credentials token, against authlib's own
httpx clients, in one run.

The token comes from the authlib authorization server of ``tests/servers/oauth2_provider.py``
(started on 127.0.0.1); the API is the local nginx of ``bench/_nginx.py`` (every path
answers the same JSON; it does not look at the token, so what is measured is the client's
cost of a call with OAuth 2: the token cache lookup, the expiry check, the header).  Each
client fetches its token once, then ``GET /item`` + JSON parse, ``--n`` times (sync) or
``--async-n`` times with ``--concurrency`` in flight (async); best of ``--repeat`` runs.

    .venv/bin/python -m bench.oauth2 [--n 5000] [--async-n 10000] [--only ...] [--strict]

Rows: restwright with ``ClientCredentials`` and with a plain ``BearerAuth`` (what the grant
adds to a call), authlib's ``OAuth2Client`` / ``AsyncOAuth2Client`` (httpx) with
``grant_type=client_credentials``.  Targets: restwright grant >= 0.8x restwright bearer
(sync; on a loaded machine CPU per call is the steadier figure), and >= 1.5x authlib's
client of the same kind.
"""

from __future__ import annotations

import asyncio
import platform
import sys
from typing import Any

from tests.servers.oauth2_provider import running_provider

from bench._measure import (
    Result,
    bench_parser,
    parse_bench_args,
    print_table,
    ratio_line,
    time_async,
    time_sync,
    versions,
)
from bench._nginx import ensure_nginx, nginx_server, nginx_version

KEYS = ("restwright", "authlib")
CLIENT, SECRET = "bench-app", "bench-secret"


def authlib_options(base: str, token_url: str) -> dict[str, Any]:
    """authlib's client, set up like restwright's ClientCredentials."""
    return {
        "client_id": CLIENT,
        "client_secret": SECRET,
        "scope": "read",
        "token_endpoint": token_url,
        "grant_type": "client_credentials",
        "base_url": base,
    }


def run_sync(base: str, token_url: str, n: int, repeat: int, only: set[str]) -> list[Result]:
    import restwright
    from restwright.auth import ClientCredentials

    results = []
    if "restwright" in only:
        grant = ClientCredentials(token_url, CLIENT, SECRET, scopes="read")
        with restwright.Client(base, auth=grant) as api:
            results.append(
                time_sync("restwright grant", lambda: api.get("/item").json(), n, 200, repeat)
            )
            token = grant.token()
            assert token is not None
        with restwright.Client(base, auth=restwright.BearerAuth(token["access_token"])) as api:
            results.append(
                time_sync("restwright bearer", lambda: api.get("/item").json(), n, 200, repeat)
            )
    if "authlib" in only:
        from authlib.integrations.httpx_client import OAuth2Client

        with OAuth2Client(**authlib_options(base, token_url)) as client:
            client.fetch_token()
            fetch = lambda: client.get("/item").json()  # noqa: E731
            results.append(time_sync("authlib OAuth2Client", fetch, n, 200, repeat))
    return results


def run_async(
    base: str, token_url: str, n: int, concurrency: int, repeat: int, only: set[str]
) -> list[Result]:
    import restwright
    from restwright.auth import ClientCredentials

    async def main() -> list[Result]:
        results = []
        if "restwright" in only:
            grant = ClientCredentials(token_url, CLIENT, SECRET, scopes="read")
            async with restwright.AsyncClient(base, auth=grant) as api:

                async def fetch() -> Any:
                    return (await api.get("/item")).json()

                results.append(
                    await time_async("restwright grant async", fetch, n, concurrency, 200, repeat)
                )
        if "authlib" in only:
            from authlib.integrations.httpx_client import AsyncOAuth2Client

            async with AsyncOAuth2Client(**authlib_options(base, token_url)) as client:
                await client.fetch_token()

                async def fetch_authlib() -> Any:
                    return (await client.get("/item")).json()

                results.append(
                    await time_async(
                        "authlib AsyncOAuth2Client", fetch_authlib, n // 5, concurrency, 50, repeat
                    )
                )
        return results

    return asyncio.run(main())


def main(argv: list[str] | None = None) -> int:
    ap = bench_parser("bench.oauth2", __doc__, KEYS)
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--async-n", type=int, default=10000)
    ap.add_argument("--concurrency", type=int, default=64)
    ap.add_argument("--repeat", type=int, default=3)
    args = parse_bench_args(ap, argv, KEYS)
    nginx = ensure_nginx()
    print(f"python {platform.python_version()}, {nginx_version(nginx)}, 1 worker")
    print(versions("restwright", "authlib", "httpx"))
    with running_provider() as provider, nginx_server() as base:
        provider.register(CLIENT, SECRET)
        token_url = f"{provider.url}/token"
        sync = run_sync(base, token_url, args.n, args.repeat, args.only)
        print_table("sync, sequential, a cached client-credentials token", sync)
        asyn = run_async(base, token_url, args.async_n, args.concurrency, args.repeat, args.only)
        print_table(f"async, {args.concurrency} in flight", asyn)
    by_name = {r.name: r for r in sync + asyn}
    ok = all(
        [
            ratio_line(
                "sync: restwright grant / restwright bearer",
                by_name.get("restwright grant"),
                by_name.get("restwright bearer"),
                0.8,
            ),
            ratio_line(
                "sync: restwright grant / authlib OAuth2Client",
                by_name.get("restwright grant"),
                by_name.get("authlib OAuth2Client"),
                1.5,
            ),
            ratio_line(
                "async: restwright grant / authlib AsyncOAuth2Client",
                by_name.get("restwright grant async"),
                by_name.get("authlib AsyncOAuth2Client"),
                1.5,
            ),
        ]
    )
    return 0 if ok or not args.strict else 1


if __name__ == "__main__":
    sys.exit(main())
