"""Request bodies: multipart ``files=``, urlencoded ``data=``, raw ``content=``."""

from __future__ import annotations

import hashlib

import pytest

from ._harness import echo_header


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_multipart_every_kind_of_file(api, fault_server, tmp_path):
    csv = tmp_path / "report.csv"
    csv_bytes = b"a,b\r\n1,2\r\n"
    csv.write_bytes(csv_bytes)
    photo = tmp_path / "photo.bin"
    photo_bytes = bytes(range(256)) * 40
    photo.write_bytes(photo_bytes)
    other = tmp_path / "other.dat"
    other_bytes = b"\r\n--tricky\r\n" * 100
    other.write_bytes(other_bytes)
    raw_bytes = b"\x00\x01raw\r\n--not-a-boundary\r\n"

    with open(photo, "rb") as photo_file, open(other, "rb") as other_file:
        response = api.post(
            "/echo/upload",
            data={"title": "hello wörld", "count": "3"},
            files={
                "from_path": csv,
                "from_bytes": raw_bytes,
                "from_file": photo_file,
                "from_iter": iter([b"chunk-1;", b"chunk-2;", b"chunk-3"]),
                "tuple2": ("notes.txt", b"some notes"),
                "tuple3": ("data.json", b'{"k": 1}', "application/json"),
                "tuple_file": ("renamed.png", other_file, "image/png"),
            },
        )
    echo = response.json()
    assert echo["parse_error"] is None
    assert echo["content_type"].startswith("multipart/form-data; boundary=")
    parts = {p["name"]: p for p in echo["parts"]}
    assert sorted(parts) == sorted(
        [
            "title",
            "count",
            "from_path",
            "from_bytes",
            "from_file",
            "from_iter",
            "tuple2",
            "tuple3",
            "tuple_file",
        ]
    )
    assert len(echo["parts"]) == 9
    # plain fields from data=
    assert parts["title"]["filename"] is None
    assert parts["title"]["text"] == "hello wörld"
    assert parts["count"]["text"] == "3"
    # a path: its name, its bytes
    assert parts["from_path"]["filename"] == "report.csv"
    assert parts["from_path"]["sha256"] == sha(csv_bytes)
    # bytes
    assert parts["from_bytes"]["sha256"] == sha(raw_bytes)
    assert parts["from_bytes"]["size"] == len(raw_bytes)
    # an open binary file: its base name
    assert parts["from_file"]["filename"] == "photo.bin"
    assert parts["from_file"]["sha256"] == sha(photo_bytes)
    # an iterator of bytes
    assert parts["from_iter"]["text"] == "chunk-1;chunk-2;chunk-3"
    # tuples
    assert parts["tuple2"]["filename"] == "notes.txt"
    assert parts["tuple2"]["text"] == "some notes"
    assert parts["tuple3"]["filename"] == "data.json"
    assert parts["tuple3"]["content_type"] == "application/json"
    assert parts["tuple3"]["text"] == '{"k": 1}'
    assert parts["tuple_file"]["filename"] == "renamed.png"
    assert parts["tuple_file"]["content_type"] == "image/png"
    assert parts["tuple_file"]["sha256"] == sha(other_bytes)
    # every file part has a content type
    for name in ("from_path", "from_bytes", "from_file", "from_iter", "tuple2"):
        assert parts[name]["content_type"], name
    # what the server received is what the echo parsed
    record = fault_server.requests[0]
    assert record.body_complete
    assert record.body_size == echo["body_size"]


def test_form_urlencoded(api):
    response = api.post("/echo", data={"a": "1 2", "b": "é&=", "c": "3"})
    echo = response.json()
    assert echo["content_type"].split(";")[0] == "application/x-www-form-urlencoded"
    assert echo["form"] == [["a", "1 2"], ["b", "é&="], ["c", "3"]]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (lambda: b"\x00raw bytes\xff", b"\x00raw bytes\xff"),
        (lambda: "text é", "text é".encode()),
        (lambda: iter([b"one,", b"two,", b"three"]), b"one,two,three"),
    ],
    ids=["bytes", "str", "iterator"],
)
def test_raw_content(api, fault_server, content, expected):
    response = api.put("/echo", content=content(), headers={"Content-Type": "application/x-raw"})
    echo = response.json()
    assert echo["body_sha256"] == sha(expected)
    assert echo["body_size"] == len(expected)
    assert echo_header(echo, "Content-Type") == "application/x-raw"
    assert fault_server.requests[0].method == "PUT"


@pytest.mark.parametrize("client_kind", ["async"])
def test_async_iterator_content(api):
    async def produce():
        for n in range(5):
            yield f"part-{n};".encode()

    response = api.post("/echo", content=produce())
    assert response.json()["body_text"] == "part-0;part-1;part-2;part-3;part-4;"


def test_json_body_sets_content_type(api):
    response = api.post("/echo", json={"a": [1, 2], "b": None})
    echo = response.json()
    assert echo["content_type"].split(";")[0] == "application/json"
    assert echo["json"] == {"a": [1, 2], "b": None}
    assert echo["content_length"] == str(echo["body_size"])


def test_json_none_sends_no_body(api, fault_server):
    # As httpx: json=None means "no JSON body", never the text ``null``.
    api.post("/echo", json=None)
    record = fault_server.requests[-1]
    assert record.body_size == 0
    assert record.header("Content-Type") is None
    api.post("/echo", json=[])
    assert fault_server.requests[-1].body_size == 2  # an empty list is still sent
