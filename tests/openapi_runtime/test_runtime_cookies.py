"""One cookie jar for a session-login app (runtime client), and Kinto (the Kinto client
and the runtime client built from Kinto's own ``/__api__``).

The app (``tests/servers/cookie_server.py``) and Kinto listen on the same host, 127.0.0.1,
on two ports: the standard library's rules alone would send the app's session cookie to
Kinto; restwright binds each cookie to the origin that set it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from tests.servers.cookie_server import PASSWORD, USERNAME, CookieServer

import restwright
import restwright.kinto

from ._support import call

pytestmark = pytest.mark.kinto

KINTO_AUTH = ("alice", "s3cret")

APP_DOC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "notes", "version": "1"},
    "paths": {
        "/login": {
            "post": {
                "operationId": "login",
                "tags": ["session"],
                "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
                "responses": {"200": {"description": "logged in; sets the session cookies"}},
            }
        },
        "/whoami": {
            "get": {
                "operationId": "whoami",
                "tags": ["session"],
                "responses": {"200": {"description": "the user"}},
            }
        },
        "/notes": {
            "post": {
                "operationId": "create_note",
                "tags": ["notes"],
                "parameters": [
                    {
                        "name": "X-CSRFToken",
                        "in": "header",
                        "required": True,
                        "schema": {"type": "string"},
                    }
                ],
                "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
                "responses": {"201": {"description": "created"}},
            }
        },
    },
}


@pytest.fixture(scope="module")
def cookie_server() -> Iterator[CookieServer]:
    with CookieServer() as server:
        yield server


def kinto_client(runtime: Any) -> Any:
    """A Kinto client (of the runtime client's kind) on the runtime client's engine: the
    same jar, hooks and connections, closed with it."""
    engine = runtime.engine.with_options(auth=KINTO_AUTH)
    url = engine.base_url
    if isinstance(engine, restwright.Client):
        return restwright.kinto.Client(session=restwright.kinto.Session(url, engine=engine))
    session = restwright.kinto.AsyncSession(url, engine=engine)
    return restwright.kinto.AsyncClient(session=session)


async def test_one_jar_for_an_app_and_kinto(
    make_client: Any, kinto_url: str, cookie_server: CookieServer
) -> None:
    to_kinto: list[str | None] = []
    hooks = {"request": [lambda request: to_kinto.append(request.headers.get("cookie"))]}
    jar = restwright.CookieJar()
    app = make_client(APP_DOC, base_url=cookie_server.url, cookies=jar)
    kinto_api = make_client(kinto_url + "/__api__", auth=KINTO_AUTH, cookies=jar, hooks=hooks)
    kinto = kinto_client(kinto_api)

    assert await call(app.session.login, body={"username": USERNAME, "password": PASSWORD})
    assert {cookie.name for cookie in jar} == {"sessionid", "csrftoken"}
    assert await call(app.session.whoami) == {"username": USERNAME}
    note = await call(app.notes.create_note, x_csrf_token=jar["csrftoken"], body={"t": "hi"})
    assert note == {"t": "hi"}

    bucket = f"b-{uuid.uuid4().hex[:8]}"
    await call(kinto.create_bucket, id=bucket)
    await call(kinto_api.buckets.get_bucket, bucket)
    assert to_kinto and set(to_kinto) == {None}  # the app's cookies stayed with the app

    jar.set("kinto_pref", "compact", kinto_url)  # a cookie of Kinto's origin
    to_kinto.clear()
    await call(kinto.get_bucket, id=bucket)
    await call(kinto_api.buckets.get_bucket, bucket)
    assert to_kinto == ["kinto_pref=compact", "kinto_pref=compact"]
    cookie_server.reset()
    assert await call(app.session.whoami) == {"username": USERNAME}
    assert "kinto_pref" not in (cookie_server.cookies_sent_to("/whoami")[0] or "")
    assert len(jar) == 3
