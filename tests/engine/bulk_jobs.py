"""Item functions for the bulk tests, importable by worker processes (process pools, Dask)."""

from __future__ import annotations

from typing import Any

FAILING = frozenset(range(0, 100, 17))  # these items answer 500


def post_item(client: Any, item: int) -> int:
    """POST one item; the fault server answers 500 for the ``FAILING`` ones."""
    path = "/status/500" if item in FAILING else "/echo"
    response = client.post(path, params={"i": item}, json={"i": item}, retry=0)
    return int(response.json()["query"][0][1])


async def post_item_async(client: Any, item: int) -> int:
    path = "/status/500" if item in FAILING else "/echo"
    response = await client.post(path, params={"i": item}, json={"i": item}, retry=0)
    return int(response.json()["query"][0][1])
