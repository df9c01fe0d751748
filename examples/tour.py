"""The restwright tour: a real Kinto server, started here, driven end to end.

Run it with ``scripts/tour`` (which installs what it needs first). It starts Kinto on
127.0.0.1 with the memory backend, walks through the engine (requests, path templates,
pagination, errors, dry run) and the Kinto client, then stops the server.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import tempfile
from pathlib import Path

from tests.servers.kinto_server import kinto_server

import restwright
import restwright.kinto as kinto_http
from restwright import errors


def step(title: str) -> None:
    print(f"\n== {title}")


def engine_tour(base_url: str) -> None:
    step("The engine: restwright.Client on Kinto's HTTP API")
    auth = ("tour-user", "s3cret-password")
    with restwright.Client(base_url, auth=auth, retry=restwright.Retry(total=2)) as api:
        hello = api.get("/").json()
        print(
            f"server: {hello['project_name']} {hello['project_version']}, "
            f"batch_max_requests={hello['settings']['batch_max_requests']}"
        )

        api.put("/buckets/{bucket}", path_params={"bucket": "tour"}, json={"data": {}})
        api.put(
            "/buckets/{bucket}/collections/{collection}",
            path_params={"bucket": "tour", "collection": "notes"},
            json={"data": {}},
        )
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
            api.patch(
                records + "/{id}",
                path_params={**where, "id": first["id"]},
                json={"data": {"title": "edited"}},
                if_match="1",
            )
        except errors.PreconditionFailed as exc:
            print(f"PreconditionFailed: {exc.message}")

    step("Dry run: nothing is sent; the request is logged and can be shown as curl")
    logging.basicConfig(level=logging.WARNING, format="   log: %(message)s")
    with restwright.Client(base_url, auth=auth, dry_run=True) as rehearsal:
        response = rehearsal.delete("/buckets/{bucket}", path_params={"bucket": "tour"})
        print(f"synthetic answer: {response.status_code} {response.json()}")
        print(response.request.to_curl())


def kinto_tour(base_url: str, tmp: Path) -> None:
    step("restwright.kinto: kinto-http's API (`import restwright.kinto as kinto_http`)")
    client = kinto_http.Client(
        server_url=base_url, auth=("tour-user", "s3cret-password"), bucket="library"
    )
    client.create_bucket(if_not_exists=True)
    client.create_collection(id="books", if_not_exists=True)
    print(f"client: {client!r}")

    step("Batch: 23 records in one block, sent in chunks of the server's batch_max_requests")
    with client.batch() as batch:
        for i in range(23):
            batch.create_record(
                data={"id": f"book-{i:02d}", "title": f"Book {i}", "year": 1990 + i},
                collection="books",
            )
    results = batch.results()
    print(
        f"{len(results)} sub-responses, all created: "
        f"{all(r['data']['id'].startswith('book-') for r in results)}"
    )

    step("Pagination: get_records merges the server's pages (paginate_by=5 here)")
    records = client.get_records(collection="books", _sort="-year")
    print(f"{len(records)} records, newest first: {[r['title'] for r in records[:3]]} ...")
    pages = list(client.get_paginated_records(collection="books"))
    print(f"get_paginated_records yields pages: {[len(p['data']) for p in pages]} records each")

    step("Optimistic concurrency: safe=True turns a stale write into a 412")
    book = client.get_record(id="book-00", collection="books")
    client.patch_record(id="book-00", collection="books", data={"shelf": "A"})
    try:
        client.update_record(
            data={**book["data"], "title": "Stale edit"}, collection="books", safe=True
        )
    except kinto_http.KintoException as exc:
        status = exc.response.status_code if exc.response is not None else None
        print(f"{type(exc).__name__} {status}: {exc}")
        print(f"also a restwright error: {isinstance(exc, errors.PreconditionFailed)}")

    step("Attachments: upload a file, download it back, check the bytes")
    source = tmp / "cover.txt"
    source.write_bytes(b"A cover image, as text for the tour.\n" * 100)
    client.add_attachment(
        id="book-01", collection="books", filepath=str(source), mimetype="text/plain"
    )
    record = client.get_record(id="book-01", collection="books")
    attachment = record["data"]["attachment"]
    print(f"attachment stored at another origin: {attachment['location']}")
    downloaded = client.download_attachment(record["data"], filepath=str(tmp / "cover-copy.txt"))
    same = (
        hashlib.sha256(Path(downloaded).read_bytes()).hexdigest()
        == hashlib.sha256(source.read_bytes()).hexdigest()
    )
    print(f"downloaded {Path(downloaded).name}: identical to the upload: {same}")
    client.remove_attachment(id="book-01", collection="books")

    step("The async client has every endpoint, batch() included")

    async def count_async() -> int:
        async_client = kinto_http.AsyncClient(
            server_url=base_url, auth=("tour-user", "s3cret-password"), bucket="library"
        )
        async with async_client.batch() as batch:
            for i in range(23, 30):
                await batch.create_record(data={"id": f"book-{i:02d}"}, collection="books")
        return len(await async_client.get_records(collection="books"))

    print(f"after an async batch of 7: {asyncio.run(count_async())} records")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="restwright-tour-") as tmp:
        print("starting Kinto (memory backend) on 127.0.0.1 ...")
        with kinto_server(tmp) as base_url:
            print(f"Kinto is up at {base_url}")
            engine_tour(base_url)
            kinto_tour(base_url, Path(tmp))
        print("\nKinto stopped. Tour done.")


if __name__ == "__main__":
    main()
