"""Docs fixtures for docs/generator.md and docs/mattermost.md.

* ``petstore``: the petstore document of the Prism tests as ``petstore.yaml``, Prism serving
  it as ``https://petstore.example``, and a fresh output directory as ``generated-clients``
  (put on ``sys.path`` while the file runs; the packages generated there are forgotten).
* ``mattermost_events``: a local server speaking Mattermost's websocket protocol
  (``tests/servers/mattermost_ws.py``) as ``https://events.chat.example``, sending one
  ``posted`` event.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.servers.mattermost_ws import MattermostWebsocketServer
from tests.servers.prism import find_prism, prism_mock

ROOT = Path(__file__).resolve().parents[2]
PETSTORE = ROOT / "tests" / "openapi" / "documents" / "prism" / "petstore-3.0.yaml"


@pytest.fixture
def petstore(tmp_path: Path) -> Iterator[dict[str, object]]:
    try:
        find_prism()
    except FileNotFoundError as exc:
        pytest.skip(str(exc))
    out = tmp_path / "generated-clients"
    out.mkdir()
    sys.path.insert(0, str(out))
    try:
        with prism_mock(PETSTORE, log_dir=tmp_path) as url:
            yield {
                "petstore.yaml": PETSTORE,
                "https://petstore.example": url,
                "generated-clients": out,
            }
    finally:
        sys.path.remove(str(out))
        for name, module in list(sys.modules.items()):  # petstore, and what a page generated
            if str(getattr(module, "__file__", None) or "").startswith(str(out)):
                del sys.modules[name]


@pytest.fixture
def mattermost_events() -> Iterator[dict[str, object]]:
    post = {"id": "p1", "channel_id": "c1", "message": "hello from the stream"}
    events = [{"event": "posted", "data": {"post": json.dumps(post)}}]
    with MattermostWebsocketServer(token="TOKEN", events=events) as server:
        yield {"https://events.chat.example": server.base_url}
