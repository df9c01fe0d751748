"""``restwright generate`` on a document using every construct the generator types, and on
the petstore Prism serves: models, operations, determinism, fallbacks, lint and types."""

from __future__ import annotations

import inspect
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pydantic
import pytest
import yaml
from click.testing import CliRunner

from restwright.cli import main
from restwright.generator import generate, render_package
from restwright.openapi import load
from restwright.openapi.drift import DriftError

ROOT = Path(__file__).resolve().parents[2]
PETSTORE = ROOT / "tests" / "openapi" / "documents" / "prism" / "petstore-3.0.yaml"

AUTH = {"basicAuth": ("user", "pass"), "bearerAuth": "token", "apiKeyHeader": "key"}
FEATURES: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Features", "version": "1"},
    "servers": [{"url": "http://127.0.0.1:9/v1"}],
    "paths": {
        "/animals/{animalId}": {
            "get": {
                "operationId": "getAnimal",
                "tags": ["zoo"],
                "summary": "One animal \u2019by\u2019 id",
                "parameters": [
                    {
                        "name": "animalId",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer"},
                    },
                    {"name": "If-Match", "in": "header", "schema": {"type": "string"}},
                    {"name": "class", "in": "query", "schema": {"enum": ["a", "b"]}},
                ],
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Animal"}}
                        },
                    }
                },
            }
        },
        "/export": {
            "get": {
                "operationId": "export",
                "tags": ["zoo"],
                "responses": {
                    "200": {
                        "description": "the zoo",
                        "content": {
                            "application/json": {"schema": {"type": "object"}},
                            "application/xml": {"schema": {"type": "object"}},
                        },
                    },
                    "202": {
                        "description": "a CSV export",
                        "content": {"text/csv": {"schema": {"type": "string"}}},
                    },
                },
            }
        },
        "/trees": {
            "post": {
                "operationId": "plantTree",
                "tags": ["zoo"],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["height"],
                                "properties": {"height": {"type": "number"}},
                            }
                        }
                    },
                },
                "responses": {
                    "201": {
                        "description": "planted",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/Tree"},
                                }
                            }
                        },
                    },
                    "204": {"description": "nothing"},
                },
            }
        },
    },
    "components": {
        "schemas": {
            "Base": {
                "type": "object",
                "required": ["id"],
                "properties": {"id": {"type": "integer"}},
            },
            "Pet": {
                "allOf": [
                    {"$ref": "#/components/schemas/Base"},
                    {
                        "type": "object",
                        "properties": {
                            "status": {
                                "type": "string",
                                "enum": ["available", "sold", None],
                                "nullable": True,
                            },
                            "tag": {"type": "string", "nullable": True},
                            "labels": {
                                "type": "object",
                                "additionalProperties": {"type": "string"},
                            },
                            "weight": {"type": "number", "enum": [1.5, 2.5]},
                        },
                    },
                ]
            },
            "Cat": {
                "allOf": [
                    {"$ref": "#/components/schemas/Pet"},
                    {
                        "type": "object",
                        "properties": {"kind": {"enum": ["cat"]}, "indoor": {"type": "boolean"}},
                    },
                ]
            },
            "Dog": {
                "allOf": [
                    {"$ref": "#/components/schemas/Pet"},
                    {
                        "type": "object",
                        "properties": {
                            "kind": {"enum": ["dog"]},
                            "model_config": {"type": "string"},
                        },
                    },
                ]
            },
            "Animal": {
                "oneOf": [
                    {"$ref": "#/components/schemas/Cat"},
                    {"$ref": "#/components/schemas/Dog"},
                ],
                "discriminator": {
                    "propertyName": "kind",
                    "mapping": {
                        "cat": "#/components/schemas/Cat",
                        "dog": "#/components/schemas/Dog",
                    },
                },
            },
            "Tree": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "children": {"type": "array", "items": {"$ref": "#/components/schemas/Tree"}},
                    "either": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                },
            },
        }
    },
}


