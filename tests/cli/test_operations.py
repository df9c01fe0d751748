"""``restwright call SPEC OPERATION ...`` and ``restwright SPEC TAG OPERATION ...`` against
Prism mocking the petstore document, a real Kinto server through its own description
(``/v1/__api__``), and GitHub's description in dry-run mode."""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path

import pytest
from tests.servers.fault_server import FaultServer

from .conftest import PETSTORE, Run

TOKEN = {"PET_TOKEN": "pet-token"}
KINTO_AUTH = ("-a", "alice:s3cret")


@pytest.mark.prism
def test_call_by_operation_id_with_typed_parameters(
    restwright: Run, prism_petstore: tuple[Path, str]
) -> None:
    document, url = prism_petstore
    done = restwright(
        "call",
        str(document),
        "listPets",
        "--base-url",
        url,
        "--token",
        "env:PET_TOKEN",
        f"x_request_id={uuid.uuid4()}",
        "session=s1",
        "limit=2",
        "status=available,sold",
        env=TOKEN,
    )
    assert done.returncode == 0, done.stderr
    assert [pet["name"] for pet in json.loads(done.stdout)] == ["Rex", "Tom"]


@pytest.mark.prism
def test_tag_and_method_names_as_the_runtime_client(
    restwright: Run, prism_petstore: tuple[Path, str]
) -> None:
    document, url = prism_petstore
    tags = restwright(str(document))
    assert tags.returncode == 0, tags.stderr
    assert [line.split()[0] for line in tags.stdout.splitlines()] == [
        "pets",
        "store",
        "users",
        "auth",
    ]
    pets = restwright(str(document), "pets")
    names = [line.split()[0] for line in pets.stdout.splitlines()]
    assert "list_pets" in names and "get_pet_by_id" in names
    assert "GET /pets/{petId}  Find a pet by id" in pets.stdout
    one = restwright(
        str(document),
        "pets",
        "get_pet_by_id",
        "pet_id=1",
        "--base-url",
        url,
        "--token",
        "env:PET_TOKEN",
        env=TOKEN,
    )
    assert one.returncode == 0, one.stderr
    assert json.loads(one.stdout)["id"] == 1
    table = restwright(
        str(document),
        "pets",
        "list_pets",
        f"X-Request-ID={uuid.uuid4()}",
        "session=s",
        "--base-url",
        url,
        "--token",
        "env:PET_TOKEN",
        "--table",
        env=TOKEN,
    )
    assert table.returncode == 0, table.stderr
    assert "Rex" in table.stdout and "Tom" in table.stdout and "status" in table.stdout


