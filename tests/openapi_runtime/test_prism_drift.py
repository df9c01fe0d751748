"""Spec drift against Prism: Prism answers from the real petstore document while the client
was built from a deliberately altered copy of it."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import pytest
import yaml

from restwright.openapi.drift import DriftError

from ._support import call
from .conftest import PRISM_DOCUMENTS

pytestmark = [pytest.mark.prism, pytest.mark.usefixtures("no_violations")]

PET30 = PRISM_DOCUMENTS / "petstore-3.0.yaml"
AUTH = {"bearerAuth": "t", "apiKeyHeader": "k", "basicAuth": ("u", "p")}


def altered() -> dict[str, Any]:
    doc = copy.deepcopy(yaml.safe_load(PET30.read_text()))
    schemas = doc["components"]["schemas"]
    schemas["Pet"]["properties"]["id"] = {"type": "string"}  # Prism sends integers
    schemas["Pet"]["required"] = ["id", "name", "owner"]  # and no owner
    inventory = doc["paths"]["/store/inventory"]["get"]["responses"]["200"]
    inventory["content"]["application/json"]["schema"]["additionalProperties"] = {"type": "string"}
    delete = doc["paths"]["/pets/{petId}"]["delete"]["responses"]
    delete["200"] = delete.pop("204")  # Prism answers 204
    photo = doc["paths"]["/pets/{petId}/photo"]["get"]["responses"]["200"]["content"]
    photo["image/jpeg"] = photo.pop("image/png")  # Prism answers image/png
    return doc


@pytest.fixture
def drifting(prism: Any, prism_hooks: Any, make_client: Any) -> Any:
    return make_client(altered(), base_url=prism(PET30), auth=AUTH, hooks=prism_hooks)


async def test_lenient_mode_collects_drift(drifting: Any) -> None:
    pets = await call(drifting.pets.list_pets, x_request_id=str(uuid.uuid4()), session="s")
    assert [p["id"] for p in pets] == [1, 2]  # returned as the server sent them
    assert await call(drifting.store.get_inventory) == {"available": 3, "sold": 1}
    assert await call(drifting.pets.delete_pet, 1) is None
    # the photo is still downloaded: only its media type is reported
    assert await call(drifting.pets.download_pet_photo, 1, headers={"Accept": "image/png"}) == (
        b"not really a png"
    )
    got = [(e.operation, e.status, e.kind, e.pointer, e.expected, e.got) for e in drifting.drift]
    assert got == [
        ("listPets", 200, "body", "/0/owner", "required property", "missing"),
        ("listPets", 200, "body", "/0/id", "string", "integer 1"),
        ("listPets", 200, "body", "/1/owner", "required property", "missing"),
        ("listPets", 200, "body", "/1/id", "string", "integer 2"),
        ("getInventory", 200, "body", "/available", "string", "integer 3"),
        ("getInventory", 200, "body", "/sold", "string", "integer 1"),
        ("deletePet", 204, "status", "", "a documented status (200)", "204"),
        ("downloadPetPhoto", 200, "content-type", "", "image/jpeg", "image/png"),
    ]
    report = drifting.drift.report()
    assert report.splitlines()[0] == "Spec drift: 8 mismatches (6 distinct) in 4 operations"
    assert "  200 /*/id: expected string, got integer 1 [x2]" in report
    assert "deletePet (DELETE /pets/{petId}):\n  204 status: expected a documented status" in (
        report
    )


async def test_strict_mode_raises(prism: Any, prism_hooks: Any, make_client: Any) -> None:
    strict = make_client(
        altered(), base_url=prism(PET30), auth=AUTH, hooks=prism_hooks, strict=True
    )
    with pytest.raises(DriftError) as info:
        await call(strict.pets.get_pet_by_id, 1)
    error = info.value
    assert [(e.pointer, e.got) for e in error.entries] == [
        ("/owner", "missing"),
        ("/id", "integer 1"),
    ]
    assert error.response is not None and error.response.json()["name"] == "Rex"
    assert error.request is not None and error.request.url.endswith("/pets/1")
    assert "Bearer" not in str(error.request.headers.get("Authorization"))  # redacted
    # operations without drift still work in strict mode
    assert await call(strict.users.login_user, body={"username": "u", "password": "p"}) == {
        "token": "abc123"
    }
    assert len(strict.drift) == 2
