"""Real documents of different styles: generate, ruff, mypy --strict, import, call.

* Blockfrost (OpenAPI 3.0.3, names derived from paths, ``type: 'null'``): against Prism.
* Kinto's own document (Swagger 2.0): against a real Kinto when one can be started, and
  dry-run (the request is built and logged, nothing is sent).
* GitHub's (OpenAPI 3.0.3, 1,223 operations, 969 schemas): dry-run.
Mattermost's is covered by tests/mattermost (the committed package).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.servers.prism import VIOLATIONS_HEADER, find_prism, prism_mock

ROOT = Path(__file__).resolve().parents[2]
BLOCKFROST = Path(__file__).parent / "documents" / "blockfrost-openapi.yaml"
KINTO = ROOT / "tests" / "openapi" / "documents" / "kinto-swagger.json"
GITHUB = ROOT.parent / "shared" / "specs" / "github-api.github.com.json"


@pytest.mark.prism
def test_blockfrost_against_prism(
    generated: Callable[..., Any], check_code: Callable[[Path], None], tmp_path: Path
) -> None:
    try:
        find_prism()
    except FileNotFoundError as exc:
        pytest.skip(str(exc))
    package, summary = generated(BLOCKFROST, "blockfrost")
    assert summary.operations == 129 and summary.fallbacks == []
    violations: list[str] = []

    def record(response: Any) -> None:
        if response.headers.get(VIOLATIONS_HEADER):
            violations.append(response.headers[VIOLATIONS_HEADER])

    hooks = {"response": [record]}
    with (
        prism_mock(BLOCKFROST, log_dir=tmp_path) as url,
        package.Client(url, auth="project-id", hooks=hooks) as client,
    ):
        block = client.cardano_blocks.get_blocks_latest()
        assert type(block).__name__ == "BlockContent"
        assert block.height is None or isinstance(block.height, int)
        txs = client.cardano_blocks.get_blocks_latest_txs(count=2, order="desc")
        assert isinstance(txs, list)
        health = client.health.get_health()
        assert isinstance(health.is_healthy, bool)
    assert not violations
    check_code(tmp_path / "out" / "blockfrost")


def test_kinto_swagger_dry_run(
    generated: Callable[..., Any],
    check_code: Callable[[Path], None],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    package, summary = generated(KINTO, "kintoapi")
    assert summary.operations == 18
    with (
        caplog.at_level(logging.DEBUG, logger="restwright"),
        package.Client("http://127.0.0.1:9/v1", auth=("user", "secret-pw"), dry_run=True) as client,
    ):
        client.buckets.get_bucket("main")
    assert "GET http://127.0.0.1:9/v1/buckets/main" in caplog.text
    assert "secret-pw" not in caplog.text
    check_code(tmp_path / "out" / "kintoapi")


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
    # Said, not dropped: three oneOf-with-discriminator responses typed as plain unions.
    assert len(summary.fallbacks) == 3 and all("discriminator" in f for f in summary.fallbacks)
    with (
        caplog.at_level(logging.DEBUG, logger="restwright"),
        package.Client("https://api.github.test", auth="ghp-token", dry_run=True) as client,
    ):
        # The method's name is the runtime client's (restwright.openapi.naming decides it).
        name = client.api.operation("issues/list-for-repo").name
        getattr(client.issues, name)("octo", "hello world", state="open", per_page=5)
    assert "/repos/octo/hello%20world/issues?" in caplog.text
    assert "ghp-token" not in caplog.text
    check_code(tmp_path / "out" / "githubapi")
