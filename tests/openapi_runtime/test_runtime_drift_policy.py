"""``drift=``: which responses are checked, against a real server that drifts on purpose.

The default (``"sample"``) checks every status, the whole body of the first responses of
each (operation, status), then a random sample with a bounded gap: a server that starts to
break its document after the warm-up must still be reported.  ``"all"`` checks every body
(strict mode's default), ``"off"`` nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from tests.servers.scripted_server import Answer, ScriptedServer

from restwright.openapi import DriftPolicy
from restwright.openapi.drift import DriftError

from ._support import call

DOC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "repos", "version": "1"},
    "paths": {
        "/repos/{name}": {
            "get": {
                "operationId": "getRepo",
                "tags": ["repos"],
                "parameters": [
                    {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {
                    "200": {
                        "description": "the repository",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Repo"}}
                        },
                    }
                },
            }
        }
    },
    "components": {
        "schemas": {
            "Repo": {
                "type": "object",
                "required": ["id", "name"],
                "properties": {
                    "id": {"type": "integer"},
                    "name": {"type": "string"},
                    "owner": {
                        "type": "object",
                        "properties": {"login": {"type": "string"}},
                    },
                },
            }
        }
    },
}

GOOD = json.dumps({"id": 1, "name": "hello", "owner": {"login": "octo"}}).encode()
DRIFTING = json.dumps({"id": "1", "name": "hello", "owner": {"login": 7}}).encode()
WARM_UP = DriftPolicy().first  # the default policy's warm-up
GUARANTEED = WARM_UP + 2 * DriftPolicy().every - 1  # a body check must have happened by now


def drifts_after(good: int, status: int = 200) -> Any:
    """A script: ``good`` documented answers, then answers that break the document."""

    def answer(n: int) -> Answer:
        return status, "application/json", GOOD if n <= good else DRIFTING

    return answer


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as server:
        yield server


async def calls(client: Any, count: int) -> list[Any]:
    return [await call(client.repos.get_repo, name="hello") for _ in range(count)]


def body_counts(client: Any) -> dict[str, int]:
    """Pointer -> how many responses showed that body drift (from the report's [xN])."""
    counts: dict[str, int] = {}
    for entry in client.drift:
        if entry.kind == "body":
            counts[entry.pointer] = counts.get(entry.pointer, 0) + 1
    return counts


async def test_default_policy_reports_a_server_drifting_from_the_start(
    server: ScriptedServer, client_kind: str, make_client: Any
) -> None:
    server.script("/repos/hello", drifts_after(0))
    client = make_client(DOC, base_url=server.base_url)
    assert client.drift_policy.mode == "sample"
    got = await calls(client, 3)
    assert got[0] == json.loads(DRIFTING)  # the data comes back as sent
    assert [(e.pointer, e.expected, e.got) for e in client.drift][:2] == [
        ("/id", "integer", "string '1'"),
        ("/owner/login", "string", "integer 7"),
    ]
    assert body_counts(client) == {"/id": 3, "/owner/login": 3}  # the warm-up checks all


async def test_default_policy_catches_a_server_that_drifts_after_the_warm_up(
    server: ScriptedServer, client_kind: str, make_client: Any
) -> None:
    server.script("/repos/hello", drifts_after(WARM_UP))
    sampled = make_client(DOC, base_url=server.base_url)
    everything = make_client(DOC, base_url=server.base_url, drift="all")
    await calls(sampled, WARM_UP)
    assert not sampled.drift  # the warm-up saw only documented answers
    await calls(sampled, GUARANTEED - WARM_UP)  # every later one drifts
    found = body_counts(sampled)
    assert set(found) == {"/id", "/owner/login"}
    assert "getRepo (GET /repos/{name}):" in sampled.drift.report()
    # sampled: only some of the drifting bodies were checked; "all" checks each of them
    assert 1 <= found["/id"] < GUARANTEED - WARM_UP
    server.script("/repos/hello", drifts_after(0))
    await calls(everything, 30)
    assert body_counts(everything) == {"/id": 30, "/owner/login": 30}


async def test_statuses_are_checked_on_every_response_when_sampling(
    server: ScriptedServer, client_kind: str, make_client: Any
) -> None:
    server.script("/repos/hello", drifts_after(10**6, status=203))  # an undocumented status
    client = make_client(DOC, base_url=server.base_url)
    count = WARM_UP + 10
    await calls(client, count)
    assert [e.kind for e in client.drift] == ["status"] * count


async def test_off_checks_nothing(
    server: ScriptedServer, client_kind: str, make_client: Any
) -> None:
    server.script("/repos/hello", drifts_after(0, status=203))
    client = make_client(DOC, base_url=server.base_url, drift="off")
    assert (await calls(client, 3))[0] == json.loads(DRIFTING)
    assert not client.drift
    assert client.drift.report() == "No spec drift observed."


async def test_strict_checks_every_body_by_default(
    server: ScriptedServer, client_kind: str, make_client: Any
) -> None:
    late = WARM_UP + 5
    server.script("/repos/hello", drifts_after(late))
    client = make_client(DOC, base_url=server.base_url, strict=True)
    assert client.drift_policy.mode == "all"
    await calls(client, late)
    with pytest.raises(DriftError) as info:
        await call(client.repos.get_repo, name="hello")
    assert [e.pointer for e in info.value.entries] == ["/id", "/owner/login"]
    assert server.counts["/repos/hello"] == late + 1


async def test_strict_with_a_sampling_policy_raises_on_the_responses_it_checks(
    server: ScriptedServer, client_kind: str, make_client: Any
) -> None:
    server.script("/repos/hello", drifts_after(0))
    policy = DriftPolicy("sample", first=1, every=1)  # a gap of 1: every body
    client = make_client(DOC, base_url=server.base_url, strict=True, drift=policy)
    for _ in range(3):
        with pytest.raises(DriftError):
            await call(client.repos.get_repo, name="hello")


async def test_models_from_the_bytes_after_the_warm_up(
    server: ScriptedServer, client_kind: str, make_client: Any
) -> None:
    """Unchecked responses go straight from the bytes to the models (one pass); checked
    and unchecked ones give equal models; a body that does not fit stays JSON and, since a
    misfit is drift evidence, is checked and reported although the sample skipped it."""
    server.script("/repos/hello", drifts_after(3))
    client = make_client(
        DOC, base_url=server.base_url, models=True, drift=DriftPolicy(first=2, every=10**6)
    )
    checked, unchecked_good, unchecked_drifting = [(await calls(client, n))[-1] for n in (2, 1, 1)]
    repo_model = client.models.Repo
    assert isinstance(checked, repo_model) and isinstance(unchecked_good, repo_model)
    assert checked == unchecked_good
    assert unchecked_good.owner.login == "octo"
    # "login": 7 does not fit the model (a string): the plain JSON comes back, and the
    # drift the sample would have skipped is recorded
    assert unchecked_drifting == json.loads(DRIFTING)
    assert sorted(e.pointer for e in client.drift) == ["/id", "/owner/login"]


async def test_a_checked_body_that_pydantic_cannot_read_still_becomes_models(
    server: ScriptedServer, client_kind: str, make_client: Any
) -> None:
    """A checked body is made into models from its bytes; bytes that the engine decodes but
    pydantic-core does not (a byte-order mark) are made into models from the decoded data."""
    server.script("/repos/hello", lambda n: (200, "application/json", b"\xef\xbb\xbf" + GOOD))
    for policy in (DriftPolicy("all"), DriftPolicy(first=0, every=10**6)):
        client = make_client(DOC, base_url=server.base_url, models=True, drift=policy)
        repo = await call(client.repos.get_repo, name="hello")
        assert isinstance(repo, client.models.Repo) and repo.owner.login == "octo"
        assert not client.drift


async def test_invalid_json_after_the_warm_up_is_still_reported(
    server: ScriptedServer, client_kind: str, make_client: Any
) -> None:
    server.script("/repos/hello", lambda n: (200, "application/json", GOOD[:-1]))
    for models in (False, True):
        client = make_client(
            DOC, base_url=server.base_url, models=models, drift=DriftPolicy(first=0)
        )
        assert await call(client.repos.get_repo, name="hello") == GOOD[:-1].decode()
        assert [(e.kind, e.got) for e in client.drift] == [("body", "invalid JSON")]


def test_policy_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="drift must be one of"):
        DriftPolicy("sometimes")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        DriftPolicy(first=-1)
    with pytest.raises(ValueError):
        DriftPolicy(every=0)
    assert DriftPolicy.of(None).mode == "sample"
    assert DriftPolicy.of(None, strict=True).mode == "all"
    assert DriftPolicy.of("off").mode == "off"
    assert repr(DriftPolicy()) == "DriftPolicy('sample', first=20, every=50)"
    gaps = {DriftPolicy(every=3).gap() for _ in range(300)}
    assert gaps == {1, 2, 3, 4, 5}


