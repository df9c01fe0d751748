"""The code of kinto-http's README, run with ``import restwright.kinto as kinto_http``.

Each snippet is kinto-http 11.x's README code, unchanged except for: the one import
(``import kinto_http`` / ``from kinto_http...`` become ``restwright.kinto``), the server URL
(the test server's), and a real file for ``/path/to/image.png``.  They run in order in one
namespace, as a reader would paste them; ``prepare`` steps create what a snippet assumes
already exists (records it patches, an attachment it downloads).
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.kinto

README_SNIPPETS: list[tuple[str, str]] = [
    ("usage", """
import kinto_http

client = kinto_http.Client(server_url="http://localhost:8888/v1",
                           auth=('alexis', 'p4ssw0rd'))

records = client.get_records(bucket='default', collection='todos')
for i, record in enumerate(records):
    record['title'] = 'Todo {}'.format(i)
    client.update_record(data=record)
"""),
    ("instantiating", """
import kinto_http

auth = ('alexis', 'p4ssw0rd')

client = kinto_http.Client(server_url='http://localhost:8888/v1',
                           auth=auth)
"""),
    ("default bucket and collection", """
client = Client(bucket="payments", collection="receipts", auth=auth)
"""),
    ("clone", """
client2 = client.clone(collection="orders")
"""),
    ("async client", """
from kinto_http import AsyncClient

auth = ('alexis', 'p4ssw0rd')
client = AsyncClient(server_url='http://localhost:8888/v1', auth=auth)
info = await client.server_info()
assert 'schema' in info['capabilities'], "Server doesn't support schema validation."
"""),
    ("bearer token", """
import kinto_http

client = kinto_http.Client(auth=kinto_http.BearerTokenAuth("XYPJTNsFKV2"))
"""),
    ("bearer token type", """
kinto_http.BearerTokenAuth("XYPJTNsFKV2", type="Bearer+OIDC")
kinto_http.Client(auth="Bearer+OIDC XYPJTNsFKV2")
kinto_http.Client(auth=kinto_http.BearerTokenAuth("XYPJTNsFKV2", type="Bearer+OIDC"))
"""),
    ("browser oauth", """
import kinto_http

client = kinto_http.Client(server_url='http://localhost:8888/v1', auth=kinto_http.BrowserOAuth())
"""),
    ("custom headers", """
import kinto_http

client = kinto_http.Client(server_url="http://server/v1", headers={
    "Allow-Access": "CDN",
    "User-Agent": "blocklist-updater"
})
"""),
    ("server info", """
from kinto_http import Client

client = Client(server_url='http://localhost:8888/v1')
info = client.server_info()
assert 'schema' in info['capabilities'], "Server doesn't support schema validation."
"""),
    ("permissions", """
client.create_record(data={'foo': 'bar'},
                     permissions={'read': ['group:groupid']})


record = client.get_record('123', collection='todos', bucket='alexis')
record['permissions']['write'].append('leplatrem')
client.update_record(data=record)
"""),
    ("all permissions", """
all_perms = client.get_permissions(exclude_resource_names=("record",))

has_collection_perms = any(
    p for p in all_perms
    if p["collection_id"] == "my-collection"
    and "write" in p["permissions"]
)
"""),
    ("get or create", """
client.create_bucket(id='blog', if_not_exists=True)
client.create_collection(id='articles', bucket='blog', if_not_exists=True)
"""),
    ("delete if exists", """
client.delete_bucket(id='bucket', if_exists=True)
"""),
    ("patch operations", """
from kinto_http.patch_type import BasicPatch, MergePatch, JSONPatch


client.patch_record(id='abc', changes=BasicPatch({'over': 'write'}))

client.patch_record(id='todo', changes=MergePatch({'assignee': 'bob'}))

client.patch_record(id='receipts', changes=JSONPatch([
    {'op': 'add', 'path': '/data/members/0', 'value': 'ldap:user@corp.com'}
]))
"""),
    ("batch", """
with client.batch() as batch:
    for idx in range(0, 100):
        batch.update_record(data={'id': idx})
"""),
    ("batch results", """
with client.batch() as batch:
    batch.get_record('r1')
    batch.get_record('r2')
    batch.get_record('r3')

r1, r2, r3 = batch.results()
"""),
    ("errors", """
try:
    client.create_group(id="friends")
except kinto_http.KintoException as e:
    if e.response and e.response.status_code == 403:
        print("Not allowed!")
"""),
    ("timeouts", """
client = KintoClient(server_url="...", timeout=5)
client = KintoClient(server_url="...", timeout=(3.05, 27))
client = KintoClient(server_url="...", timeout=None)
"""),
    ("retry", """
client = Client(server_url='http://localhost:8888/v1',
                auth=credentials,
                retry=10)
client = Client(server_url='http://localhost:8888/v1',
                auth=credentials,
                retry=10,
                retry_after=5)
"""),
    ("pagination", """
for page in client.get_paginated_records():
    records = page["data"]
records = client.get_records(_limit=10)
records = client.get_records(_limit=10, pages=float('inf'))  # Infinity
"""),
    ("history", """
# Get the complete history of a bucket
changes = client.get_history(bucket='default')

# and optionally use filters
hist = client.get_history(bucket='default', _limit=2, _sort='-last_modified', _since='1533762576015')
hist = client.get_history(bucket='default', resource_name='collection')
"""),  # noqa: E501 - the README's line
    ("purge history", """
client.purge_history(bucket='default')
"""),
    ("download attachment", """
