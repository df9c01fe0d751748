"""Parameter serialization: style/explode for path, query, header and cookie parameters.

Three oracles: the style examples of the OpenAPI specification (with the RFC 6570 reading
of ``label`` that OpenAPI 3.0.4/3.1.1 fixed), a round trip through a reference parser
over arbitrary text (hypothesis: delimiters inside values must be escaped), and
openapi-core unmarshalling the requests the runtime client builds.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any
from urllib.parse import unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from restwright.errors import ValidationError
from restwright.openapi.model import Parameter
from restwright.openapi.runtime import from_openapi
from restwright.openapi.serialize import (
    compile_cookie,
    compile_header,
    compile_path,
    compile_query,
    scalar_text,
)

from ._support import Recorder

BLUE = "blue"
ARRAY = ["blue", "black", "brown"]
OBJECT = {"R": 100, "G": 200, "B": 150}


def param(location: str, style: str, explode: bool, **kw: Any) -> Parameter:
    return Parameter(
        name=kw.pop("name", "color"),
        python_name="color",
        location=location,  # type: ignore[arg-type]
        required=True,
        schema=kw.pop("schema", {}),
        style=style,
        explode=explode,
        **kw,
    )


def query(p: Parameter, value: Any) -> str:
    pairs: list[tuple[str, str]] = []
    raw: list[str] = []
    compile_query(p)(value, pairs, raw)
    # the engine encodes the pairs (no delimiters there: nothing but unreserved escapes)
    from restwright.engine.urls import encode_query

    return "&".join([*raw, encode_query(pairs)] if pairs else raw)


# -- the specification's style examples ---------------------------------------------------

PATH_TABLE = [
    ("matrix", False, "", ";color"),
    ("matrix", False, BLUE, ";color=blue"),
    ("matrix", False, ARRAY, ";color=blue,black,brown"),
    ("matrix", False, OBJECT, ";color=R,100,G,200,B,150"),
    ("matrix", True, "", ";color"),
    ("matrix", True, BLUE, ";color=blue"),
    ("matrix", True, ARRAY, ";color=blue;color=black;color=brown"),
    ("matrix", True, OBJECT, ";R=100;G=200;B=150"),
    ("label", False, "", "."),
    ("label", False, BLUE, ".blue"),
    ("label", False, ARRAY, ".blue,black,brown"),
    ("label", False, OBJECT, ".R,100,G,200,B,150"),
    ("label", True, BLUE, ".blue"),
    ("label", True, ARRAY, ".blue.black.brown"),
    ("label", True, OBJECT, ".R=100.G=200.B=150"),
    ("simple", False, BLUE, "blue"),
    ("simple", False, ARRAY, "blue,black,brown"),
    ("simple", False, OBJECT, "R,100,G,200,B,150"),
    ("simple", True, BLUE, "blue"),
    ("simple", True, ARRAY, "blue,black,brown"),
    ("simple", True, OBJECT, "R=100,G=200,B=150"),
]


@pytest.mark.parametrize(("style", "explode", "value", "expected"), PATH_TABLE)
def test_path_styles_match_the_specification(
    style: str, explode: bool, value: Any, expected: str
) -> None:
    assert compile_path(param("path", style, explode))(value) == expected


QUERY_TABLE = [
    ("form", False, "", "color="),
    ("form", False, BLUE, "color=blue"),
    ("form", False, ARRAY, "color=blue,black,brown"),
    ("form", False, OBJECT, "color=R,100,G,200,B,150"),
    ("form", True, "", "color="),
    ("form", True, BLUE, "color=blue"),
    ("form", True, ARRAY, "color=blue&color=black&color=brown"),
    ("form", True, OBJECT, "R=100&G=200&B=150"),
    ("spaceDelimited", False, ARRAY, "color=blue%20black%20brown"),
    ("spaceDelimited", False, OBJECT, "color=R%20100%20G%20200%20B%20150"),
    ("pipeDelimited", False, ARRAY, "color=blue%7Cblack%7Cbrown"),
    ("pipeDelimited", False, OBJECT, "color=R%7C100%7CG%7C200%7CB%7C150"),
    ("deepObject", True, OBJECT, "color%5BR%5D=100&color%5BG%5D=200&color%5BB%5D=150"),
    ("tabDelimited", False, ARRAY, "color=blue%09black%09brown"),
]


@pytest.mark.parametrize(("style", "explode", "value", "expected"), QUERY_TABLE)
def test_query_styles_match_the_specification(
    style: str, explode: bool, value: Any, expected: str
) -> None:
    assert query(param("query", style, explode), value) == expected


@pytest.mark.parametrize(
    ("explode", "value", "expected"),
    [
        (False, BLUE, "blue"),
        (False, ARRAY, "blue,black,brown"),
        (False, OBJECT, "R,100,G,200,B,150"),
        (True, OBJECT, "R=100,G=200,B=150"),
    ],
)
def test_header_simple_style(explode: bool, value: Any, expected: str) -> None:
    assert compile_header(param("header", "simple", explode))(value) == expected


@pytest.mark.parametrize(
    ("explode", "value", "expected"),
    [
        (True, BLUE, "color=blue"),
        (False, ARRAY, "color=blue,black,brown"),
        (True, ARRAY, "color=blue; color=black; color=brown"),
        (False, OBJECT, "color=R,100,G,200,B,150"),
        (True, OBJECT, "R=100; G=200; B=150"),
        (True, "a b;c", "color=a%20b%3Bc"),
    ],
)
def test_cookie_form_style(explode: bool, value: Any, expected: str) -> None:
    assert compile_cookie(param("cookie", "form", explode))(value) == expected


def test_scalars_become_text() -> None:
    class Color(enum.Enum):
        RED = "red"

    assert scalar_text(True) == "true"
    assert scalar_text(False) == "false"
    assert scalar_text(Color.RED) == "red"
    assert scalar_text(dt.date(2024, 1, 2)) == "2024-01-02"
    assert scalar_text(dt.datetime(2024, 1, 2, 3, 4, 5)) == "2024-01-02T03:04:05"
    assert scalar_text(1.5) == "1.5"
    assert query(param("query", "form", True), [True, Color.RED, 3]) == (
        "color=true&color=red&color=3"
    )


def test_path_values_stay_in_their_segment() -> None:
    simple = compile_path(param("path", "simple", False))
    assert simple("a/b?c#d%e") == "a%2Fb%3Fc%23d%25e"
    assert simple("..") == "%2E%2E"
    assert simple([".."]) == "%2E%2E"
    assert simple(["a/b", "{x}"]) == "a%2Fb,%7Bx%7D"
    with pytest.raises(ValidationError):
        simple([])
    matrix = compile_path(param("path", "matrix", False))
    assert matrix(["a;b", "c=d"]) == ";color=a%3Bb,c%3Dd"


def test_content_parameters_are_json() -> None:
    p = param("query", "form", True, content_type="application/json")
    assert query(p, {"a": [1, 2]}) == "color=%7B%22a%22%3A%5B1%2C2%5D%7D"
    h = param("header", "simple", False, content_type="application/json")
    assert compile_header(h)({"a": 1}) == '{"a":1}'


def test_allow_reserved_keeps_reserved_characters() -> None:
    p = param("query", "form", True, allow_reserved=True)
    assert query(p, "a/b:c?d") == "color=a/b:c?d"
    assert query(param("query", "form", True), "a/b:c?d") == "color=a%2Fb%3Ac%3Fd"


def test_nested_values_are_refused() -> None:
    with pytest.raises(ValidationError, match="nested"):
        query(param("query", "form", False), [[1, 2]])
    with pytest.raises(ValidationError, match="deepObject takes an object"):
        query(param("query", "deepObject", True), [1])


# -- round trips over arbitrary text ------------------------------------------------------

TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), min_codepoint=1), min_size=1, max_size=12
)
ITEMS = st.lists(TEXT, min_size=1, max_size=5)


def _split_query(q: str) -> list[tuple[str, str]]:
    return [tuple(part.split("=", 1)) for part in q.split("&")]  # type: ignore[misc]


@settings(max_examples=150, deadline=None)
@given(items=ITEMS, style=st.sampled_from(["form", "spaceDelimited", "pipeDelimited"]))
def test_query_delimited_round_trip(items: list[str], style: str) -> None:
    delimiter = {"form": ",", "spaceDelimited": "%20", "pipeDelimited": "%7C"}[style]
    char = unquote(delimiter)
    if style != "form" and any(char in item for item in items):
        # the delimiter inside a value would look exactly like the delimiter: refused
        with pytest.raises(ValidationError, match="delimiter"):
            query(param("query", style, False), items)
        return
    text = query(param("query", style, False), items)
    ((name, value),) = _split_query(text)
    assert name == "color"
    assert [unquote(v) for v in value.split(delimiter)] == items


@settings(max_examples=150, deadline=None)
@given(items=ITEMS)
def test_query_exploded_round_trip(items: list[str]) -> None:
    text = query(param("query", "form", True), items)
    assert [(k, unquote(v)) for k, v in _split_query(text)] == [("color", i) for i in items]


@settings(max_examples=150, deadline=None)
@given(obj=st.dictionaries(TEXT, TEXT, min_size=1, max_size=4))
def test_deep_object_round_trip(obj: dict[str, str]) -> None:
    text = query(param("query", "deepObject", True), obj)
    parsed = {}
    for key, value in _split_query(text):
        assert key.startswith("color%5B") and key.endswith("%5D")
        parsed[unquote(key[len("color%5B") : -len("%5D")])] = unquote(value)
    assert parsed == obj


@settings(max_examples=150, deadline=None)
@given(
    items=ITEMS,
    style=st.sampled_from(["simple", "label", "matrix"]),
    explode=st.booleans(),
)
def test_path_round_trip(items: list[str], style: str, explode: bool) -> None:
    text = compile_path(param("path", style, explode))(items)
    assert "/" not in text and "?" not in text and "#" not in text
    if style == "simple":
        parts = text.split(",")
    elif style == "label":
        assert text.startswith(".")
        parts = text[1:].split("." if explode else ",")
    else:
        assert text.startswith(";color=")
        if explode:
            parts = [p[len("color=") :] for p in text[1:].split(";")]
        else:
            parts = text[len(";color=") :].split(",")
    decoded = [unquote(p) for p in parts]
    assert decoded == items


@settings(max_examples=100, deadline=None)
@given(value=TEXT)
def test_header_values_are_sent_verbatim_or_refused(value: str) -> None:
    from restwright.errors import InvalidRequestError

    recorder = Recorder().answer(200, {})
    doc = _doc([{"name": "X-Color", "in": "header", "schema": {"type": "string"}}])
    client = from_openapi(doc, transport=recorder)
    try:
        client.default.op(x_color=value)
    except InvalidRequestError:
        assert any(c in value for c in "\r\n\0")
        return
    assert recorder.last.headers["X-Color"] == value


# -- openapi-core as an oracle ------------------------------------------------------------


def _doc(parameters: list[dict[str, Any]], path: str = "/op") -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {"title": "oracle", "version": "1"},
        "servers": [{"url": "http://api.test"}],
        "paths": {
            path: {
                "get": {
                    "operationId": "op",
                    "parameters": parameters,
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
    }


def _unmarshal(api: Any, recorder: Recorder) -> Any:
    from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest
    from werkzeug.test import EnvironBuilder
    from werkzeug.wrappers import Request as WerkzeugRequest

    request = recorder.last
    path, _, query_string = request.target.partition("?")
    environ = EnvironBuilder(
        method=request.method,
        base_url="http://api.test",
        path=unquote(path),
        query_string=query_string,
        headers=list(request.headers.raw()),
    ).get_environ()
    result = api.unmarshal_request(WerkzeugOpenAPIRequest(WerkzeugRequest(environ)))
    assert not result.errors, result.errors
    return result.parameters


_ORACLE: list[Any] = []


def _oracle() -> tuple[dict[str, Any], Any, Any, Recorder]:
    """The document, openapi-core's view of it and a runtime client (built once)."""
    if not _ORACLE:
        openapi_core = pytest.importorskip("openapi_core")
        strings = {"type": "array", "items": {"type": "string"}}
        doc = _doc(
            [
                {"name": "item", "in": "path", "required": True, "schema": {"type": "integer"}},
                {"name": "csv", "in": "query", "explode": False, "schema": strings},
                {"name": "multi", "in": "query", "schema": strings},
                {
                    "name": "deep",
                    "in": "query",
                    "style": "deepObject",
                    "explode": True,
                    "schema": {
                        "type": "object",
                        "properties": {"a": {"type": "string"}, "b": {"type": "integer"}},
                    },
                },
                {"name": "number", "in": "query", "schema": {"type": "integer"}},
                {"name": "flag", "in": "query", "schema": {"type": "boolean"}},
                {"name": "X-List", "in": "header", "schema": strings},
                {"name": "session", "in": "cookie", "schema": {"type": "string"}},
            ],
            path="/op/{item}",
        )
        recorder = Recorder().answer(200, {})
        client = from_openapi(doc, transport=recorder)
        _ORACLE.extend([doc, openapi_core.OpenAPI.from_dict(doc), client, recorder])
    doc, api, client, recorder = _ORACLE
    return doc, api, client, recorder


