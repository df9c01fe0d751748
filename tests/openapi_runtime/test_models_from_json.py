"""``restwright.openapi.models.models_from_json``: JSON bytes to models in one pass, the
helper the runtime client (``models=True``) and generated clients share."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from typing import Any

import pydantic
import pytest

from restwright.openapi import models as models_module
from restwright.openapi.drift import Misfit
from restwright.openapi.models import BodyModel, models_from_json


class Owner(pydantic.BaseModel):
    login: str
    id: int


class Repo(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="allow")
    id: int
    full_name: str | None = None
    owner: Owner | None = None


REPO: dict[str, Any] = {
    "id": 1296269,
    "full_name": "octocat/Hello-World",
    "owner": {"login": "octocat", "id": 1},
    "topics": ["octocat"],
}


def test_a_model_class() -> None:
    repo = models_from_json(Repo, json.dumps(REPO).encode())
    assert isinstance(repo, Repo) and isinstance(repo.owner, Owner)
    assert repo.model_dump() == REPO  # unknown properties kept (extra="allow")


def test_types_and_adapters() -> None:
    page = models_from_json(list[Repo], json.dumps([REPO, REPO]).encode())
    assert [type(r) for r in page] == [Repo, Repo]
    adapter = pydantic.TypeAdapter(dict[str, Repo])
    assert models_from_json(adapter, json.dumps({"a": REPO}))["a"].id == 1296269


def test_a_body_that_does_not_fit_comes_back_as_json() -> None:
    body = {**REPO, "owner": {"login": 7}}
    assert models_from_json(Repo, json.dumps(body).encode()) == body
    big = b'{"id": "x", "n": 123456789012345678901234567890}'
    assert models_from_json(Repo, big) == {"id": "x", "n": 123456789012345678901234567890}


def test_a_body_that_is_not_json_raises_value_error() -> None:
    with pytest.raises(ValueError, match="not valid JSON"):
        models_from_json(Repo, b'{"id": 1,')


@pytest.fixture
def collections_seen() -> Iterator[list[int]]:
    """The generations the garbage collector collects, with a threshold that makes it run
    after every few allocations (restored afterwards)."""
    seen: list[int] = []

    def callback(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            seen.append(info["generation"])

    threshold = gc.get_threshold()
    gc.set_threshold(5)
    gc.callbacks.append(callback)
    try:
        yield seen
    finally:
        gc.callbacks.remove(callback)
        gc.set_threshold(*threshold)


def test_large_bodies_are_validated_with_the_collector_paused(
    collections_seen: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    page = json.dumps([REPO] * 200).encode()  # above the pause's size
    model = BodyModel.of(list[Repo], "page", must_fit=False)

    def collections_during(body: bytes) -> int:
        before = len(collections_seen)
        result = model.from_bytes(body)
        count = len(collections_seen) - before  # at most the one the next allocation starts
        assert len(result) == 200
        return count

    assert collections_during(page) <= 1
    assert gc.isenabled()  # on again afterwards
    monkeypatch.setattr(models_module, "_PAUSE_GC_FROM", 10**9)
    assert collections_during(page) > 20  # without the pause, the tree is walked over and over
    monkeypatch.undo()
    gc.disable()  # a program that turned it off keeps it off
    try:
        model.from_bytes(page)
        assert not gc.isenabled()
    finally:
        gc.enable()
    with pytest.raises(Misfit):  # also when the body does not fit
        BodyModel.of(list[Owner], "owners", must_fit=True).from_bytes(page)
    assert gc.isenabled()
