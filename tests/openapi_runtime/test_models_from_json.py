"""``restwright.openapi.models.models_from_json``: JSON bytes to models in one pass, the
helper the runtime client (``models=True``) and generated clients share."""

from __future__ import annotations

import json
from typing import Any

import pydantic
import pytest

from restwright.openapi.models import models_from_json


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
