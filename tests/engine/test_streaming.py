"""Large bodies are streamed both ways: memory stays flat, bytes arrive intact."""

from __future__ import annotations

import functools
import hashlib

import pytest

from ._harness import download_chunks, download_sha256, traced_peak

DOWNLOAD_SIZE = 52 * 1024 * 1024 + 12345  # > 50 MB, not a multiple of any chunk size
UPLOAD_SIZE = 60 * 1024 * 1024 + 321
PEAK_LIMIT = 10 * 1024 * 1024  # Python allocations during the transfer, client and server

pytestmark = pytest.mark.timeout(180)


@functools.cache
def expected_sha(size: int, seed: int = 0) -> str:
    return download_sha256(size, seed)


def file_sha(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@pytest.fixture(scope="module")
def big_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("upload") / "big-upload.bin"
    digest = hashlib.sha256()
    with open(path, "wb") as f:
        for chunk in download_chunks(UPLOAD_SIZE, seed=7):
            f.write(chunk)
            digest.update(chunk)
    return path, digest.hexdigest()


@pytest.mark.parametrize("mode", ["chunked", "length"])
def test_download_to_path(api, fault_server, tmp_path, mode):
    target = tmp_path / "download.bin"
    with traced_peak() as memory:
        response = api.download(
            "/download", to=target, params={"size": DOWNLOAD_SIZE, "mode": mode}
        )
    assert response.status_code == 200
    assert response.content == b""
    assert target.stat().st_size == DOWNLOAD_SIZE
    assert file_sha(target) == expected_sha(DOWNLOAD_SIZE)
    assert memory["peak"] < PEAK_LIMIT, f"peak {memory['peak'] / 1e6:.1f} MB"
    assert len(fault_server.requests_to("/download")) == 1


def test_download_into_open_file(api, tmp_path):
    target = tmp_path / "download.bin"
    with open(target, "wb") as f:
        f.write(b"HEADER")
        with traced_peak() as memory:
            response = api.download(
                "/download", to=f, params={"size": DOWNLOAD_SIZE, "mode": "length"}
            )
        assert not f.closed  # the caller's file stays open
    assert response.status_code == 200
    assert target.stat().st_size == DOWNLOAD_SIZE + len(b"HEADER")
    digest = hashlib.sha256()
    with open(target, "rb") as f:
        assert f.read(6) == b"HEADER"
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    assert digest.hexdigest() == expected_sha(DOWNLOAD_SIZE)
    assert memory["peak"] < PEAK_LIMIT, f"peak {memory['peak'] / 1e6:.1f} MB"


@pytest.mark.parametrize("mode", ["chunked", "length"])
def test_stream_iterates_without_buffering(api, mode):
    with traced_peak() as memory:
        response, size, digest = api.stream_read(
            "GET", "/download", params={"size": DOWNLOAD_SIZE, "mode": mode, "seed": 3}
        )
    assert response.status_code == 200
    assert size == DOWNLOAD_SIZE
    assert digest == expected_sha(DOWNLOAD_SIZE, 3)
    assert memory["peak"] < PEAK_LIMIT, f"peak {memory['peak'] / 1e6:.1f} MB"


def test_stream_left_early_keeps_the_client_usable(api, fault_server):
    response, got = api.stream_partial(
        "GET", "/download", 100_000, params={"size": DOWNLOAD_SIZE, "mode": "length"}
    )
    assert response.status_code == 200
    assert 0 < got < DOWNLOAD_SIZE
    # the half-read connection is not handed out again as if it were clean
    for n in range(3):
        assert api.get(f"/echo/after-{n}").json()["path"] == f"/echo/after-{n}"
    response, size, digest = api.stream_read("GET", "/download", params={"size": 1_000_003})
    assert (size, digest) == (1_000_003, expected_sha(1_000_003))


def test_upload_path_as_multipart_file(api, fault_server, big_file):
    path, sha = big_file
    with traced_peak() as memory:
        response = api.post("/upload", files={"file": path}, data={"note": "big"})
    result = response.json()
    parts = {p["name"]: p for p in result["parts"]}
    assert parts["file"]["size"] == UPLOAD_SIZE
    assert parts["file"]["sha256"] == sha
    assert parts["file"]["filename"] == "big-upload.bin"
    assert parts["note"]["size"] == 3
    assert memory["peak"] < PEAK_LIMIT, f"peak {memory['peak'] / 1e6:.1f} MB"
    record = fault_server.requests_to("/upload")[0]
    assert record.body_complete
    assert record.body_size > UPLOAD_SIZE


def test_upload_open_file_as_multipart_file(api, big_file):
    path, sha = big_file
    with open(path, "rb") as f, traced_peak() as memory:
        response = api.put("/upload", files={"file": ("renamed.bin", f, "application/x-big")})
    part = response.json()["parts"][0]
    assert (part["filename"], part["content_type"]) == ("renamed.bin", "application/x-big")
    assert (part["size"], part["sha256"]) == (UPLOAD_SIZE, sha)
    assert memory["peak"] < PEAK_LIMIT, f"peak {memory['peak'] / 1e6:.1f} MB"


def test_upload_iterator_content(api, big_file):
    path, sha = big_file

    def read_blocks():
        with open(path, "rb") as f:
            yield from iter(lambda: f.read(256 * 1024), b"")

    with traced_peak() as memory:
        response = api.post(
            "/upload",
            content=read_blocks(),
            headers={"Content-Type": "application/octet-stream"},
        )
    result = response.json()
    assert result["size"] == UPLOAD_SIZE
    assert result["sha256"] == sha
    # the length is unknown up front: chunked transfer coding
    assert result["chunked"] is True
    assert memory["peak"] < PEAK_LIMIT, f"peak {memory['peak'] / 1e6:.1f} MB"