class _ScriptedGaps(DriftPolicy):
    """A sampling policy whose gaps come from a list (so two counters can be compared)."""

    __slots__ = ("gaps",)

    def __init__(self, first: int, every: int, gaps: list[int]) -> None:
        super().__init__("sample", first=first, every=every)
        self.gaps = gaps

    def gap(self) -> int:
        return self.gaps.pop(0)


def _reference_schedule(first: int, gaps: list[int], responses: int) -> list[bool]:
    """Which responses the sampling policy checks, as its documentation states it: the
    first ``first``, then each ``gap`` responses after the previous check (the first gap
    counted from the end of the warm-up)."""
    checked, due = [], first + gaps.pop(0)
    for seen in range(1, responses + 1):
        if seen <= first:
            checked.append(True)
        elif seen == due:
            checked.append(True)
            due = seen + gaps.pop(0)
        else:
            checked.append(False)
    return checked


@pytest.mark.parametrize("first", [0, 1, 3, 20])
@pytest.mark.parametrize("every", [1, 2, 5])
def test_the_sample_counter_follows_the_documented_schedule(first: int, every: int) -> None:
    import random
    from types import SimpleNamespace

    from restwright.openapi.drift import ResponseChecker

    rng = random.Random(first * 100 + every)
    gaps = [rng.randint(1, 2 * every - 1) for _ in range(400)]
    op = SimpleNamespace(operation_id="op", name="op", method="get", path="/x")
    policy = _ScriptedGaps(first, every, list(gaps))
    checker = ResponseChecker(op, None, policy)  # type: ignore[arg-type]
    got = [checker.wants_body(200) for _ in range(300)]
    assert got == _reference_schedule(first, list(gaps), 300)
    if first:
        assert checker.wants_body(404)  # each status has its own warm-up
