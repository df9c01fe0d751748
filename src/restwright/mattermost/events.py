"""Typed models of the events Mattermost sends on its websocket.

Every message with an ``event`` field becomes an :class:`Event` (the event name, its
``data``, its ``broadcast`` scope and its ``seq``); the common ones get a subclass with
typed accessors.  Mattermost sends a post inside ``posted``/``post_edited``/``post_deleted``
as a JSON *string*: :attr:`Posted.post` decodes it into the generated
:class:`~restwright.mattermost.models.Post`.  Unknown events stay plain :class:`Event`
objects, so a newer server never breaks a handler.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict

from .generated.models import Post, Reaction

__all__ = [
    "Broadcast",
    "Event",
    "Hello",
    "PostDeleted",
    "PostEdited",
    "Posted",
    "ReactionAdded",
    "ReactionRemoved",
    "StatusChange",
    "Typing",
    "parse_event",
]


class Broadcast(BaseModel):
    """Who an event was sent to (a channel, a team, a user)."""

    model_config = ConfigDict(extra="allow")

    omit_users: dict[str, bool] | None = None
    user_id: str = ""
    channel_id: str = ""
    team_id: str = ""


class Event(BaseModel):
    """One event of the stream: ``event`` is its name (``"posted"``...)."""

    model_config = ConfigDict(extra="allow")

    event: str
    data: dict[str, Any] = {}
    broadcast: Broadcast | None = None
    seq: int | None = None

    def _json_field(self, name: str) -> Any:
        value = self.data.get(name)
        return json.loads(value) if isinstance(value, str) else value


class Hello(Event):
    """The first event of a connection."""

    @property
    def server_version(self) -> str:
        return str(self.data.get("server_version", ""))

    @property
    def connection_id(self) -> str:
        return str(self.data.get("connection_id", ""))


class Posted(Event):
    """A new post (``data.post`` is the post as a JSON string)."""

    @property
    def post(self) -> Post:
        return Post.model_validate(self._json_field("post"))

    @property
    def channel_name(self) -> str:
        return str(self.data.get("channel_name", ""))


class PostEdited(Posted):
    """A post was edited."""


class PostDeleted(Posted):
    """A post was deleted."""


class ReactionAdded(Event):
    """A reaction was added to a post (``data.reaction`` is a JSON string)."""

    @property
    def reaction(self) -> Reaction:
        return Reaction.model_validate(self._json_field("reaction"))


class ReactionRemoved(ReactionAdded):
    """A reaction was removed."""


class Typing(Event):
    """Someone is typing in a channel."""

    @property
    def user_id(self) -> str:
        return str(self.data.get("user_id", ""))


class StatusChange(Event):
    """A user's status changed (``online``, ``away``, ``dnd``, ``offline``)."""

    @property
    def user_id(self) -> str:
        return str(self.data.get("user_id", ""))

    @property
    def status(self) -> str:
        return str(self.data.get("status", ""))


EVENT_TYPES: dict[str, type[Event]] = {
    "hello": Hello,
    "posted": Posted,
    "post_edited": PostEdited,
    "post_deleted": PostDeleted,
    "reaction_added": ReactionAdded,
    "reaction_removed": ReactionRemoved,
    "typing": Typing,
    "status_change": StatusChange,
}


def parse_event(message: dict[str, Any]) -> Event:
    """The typed event of a decoded websocket message that has an ``event`` field."""
    return EVENT_TYPES.get(str(message.get("event")), Event).model_validate(message)