SAFE = st.text(alphabet="abcXYZ019-_.~ ", min_size=1, max_size=8).filter(lambda s: s.strip())


@settings(max_examples=40, deadline=None)
@given(
    csv=st.lists(SAFE, min_size=1, max_size=4),
    multi=st.lists(SAFE, min_size=1, max_size=4),
    deep=st.fixed_dictionaries({"a": SAFE, "b": st.integers(0, 10**6)}),
    number=st.integers(-(10**6), 10**6),
    flag=st.booleans(),
    header=st.lists(SAFE.map(str.strip), min_size=1, max_size=3),
    cookie=st.text(alphabet="abcXYZ019-_.~", min_size=1, max_size=8),
    item=st.integers(0, 10**6),
)
def test_openapi_core_reads_what_the_client_sends(
    csv: list[str],
    multi: list[str],
    deep: dict[str, Any],
    number: int,
    flag: bool,
    header: list[str],
    cookie: str,
    item: int,
) -> None:
    _, api, client, recorder = _oracle()
    client.default.op(
        item,
        csv=csv,
        multi=multi,
        deep=deep,
        number=number,
        flag=flag,
        x_list=header,
        session=cookie,
    )
    got = _unmarshal(api, recorder)
    assert got.path == {"item": item}
    assert got.query == {"csv": csv, "multi": multi, "deep": deep, "number": number, "flag": flag}
    assert got.header == {"X-List": header}
    assert got.cookie == {"session": cookie}
