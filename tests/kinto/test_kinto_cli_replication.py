"""``cli_utils`` and ``replication`` (sync-only helpers, as in kinto-http) on real Kinto."""

from __future__ import annotations

import argparse
import logging

import pytest

import restwright.kinto as kinto_http
from restwright.kinto import cli_utils
from restwright.kinto.replication import replicate

pytestmark = pytest.mark.kinto


def test_parser_options_and_client(kinto_url: str) -> None:
    parser = argparse.ArgumentParser(description="Download records")
    cli_utils.set_parser_server_options(parser)
    args = parser.parse_args(
        [
            "-s",
            kinto_url,
            "-a",
            "frank:pw",
            "-b",
            "fb",
            "-c",
            "fc",
            "--retry",
            "2",
            "--retry-after",
            "1",
            "--ignore-batch-4xx",
            "-v",
        ]
    )
    assert args.auth == ("frank", "pw")
    assert (args.bucket, args.collection, args.retry, args.retry_after) == ("fb", "fc", 2, 1)
    assert args.verbosity == logging.INFO
    client = cli_utils.create_client_from_args(args)
    assert isinstance(client, kinto_http.Client)
    assert (client.bucket_name, client.collection_name) == ("fb", "fc")
    assert client.session.nb_retry == 2
    assert client.session.engine.retry.retry_after == 1
    assert client._ignore_batch_4xx is True
    client.create_bucket()
    client.create_collection()
    client.create_record(id="r", data={})
    assert [r["id"] for r in client.get_records()] == ["r"]

    for flag, level in (("-q", logging.CRITICAL), ("-D", logging.DEBUG)):
        assert parser.parse_args([flag]).verbosity == level
    defaults = cli_utils.add_parser_options(
        default_server=kinto_url, default_bucket="x", include_collection=False
    ).parse_args([])
    assert (defaults.server, defaults.bucket, defaults.auth) == (kinto_url, "x", None)
    assert not hasattr(defaults, "collection")


def test_auth_option_forms(monkeypatch: pytest.MonkeyPatch) -> None:
    parser = cli_utils.add_parser_options()
    bearer = parser.parse_args(["-a", "Bearer+OIDC tok:en"]).auth
    assert isinstance(bearer, kinto_http.BearerTokenAuth)
    assert (bearer.type, bearer.token) == ("Bearer+OIDC", "tok:en")
    assert parser.parse_args(["-a", "user:pass with spaces"]).auth == ("user", "pass with spaces")
    monkeypatch.setattr(cli_utils.getpass, "getpass", lambda prompt: "typed")
    assert parser.parse_args(["-a", "grace"]).auth == ("grace", "typed")


def test_setup_logger() -> None:
    logger = logging.getLogger("restwright-tests.cli")
    cli_utils.setup_logger(logger, argparse.Namespace(verbosity=logging.DEBUG))
    try:
        assert logger.level == logging.DEBUG
        assert any(isinstance(h, logging.StreamHandler) for h in logger.handlers)
    finally:
        logger.handlers.clear()


def test_replicate(kinto_url: str) -> None:
    origin = kinto_http.Client(
        server_url=kinto_url, auth=("alice", "pw"), bucket="src", collection="things"
    )
    origin.create_bucket()
    origin.create_collection(data={"title": "Things"})
    with origin.batch() as batch:
        for i in range(14):
            batch.create_record(id=f"t{i:02d}", data={"n": i})
    destination = origin.clone(bucket="dst")
    replicate(origin, destination)
    copied = destination.get_records(_sort="n")
    assert [r["n"] for r in copied] == list(range(14))
    assert destination.get_collection()["data"]["title"] == "Things"
    # Idempotent: replicating again changes nothing and fails on nothing.
    replicate(origin, destination)
    assert len(destination.get_records()) == 14
