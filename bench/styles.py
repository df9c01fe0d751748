"""Client styles benchmark: what resource navigation and CRUD services cost on top of the
engine, and how the MAX and CloudCIX clients compare with the ``requests`` code they replace.

1. ``nav``: ``GET /people/bob/activities`` with MAX's auth headers, decoded JSON, against
   the local nginx of the engine bench (every path answers the same ~1 KB JSON object):
   ``MaxClient`` navigation (route map checked, default result decoding), the same call
   on the bare engine (``client.get(...).json()``), and maxclient's way (``requests.get``
   per call, as maxclient 5.1 does) and a ``requests.Session``.
2. ``crud``: ``get_all`` of a CloudCIX collection of 100 records (one page: ``content`` and
   ``_metadata.total_records``): ``restwright.cloudcix.Client.get_all`` against cloudcix
   0.8's algorithm on ``requests.get`` (what cloudcix does) and on a ``requests.Session``.

Prints tables and the targets' ratios with PASS/MISS.  Run from the repository root::

    .venv/bin/python -m bench.styles [--quick] [--only nav,crud] [--strict]

See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from collections.abc import Callable
from typing import Any

from bench._measure import (
    Result,
    bench_parser,
    limit_line,
    parse_bench_args,
    print_table,
    ratio_line,
    time_sync,
    versions,
)
from bench._nginx import PAYLOAD, ensure_nginx, nginx_server, nginx_version

KEYS = ("nav", "crud")
PACKAGES = ("restwright", "requests")
TOKEN = "NLfIgUgBgODd4sdAgDsFgdAffFigfBf0"
MAX_HEADERS = {"X-Oauth-Token": TOKEN, "X-Oauth-Username": "bob", "X-Oauth-Scope": "widgetcli"}
#: CPU us a call through the MAX client's navigation costs more than the same call on the
#: bare engine (same auth), both in dry run: no network, so the style's own cost shows.
STYLE_OVERHEAD_LIMIT_US = 20.0
#: restwright req/s / requests.Session req/s (sync, same work).
PEER_TARGET = 1.5
RECORDS = 100
PAGE = json.dumps(
    {
        "_metadata": {"total_records": RECORDS, "page": 0, "limit": 100},
        "content": [
            {"id": i, "name": f"record-{i}", "email": f"r{i}@example.com"} for i in range(RECORDS)
        ],
    }
).encode()


def _requests() -> Any:
    try:
        import requests
    except ImportError:
        return None
    return requests


def _max_and_engine(
    base: str, dry_run: bool
) -> list[tuple[str, Callable[[], Any], Callable[[], None]]]:
    """The MAX client's navigation and the same call on the bare engine (same auth: the
    MAX headers from :class:`restwright.max.MaxAuth`), so the difference is the style."""
    import restwright
    from restwright.max import MaxAuth, MaxClient

    max_client = MaxClient(base, oauth_server=base, actor="bob", dry_run=dry_run)
    max_client.token = TOKEN
    engine = restwright.Client(base, auth=MaxAuth(max_client), dry_run=dry_run)
    path = "/people/{username}/activities"
    suffix = " (dry run)" if dry_run else ""
    return [
        (
            "restwright MaxClient" + suffix,
            lambda: max_client.people["bob"].activities.get(),
            max_client.close,
        ),
        (
            "restwright engine" + suffix,
            lambda: engine.get(path, path_params={"username": "bob"}).json(),
            engine.close,
        ),
    ]


def nav_fetches(base: str) -> list[tuple[str, Callable[[], Any], Callable[[], None]]]:
    """(name, fetch, close) of every peer of the ``nav`` run: over nginx, then in dry run
    (nothing sent: the CPU of building, authenticating and decoding alone)."""
    peers = _max_and_engine(base, dry_run=False)
    requests = _requests()
    if requests is not None:
        session = requests.Session()
        url = base + "/people/bob/activities"
        peers.append(
            (
                "requests.Session",
                lambda: session.get(url, headers=MAX_HEADERS).json(),
                session.close,
            )
        )
        peers.append(
            (
                "requests.get (maxclient)",
                lambda: requests.get(url, headers=MAX_HEADERS).json(),
                lambda: None,
            )
        )
    return peers + _max_and_engine(base, dry_run=True)


def cloudcix_get_all(get: Callable[..., Any], url: str, token: str) -> list[Any]:
    """cloudcix 0.8's ``get_all`` loop over ``get`` (``requests.get`` or a session's)."""
    params = {"page": 0, "limit": 100}
    headers = {"content-type": "application/json", "X-Auth-Token": token}
    body = get(url, params=params, headers=headers, data="null").json()
    items = list(body["content"])
    while len(items) < body["_metadata"]["total_records"]:
        params["page"] += 1
        items.extend(get(url, params=params, headers=headers, data="null").json()["content"])
    return items


def crud_fetches(base: str) -> list[tuple[str, Callable[[], Any], Callable[[], None]]]:
    from restwright.cloudcix import Client, Settings

    address = Client("Membership", "Address/", settings=Settings(base + "/"))
    peers = [("restwright cloudcix", lambda: address.get_all(token=TOKEN), address.close)]
    requests = _requests()
    if requests is not None:
        url = base + "/Membership/v1/Address/"
        session = requests.Session()
        peers.append(
            ("requests.Session", lambda: cloudcix_get_all(session.get, url, TOKEN), session.close)
        )
        peers.append(
            (
                "requests.get (cloudcix)",
                lambda: cloudcix_get_all(requests.get, url, TOKEN),
                lambda: None,
            )
        )
    return peers


def run(
    title: str,
    body: bytes,
    peers_of: Callable[[str], list[tuple[str, Callable[[], Any], Callable[[], None]]]],
    expect: Callable[[Any], bool],
    args: argparse.Namespace,
) -> dict[str, Result]:
    warmup = max(20, args.n // 20)
    print(f"\n{title}: {args.n} sequential calls per run, warm-up {warmup} ...")
    out: dict[str, Result] = {}
    with nginx_server(body) as base:
        for name, fetch, close in peers_of(base):
            try:
                if not expect(fetch()):
                    raise AssertionError("unexpected result")
                n = args.n if "requests.get" not in name else max(50, args.n // 10)
                result = time_sync(
                    name, fetch, n, warmup // (1 if n == args.n else 10), args.repeat
                )
                if n != args.n:
                    result.note = f"n={n}: a new connection per call"
                out[name] = result
            except Exception as exc:
                print(f"  {name}: FAILED: {type(exc).__name__}: {exc}")
            finally:
                close()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = bench_parser("python -m bench.styles", __doc__, KEYS)
    ap.add_argument("--quick", action="store_true", help="small N (smoke run, noisy figures)")
    ap.add_argument("--n", type=int, help="calls per timed run (default 5000; 1000 for crud)")
    ap.add_argument("--repeat", type=int, help="timed runs per peer; best is kept (default 3)")
    args = parse_bench_args(ap, argv, KEYS)
    args.repeat = args.repeat or (1 if args.quick else 3)
    nginx = ensure_nginx()
    print(
        f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs; "
        f"{nginx_version(nginx)}, 1 worker\n{versions(*PACKAGES)}\n"
        f"Each figure: best of {args.repeat} timed runs (min wall, min CPU taken separately).\n"
        "CPU = this process's user+sys time (nginx excluded)."
    )
    ok = True
    base_n = args.n
    if "nav" in args.only:
        args.n = base_n or (1000 if args.quick else 5000)
        nav = run(
            "navigation",
            json.dumps(PAYLOAD).encode(),
            nav_fetches,
            lambda got: got in (PAYLOAD, {}),  # {}: the dry run's answer
            args,
        )
        print_table("GET /people/bob/activities (MAX headers, JSON decoded)", list(nav.values()))
        print("\nTargets")
        style, engine = (
            nav.get("restwright MaxClient (dry run)"),
            nav.get("restwright engine (dry run)"),
        )
        ok &= limit_line(
            "dry run: MaxClient CPU - engine CPU, per call",
            style.cpu_us - engine.cpu_us if style and engine else None,
            STYLE_OVERHEAD_LIMIT_US,
            unit="us",
        )
        ok &= ratio_line(
            "MaxClient / requests.Session (req/s)",
            nav.get("restwright MaxClient"),
            nav.get("requests.Session"),
            PEER_TARGET,
        )
    if "crud" in args.only:
        args.n = base_n or (200 if args.quick else 1000)
        crud = run("get_all", PAGE, crud_fetches, lambda got: len(got) == RECORDS, args)
        print_table(f"get_all of {RECORDS} records (one page)", list(crud.values()))
        print("\nTargets")
        ok &= ratio_line(
            "cloudcix get_all / requests.Session (req/s)",
            crud.get("restwright cloudcix"),
            crud.get("requests.Session"),
            PEER_TARGET,
        )
    return 0 if ok or not args.strict else 1


if __name__ == "__main__":
    sys.exit(main())
