"""Real documents of different styles: generate, ruff, mypy --strict, import, call.

* Blockfrost (OpenAPI 3.0.3, names derived from paths, ``type: 'null'``): against Prism.
* Kinto's own document (Swagger 2.0): against a real Kinto when one can be started, and
  dry-run (the request is built and logged, nothing is sent).
* Docker Engine's (Swagger 2.0, JSON and text/plain answers, enums of objects): dry-run.
* GitHub's (OpenAPI 3.0.3, 1,223 operations, 969 schemas): dry-run.
Mattermost's is covered by tests/mattermost (the committed package).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pydantic
import pytest

from restwright.openapi.naming import member_names

ROOT = Path(__file__).resolve().parents[2]
BLOCKFROST = Path(__file__).parent / "documents" / "blockfrost-openapi.yaml"
KINTO = ROOT / "tests" / "openapi" / "documents" / "kinto-swagger.json"
DOCKER = ROOT / "tests" / "openapi" / "documents" / "docker-engine-swagger.yaml"
GITHUB = ROOT.parent / "shared" / "specs" / "github-api.github.com.json"


@pytest.mark.prism
def test_blockfrost_against_prism(
    generated: Callable[..., Any],
    check_code: Callable[[Path], None],
    prism_served: Callable[[Path], tuple[str, dict[str, Any]]],
    tmp_path: Path,
) -> None:
    package, summary = generated(BLOCKFROST, "blockfrost")
    assert summary.operations == 129 and summary.fallbacks == []
    url, hooks = prism_served(BLOCKFROST)
    with package.Client(url, auth="project-id", hooks=hooks) as client:
        block = client.cardano_blocks.get_blocks_latest()
        assert type(block).__name__ == "BlockContent"
        assert block.height is None or isinstance(block.height, int)
        txs = client.cardano_blocks.get_blocks_latest_txs(count=2, order="desc")
        assert isinstance(txs, list)
        health = client.health.get_health()
        assert isinstance(health.is_healthy, bool)
    check_code(tmp_path / "out" / "blockfrost")


def _method(client: Any, operation_id: str) -> str:
    """The method name restwright.openapi.naming gives an operation in its tag group."""
    op = client.api.operation(operation_id)
    group = client.api.by_tag()[op.tag_name]
    return member_names(op.tag_name, [o.name for o in group])[op.name]


def _dry_run(
    package: Any, base_url: str, auth: Any, call: Callable[[Any], Any], caplog: Any
) -> str:
    """Call through a dry-run client of ``package``; return what restwright logged."""
    with (
        caplog.at_level(logging.DEBUG, logger="restwright"),
        package.Client(base_url, auth=auth, dry_run=True) as client,
    ):
        call(client)
    return str(caplog.text)


def test_kinto_swagger_dry_run(
    generated: Callable[..., Any],
    check_code: Callable[[Path], None],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    package, summary = generated(KINTO, "kintoapi")
    assert summary.operations == 18
    logged = _dry_run(
        package,
        "http://127.0.0.1:9/v1",
        ("user", "secret-pw"),
        lambda client: client.buckets.get_bucket("main"),
        caplog,
    )
    assert "GET http://127.0.0.1:9/v1/buckets/main" in logged and "secret-pw" not in logged
    check_code(tmp_path / "out" / "kintoapi")


def test_docker_engine_dry_run(
    generated: Callable[..., Any],
    check_code: Callable[[Path], None],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    package, summary = generated(DOCKER, "dockerapi")
    assert summary.operations == 108 and summary.fallbacks == []
    # ExposedPorts/Volumes are maps whose values are enums of {}: objects that must be empty.
    models = __import__("dockerapi.models", fromlist=["*"])
    config = models.ContainerConfig.model_validate({"ExposedPorts": {"80/tcp": {}}})
    assert config.exposed_ports == {"80/tcp": {}}
    with pytest.raises(pydantic.ValidationError, match="at most 0 items"):
        models.ContainerConfig.model_validate({"ExposedPorts": {"80/tcp": {"a": 1}}})

    def list_containers(client: Any) -> None:
        assert _method(client, "ContainerList") == "list"  # the tag is not repeated
        assert client.container.list(all=True, limit=5) == {}  # dry run: not parsed

    logged = _dry_run(package, "http://localhost/v1.56", None, list_containers, caplog)
    assert "GET http://localhost/v1.56/containers/json?all=true&limit=5" in logged
    check_code(tmp_path / "out" / "dockerapi")


def test_github_dry_run(
    generated: Callable[..., Any],
    check_code: Callable[[Path], None],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    if not GITHUB.is_file():
        pytest.skip(f"GitHub's document is absent ({GITHUB})")
    package, summary = generated(GITHUB, "githubapi")
    assert summary.operations == 1223
    # Four oneOf-with-discriminator responses: the three user ones are discriminated unions;
    # the contents one cannot be (a directory is an array), said, not dropped.
    assert summary.fallbacks == [
        "GET /repos/{owner}/{repo}/contents/{path} response 200: union with discriminator "
        "'type': branch #/components/schemas/content-directory is not an object schema (type "
        "array); a plain union, tried in order"
    ]
    repos = (tmp_path / "out" / "githubapi" / "api" / "repos.py").read_text()
    assert "# restwright: GET /repos/{owner}/{repo}/contents/{path} response 200: union" in repos
    models = __import__("githubapi.models", fromlist=["*"])
    users = pydantic.TypeAdapter(models.UsersGetAuthenticatedResponse)
    examples = json.loads(GITHUB.read_bytes())["components"]["examples"]
    public = examples["public-user-default-response"]["value"]
    private = examples["private-user-response-with-public-and-private-profile-information"]
    assert type(users.validate_python({**public, "user_view_type": "public"})).__name__ == (
        "PublicUser"
    )
    tagged = {**private["value"], "user_view_type": "private"}
    assert type(users.validate_python(tagged)).__name__ == "PrivateUser"
    with pytest.raises(pydantic.ValidationError, match=r"private\.disk_usage"):
        users.validate_python({**public, "user_view_type": "private"})  # the tag decides
    # The document does not require user_view_type: its own examples lack it (tried in order).
    assert type(users.validate_python(private["value"])).__name__ == "PrivateUser"
    with pytest.raises(pydantic.ValidationError, match="'user_view_type' property must be"):
        users.validate_python({**public, "user_view_type": "secret"})

    def list_issues(client: Any) -> None:
        assert _method(client, "issues/list-for-repo") == "list_for_repo"
        client.issues.list_for_repo("octo", "hello world", state="open", per_page=5)

    logged = _dry_run(package, "https://api.github.test", "ghp-token", list_issues, caplog)
    assert "/repos/octo/hello%20world/issues?" in logged and "ghp-token" not in logged
    check_code(tmp_path / "out" / "githubapi")
