"""File bodies given as ``content=``: a path or a seekable file object is sent again whole
(with its ``Content-Length``) after a connection reset or a 307/308, a pipe never twice.

The fault server records the SHA-256 of every body it read, so each test checks the exact
bytes of every attempt, for the sync and the async client."""

from __future__ import annotations

import hashlib
import io
import logging
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest

import restwright
from restwright import errors
from restwright.engine.file_bodies import FileBody, FileObjectBody, StreamBody, file_body

DATA = bytes(range(256)) * 700  # 179,200 bytes: several 64 KiB chunks
RESETS = ["reset-before", "reset-after-headers"]


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def new_key() -> str:
    return uuid.uuid4().hex


@pytest.fixture
def blob(tmp_path: Path) -> Path:
    path = tmp_path / "blob.bin"
    path.write_bytes(DATA)
    return path


@pytest.fixture
def pipe_reader() -> Iterator[IO[bytes]]:
    """A pipe holding 50,000 bytes, its write end closed: a stream that cannot seek."""
    read_end, write_end = os.pipe()
    with os.fdopen(write_end, "wb") as writer:
        writer.write(DATA[:50_000])  # below the pipe's buffer: no writer thread needed
    with os.fdopen(read_end, "rb") as reader:
        yield reader


def fast(total: int = 2) -> restwright.Retry:
    return restwright.Retry(total=total, backoff=0.01)


def assert_sent_whole(records, data: bytes, *, length: bool = True) -> None:
    """Every attempt carried exactly ``data``, framed by Content-Length (or chunked)."""
    for record in records:
        assert record.body_sha256 == sha(data), (record.path, record.body_size)
        if length:
            assert record.header("Content-Length") == str(len(data))
            assert record.header("Transfer-Encoding") is None
        else:
            assert record.header("Transfer-Encoding") == "chunked"


@pytest.mark.parametrize("fault", RESETS)
def test_a_put_of_a_path_is_sent_again_whole_after_a_reset(make_client, fault_server, blob, fault):
    api = make_client(retry=fast())
    key = new_key()
    response = api.put(f"/flaky/{key}", params={"fails": 1, "fault": fault}, content=blob)
    assert response.json() == {"attempts": 2, "method": "PUT"}
    seen = fault_server.requests_to(f"/flaky/{key}")
    assert len(seen) == 2
    assert_sent_whole(seen, DATA)


@pytest.mark.parametrize("code", [307, 308])
def test_a_put_of_a_path_follows_a_307_with_the_whole_body(make_client, fault_server, blob, code):
    api = make_client(retry=fast())
    response = api.put(f"/redirect/{code}", params={"to": "/echo/landed"}, content=blob)
    echo = response.json()
    assert response.status_code == 200 and echo["method"] == "PUT"
    assert echo["path"] == "/echo/landed"
    seen = fault_server.requests
    assert [(r.method, r.path) for r in seen] == [
        ("PUT", f"/redirect/{code}"),
        ("PUT", "/echo/landed"),
    ]
    assert_sent_whole(seen, DATA)


@pytest.mark.parametrize("fault", RESETS)
@pytest.mark.parametrize("case", ["post-of-a-path", "put-of-a-pipe"])
def test_sent_once_after_a_reset(request, caplog, make_client, fault_server, blob, fault, case):
    """A POST (not idempotent) and a pipe (not replayable) go once: the call raises its
    transport error, the request it carries says it was sent, the server saw one body (and
    the log says why a PUT stopped there)."""
    caplog.set_level(logging.INFO, logger="restwright")
    api = make_client(retry=fast(total=3))
    key = new_key()
    if case == "post-of-a-path":
        method, content, data = "POST", blob, DATA
    else:
        method, content, data = "PUT", request.getfixturevalue("pipe_reader"), DATA[:50_000]
    with pytest.raises((errors.ReadError, errors.DecodeError)) as info:
        api.request(method, f"/flaky/{key}", params={"fails": 1, "fault": fault}, content=content)
    assert isinstance(info.value, errors.TransportError)
    assert info.value.request_sent is True
    assert info.value.request is not None and info.value.request.method == method
    seen = fault_server.requests_to(f"/flaky/{key}")
    assert len(seen) == 1
    assert_sent_whole(seen, data, length=case == "post-of-a-path")
    why = [r.getMessage() for r in caplog.records if "is not sent again" in r.getMessage()]
    assert why == (
        []
        if method == "POST"
        else [
            f"PUT {fault_server.url(seen[0].target)} "
            "is not sent again: its body is a stream that can be sent only once"
        ]
    )


def test_a_post_of_a_path_gets_a_307_back_as_is(make_client, fault_server, blob):
    api = make_client(retry=fast())
    response = api.post("/redirect/307", params={"to": "/echo/landed"}, content=blob)
    assert response.status_code == 307
    assert [(r.method, r.path) for r in fault_server.requests] == [("POST", "/redirect/307")]


