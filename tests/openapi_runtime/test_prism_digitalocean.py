"""The runtime client against Prism mocking DigitalOcean's split document.

Each operation of that document lives in a file of its own (``get: {$ref: ...yml}``): the
client must see every one whole (name, parameters, body, responses) and call it so that
Prism, which validates every request against the document, reports no violation.
"""

from __future__ import annotations

from typing import Any

import pytest

from ._support import call
from .conftest import DOCUMENTS

pytestmark = [pytest.mark.prism, pytest.mark.usefixtures("no_violations")]

DIGITALOCEAN = DOCUMENTS / "digitalocean" / "DigitalOcean-public.v2.yaml"


@pytest.fixture
def do(prism: Any, prism_hooks: Any, make_client: Any) -> Any:
    return make_client(
        DIGITALOCEAN, base_url=prism(DIGITALOCEAN), auth="dop_v1_token", hooks=prism_hooks
    )


async def test_operations_from_their_own_files_are_called_whole(do: Any, client_kind: str) -> None:
    assert dir(do.ssh_keys) == ["create", "delete", "get", "list", "update"]
    keys = await call(do.ssh_keys.list, per_page=5, page=1)
    assert isinstance(keys["ssh_keys"], list)
    created = await call(
        do.ssh_keys.create, body={"name": "laptop", "public_key": "ssh-ed25519 AAAAC3Nza me"}
    )
    assert "ssh_key" in created
    assert await call(do.ssh_keys.get, ssh_key_identifier=512189) is not None
    record = await call(
        do.domain_records.domains_create_record,
        domain_name="example.com",
        body={"type": "A", "name": "www", "data": "162.10.66.0", "ttl": 1800},
    )
    assert "domain_record" in record
    assert await call(do.account.get) is not None
    pages = do.paginate(do.ssh_keys.list, per_page=20)  # items under "ssh_keys"
    items = list(pages) if client_kind == "sync" else [k async for k in pages]
    assert items and all("fingerprint" in key for key in items)
    assert not do.drift.entries, do.drift.report()
