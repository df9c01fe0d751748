"""The runtime client against Prism mocking petstores in Swagger 2.0, OpenAPI 3.0 and 3.1.

Prism runs with ``--errors``: a request that breaks the document is answered with an
error status, and every response is checked for an ``sl-violations`` header.  Prism also
enforces the documents' security requirements (401 without the right credentials).
"""

from __future__ import annotations

import io
import uuid
from pathlib import Path
from typing import Any

import pytest

from restwright.errors import NotFound, Unauthorized, ValidationError

from ._support import call
from .conftest import DOCUMENTS, PRISM_DOCUMENTS

pytestmark = [pytest.mark.prism, pytest.mark.usefixtures("no_violations")]

VERSIONS = ["2.0", "3.0", "3.1"]
ALL_AUTH = {
    "basicAuth": ("user", "pass"),
    "bearerAuth": "bearer-token",
    "apiKeyHeader": "header-key",
    "apiKeyQuery": "query-key",
    "apiKeyCookie": "cookie-key",
    "oauth": {"client_id": "app", "client_secret": "secret"},
}
REX = {"id": 1, "name": "Rex", "status": "available", "tag": {"id": 7, "name": "dog"}}


def document(version: str) -> Path:
    return PRISM_DOCUMENTS / f"petstore-{version}.yaml"


