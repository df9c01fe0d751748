"""The async client under concurrency and cancellation: every answer goes to its caller."""

from __future__ import annotations

import asyncio

import pytest

pytestmark = pytest.mark.parametrize("client_kind", ["async"])


def test_concurrent_requests_get_their_own_answers(api, fault_server):
    async def many():
        calls = []
        for n in range(40):
            if n % 4 == 0:
                calls.append(api.raw.get("/stall", params={"seconds": 0.2, "n": n}))
            else:
                calls.append(api.raw.post(f"/echo/{n}", json={"n": n}))
        return await asyncio.gather(*calls)

    responses = api.run(many())
    for n, response in enumerate(responses):
        if n % 4 == 0:
            assert response.json() == {"stalled": 0.2}
        else:
            echo = response.json()
            assert echo["path"] == f"/echo/{n}"
            assert echo["json"] == {"n": n}
    assert len(fault_server.requests) == 40


def test_cancelled_request_does_not_poison_the_pool(api, fault_server):
    async def scenario():
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(api.raw.get("/stall", params={"seconds": 0.5}), 0.1)
        first = await api.raw.get("/echo/right-after")
        await asyncio.sleep(0.7)  # the stalled answer is now out
        later = await api.raw.get("/echo/later")
        again = await api.raw.get("/echo/again")
        return first, later, again

    first, later, again = api.run(scenario())
    assert first.json()["path"] == "/echo/right-after"
    assert later.json()["path"] == "/echo/later"
    assert again.json()["path"] == "/echo/again"


def test_concurrent_pagination(api):
    async def walk(style: str, kwargs: dict):
        return [item["id"] async for item in api.raw.paginate(f"/pages/{style}", **kwargs).items()]

    async def both():
        return await asyncio.gather(
            walk("link", {"style": "link"}),
            walk("cursor", {"style": "cursor"}),
            walk("offset", {"style": "offset", "page_size": 5}),
        )

    for ids in api.run(both()):
        assert ids == list(range(23))
