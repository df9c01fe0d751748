"""What goes on the wire: path parameters, query strings, JSON bodies, header safety."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import uuid
from decimal import Decimal
from urllib.parse import quote, unquote

import pydantic
import pytest

import restwright
from restwright import errors

FIXED_UUID = uuid.UUID("12345678-1234-5678-1234-567812345678")

HOSTILE = [
    "../admin",
    "a/b",
    "?x=1",
    "#frag",
    "%2F",
    "..",
    ".",
    "...",
    "é-ü-漢字",
    "with space",
    "a+b",
    "semi;colon=1",
    "~tilde",
    "back\\slash",
    42,
    FIXED_UUID,
]


def contract_segment(value: object) -> str:
    text = str(value)
    if text == ".":
        return "%2E"
    if text == "..":
        return "%2E%2E"
    return quote(text, safe="")


@pytest.mark.parametrize("value", HOSTILE, ids=[repr(v) for v in HOSTILE])
def test_path_parameter_is_one_encoded_segment(api, fault_server, value):
    response = api.get("/echo/{name}/tail", path_params={"name": value})
    echo = response.json()
    segment = echo["path"].removeprefix("/echo/").removesuffix("/tail")
    assert echo["path"] == f"/echo/{segment}/tail"
    # one segment, that decodes back to the value, never a dot segment
    assert "/" not in segment
    assert segment not in (".", "..")
    assert unquote(segment) == str(value)
    assert echo["query_string"] == ""
    # exactly the documented encoding
    assert segment == contract_segment(value)
    assert fault_server.requests[0].target == f"/echo/{segment}/tail"


def test_several_path_parameters(api):
    echo = api.get(
        "/echo/buckets/{bucket}/records/{id}", path_params={"bucket": "b1", "id": "r/1"}
    ).json()
    assert echo["path"] == "/echo/buckets/b1/records/r%2F1"


@pytest.mark.parametrize("path_params", [{"name": ""}, {}, {"other": "x"}])
def test_empty_or_missing_path_parameter_is_refused(api, fault_server, path_params):
    with pytest.raises(errors.InvalidRequestError):
        api.get("/echo/{name}", path_params=path_params)
    assert fault_server.requests == []


@pytest.mark.parametrize("prefix", ["/echo/base", "/echo/base/"])
def test_request_path_is_appended_to_the_base_url(make_client, fault_server, prefix):
    api = make_client(fault_server.url(prefix))
    assert api.get("/items").json()["path"] == "/echo/base/items"


def test_query_encoding(api):
    echo = api.get(
        "/echo",
        params={
            "tags": ["a", "b"],
            "pair": ("x", "y"),
            "flag": True,
            "off": False,
            "skip": None,
            "n": 10,
            "text": "a b&c=d/é?#",
        },
    ).json()
    assert echo["query"] == [
        ["tags", "a"],
        ["tags", "b"],
        ["pair", "x"],
        ["pair", "y"],
        ["flag", "true"],
        ["off", "false"],
        ["n", "10"],
        ["text", "a b&c=d/é?#"],
    ]
    assert "skip" not in echo["query_string"]
    assert "#" not in echo["target"]


def test_params_merge_with_a_query_in_the_path(api):
    echo = api.get("/echo?a=1&tag=x", params={"b": 2, "tag": "y"}).json()
    assert sorted(map(tuple, echo["query"])) == [("a", "1"), ("b", "2"), ("tag", "x"), ("tag", "y")]


def test_non_ascii_path_template_is_percent_encoded(api, fault_server):
    echo = api.get("/echo/café/{x}", path_params={"x": "ü"}).json()
    assert echo["path"] == "/echo/caf%C3%A9/%C3%BC"


def test_no_params_no_question_mark(api, fault_server):
    api.get("/echo/plain", params={"skip": None})
    assert fault_server.requests[0].target == "/echo/plain"


class Color(enum.Enum):
    RED = "red"


class Level(enum.IntEnum):
    HIGH = 3


@dataclasses.dataclass
class Point:
    x: int
    y: int
    when: dt.date


class Model(pydantic.BaseModel):
    name: str
    at: dt.datetime
    ident: uuid.UUID


def test_json_encoding_of_rich_types(api):
    aware = dt.datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=dt.timezone.utc)
    naive = dt.datetime(2024, 1, 2, 3, 4, 5)
    payload = {
        "aware": aware,
        "naive": naive,
        "date": dt.date(2024, 1, 2),
        "time": dt.time(3, 4, 5),
        "uuid": FIXED_UUID,
        "small": Decimal("1.10"),
        "color": Color.RED,
        "level": Level.HIGH,
        "point": Point(1, 2, dt.date(2020, 5, 6)),
        "model": Model(name="m", at=aware, ident=FIXED_UUID),
        "set": {7},
        "tuple": (1, "two"),
        "text": 'é \u2028 "quoted"',
    }
    echo = api.post("/echo", json=payload).json()
    assert echo["content_type"].split(";")[0] == "application/json"
    body = json.loads(echo["body_text"], parse_float=Decimal)
    assert dt.datetime.fromisoformat(body["aware"]) == aware
    assert dt.datetime.fromisoformat(body["naive"]) == naive
    assert body["date"] == "2024-01-02"
    assert dt.time.fromisoformat(body["time"]) == dt.time(3, 4, 5)
    assert body["uuid"] == str(FIXED_UUID)
    assert Decimal(str(body["small"])) == Decimal("1.10")
    assert body["color"] == "red"
    assert body["level"] == 3
    assert body["point"] == {"x": 1, "y": 2, "when": "2020-05-06"}
    assert body["model"]["name"] == "m"
    assert dt.datetime.fromisoformat(body["model"]["at"].replace("Z", "+00:00")) == aware
    assert body["model"]["ident"] == str(FIXED_UUID)
    assert body["set"] == [7]
    assert body["tuple"] == [1, "two"]
    assert body["text"] == 'é \u2028 "quoted"'


@pytest.mark.parametrize(
    "value", ["12345678901234567890.123456789", "0.1", "1E+2", "-0.000000000000000000001"]
)
def test_json_decimal_keeps_its_precision(api, value):
    """A Decimal is sent without going through float (as a JSON number or a string)."""
    echo = api.post("/echo", json={"d": Decimal(value)}).json()
    sent = json.loads(echo["body_text"], parse_float=Decimal)["d"]
    assert Decimal(str(sent)) == Decimal(value)


def test_unencodable_json_is_refused(api, fault_server):
    with pytest.raises(errors.InvalidRequestError):
        api.post("/echo", json={"x": object()})
    assert fault_server.requests == []


BAD_HEADERS = [
    {"X-Evil": "a\r\nX-Injected: 1"},
    {"X-Evil": "a\nX-Injected: 1"},
    {"X-Evil": "a\rb"},
    {"X-Evil\r\nX-Injected": "1"},
    {"X-Evil\n": "v"},
]


@pytest.mark.parametrize("headers", BAD_HEADERS, ids=[repr(h) for h in BAD_HEADERS])
def test_cr_lf_in_request_headers_is_refused(api, fault_server, headers):
    with pytest.raises(errors.InvalidRequestError):
        api.get("/echo", headers=headers)
    assert fault_server.requests == []


@pytest.mark.parametrize("headers", BAD_HEADERS, ids=[repr(h) for h in BAD_HEADERS])
def test_cr_lf_in_client_headers_is_refused(make_client, fault_server, headers):
    with pytest.raises(errors.InvalidRequestError):
        api = make_client(headers=headers)
        api.get("/echo")
    assert fault_server.requests == []


@pytest.mark.parametrize(
    "auth",
    [
        lambda: restwright.BearerAuth("tok\r\nX-Injected: 1"),
        lambda: restwright.HeaderAuth("X-Auth-Token", "v\nX-Injected: 1"),
        lambda: restwright.HeaderAuth("X-Auth\r\nX-Injected", "v"),
        lambda: restwright.APIKeyAuth("X-Api-Key", "k\r\nX-Injected: 1", location="header"),
    ],
    ids=["bearer", "header-value", "header-name", "apikey"],
)
def test_cr_lf_in_credentials_is_refused(make_client, fault_server, auth):
    with pytest.raises(errors.InvalidRequestError):
        api = make_client(auth=auth())
        api.get("/echo")
    assert fault_server.requests == []


def test_cr_lf_in_conditional_and_idempotency_values_is_refused(api, fault_server):
    with pytest.raises(errors.InvalidRequestError):
        api.put("/echo", json={}, if_match='v1"\r\nX-Injected: "1')
    with pytest.raises(errors.InvalidRequestError):
        api.post("/echo", json={}, idempotency_key="k\r\nX-Injected: 1")
    assert fault_server.requests == []
