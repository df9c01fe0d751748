"""Abuse: hostile values, bodies, descriptions and redirects.  Each gets a clear restwright
error (or is made harmless), no credential leaks into what is shown, memory stays bounded."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.servers.fault_server import FaultServer  # noqa: E402
from tests.servers.hostile_content import hostile_content_server  # noqa: E402

import restwright  # noqa: E402
from restwright.errors import (  # noqa: E402
    DecodeError,
    InvalidRequestError,
    SpecError,
    TooManyRedirects,
)
from restwright.openapi import load  # noqa: E402

SECRET = "pa55-w0rd-XYZ"


@pytest.fixture(scope="module")
def hostile() -> Iterator[str]:
    with hostile_content_server() as url:
        yield url


def both_kinds(base: str, call, **options):
    """Run ``call(client)`` with a sync and an async client; return both results (or errors)."""
    out = []
    with restwright.Client(base, **options) as client:
        try:
            out.append(call(client))
        except Exception as exc:
            out.append(exc)

    async def run_async():
        async with restwright.AsyncClient(base, **options) as client:
            try:
                return await call(client)
            except Exception as exc:
                return exc

    out.append(asyncio.run(run_async()))
    return out


# -- hostile values ------------------------------------------------------------------------

HOSTILE_SEGMENTS = ["../admin", "..", ".", "a/b", "x?y=1", "x#frag", "%2e%2e", "é/ü", "a b", "\x00"]


@pytest.mark.parametrize("value", HOSTILE_SEGMENTS)
def test_a_path_value_never_changes_the_path(fault_server: FaultServer, value: str) -> None:
    for response in both_kinds(
        fault_server.base_url,
        lambda c: c.get("/echo/items/{id}/tail", path_params={"id": value}),
    ):
        path = response.json()["path"]
        assert path.startswith("/echo/items/") and path.endswith("/tail")
        assert path.count("/") == 4  # the value stayed one segment
        assert "#" not in path and "?" not in path


@pytest.mark.parametrize("value", ["a\r\nX-Injected: 1", "a\nb", "a\rb"])
def test_cr_lf_in_headers_is_refused_before_sending(fault_server: FaultServer, value: str) -> None:
    for outcome in both_kinds(
        fault_server.base_url, lambda c: c.get("/echo", headers={"X-A": value})
    ):
        assert isinstance(outcome, InvalidRequestError)
    assert fault_server.requests == []


def test_hostile_query_values_are_encoded(fault_server: FaultServer) -> None:
    value = "a&b=c\r\n#x y"
    for response in both_kinds(
        fault_server.base_url, lambda c: c.get("/echo", params={"q": value})
    ):
        assert response.json()["query"] == [["q", value]]


# -- hostile bodies ------------------------------------------------------------------------


def test_deeply_nested_json_is_a_decode_error(hostile: str) -> None:
    def call(client):
        response = client.get("/deep", params={"depth": 200_000})
        if asyncio.iscoroutine(response):

            async def finish():
                return (await response).json()

            return finish()
        return response.json()

    for outcome in both_kinds(hostile, call):
        assert isinstance(outcome, DecodeError)
        assert "nested too deeply" in str(outcome)


def test_a_huge_json_body_streamed_to_disk_keeps_memory_flat(hostile: str, tmp_path: Path) -> None:
    target = tmp_path / "big.json"
    tracemalloc.start()
    try:
        with restwright.Client(hostile) as client:
            client.download("/big", to=target, params={"mb": 40})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert target.stat().st_size > 39 * 1024 * 1024
    assert peak < 8 * 1024 * 1024


# -- redirects -----------------------------------------------------------------------------


def test_a_redirect_loop_is_a_clear_error(hostile: str) -> None:
    for outcome in both_kinds(hostile, lambda c: c.get("/loop"), auth=("me", SECRET)):
        assert isinstance(outcome, TooManyRedirects)
        assert SECRET not in str(outcome) and SECRET not in repr(outcome.request.headers)


def test_cross_origin_redirects_and_next_links_carry_no_credentials(
    fault_server: FaultServer, other_server: FaultServer
) -> None:
    auth = ("me", SECRET)
    for response in both_kinds(
        fault_server.base_url,
        lambda c: c.get("/redirect/302", params={"to": "peer:/echo"}),
        auth=auth,
    ):
        assert response.json()["server"] == "other"
        assert all(name.lower() != "authorization" for name, _ in response.json()["headers"])
    with restwright.Client(fault_server.base_url, auth=auth) as client:
        items = list(client.paginate("/pages/link", params={"cross_at": 2}).items())
    assert len(items) == 23
    assert all(r.header("authorization") is None for r in other_server.requests)


# -- hostile descriptions ------------------------------------------------------------------

DOC = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n"


def schema_ref_doc(ref: str) -> str:
    return DOC + (
        "paths:\n  /x:\n    get:\n      responses:\n        '200':\n          description: ok\n"
        "          content:\n            application/json:\n"
        f"              schema: {{$ref: '{ref}'}}\n"
    )


def test_circular_references_are_a_spec_error() -> None:
    doc = DOC + (
        "paths: {}\ncomponents:\n  schemas:\n"
        "    A: {$ref: '#/components/schemas/B'}\n    B: {$ref: '#/components/schemas/A'}\n"
    )
    with pytest.raises(SpecError, match="circular"):
        load(doc, cache=False)


def test_references_to_local_files_outside_the_document_are_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text(f"token: {SECRET}\n")
    spec_dir = tmp_path / "spec"
    spec_dir.mkdir()
    (spec_dir / "api.yaml").write_text(schema_ref_doc(secret.as_uri() + "#/token"))
    with pytest.raises(SpecError, match="refused: it is outside the document's directory") as info:
        load(spec_dir / "api.yaml", cache=False)
    assert SECRET not in str(info.value)
    with pytest.raises(SpecError, match="refused"):
        load(schema_ref_doc("file:///etc/passwd#/x"), cache=False)
    # allowed explicitly, it is read
    try:
        load(spec_dir / "api.yaml", cache=False, allow_refs=[str(tmp_path)])
    except SpecError as exc:  # a string is no schema: that may be reported, not refused
        assert "refused" not in str(exc)


def test_references_to_other_hosts_are_refused(fault_server: FaultServer, tmp_path: Path) -> None:
    (tmp_path / "api.yaml").write_text(schema_ref_doc(fault_server.url("/echo#/json")))
    with pytest.raises(SpecError, match="refused: it is on another origin"):
        load(tmp_path / "api.yaml", cache=False)
    assert fault_server.requests == []  # nothing was fetched


def test_billion_laughs_yaml_stays_bounded() -> None:
    levels = ["x-a: &a [" + ",".join(['"lol"'] * 9) + "]"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        levels.append(f"x-{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    doc = (
        DOC
        + "\n".join(levels)
        + (
            "\npaths:\n  /x:\n    get:\n      parameters:\n        - name: q\n          in: query\n"
            "          schema: {type: array, items: {type: string}, example: *i}\n"
            "      responses: {'200': {description: ok}}\n"
        )
    )
    tracemalloc.start()
    try:
        with contextlib.suppress(SpecError):  # refusing is fine too; exploding is not
            load(doc, cache=False)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 64 * 1024 * 1024


def test_a_deeply_nested_description_is_a_spec_error() -> None:
    doc = '{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}, "x": '
    doc += "[" * 100_000 + "]" * 100_000 + "}"
    with pytest.raises(SpecError):
        load(doc, cache=False)
