"""The restwright tour: a real Kinto server, started here, driven end to end.

Run it with ``scripts/tour`` (which installs what it needs first). It starts Kinto on
127.0.0.1 with the memory backend, walks through the engine (requests, path templates,
pagination, errors, dry run) and the Kinto client, then stops the server.
"""

from __future__ import annotations

import logging
import tempfile

from tests.servers.kinto_server import kinto_server

import restwright
from restwright import errors


def step(title: str) -> None:
    print(f"\n== {title}")


def engine_tour(base_url: str) -> None:
    step("The engine: restwright.Client on Kinto's HTTP API")
    auth = ("tour-user", "s3cret-password")
    with restwright.Client(base_url, auth=auth, retry=restwright.Retry(total=2)) as api:
        hello = api.get("/").json()
        print(f"server: {hello['project_name']} {hello['project_version']}, "
              f"batch_max_requests={hello['settings']['batch_max_requests']}")

        api.put("/buckets/{bucket}", path_params={"bucket": "tour"}, json={"data": {}})
        api.put("/buckets/{bucket}/collections/{collection}",
                path_params={"bucket": "tour", "collection": "notes"}, json={"data": {}})
        records = "/buckets/{bucket}/collections/{collection}/records"
        where = {"bucket": "tour", "collection": "notes"}
        for i in range(12):
            api.post(records, path_params=where, json={"data": {"title": f"note {i}", "n": i}})
        print("created bucket 'tour', collection 'notes' and 12 records")

        step("Pagination: Kinto's Next-Page header is followed page by page")
        pages = api.paginate(records, path_params=where, params={"_limit": 5, "_sort": "n"})
        for number, page in enumerate(pages, start=1):
            titles = [r["title"] for r in page.json()["data"]]
            print(f"page {number}: {titles}")
        total = sum(1 for _ in api.paginate(records, path_params=where).items())
        print(f"items() walks every page: {total} records")

        step("Path parameters are one segment each: a hostile id cannot escape")
        try:
            api.get(records + "/{id}", path_params={**where, "id": "../../../buckets"})
        except errors.NotFound as exc:
            print(f"NotFound as expected: {exc.request.url}")

        step("Errors carry the request, the response and the server's message")
        try:
            api.get("/buckets/{bucket}", path_params={"bucket": "missing-bucket"})
        except errors.ApiError as exc:
            print(f"{type(exc).__name__}: status={exc.status_code} message={exc.message!r}")
            print(f"the request in the error is redacted: {exc.request.headers['Authorization']}")

        step("Optimistic concurrency: a stale If-Match gives 412 PreconditionFailed")
        first = api.get(records, path_params=where, params={"_limit": 1}).json()["data"][0]
        try:
            api.patch(records + "/{id}", path_params={**where, "id": first["id"]},
                      json={"data": {"title": "edited"}}, if_match="1")
        except errors.PreconditionFailed as exc:
            print(f"PreconditionFailed: {exc.message}")

    step("Dry run: nothing is sent; the request is logged and can be shown as curl")
    logging.basicConfig(level=logging.WARNING, format="   log: %(message)s")
    with restwright.Client(base_url, auth=auth, dry_run=True) as rehearsal:
        response = rehearsal.delete("/buckets/{bucket}", path_params={"bucket": "tour"})
        print(f"synthetic answer: {response.status_code} {response.json()}")
        print(response.request.to_curl())


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="restwright-tour-") as tmp:
        print("starting Kinto (memory backend) on 127.0.0.1 ...")
        with kinto_server(tmp) as base_url:
            print(f"Kinto is up at {base_url}")
            engine_tour(base_url)
        print("\nKinto stopped. Tour done.")


if __name__ == "__main__":
    main()