@pytest.fixture(params=VERSIONS)
def version(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def pets(version: str, prism: Any, prism_hooks: Any, make_client: Any) -> Any:
    doc = document(version)
    auth = {
        k: v
        for k, v in ALL_AUTH.items()
        if not (version == "2.0" and k in ("bearerAuth", "apiKeyCookie"))
    }
    return make_client(doc, base_url=prism(doc), auth=auth, hooks=prism_hooks)


async def test_every_parameter_location_and_style(pets: Any, version: str) -> None:
    kwargs: dict[str, Any] = {
        "limit": 10,
        "tags": ["a", "b,c"],
        "status": ["available", "sold"],
        "sort": ["name", "-id"],
        "fields": ["id", "name"],
        "x_request_id": str(uuid.uuid4()),
    }
    if version != "2.0":
        kwargs.update(filter={"name": "rex", "minAge": 2}, session="cookie-value")
    response = await call(pets.pets.list_pets, return_response=True, **kwargs)
    target = response.request.target
    assert target.startswith("/pets?")
    assert "tags=a,b%2Cc" in target
    assert "sort=name%20-id" in target and "fields=id%7Cname" in target
    assert "status=available&status=sold" in target
    if version != "2.0":
        assert "filter%5Bname%5D=rex&filter%5BminAge%5D=2" in target
        assert response.request.headers["Cookie"] == "session=cookie-value"
    result = await call(pets.pets.list_pets, **kwargs)
    assert result[0] == REX
    assert not pets.drift


async def test_json_bodies_and_path_parameters(pets: Any, version: str) -> None:
    created = await call(pets.pets.create_pet, body={"name": "Kitty", "status": "available"})
    assert created == {"id": 3, "name": "Kitty", "status": "available"}
    assert await call(pets.pets.get_pet_by_id, 1, if_none_match='"v1"') == {
        "id": 1,
        "name": "Rex",
        "status": "available",
    }
    assert await call(pets.pets.delete_pet, pet_id=1) is None
    if version != "2.0":
        updated = await call(pets.pets.update_pet, 1, if_match="v1", json_body={"name": "Rex II"})
        assert updated["name"] == "Rex II"
    assert not pets.drift


async def test_multipart_upload(pets: Any, tmp_path: Path) -> None:
    photo = tmp_path / "photo.png"
    photo.write_bytes(b"\x89PNG fake image")
    for file in (
        b"raw bytes",
        photo,
        io.BytesIO(b"file object"),
        ("named.png", b"tuple content", "image/png"),
    ):
        result = await call(pets.pets.upload_pet_photo, 1, body={"file": file, "caption": "hi"})
        assert result == {"size": 10}
    with photo.open("rb") as fh:
        assert await call(pets.pets.upload_pet_photo, 1, body={"file": fh}) == {"size": 10}


async def test_form_body(pets: Any) -> None:
    assert await call(pets.users.login_user, body={"username": "u", "password": "p"}) == {
        "token": "abc123"
    }


async def test_binary_download(pets: Any, tmp_path: Path) -> None:
    assert await call(pets.pets.download_pet_photo, 1) == b"not really a png"
    target = tmp_path / "photo.png"
    response = await call(pets.pets.download_pet_photo, 1, download_to=target)
    assert response.status_code == 200
    assert target.read_bytes() == b"not really a png"
    sink = io.BytesIO()
    await call(pets.pets.download_pet_photo, 1, download_to=sink)
    assert sink.getvalue() == b"not really a png"


async def test_auth_schemes(pets: Any, version: str) -> None:
    orders = await call(pets.store.list_orders, return_response=True)  # apiKey in the query
    assert orders.request.target == "/store/orders?api_key=query-key"
    assert orders.json() == [{"id": 10, "petId": 1, "quantity": 2, "complete": False}]
    if version != "2.0":
        assert await call(pets.store.get_inventory) == {"available": 3, "sold": 1}
        assert await call(pets.store.get_store_session) == {"active": True}


async def test_prism_refuses_missing_credentials(
    version: str, prism: Any, prism_hooks: Any, make_client: Any
) -> None:
    doc = document(version)
    anonymous = make_client(doc, base_url=prism(doc), hooks=prism_hooks)
    with pytest.raises(Unauthorized):
        await call(anonymous.store.list_orders)
    wrong = make_client(doc, base_url=prism(doc), auth={"apiKeyHeader": "k"}, hooks=prism_hooks)
    with pytest.raises(Unauthorized):  # the key goes in a header, the operation wants the query
        await call(wrong.store.list_orders)


@pytest.mark.parametrize("client_auth", ["basic", "body"])
async def test_oauth2_token_from_the_documented_token_url(
    version: str, client_auth: str, prism: Any, prism_hooks: Any, make_client: Any
) -> None:
    doc = document(version)
    seen: list[str] = []
    hooks = {"request": [lambda r: seen.append(f"{r.method} {r.target}")], **prism_hooks}
    creds = {"client_id": "app", "client_secret": "secret", "client_auth": client_auth}
    client = make_client(doc, base_url=prism(doc), auth={"oauth": creds}, hooks=hooks)
    assert await call(client.auth.oauth_ping) == {"pong": True}
    assert await call(client.auth.oauth_ping) == {"pong": True}
    assert seen == ["POST /oauth/token", "GET /oauth/ping", "GET /oauth/ping"]


async def test_validation_happens_before_prism_sees_anything(pets: Any) -> None:
    with pytest.raises(ValidationError) as info:
        await call(pets.pets.list_pets, x_request_id="r", status=["lost"], session="s")
    assert info.value.parameter == "status"


@pytest.mark.parametrize("name", ["petstore-v2.yaml", "petstore-v3.0.yaml", "petstore-v3.1.yaml"])
async def test_the_loader_fixture_petstores(
    name: str, prism: Any, prism_hooks: Any, make_client: Any
) -> None:
    """The loader's own fixture documents (external $refs, server variables) work too."""
    doc = DOCUMENTS / name
    client = make_client(doc, base_url=prism(doc), auth="token", hooks=prism_hooks)
    pets = await call(client.pets.list_pets, limit=5)
    assert isinstance(pets, list)
    categories = await call(client.store.list_categories)
    assert isinstance(categories, list)
    assert not client.drift, client.drift.report()


async def test_documented_error_statuses(pets: Any, version: str, tmp_path: Path) -> None:
    with pytest.raises(NotFound) as info:
        await call(pets.pets.get_pet_by_id, 1, headers={"Prefer": "code=404"})
    assert info.value.status_code == 404
    assert set(info.value.body) == {"code", "message"}
    assert not pets.drift  # a documented error with a conforming body is no drift
    target = tmp_path / "never.png"
    with pytest.raises(NotFound):
        await call(pets.pets.get_pet_by_id, 1, headers={"Prefer": "code=404"}, download_to=target)
    assert not target.exists()
