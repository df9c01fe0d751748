"""Copy a collection from one Kinto server (or place) to another, like kinto-http's."""

from __future__ import annotations

import argparse
import logging

from . import cli_utils
from .client import Client

logger = logging.getLogger("restwright.kinto.replication")

__all__ = ["get_arguments", "main", "replicate"]


def replicate(origin: Client, destination: Client) -> None:
    """Replicate the records of ``origin``'s collection into ``destination``'s.

    The destination bucket and collection are created if needed (with the origin
    collection's data and permissions); every record is written, in batches.
    """
    logger.info("Replication from %s to %s", origin, destination)
    destination.create_bucket(if_not_exists=True)
    collection_data = origin.get_collection()
    destination.create_collection(
        data=collection_data["data"],
        permissions=collection_data["permissions"],
        if_not_exists=True,
    )
    records = origin.get_records()
    logger.info("replication of %d records", len(records))
    with destination.batch() as batch:
        for record in records:
            if record.get("deleted", False) is True:
                batch.delete_record(id=record["id"], if_match=record["last_modified"])
            else:
                batch.update_record(data=record, safe=False)


def get_arguments() -> argparse.Namespace:  # pragma: no cover - command line
    parser = argparse.ArgumentParser(
        description="Migrate data from one kinto instance to another one."
    )
    parser.add_argument("-o", "--origin", help="The location of the origin server (with prefix)")
    parser.add_argument(
        "--origin-auth",
        help="The origin authentication credentials. Will use the same as the remote if omitted",
        action=cli_utils.AuthAction,
        default=None,
    )
    parser.add_argument(
        "--origin-bucket",
        dest="origin_bucket",
        help="The name of the origin bucket. Will use the same as the remote if omitted",
        default=None,
    )
    parser.add_argument(
        "--origin-collection",
        dest="origin_collection",
        help="The name of the origin collection. Will use the same as the remote if omitted",
        default=None,
    )
    cli_utils.add_parser_options(parser)
    return parser.parse_args()


def main() -> None:  # pragma: no cover - command line
    args = get_arguments()
    cli_utils.setup_logger(logger, args)
    origin = Client(
        server_url=args.origin,
        auth=args.origin_auth or args.auth,
        bucket=args.origin_bucket or args.bucket,
        collection=args.origin_collection or args.collection,
    )
    destination = cli_utils.create_client_from_args(args)
    replicate(origin, destination)


if __name__ == "__main__":  # pragma: no cover
    main()