def test_idempotent_false_keeps_a_put_from_being_sent_again(make_client, fault_server, blob):
    api = make_client(retry=fast())
    key = new_key()
    with pytest.raises(errors.ReadError):
        api.put(
            f"/flaky/{key}",
            params={"fails": 1, "fault": "reset-before"},
            content=blob,
            idempotent=False,
        )
    assert len(fault_server.requests_to(f"/flaky/{key}")) == 1
    response = api.put("/redirect/307", content=blob, idempotent=False)
    assert response.status_code == 307
    assert len(fault_server.requests_to("/redirect/307")) == 1


def test_a_pipe_is_not_sent_on_after_a_307(make_client, fault_server, pipe_reader):
    api = make_client(retry=fast())
    response = api.put("/redirect/307", params={"to": "/echo/landed"}, content=pipe_reader)
    assert response.status_code == 307
    assert response.headers["Location"] == "/echo/landed"
    seen = fault_server.requests
    assert [(r.method, r.path) for r in seen] == [("PUT", "/redirect/307")]
    assert_sent_whole(seen, DATA[:50_000], length=False)


def test_a_seekable_file_is_sent_again_from_where_it_stood(make_client, fault_server, blob):
    api = make_client(retry=fast())
    key = new_key()
    with open(blob, "rb") as fh:
        fh.seek(70_000)
        response = api.put(
            f"/flaky/{key}", params={"fails": 1, "fault": "reset-before"}, content=fh
        )
        assert response.json()["attempts"] == 2
        fh.seek(70_000)  # a call sends what follows the position it finds
        response = api.put("/redirect/308", params={"to": "/echo/again"}, content=fh)
        assert response.json()["body_sha256"] == sha(DATA[70_000:])
    seen = fault_server.requests
    assert len(seen) == 4
    assert_sent_whole(seen, DATA[70_000:])


def test_an_in_memory_file_is_sent_again_chunked(make_client, fault_server):
    api = make_client(retry=fast())
    key = new_key()
    buffer = io.BytesIO(b"head:" + DATA)
    buffer.seek(5)
    response = api.put(
        f"/flaky/{key}", params={"fails": 1, "fault": "reset-before"}, content=buffer
    )
    assert response.json()["attempts"] == 2
    seen = fault_server.requests_to(f"/flaky/{key}")
    assert len(seen) == 2
    assert_sent_whole(seen, DATA, length=False)


def test_a_file_body_object_is_sent_again(make_client, fault_server, blob):
    """``FileBody`` itself (what mxit, the runtime and the CLI send) as ``content=``."""
    api = make_client(retry=fast())
    key = new_key()
    body = FileBody(blob)
    response = api.put(
        f"/flaky/{key}", params={"fails": 2, "fault": "reset-after-headers"}, content=body
    )
    assert response.json()["attempts"] == 3
    assert_sent_whole(fault_server.requests_to(f"/flaky/{key}"), DATA)


def test_a_file_that_grew_is_sent_as_long_as_announced(make_client, fault_server, blob):
    """Bytes appended after the body was built stay out: past the Content-Length they would
    be read as the next request on the connection, which still works."""
    api = make_client(retry=fast())
    request = api.raw.build_request("PUT", "/echo/grown", content=blob)
    with open(blob, "ab") as fh:
        fh.write(b"GET /echo/smuggled HTTP/1.1\r\nHost: x\r\n\r\n" * 100)
    echo = api.run(api.raw.send(request)).json()
    assert echo["body_sha256"] == sha(DATA) and echo["content_length"] == str(len(DATA))
    assert api.get("/echo/next").json()["path"] == "/echo/next"
    assert [r.path for r in fault_server.requests] == ["/echo/grown", "/echo/next"]


def test_a_file_that_shrank_fails_the_call(make_client, fault_server, blob):
    api = make_client(retry=0)
    request = api.raw.build_request("PUT", "/echo/shrunk", content=blob)
    with open(blob, "r+b") as fh:
        fh.truncate(1000)
    with pytest.raises(errors.WriteError, match="shrank while it was sent") as info:
        api.run(api.raw.send(request))
    assert info.value.request is not None
    assert api.get("/echo/next").json()["path"] == "/echo/next"  # a fresh connection


def test_what_each_source_becomes(blob, pipe_reader):
    assert isinstance(file_body(blob), FileBody) and file_body(str(blob)).length == len(DATA)
    with open(blob, "rb") as fh:
        fh.seek(100)
        body = file_body(fh)
        assert isinstance(body, FileObjectBody) and body.replayable
        assert body.length == len(DATA) - 100
        assert b"".join(body) == b"".join(body) == DATA[100:]
    once = file_body(pipe_reader)
    assert isinstance(once, StreamBody) and not once.replayable and once.length is None
    with open(blob, encoding="latin-1") as text:
        assert file_body(text).length is None  # its encoded size is not its size on disk
    with pytest.raises(errors.InvalidRequestError, match=r"no such file 'absent\.bin'"):
        FileBody(blob.parent / "absent.bin")
    missing = pytest.raises(errors.InvalidRequestError, match=r"file 'doc': no such file 'absent")
    with restwright.Client("http://127.0.0.1:9") as client, missing:  # a part says its field
        client.build_request("POST", "/up", files={"doc": blob.parent / "absent.bin"})
