"""Real-sized Mattermost response bodies, made from the schemas of Mattermost's document.

The document carries almost no examples (13 in 28,000 lines, none for a user, a channel or a
post), so the bench fills every documented property of the response schema with a value of
its type that looks like what a Mattermost server sends: 26-character ids, millisecond
timestamps, e-mail addresses, a sentence for a message; nested objects are filled too (two
levels deep; arrays hold one item there), free-form objects stay ``{}``.  The bodies are
checked against the document by the runtime client (``drift="all"``), so they are answers
the described calls accept.

Three calls, each with a body the size a real server gives:

* ``users.get_user`` - one user (``GET /api/v4/users/{user_id}``), about 1 KB;
* ``channels.get_channels_for_team_for_user`` - the 50 channels a user sees in a team;
* ``posts.get_posts_for_channel`` - a page of 60 posts (``PostList``: ``order`` and the
  ``posts`` map).
"""

from __future__ import annotations

import json
import string
from dataclasses import dataclass
from typing import Any

#: Ids look like Mattermost's: 26 characters of [a-z0-9].
_ALPHABET = string.ascii_lowercase + string.digits
_MESSAGE = (
    "Deploy of the billing service is done; dashboards look normal. "
    "I will keep an eye on the error rate until the evening."
)
_T0 = 1_700_000_000_000  # milliseconds


def mm_id(seed: int) -> str:
    """A deterministic 26-character id."""
    chars = []
    value = seed * 2_654_435_761 + 97
    for _ in range(26):
        value, digit = divmod(value * 31 + 7, len(_ALPHABET))
        chars.append(_ALPHABET[digit])
    return "".join(chars)


@dataclass
class MattermostCall:
    """One operation of the generated client, the path nginx serves its body on, the body."""

    label: str
    group: str
    method: str
    kwargs: dict[str, Any]
    path: str
    body: bytes


class _Filler:
    """Fills a schema of one document with plausible values (deterministic)."""

    def __init__(self, api: Any) -> None:
        self.api = api
        self.counter = 0

    def value(self, schema: Any, name: str, depth: int = 0) -> Any:
        schema = self.api.resolve(schema) if schema is not None else {}
        if not isinstance(schema, dict):
            return None
        if "allOf" in schema:
            merged: dict[str, Any] = {}
            for part in schema["allOf"]:
                part = self.api.resolve(part)
                merged.update(part.get("properties") or {})
            schema = {"type": "object", "properties": merged}
        for key in ("oneOf", "anyOf"):
            if schema.get(key):
                return self.value(schema[key][0], name, depth)
        if schema.get("enum"):
            return schema["enum"][0]
        kind = schema.get("type")
        if kind == "object" or "properties" in schema:
            props = schema.get("properties") or {}
            if depth > 2:
                return {}
            return {k: self.value(v, k, depth + 1) for k, v in props.items()}
        if kind == "array":
            count = 1 if depth <= 2 else 0
            return [self.value(schema.get("items"), name, depth + 1) for _ in range(count)]
        if kind == "integer":
            return _T0 + self._next() if name.endswith("_at") else 0
        if kind == "number":
            return 1.5
        if kind == "boolean":
            return False
        return self._text(name)

    def _next(self) -> int:
        self.counter += 1
        return self.counter

    def _text(self, name: str) -> str:
        if name == "id" or name.endswith("_id"):
            return mm_id(self._next())
        if name == "email":
            return f"user{self._next()}@example.com"
        if name in ("username", "nickname", "first_name", "last_name"):
            return f"{name.split('_')[0]}{self._next()}"
        if name == "message":
            return _MESSAGE
        if name == "locale":
            return "en"
        if name == "roles":
            return "system_user"
        if name in ("display_name", "name", "header", "purpose"):
            return f"Team channel {self._next()}"
        return ""


def _schema(api: Any, operation: str, status: str = "200") -> Any:
    spec = api.operation(operation).responses[status]
    return spec.content["application/json"]


def mattermost_calls(api: Any) -> list[MattermostCall]:
    """The bench's three calls with their bodies (``api``: the loaded document)."""
    filler = _Filler(api)
    user = filler.value(_schema(api, "GetUser"), "user")
    user["id"] = mm_id(1)
    channel_schema = _schema(api, "GetChannelsForTeamForUser")
    channels = []
    for i in range(50):
        channel = filler.value(channel_schema["items"], "channel", 1)
        channel["id"] = mm_id(1000 + i)
        channel["type"] = "O"  # an open channel (the document gives no enum)
        channels.append(channel)
    post_schema = api.resolve(_schema(api, "GetPostsForChannel"))["properties"]["posts"]
    posts = {}
    for i in range(60):
        post = filler.value(post_schema["additionalProperties"], "post", 1)
        post["id"] = mm_id(2000 + i)
        posts[post["id"]] = post
    page = {
        "order": list(posts),
        "posts": posts,
        "next_post_id": "",
        "prev_post_id": mm_id(3000),
        "has_next": True,
    }
    user_id, team_id, channel_id = mm_id(1), mm_id(4000), mm_id(5000)
    return [
        MattermostCall(
            "users.get_user (one user)",
            "users",
            "get_user",
            {"user_id": user_id},
            f"/api/v4/users/{user_id}",
            json.dumps(user).encode(),
        ),
        MattermostCall(
            "channels.get_channels_for_team_for_user (50)",
            "channels",
            "get_channels_for_team_for_user",
            {"user_id": mm_id(6000), "team_id": team_id},
            f"/api/v4/users/{mm_id(6000)}/teams/{team_id}/channels",
            json.dumps(channels).encode(),
        ),
        MattermostCall(
            "posts.get_posts_for_channel (60 posts)",
            "posts",
            "get_posts_for_channel",
            {"channel_id": channel_id, "per_page": 60},
            f"/api/v4/channels/{channel_id}/posts",
            json.dumps(page).encode(),
        ),
    ]
