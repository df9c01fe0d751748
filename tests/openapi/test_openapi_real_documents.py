"""The real documents next to the repository: Mattermost (YAML) and GitHub (13 MB JSON)."""

from __future__ import annotations

import logging
import re
import time
from pathlib import Path

import pytest

from restwright.openapi import ApiDescription, load


@pytest.fixture(scope="module")
def mattermost_path(shared_specs: Path) -> Path:
    path = shared_specs / "mattermost-openapi-v4.yaml"
    if not path.is_file():
        pytest.skip("mattermost-openapi-v4.yaml is absent")
    return path


@pytest.fixture(scope="module")
def github_path(shared_specs: Path) -> Path:
    path = shared_specs / "github-api.github.com.json"
    if not path.is_file():
        pytest.skip("github-api.github.com.json is absent")
    return path


def _check_refs(api: ApiDescription) -> None:
    """Every $ref the model holds resolves (a sample walk over response schemas)."""
    for op in api.operations:
        for response in op.responses.values():
            for schema in response.content.values():
                api.resolve(schema)
        for param in op.parameters:
            api.resolve(param.schema)


def test_mattermost(mattermost_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="restwright.openapi"):
        api = load(mattermost_path, cache=False)
    assert api.openapi_version == "3.0.0"
    assert api.title == "Mattermost API Reference"
    assert len(api.operations) == 425
    assert len(api.schemas) == 139
    duplicates = [op for op in api.operations if op.operation_id == "SaveAcknowledgementForPost"]
    assert [op.name for op in duplicates] == [
        "save_acknowledgement_for_post",
        "save_acknowledgement_for_post_2",
    ]
    assert api.operation("SaveAcknowledgementForPost") is duplicates[0]
    assert any("duplicate operationId" in r.getMessage() for r in caplog.records)
    assert len({op.name for op in api.operations}) == 425
    assert api.security_schemes["bearerAuth"].scheme == "bearer"
    assert api.servers == ["http://your-mattermost-url.com", "https://your-mattermost-url.com"]
    _check_refs(api)


def test_mattermost_cached(mattermost_path: Path, tmp_path: Path) -> None:
    fresh = load(mattermost_path, cache_dir=tmp_path)
    cached = load(mattermost_path, cache_dir=tmp_path)
    assert cached == fresh


def test_github(github_path: Path, tmp_path: Path) -> None:
    started = time.perf_counter()
    api = load(github_path, cache_dir=tmp_path)
    cold = time.perf_counter() - started
    assert api.openapi_version == "3.0.3"
    assert len(api.operations) == 1223
    assert len(api.schemas) == 969
    assert api.servers == ["https://api.github.com"]
    assert len({op.name for op in api.operations}) == 1223
    op = api.operation("repos/get-content")
    assert op.name == "repos_get_content"
    assert [p.python_name for p in op.parameters][:3] == ["owner", "repo", "path"]
    _check_refs(api)
    started = time.perf_counter()
    cached = load(github_path, cache_dir=tmp_path)
    warm = time.perf_counter() - started
    assert cached.operation("repos/get-content").parameters == op.parameters
    # Generous bounds (CI machines are slow and shared); the real figures are ~0.25 s / 0.05 s.
    assert cold < 5.0
    assert warm < 1.0


DIGITALOCEAN = Path(__file__).parent / "documents" / "digitalocean" / "DigitalOcean-public.v2.yaml"


def test_split_document_with_operations_in_their_own_files() -> None:
    """DigitalOcean's document keeps each operation in a file of its own (``get: {$ref:
    resources/ssh_keys/sshKeys_list.yml}``): every one is read whole, none is empty."""
    api = load(DIGITALOCEAN, cache=False)
    assert len(api.operations) == 24
    for op in api.operations:
        assert op.operation_id, (op.method, op.path)
        assert op.summary and op.tags != ["default"], op.operation_id
        assert "200" in op.responses or "201" in op.responses or "204" in op.responses
        placeholders = set(re.findall(r"\{([^}]+)\}", op.path))
        assert {p.name for p in op.parameters if p.location == "path"} == placeholders
        assert op.security, op.operation_id  # each operation file names its scopes
    keys = api.operation("sshKeys_list")
    assert [p.name for p in keys.parameters] == ["per_page", "page"]  # shared/parameters.yml
    create = api.operation("sshKeys_create")
    assert create.request_body is not None and create.request_body.required
    _check_refs(api)


def test_an_operation_ref_that_resolves_to_nothing_is_a_spec_error(tmp_path: Path) -> None:
    from restwright.errors import SpecError

    (tmp_path / "root.yaml").write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n"
        "paths:\n  /x:\n    get: {$ref: 'ops/missing.yml'}\n",
        encoding="utf-8",
    )
    with pytest.raises(SpecError) as info:
        load(tmp_path / "root.yaml", cache=False)
    assert "/paths/~1x/get" in str(info.value.pointer) or "missing.yml" in str(info.value)


@pytest.mark.parametrize(
    "name",
    ["mattermost-openapi-v4.yaml", "github-api.github.com.json", "DigitalOcean-public.v2.yaml"],
)
def test_real_documents_lose_no_operation_parts(name: str, shared_specs: Path) -> None:
    """Nothing of a real document is silently dropped: no SpecWarning while loading, every
    operation keeps its responses and a parameter for every ``{placeholder}``."""
    import warnings

    from restwright.errors import SpecWarning

    path = DIGITALOCEAN if name.startswith("DigitalOcean") else shared_specs / name
    if not path.is_file():
        pytest.skip(f"{name} is absent")
    with warnings.catch_warnings():
        warnings.simplefilter("error", SpecWarning)
        api = load(path, cache=False)
    for op in api.operations:
        assert op.responses, op.name
        placeholders = set(re.findall(r"\{([^}]+)\}", op.path))
        assert placeholders <= {p.name for p in op.parameters if p.location == "path"}, op.name


def test_a_placeholder_no_parameter_describes_is_a_visible_warning() -> None:
    from restwright.errors import SpecWarning

    document = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {"/items/{id}": {"get": {"responses": {"200": {"description": "ok"}}}}},
    }
    with pytest.warns(SpecWarning, match=r"/paths/~1items~1\{id\}/get: no path parameter .*'id'"):
        load(document, cache=False)