filepath = client.download_attachment(record_obj)
"""),
    ("add attachment", """
client.add_attachment(id="record-id", filepath="/path/to/image.png")
"""),
    ("remove attachment", """
client.remove_attachment(id="record-id")
"""),
    ("endpoint urls", """
client = Client(server_url='http://localhost:8888/v1',
                auth=('token', 'your-token'),
                bucket="payments",
                collection="receipts")

print(client.get_endpoint("record",
                          id="c6894b2c-1856-11e6-9415-3c970ede22b0"))

# '/buckets/payments/collections/receipts/records/c6894b2c-1856-11e6-9415-3c970ede22b0'
"""),
    ("command-line script", """
import argparse
import logging

from kinto_http import cli_utils

logger = logging.getLogger(__name__)

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Download records")
    cli_utils.set_parser_server_options(parser)

    args = parser.parse_args()

    cli_utils.setup_logger(logger, args)

    logger.debug("Instantiate Kinto client.")
    client = cli_utils.create_client_from_args(args)

    logger.info("Fetch records.")
    records = client.get_records()
    logger.warn("{} records.".format(len(records)))
"""),
]


def _adapt(code: str, url: str, image: Path) -> str:
    """The only edits: the import, the server URL, a real file path."""
    code = code.replace("import kinto_http\n", "import restwright.kinto as kinto_http\n")
    code = code.replace("from kinto_http", "from restwright.kinto")
    code = code.replace("http://localhost:8888/v1", url).replace("http://server/v1", url)
    return code.replace("/path/to/image.png", str(image))


@pytest.mark.filterwarnings("ignore:The 'warn' method is deprecated")  # the README's logger.warn
async def test_readme_snippets(
    kinto_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    import restwright.kinto as kinto_http

    image = tmp_path / "image.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n fake image")
    monkeypatch.chdir(tmp_path)
    admin = kinto_http.Client(server_url=kinto_url, auth=("alexis", "p4ssw0rd"))

    def prepare(name: str, ns: dict[str, Any]) -> None:
        if name == "usage":  # some todos, in alexis' personal bucket
            for title in ("a", "b"):
                admin.create_record(bucket="default", collection="todos", data={"title": title})
        elif name == "default bucket and collection":
            ns["Client"] = kinto_http.Client
        elif name == "permissions":  # the README's client points at alexis' todos
            admin.create_bucket(id="alexis", if_not_exists=True)
            admin.create_collection(id="todos", bucket="alexis", if_not_exists=True)
            admin.create_record(id="123", bucket="alexis", collection="todos", data={})
            ns["client"] = admin.clone(bucket="alexis", collection="todos")
        elif name == "patch operations":
            for rid, data in (("abc", {}), ("todo", {}), ("receipts", {"members": []})):
                admin.create_record(id=rid, bucket="alexis", collection="todos", data=data)
        elif name == "batch results":
            for rid in ("r1", "r2", "r3"):
                admin.create_record(id=rid, bucket="alexis", collection="todos", data={})
        elif name == "timeouts":
            ns["KintoClient"] = kinto_http.Client
        elif name == "retry":
            ns["credentials"] = ("alexis", "p4ssw0rd")
        elif name == "pagination":
            ns["client"] = admin.clone(bucket="alexis", collection="todos")
        elif name == "download attachment":
            source = tmp_path / "notes.txt"
            source.write_text("attached")
            admin.add_attachment(id="with-file", filepath=str(source), bucket="alexis",
                                 collection="todos")
            ns["record_obj"] = admin.get_record(id="with-file", bucket="alexis",
                                                collection="todos")["data"]
        elif name == "command-line script":
            ns["__name__"] = "__main__"
            monkeypatch.setattr(
                sys, "argv",
                ["example.py", "-s", kinto_url, "-a", "alexis:p4ssw0rd", "-b", "alexis",
                 "-c", "todos"],
            )

    ns: dict[str, Any] = {"__name__": "readme"}
    for name, snippet in README_SNIPPETS:
        prepare(name, ns)
        code = compile(
            _adapt(snippet, kinto_url, image), f"<README: {name}>", "exec",
            flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT,
        )
        outcome = eval(code, ns)
        if inspect.iscoroutine(outcome):
            await outcome
        if name == "async client":
            await ns["client"].aclose()

    # What the snippets did, as seen by the server.
    todos = admin.get_records(bucket="default", collection="todos", _sort="title")
    assert [t["title"] for t in todos] == ["Todo 0", "Todo 1"]  # the usage loop renamed them
    record = admin.get_record(id="123", bucket="alexis", collection="todos")
    assert "leplatrem" in record["permissions"]["write"]
    receipts = admin.get_record(id="receipts", bucket="alexis", collection="todos")
    assert receipts["data"]["members"] == ["ldap:user@corp.com"]
    assert admin.get_record(id="todo", bucket="alexis", collection="todos")["data"][
        "assignee"
    ] == "bob"
    assert admin.get_record(id="99", bucket="alexis", collection="todos")["data"]["id"] == "99"
    assert [r["data"]["id"] for r in ns["batch"].results()] == ["r1", "r2", "r3"]
    assert ns["has_collection_perms"] is False
    assert (tmp_path / "notes.txt").read_text() == "attached"
    assert ns["filepath"] == "notes.txt"
    out = capsys.readouterr().out
    assert "/buckets/payments/collections/receipts/records/c6894b2c" in out
    assert "Not allowed!" not in out  # alexis may create groups in her own bucket
    assert asyncio.iscoroutinefunction(kinto_http.AsyncClient.server_info)
