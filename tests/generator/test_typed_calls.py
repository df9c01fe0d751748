"""A generated method's call path: the body goes from its bytes into the return type in one
pass, and drift is still reported, against a real server that drifts on purpose.

The runtime client decodes a body only when the drift policy checks it; otherwise pydantic
validates the bytes straight into the method's return type.  A body that does not fit that
type is drift evidence: it is checked there and then (whatever the sample said), recorded in
``client.drift`` and raised as ``DriftError``.  Drift the type does not reject (a ``null``
where the document says string) is found by the policy's checks, as for the runtime client.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from tests.openapi_runtime.test_runtime_drift_policy import DOC, GOOD
from tests.servers.scripted_server import ScriptedServer

from restwright.engine.models import Response
from restwright.openapi import DriftPolicy
from restwright.openapi.drift import DriftError

MISFIT = json.dumps({"id": "one", "name": "hello", "owner": {"login": 7}}).encode()
NULL_LOGIN = json.dumps({"id": 1, "name": "hello", "owner": {"login": None}}).encode()


@pytest.fixture
def package(tmp_path: Path, generated: Callable[..., tuple[ModuleType, Any]]) -> ModuleType:
    spec = tmp_path / "repos.yaml"
    spec.write_text(yaml.safe_dump(DOC, sort_keys=False), encoding="utf-8")
    module, _ = generated(spec, "typedrepos")
    return module


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as server:
        yield server


def script(server: ScriptedServer, good: int, then: bytes) -> None:
    """``good`` documented answers, then ``then``."""
    server.script("/repos/hello", lambda n: (200, "application/json", GOOD if n <= good else then))


def make(package: ModuleType, client_kind: str, base_url: str, **options: Any) -> Any:
    cls = package.Client if client_kind == "sync" else package.AsyncClient
    return cls(base_url, **options)


async def get(client: Any) -> Any:
    result = client.repos.get_repo("hello")
    return await result if inspect.isawaitable(result) else result


async def close(client: Any) -> None:
    if hasattr(client, "aclose"):
        await client.aclose()
    else:
        client.close()


@pytest.fixture
def json_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts ``Response.json()`` calls: how often the runtime decoded a body itself."""
    seen: list[int] = []
    decode = Response.json

    def counting(self: Response, **kwargs: Any) -> Any:
        seen.append(self.status_code)
        return decode(self, **kwargs)

    monkeypatch.setattr(Response, "json", counting)
    return seen


async def test_unchecked_bodies_are_not_decoded_before_the_model(
    package: ModuleType, server: ScriptedServer, client_kind: str, json_calls: list[int]
) -> None:
    script(server, 10, GOOD)
    client = make(package, client_kind, server.base_url, drift=DriftPolicy(first=2, every=10**6))
    try:
        repos = [await get(client) for _ in range(6)]
    finally:
        await close(client)
    assert all(type(r).__name__ == "Repo" and r.owner.login == "octo" for r in repos)
    assert repos[0] == repos[-1]  # checked (decoded, then validated) and unchecked alike
    assert len(json_calls) == 2  # only the two bodies the policy checked were decoded
    assert not client.drift


async def test_a_misfit_after_the_warm_up_is_checked_recorded_and_raised(
    package: ModuleType, server: ScriptedServer, client_kind: str
) -> None:
    script(server, 3, MISFIT)
    client = make(package, client_kind, server.base_url, drift=DriftPolicy(first=2, every=10**6))
    try:
        for _ in range(3):
            await get(client)
        assert not client.drift
        with pytest.raises(DriftError, match="does not fit the documented type") as info:
            await get(client)  # the sample skips this body; the model does not
    finally:
        await close(client)
    assert [e.pointer for e in info.value.entries] == ["/id", "/owner/login"]
    assert [e.pointer for e in client.drift] == ["/id", "/owner/login"]
    assert info.value.request is not None and info.value.response is not None
    assert info.value.response.content == MISFIT


async def test_with_drift_off_a_misfit_still_raises_but_nothing_is_recorded(
    package: ModuleType, server: ScriptedServer, client_kind: str
) -> None:
    script(server, 0, MISFIT)
    client = make(package, client_kind, server.base_url, drift="off")
    try:
        with pytest.raises(DriftError) as info:
            await get(client)
    finally:
        await close(client)
    assert info.value.entries[0].pointer == "/id"  # what pydantic saw first
    assert not client.drift


async def test_drift_the_model_accepts_is_found_by_the_sample(
    package: ModuleType, server: ScriptedServer, client_kind: str
) -> None:
    """``login: null`` fits ``str | None`` but breaks the document (a string): the result
    comes back, and the policy's checks report the drift."""
    script(server, 0, NULL_LOGIN)
    policy = DriftPolicy(first=1, every=2)  # then a check at least every 3 responses
    client = make(package, client_kind, server.base_url, drift=policy)
    try:
        repos = [await get(client) for _ in range(5)]
    finally:
        await close(client)
    assert all(r.owner.login is None for r in repos)
    pointers = [e.pointer for e in client.drift]
    assert pointers[0] == "/owner/login" and 2 <= len(pointers) <= 5


async def test_strict_raises_on_checked_drift(
    package: ModuleType, server: ScriptedServer, client_kind: str
) -> None:
    script(server, 0, NULL_LOGIN)
    client = make(package, client_kind, server.base_url, strict=True)
    try:
        with pytest.raises(DriftError, match="breaks the API document"):
            await get(client)
    finally:
        await close(client)
    assert client.runtime.drift_policy.mode == "all"


async def test_a_body_that_is_not_json_raises_with_the_drift_recorded(
    package: ModuleType, server: ScriptedServer, client_kind: str
) -> None:
    server.script("/repos/hello", lambda n: (200, "application/json", GOOD[:-1]))
    client = make(package, client_kind, server.base_url, drift=DriftPolicy(first=0))
    try:
        with pytest.raises(DriftError, match="not valid JSON") as info:
            await get(client)
    finally:
        await close(client)
    assert [(e.kind, e.got) for e in info.value.entries] == [("body", "invalid JSON")]
    assert [(e.kind, e.got) for e in client.drift] == [("body", "invalid JSON")]


async def test_json_sent_under_another_media_type_still_becomes_the_model(
    package: ModuleType, server: ScriptedServer, client_kind: str
) -> None:
    server.script("/repos/hello", lambda n: (200, "text/plain", GOOD))
    client = make(package, client_kind, server.base_url)
    try:
        repo = await get(client)
    finally:
        await close(client)
    assert type(repo).__name__ == "Repo" and repo.owner.login == "octo"
    assert [e.kind for e in client.drift] == ["content-type"]
