"""Record real exchanges to a cassette and replay them offline (sync and async clients).

Recording runs against the real fault server; replays assert that the server received
nothing more, so "offline" is checked on the server side.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

import restwright
from restwright.errors import CassetteError
from restwright.transports.cassette import Cassette

from ._harness import FaultServer, download_sha256

SECRET = "s3cret-Pa55"


def record_echo(make_client, path: Path, **cassette_options):
    with Cassette(path, **cassette_options) as cassette:
        api = make_client(transport=cassette.transport(), auth=("alice", SECRET))
        first = api.post("/echo", json={"name": "x", "password": "hunter22"}, params={"a": "1"})
        second = api.get("/echo", params={"b": "2"})
    return first, second


def test_record_then_replay_without_the_network(make_client, fault_server: FaultServer, tmp_path):
    path = tmp_path / "echo.json"
    first, _ = record_echo(make_client, path)
    assert first.json()["json"] == {"name": "x", "password": "hunter22"}  # the live answer
    sent = len(fault_server.requests)
    assert sent == 2

    replay = Cassette(path, mode="replay")
    api = make_client(transport=replay.transport(), auth=("alice", "another-password"))
    again = api.post("/echo", json={"name": "x", "password": "whatever"}, params={"a": "1"})
    assert again.status_code == 200
    assert again.json()["json"] == {"name": "x", "password": "[REDACTED]"}
    assert again.json()["query"] == [["a", "1"]]
    assert api.get("/echo", params={"b": "2"}).json()["method"] == "GET"
    assert len(fault_server.requests) == sent  # nothing reached the server


def test_secrets_never_reach_the_cassette(make_client, tmp_path):
    path = tmp_path / "echo.json"
    record_echo(make_client, path)
    text = path.read_text()
    token = base64.b64encode(f"alice:{SECRET}".encode()).decode()
    for secret in (SECRET, token, "hunter22"):
        assert secret not in text
    stored = json.loads(text)["interactions"][0]
    assert "Authorization: [REDACTED]" in stored["request"]["headers"]
    response_headers = dict(line.split(": ", 1) for line in stored["response"]["headers"])
    assert int(response_headers["Content-Length"]) == len(stored["response"]["body"]["text"])
    assert json.loads(stored["request"]["body"]["text"])["password"] == "[REDACTED]"


def test_a_request_never_recorded_names_the_closest_ones(make_client, tmp_path):
    path = tmp_path / "echo.json"
    record_echo(make_client, path)
    api = make_client(transport=Cassette(path, mode="replay").transport(), retry=3)
    with pytest.raises(
        CassetteError, match=r"closest recorded: GET http://127\.0\.0\.1:\d+/echo\?b=2"
    ):
        api.get("/echo", params={"b": "3"})


def test_each_recorded_answer_is_replayed_once(make_client, tmp_path):
    path = tmp_path / "echo.json"
    record_echo(make_client, path)
    api = make_client(transport=Cassette(path, mode="replay").transport())
    api.get("/echo", params={"b": "2"})
    with pytest.raises(CassetteError, match="already replayed"):
        api.get("/echo", params={"b": "2"})


def test_match_on_can_ignore_the_body(make_client, fault_server: FaultServer, tmp_path):
    path = tmp_path / "echo.json"
    record_echo(make_client, path)
    strict = make_client(transport=Cassette(path, mode="replay").transport())
    with pytest.raises(CassetteError):
        strict.post("/echo", json={"name": "y"}, params={"a": "1"})
    loose = Cassette(path, mode="replay", match_on=("method", "url", "query"))
    api = make_client(transport=loose.transport())
    assert api.post("/echo", json={"name": "y"}, params={"a": "1"}).json()["json"]["name"] == "x"


def test_query_order_does_not_matter(make_client, tmp_path):
    path = tmp_path / "q.json"
    with Cassette(path) as cassette:
        make_client(transport=cassette.transport()).get("/echo?x=1&y=2")
    api = make_client(transport=Cassette(path, mode="replay").transport())
    assert api.get("/echo?y=2&x=1").status_code == 200


def test_new_episodes_appends_and_record_replaces(make_client, fault_server, tmp_path):
    path = tmp_path / "echo.json"
    record_echo(make_client, path)
    with Cassette(path, mode="new_episodes") as cassette:
        api = make_client(transport=cassette.transport())
        api.get("/echo", params={"b": "2"})  # replayed
        api.get("/echo", params={"c": "3"})  # sent and appended
    assert len(fault_server.requests) == 3
    assert len(Cassette(path).entries) == 3
    with Cassette(path, mode="record") as cassette:
        make_client(transport=cassette.transport()).get("/echo")
    assert len(Cassette(path).entries) == 1


def test_streamed_bodies_both_ways(make_client, fault_server, tmp_path):
    size = 300_000
    path = tmp_path / "stream.json"

    def chunks():
        yield b"hello "
        yield b"world"

    with Cassette(path) as cassette:
        api = make_client(transport=cassette.transport())
        _, got, sha = api.stream_read("GET", "/download", params={"size": size})
        assert (got, sha) == (size, download_sha256(size))
        echoed = api.put("/echo", content=chunks(), headers={"Content-Type": "text/plain"})
        assert echoed.json()["body_text"] == "hello world"
    api = make_client(transport=Cassette(path, mode="replay").transport())
    response, got, sha = api.stream_read("GET", "/download", params={"size": size})
    assert (response.status_code, got, sha) == (200, size, download_sha256(size))
    again = api.put("/echo", content=chunks(), headers={"Content-Type": "text/plain"})
    assert again.json()["body_text"] == "hello world"
    assert len(fault_server.requests) == 2


def test_yaml_cassettes(make_client, tmp_path):
    path = tmp_path / "echo.yaml"
    record_echo(make_client, path)
    assert path.read_text().startswith("restwright_cassette: 1")
    api = make_client(transport=Cassette(path, mode="replay").transport())
    assert api.get("/echo", params={"b": "2"}).status_code == 200


def test_error_statuses_replay_as_the_same_errors(make_client, tmp_path):
    path = tmp_path / "errors.json"
    with Cassette(path) as cassette:
        api = make_client(transport=cassette.transport(), retry=0)
        with pytest.raises(restwright.errors.NotFound):
            api.get("/status/404")
    api = make_client(transport=Cassette(path, mode="replay").transport(), retry=0)
    with pytest.raises(restwright.errors.NotFound) as info:
        api.get("/status/404")
    assert info.value.response.status_code == 404


@pytest.mark.parametrize("content", ["not json", '{"interactions": [{"request": {}}]}', "[]"])
def test_an_unreadable_cassette_is_a_clear_error(tmp_path, content):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(CassetteError, match="cannot read cassette"):
        Cassette(path)


def test_bad_options_are_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown cassette mode"):
        Cassette(tmp_path / "x.json", mode="sometimes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown match_on"):
        Cassette(tmp_path / "x.json", match_on=("method", "color"))