@pytest.mark.prism
def test_body_fields_and_basic_auth(restwright: Run, prism_petstore: tuple[Path, str]) -> None:
    document, url = prism_petstore
    done = restwright(
        str(document),
        "pets",
        "create_pet",
        "name=Kitty",
        "--base-url",
        url,
        "-a",
        "user:pass",
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["name"] == "Kitty"
    dry = restwright(
        str(document),
        "pets",
        "create_pet",
        "--body",
        '{"name": "Kitty"}',
        'tag:={"name": "cat"}',
        "--base-url",
        url,
        "-a",
        "user:pass",
        "--dry-run",
    )
    assert dry.returncode == 0, dry.stderr
    assert "'Authorization: [REDACTED]'" in dry.stdout and "pass" not in dry.stdout.split("-H")[-1]
    assert '{"name":"Kitty","tag":{"name":"cat"}}' in dry.stdout


@pytest.mark.prism
def test_errors_of_described_calls(restwright: Run, prism_petstore: tuple[Path, str]) -> None:
    document, url = prism_petstore
    no_token = restwright(str(document), "pets", "get_pet_by_id", "pet_id=1", "--base-url", url)
    assert no_token.returncode == 4  # Prism enforces the document's security
    assert no_token.stderr.startswith("restwright: 401")
    wrong_type = restwright(str(document), "pets", "get_pet_by_id", "pet_id=one", "--base-url", url)
    assert wrong_type.returncode == 2
    assert "pet_id=one" in wrong_type.stderr
    missing = restwright(str(document), "pets", "get_pet_by_id", "--base-url", url, "--dry-run")
    assert missing.returncode == 2  # the runtime's ValidationError: nothing sent
    assert "pet_id" in missing.stderr
    typo = restwright(str(document), "pets", "get_pet_byid")
    assert typo.returncode == 2
    assert "did you mean 'get_pet_by_id'?" in typo.stderr
    unknown_key = restwright(
        str(document), "pets", "get_pet_by_id", "pet_id=1", "limt=3", "--dry-run"
    )
    assert unknown_key.returncode == 2
    assert "no parameter 'limt'" in unknown_key.stderr
    no_op = restwright("call", str(document), "listPetz")
    assert no_op.returncode == 2 and "did you mean" in no_op.stderr


def test_neither_a_description_nor_a_profile(restwright: Run, tmp_path: Path) -> None:
    done = restwright("no-such-thing", "tag", "op")
    assert done.returncode == 3
    assert done.stderr == "restwright: no such profile or description: 'no-such-thing'\n"
    broken = tmp_path / "broken.json"
    broken.write_text('{"openapi": "3.0.3", "paths": []}')
    bad = restwright(str(broken), "tag", "op")
    assert bad.returncode == 3
    assert bad.stderr.startswith("restwright: API description error")


def test_github_dry_run_from_the_cached_description(restwright: Run, github_document: Path) -> None:
    done = restwright(
        str(github_document),
        "repos",
        "list_for_org",
        "org=octo",
        "per_page=5",
        "type=all",
        "--token",
        "env:GH_TOKEN",
        "--dry-run",
        env={"GH_TOKEN": "ghp_very_secret"},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(
        "curl -X GET 'https://api.github.com/orgs/octo/repos?per_page=5&type=all'"
    )
    assert "ghp_very_secret" not in done.stdout
    by_id = restwright("call", str(github_document), "repos/get", "owner=o", "repo=r", "--dry-run")
    assert by_id.stdout.startswith("curl -X GET https://api.github.com/repos/o/r ")


@pytest.mark.kinto
def test_kinto_through_its_own_description(restwright: Run, kinto_url: str) -> None:
    api = f"{kinto_url}/__api__"
    bucket = f"b{uuid.uuid4().hex[:8]}"
    steps = [
        ("buckets", "create_bucket", f'data:={{"id": "{bucket}"}}'),
        ("collections", "create_collection", f"bucket_id={bucket}", 'data:={"id": "tasks"}'),
    ]
    for tag, op, *items in steps:
        done = restwright(api, tag, op, *items, *KINTO_AUTH)
        assert done.returncode == 0, done.stderr
    for i in range(12):
        done = restwright(
            api,
            "records",
            "create_record",
            f"bucket_id={bucket}",
            "collection_id=tasks",
            f'data:={{"title": "t{i}", "n": {i}}}',
            *KINTO_AUTH,
        )
        assert done.returncode == 0, done.stderr
    every = restwright(
        api,
        "records",
        "get_records",
        f"bucket_id={bucket}",
        "collection_id=tasks",
        "limit=5",
        "--all",
        *KINTO_AUTH,
    )
    assert every.returncode == 0, every.stderr
    items = [json.loads(line) for line in every.stdout.splitlines()]
    assert sorted(item["n"] for item in items) == list(range(12))
    missing = restwright(
        "call",
        api,
        "get_record",
        f"bucket_id={bucket}",
        "collection_id=tasks",
        "id=nope",
        *KINTO_AUTH,
    )
    assert missing.returncode == 4
    assert missing.stderr.splitlines()[0].startswith("restwright: 404 Not Found (GET ")
    assert "server says:" in missing.stderr
    plain = restwright(
        "get", f"{kinto_url}/buckets/{bucket}/collections/tasks/records", "--all", *KINTO_AUTH
    )
    assert len(plain.stdout.splitlines()) == 12


UPLOAD_DOCUMENT = """
openapi: 3.0.3
info: {title: uploads, version: "1"}
servers: [{url: "%s"}]
paths:
  /upload:
    post:
      operationId: uploadFile
      tags: [files]
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema:
              type: object
              properties:
                file: {type: string, format: binary}
                caption: {type: string}
      responses:
        "200":
          description: sizes and digests of the parts
          content:
            application/json:
              schema: {type: object}
"""


def test_file_fields_of_a_described_multipart_body(
    restwright: Run, fault_server: FaultServer, tmp_path: Path
) -> None:
    document = tmp_path / "uploads.yaml"
    document.write_text(UPLOAD_DOCUMENT % fault_server.base_url)
    photo = tmp_path / "photo.bin"
    photo.write_bytes(b"\x89PNG" + bytes(range(256)) * 400)
    done = restwright(str(document), "files", "upload_file", f"file@{photo}", "caption=hi")
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    parts = {p["name"]: p for p in answer["parts"]}
    assert parts["file"]["filename"] == "photo.bin"
    assert parts["file"]["sha256"] == hashlib.sha256(photo.read_bytes()).hexdigest()
    assert parts["caption"]["size"] == 2
    assert answer["content_length"] is not None and not answer["chunked"]


@pytest.mark.prism
def test_upload_accepted_by_prism(
    restwright: Run, prism_petstore: tuple[Path, str], tmp_path: Path
) -> None:
    document, url = prism_petstore
    photo = tmp_path / "rex.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    done = restwright(
        str(document),
        "pets",
        "upload_pet_photo",
        "pet_id=1",
        f"file@{photo}",
        "caption=Rex",
        "--base-url",
        url,
        "--token",
        "env:PET_TOKEN",
        env=TOKEN,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"size": 10}


@pytest.mark.prism
def test_spec_drift_is_reported_with_verbose_only(
    restwright: Run, prism_petstore: tuple[Path, str]
) -> None:
    document, url = prism_petstore
    call = (str(document), "pets", "get_pet_by_id", "pet_id=1", "--base-url", url)
    plain = restwright(*call)  # no token: Prism answers 401, which the document does not list
    assert plain.returncode == 4
    assert "drift" not in plain.stderr and len(plain.stderr.splitlines()) == 2
    verbose = restwright(*call, "-v")
    assert verbose.returncode == 4
    assert "spec drift: getPetById [401]" in verbose.stderr


def test_help_of_an_operation_shows_its_documentation(restwright: Run) -> None:
    by_tag = restwright(str(PETSTORE), "pets", "list_pets", "--help")
    assert by_tag.returncode == 0
    assert "GET /pets (operationId 'listPets', tag 'pets')" in by_tag.stdout
    assert "x_request_id (string (uuid); header 'X-Request-ID', required)" in by_tag.stdout
    assert "Also takes" not in by_tag.stdout  # the Python-only keywords are not options here
    by_id = restwright("call", str(PETSTORE), "createPet", "-h")
    assert "name*: string" in by_id.stdout
    unknown = restwright(str(PETSTORE), "pets", "nope", "--help")
    assert unknown.returncode == 0 and "Usage: restwright SPEC_OR_PROFILE" in unknown.stdout


@pytest.mark.prism
def test_a_profile_gives_the_description_base_url_and_credentials(
    restwright: Run, prism_petstore: tuple[Path, str]
) -> None:
    pytest.importorskip("restwright.cli.profiles")
    document, url = prism_petstore
    added = restwright(
        "profile",
        "add",
        "pets",
        "--description",
        str(document),
        "--base-url",
        url,
        "--token-from",
        "env:PET_TOKEN",
    )
    assert added.returncode == 0, added.stderr
    listed = restwright("pets", "pets")  # no secret needed to list
    assert "get_pet_by_id" in listed.stdout
    one = restwright("pets", "pets", "get_pet_by_id", "pet_id=1", env=TOKEN)
    assert one.returncode == 0, one.stderr
    assert json.loads(one.stdout)["id"] == 1
    by_id = restwright("call", "pets", "getPetById", "petId=2", "--dry-run", env=TOKEN)
    assert by_id.stdout.startswith(f"curl -X GET {url}/pets/2 ")
    assert "pet-token" not in by_id.stdout and "[REDACTED]" in by_id.stdout
    typo = restwright("petz", "pets", "get_pet_by_id")
    assert typo.returncode == 3
    assert "did you mean 'pets'?" in typo.stderr
