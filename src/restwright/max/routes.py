"""MAX's routes and default bodies (facts about the MAX API, as maxclient 5.1 lists them).

:data:`MAX_ROUTES` is the route map the MAX client navigates with; a template's default
body for a method is deep-merged under the fields of every call of that method there.
Subclasses of :class:`restwright.max.MaxClient` may pass another map.
"""

from __future__ import annotations

from typing import Any

from ..styles.routes import Route, RouteMap

__all__ = ["MAX_DEFAULTS", "MAX_ROUTES", "ROUTE_TEMPLATES"]

ROUTE_TEMPLATES: tuple[tuple[str, str], ...] = (
    ("users", "/people"),
    ("user", "/people/{username}"),
    ("avatar", "/people/{username}/avatar"),
    ("avatar_sizes", "/people/{username}/avatar/{size}"),
    ("user_activities", "/people/{username}/activities"),
    ("timeline", "/people/{username}/timeline"),
    ("timeline_authors", "/people/{username}/timeline/authors"),
    ("user_comments", "/people/{username}/comments"),
    ("subscriptions", "/people/{username}/subscriptions"),
    ("user_tokens", "/people/{username}/tokens"),
    ("user_platform_tokens", "/people/{username}/tokens/platforms/{platform}"),
    ("tokens", "/tokens"),
    ("token", "/tokens/{token}"),
    ("context_push_tokens", "/contexts/{hash}/tokens"),
    ("conversation_push_tokens", "/conversations/{id}/tokens"),
    ("comments", "/activities/comments"),
    ("activities", "/activities"),
    ("activity", "/activities/{activity}"),
    ("activity_comments", "/activities/{activity}/comments"),
    ("activity_comment", "/activities/{activity}/comments/{comment}"),
    ("flag", "/activities/{activity}/flag"),
    ("likes", "/activities/{activity}/likes"),
    ("like", "/activities/{activity}/likes/{username}"),
    ("favorites", "/activities/{activity}/favorites"),
    ("favorite", "/activities/{activity}/favorites/{username}"),
    ("activity_image", "/activities/{activity}/image"),
    ("activity_image_sizes", "/activities/{activity}/image/{size}"),
    ("activity_file_download", "/activities/{activity}/file/download"),
    ("contexts", "/contexts"),
    ("public_contexts", "/contexts/public"),
    ("context", "/contexts/{hash}"),
    ("context_avatar", "/contexts/{hash}/avatar"),
    ("context_user_permissions_defaults", "/contexts/{hash}/permissions/{username}/defaults"),
    ("context_user_permission", "/contexts/{hash}/permissions/{username}/{permission}"),
    ("context_activities", "/contexts/{hash}/activities"),
    ("context_comments", "/contexts/{hash}/comments"),
    ("context_activities_authors", "/contexts/{hash}/activities/authors"),
    ("context_subscriptions", "/contexts/{hash}/subscriptions"),
    ("context_subscription", "/contexts/{hash}/subscriptions/{username}"),
    ("context_tags", "/contexts/{hash}/tags"),
    ("context_tag", "/contexts/{hash}/tags/{tag}"),
    ("conversations", "/conversations"),
    ("conversation", "/conversations/{id}"),
    ("conversation_owner", "/conversations/{id}/owner"),
    ("conversation_avatar", "/conversations/{id}/avatar"),
    ("user_conversation", "/people/{username}/conversations/{id}"),
    ("participants", "/conversations/{id}/participants"),
    ("participant", "/conversations/{id}/participants/{username}"),
    ("messages", "/conversations/{id}/messages"),
    ("user_conversation_messages", "/people/{username}/conversations/{id}/messages"),
    ("message_image", "/messages/{id}/image"),
    ("message_image_sizes", "/messages/{id}/image/{size}"),
    ("message_file_download", "/messages/{id}/file/download"),
    ("info", "/info"),
    ("info_api", "/info/api"),
    ("info_settings", "/info/settings"),
    ("admin_security", "/admin/security"),
    ("admin_security_role_user", "/admin/security/roles/{role}/users/{user}"),
    ("admin_security_users", "/admin/security/users"),
    ("maintenance_keywords", "/admin/maintenance/keywords"),
    ("maintenance_dates", "/admin/maintenance/dates"),
    ("maintenance_subscriptions", "/admin/maintenance/subscriptions"),
    ("maintenance_conversations", "/admin/maintenance/conversations"),
    ("maintenance_users", "/admin/maintenance/users"),
    ("maintenance_exceptions", "/admin/maintenance/exceptions"),
    ("maintenance_exception", "/admin/maintenance/exceptions/{hash}"),
    ("dep_user_subscriptions", "/people/{username}/subscriptions/{hash}"),
    ("dep_user_device_token", "/people/{username}/device/{platform}/{token}"),
)

_NOTE = {"object": {"objectType": "note"}}
_CONTEXT_OBJECT = {"object": {"objectType": "context"}}

# template -> method -> default body
MAX_DEFAULTS: dict[str, dict[str, Any]] = {
    "/people/{username}/activities": {"post": _NOTE},
    "/people/{username}/conversations/{id}/messages": {"post": _NOTE},
    "/people/{username}/subscriptions": {"post": _CONTEXT_OBJECT},
    "/conversations/{id}/messages": {"post": _NOTE},
    "/contexts/{hash}/activities": {"post": _NOTE},
    "/contexts": {"post": {"objectType": "context"}},
    "/conversations": {"post": _NOTE},
}

MAX_ROUTES = RouteMap(
    Route(template, name, MAX_DEFAULTS.get(template, {})) for name, template in ROUTE_TEMPLATES
)