@pytest.fixture
def features(tmp_path: Path) -> Path:
    path = tmp_path / "features.yaml"
    path.write_text(yaml.safe_dump(FEATURES, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def test_models_cover_the_constructs(
    features: Path, generated: Callable[..., Any], check_code: Callable[[Path], None]
) -> None:
    package, summary = generated(features, "featurepkg")
    models = __import__("featurepkg.models", fromlist=["*"])
    cat = models.Cat.model_validate(
        {"id": 1, "status": None, "labels": {"a": "b"}, "kind": "cat", "extra": 5}
    )
    assert (cat.id, cat.kind, cat.labels, cat.model_extra) == (1, "cat", {"a": "b"}, {"extra": 5})
    with pytest.raises(pydantic.ValidationError):
        models.Cat.model_validate({"status": "available"})  # id (from Base, via Pet) is required
    with pytest.raises(pydantic.ValidationError):
        models.Cat.model_validate({"id": 1, "status": "lost"})  # enum
    dog = models.Dog.model_validate({"id": 2, "kind": "dog", "model_config": "x"})
    assert dog.model_config_ == "x" and dog.model_dump(by_alias=True, exclude_unset=True) == {
        "id": 2,
        "kind": "dog",
        "model_config": "x",
    }
    tree = models.Tree.model_validate({"name": "a", "children": [{"children": [{"name": "c"}]}]})
    assert tree.children[0].children[0].name == "c"
    assert models.Tree.model_validate({"either": 3}).either == 3

    # The oneOf with a discriminator is a discriminated union: the tag picks the branch.
    animals = pydantic.TypeAdapter(models.Animal)
    assert type(animals.validate_python({"id": 3, "kind": "dog"})) is models.Dog
    with pytest.raises(pydantic.ValidationError, match="'kind' property must be one of"):
        animals.validate_python({"id": 3, "kind": "cow", "indoor": True})

    # Fallbacks are said: in the summary and as a comment next to the field.
    assert not any("discriminator" in f for f in summary.fallbacks)
    assert any("schema Pet.weight" in f and "enum" in f for f in summary.fallbacks)
    text = (features.parent / "out" / "featurepkg" / "models" / "pet.py").read_text()
    assert "# restwright: enum of values Literal cannot hold" in text
    assert "enum" in summary.report()

    # Operations: the runtime client's names, typed signatures, docstrings from the document.
    client = package.Client(dry_run=True)
    signature = inspect.signature(type(client.zoo).get_animal)
    assert list(signature.parameters)[:5] == ["self", "animal_id", "if_match", "class_", "headers"]
    assert "One animal \u2019by\u2019 id" in (type(client.zoo).get_animal.__doc__ or "")
    runtime = load(features)
    assert [op.name for op in runtime.operations] == ["get_animal", "export", "plant_tree"]
    # Every 2xx response counts: 201 with a list of trees, 204 without a body.
    signature_of = inspect.signature
    assert signature_of(type(client.zoo).plant_tree).return_annotation == "list[models.Tree] | None"
    assert signature_of(type(client.zoo).export).return_annotation == "dict[str, Any] | str"
    assert any("JSON and other media" in f for f in summary.fallbacks)
    zoo = (features.parent / "out" / "featurepkg" / "api" / "zoo.py").read_text()
    assert "    # restwright: GET /export: 2xx responses in JSON and other media" in zoo
    # Dry run: nothing is received, the method returns the synthetic body as it is.
    assert client.zoo.get_animal(1, class_="a") == {}
    # A response that does not fit the documented type: DriftError with the exchange
    # (the dry-run transport answers 200 and {}, and an Animal needs an id).
    from restwright.transports.dry_run import DryRunTransport

    answering = package.Client(transport=DryRunTransport())
    with pytest.raises(DriftError, match="does not fit") as info:
        answering.zoo.get_animal(1)
    assert info.value.request is not None and info.value.response is not None
    check_code(features.parent / "out" / "featurepkg")


def test_generation_is_deterministic(tmp_path: Path) -> None:
    first = generate(PETSTORE, "pets", tmp_path / "a")
    second = generate(PETSTORE, "pets", tmp_path / "b")
    assert first.files == second.files
    for name in first.files:
        assert (tmp_path / "a" / "pets" / name).read_bytes() == (
            tmp_path / "b" / "pets" / name
        ).read_bytes(), name
    document = PETSTORE.read_bytes()
    again, _ = render_package(load(document, cache=False), PETSTORE.name, document, "pets")
    assert again == {n: (tmp_path / "a" / "pets" / n).read_bytes() for n in first.files}


@pytest.mark.prism
def test_generated_petstore_against_prism(
    generated: Callable[..., Any],
    check_code: Callable[[Path], None],
    prism_served: Callable[[Path], tuple[str, dict[str, Any]]],
    tmp_path: Path,
) -> None:
    package, _ = generated(PETSTORE, "petstore_typed")
    url, hooks = prism_served(PETSTORE)
    with package.Client(url, auth=AUTH, hooks=hooks) as client:
        pets = client.pets.list_pets(
            limit=2,
            tags=["a", "b"],
            status=["available", "sold"],
            x_request_id="3fa85f64-5717-4562-b3fc-2c963f66afa6",
            session="s",
        )
        assert pets and all(type(p).__name__ == "Pet" for p in pets)
        pet = client.pets.get_pet_by_id(1)
        assert type(pet).__name__ == "Pet"
    check_code(tmp_path / "out" / "petstore_typed")


def test_command_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["generate", str(PETSTORE), "--package", "pets", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert "operations" in result.output and (tmp_path / "pets" / "client.py").is_file()
    bad = CliRunner().invoke(main, ["generate", str(PETSTORE), "--package", "no-dash"])
    assert bad.exit_code != 0 and "dotted Python name" in bad.output
    module = subprocess.run(
        [sys.executable, "-m", "restwright", "generate", "--help"], capture_output=True, text=True
    )
    assert module.returncode == 0 and "--package" in module.stdout
