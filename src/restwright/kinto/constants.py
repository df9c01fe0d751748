"""Constants shared by the Kinto client modules (same values as ``kinto_http.constants``)."""

from __future__ import annotations

import importlib.metadata
import re
import sys

OBJECTS_PERMISSIONS = {
    "bucket": ["group:create", "collection:create", "write", "read"],
    "group": ["write", "read"],
    "collection": ["write", "read", "record:create"],
    "record": ["read", "write"],
}
ID_FIELD = "id"
DO_NOT_OVERWRITE = {"If-None-Match": "*"}
VALID_SLUG_REGEXP = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_-]*$")
SERVER_URL = "http://localhost:8888/v1"
DEFAULT_AUTH = ("user", "p4ssw0rd")
try:
    _VERSION = importlib.metadata.version("restwright")
except importlib.metadata.PackageNotFoundError:  # pragma: no cover - running from a checkout
    _VERSION = "0"
USER_AGENT = "restwright-kinto/{} python/{}.{}.{}".format(_VERSION, *sys.version_info[:3])
ALL_PARAMETERS = [
    ["-h", "--help"],
    ["-s", "--server"],
    ["-a", "--auth"],
    ["-b", "--bucket"],
    ["-c", "--collection"],
    ["--retry"],
    ["--retry-after"],
    ["--ignore-batch-4xx"],
    ["-v", "--verbose"],
    ["-q", "--quiet"],
    ["-D", "--debug"],
]
#: Statuses kinto-http retries (``retry=N``): server errors, conflicts and throttling.
RETRY_STATUSES = (409, 429, 500, 502, 503, 504)
