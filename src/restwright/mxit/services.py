"""The Mxit API's calls, grouped like the ``mxit`` package: ``client.messaging`` and
``client.users``.  Names, parameters, defaults and URLs are those of the ``mxit`` package
(facts about the API); each method describes its :class:`~restwright.mxit.calls.Call` and
hands it to the client's executor, so one class serves :class:`~restwright.mxit.Mxit`
(the result) and :class:`~restwright.mxit.AsyncMxit` (an awaitable of it).

App calls (no user authentication) get a client-credentials token for the call's
``scope``; user calls need the user's token for it (``client.oauth.get_user_token``) and
raise :class:`~restwright.errors.OAuth2Error` (``login_required``) without one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

from .calls import Call, binary_body

__all__ = ["CONTACT_LIST_FILTER", "MessagingService", "UserService"]

#: The ``list_filter`` values of :meth:`UserService.get_contact_list`.
CONTACT_LIST_FILTER = {
    "all": "@All",
    "friends": "@Friends",
    "apps": "@Apps",
    "invites": "@Invites",
    "connections": "@Connections",
    "rejected": "@Rejected",
    "pending": "@Pending",
    "deleted": "@Deleted",
    "blocked": "@Blocked",
}

PathLike = str | os.PathLike[str]


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _paging(skip: int | None, count: int | None) -> dict[str, int]:
    return {k: v for k, v in (("skip", skip), ("count", count)) if v}


class _Service:
    def __init__(self, run: Callable[[Call | None], Any]) -> None:
        self._run = run


class MessagingService(_Service):
    """``client.messaging``."""

    def send_message(
        self,
        app_mxit_id: str,
        target_user_ids: Sequence[str],
        message: str = "",
        contains_markup: bool = True,
        spool: bool | None = None,
        spool_timeout: int | None = None,
        links: Any = None,
        scope: str = "message/send",
    ) -> Any:
        """Send a message from a Mxit app to Mxit users (app token)."""
        body: dict[str, Any] = {
            "From": app_mxit_id,
            "To": ",".join(target_user_ids),
            "Body": message,
            "ContainsMarkup": contains_markup,
        }
        if spool:
            body["Spool"] = spool
        if spool_timeout:
            body["SpoolTimeOut"] = spool_timeout
        if links:
            body["Links"] = links
        return self._run(Call("POST", "/message/send", scope, False, json=body))

    def send_user_to_user_message(
        self,
        from_user_id: str,
        target_user_ids: Sequence[str],
        message: str = "",
        contains_markup: bool = True,
        scope: str = "message/user",
    ) -> Any:
        """Send a message from a Mxit user to Mxit users (user token)."""
        body = {
            "From": from_user_id,
            "To": ",".join(target_user_ids),
            "Body": message,
            "ContainsMarkup": contains_markup,
        }
        return self._run(Call("POST", "/message/send", scope, True, json=body))


class UserService(_Service):
    """``client.users``."""

    # -- public profile (app token) ----------------------------------------------------
    def get_user_id(self, mxit_id: str, scope: str = "profile/public") -> Any:
        """The Mxit user's internal user id."""
        return self._run(
            Call("GET", "/user/lookup/{id}", scope, False, {"id": mxit_id}, returns="text")
        )

    def get_status(self, mxit_id: str, scope: str = "profile/public") -> Any:
        path = "/user/public/statusmessage/{id}"
        return self._run(Call("GET", path, scope, False, {"id": mxit_id}, returns="text"))

    def get_display_name(self, mxit_id: str, scope: str = "profile/public") -> Any:
        path = "/user/public/displayname/{id}"
        return self._run(Call("GET", path, scope, False, {"id": mxit_id}, returns="text"))

    def get_avatar(
        self,
        mxit_id: str,
        output_file_path: PathLike | None = None,
        scope: str = "profile/public",
    ) -> Any:
        """The avatar's bytes, or (with ``output_file_path``) streamed into that file."""
        return self._run(
            Call(
                "GET",
                "/user/public/avatar/{id}",
                scope,
                False,
                {"id": mxit_id},
                returns="bytes",
                output_file_path=output_file_path,
            )
        )

    def get_basic_profile(self, user_id: str, scope: str = "profile/public") -> Any:
        path = "/user/profile/{id}"
        return self._run(Call("GET", path, scope, False, {"id": user_id}, returns="json"))

    # -- the user's own account (user token) ---------------------------------------------
    def set_status(self, message: str, scope: str = "status/write") -> Any:
        return self._run(Call("PUT", "/user/statusmessage", scope, True, json=message))

    def set_avatar(
        self,
        data: bytes | None = None,
        input_file_path: PathLike | None = None,
        scope: str = "avatar/write",
        content_type: str = "application/octet-stream",
    ) -> Any:
        """Upload the avatar from ``data`` or (streamed) from ``input_file_path``."""
        upload = binary_body(data, input_file_path, content_type)
        return self._run(Call("POST", "/user/avatar", scope, True, upload=upload))

    def delete_avatar(self, scope: str = "avatar/write") -> Any:
        return self._run(Call("DELETE", "/user/avatar", scope, True))

    def get_full_profile(self, scope: str = "profile/private") -> Any:
        return self._run(Call("GET", "/user/profile", scope, True, returns="json"))

    def update_profile(
        self,
        about_me: str | None = None,
        display_name: str | None = None,
        email: str | None = None,
        first_name: str | None = None,
        gender: int | None = None,
        last_name: str | None = None,
        mobile_number: str | None = None,
        relationship_status: int | None = None,
        title: str | None = None,
        where_am_i: str | None = None,
        scope: str = "profile/write",
    ) -> Any:
        """Change the given profile fields (nothing is sent when none is given)."""
        fields = {
            "AboutMe": about_me,
            "DisplayName": display_name,
            "Email": email,
            "FirstName": first_name,
            "Gender": gender,
            "LastName": last_name,
            "MobileNumber": mobile_number,
            "RelationshipStatus": relationship_status,
            "Title": title,
            "WhereAmI": where_am_i,
        }
        body = {k: v for k, v in fields.items() if v}
        if not body:
            return self._run(None)  # nothing to change: nothing is sent
        return self._run(Call("PUT", "/user/profile", scope, True, json=body))

    def add_contact(self, contact_id: str, scope: str = "contact/invite") -> Any:
        path = "/user/socialgraph/contact/{id}"
        return self._run(Call("PUT", path, scope, True, {"id": contact_id}))

    def get_contact_list(
        self,
        list_filter: str,
        skip: int | None = None,
        count: int | None = None,
        scope: str = "graph/read",
    ) -> Any:
        """The contact list; ``list_filter`` is a value of :data:`CONTACT_LIST_FILTER`."""
        params = {"filter": list_filter, **_paging(skip, count)}
        path = "/user/socialgraph/contactlist"
        return self._run(Call("GET", path, scope, True, params=params, returns="json"))

    def get_friend_suggestions(self, scope: str = "graph/read") -> Any:
        path = "/user/socialgraph/suggestions"
        return self._run(Call("GET", path, scope, True, returns="json"))

    # -- the user's gallery (user token) ---------------------------------------------------
    def get_gallery_folder_list(self, scope: str = "content/read") -> Any:
        return self._run(Call("GET", "/user/media", scope, True, returns="json"))

    def create_gallery_folder(self, folder_name: str, scope: str = "content/write") -> Any:
        return self._run(Call("POST", "/user/media/{f}", scope, True, {"f": folder_name}))

    def delete_gallery_folder(self, folder_name: str, scope: str = "content/write") -> Any:
        return self._run(Call("DELETE", "/user/media/{f}", scope, True, {"f": folder_name}))

    def rename_gallery_folder(
        self, old_folder_name: str, new_folder_name: str, scope: str = "content/write"
    ) -> Any:
        return self._run(
            Call(
                "PUT", "/user/media/{f}", scope, True, {"f": old_folder_name}, json=new_folder_name
            )
        )

    def delete_gallery_file(self, file_id: str, scope: str = "content/write") -> Any:
        path = "/user/media/file/{id}"
        return self._run(Call("DELETE", path, scope, True, {"id": file_id}))

    def rename_gallery_file(
        self, file_id: str, new_file_name: str, scope: str = "content/write"
    ) -> Any:
        path = "/user/media/file/{id}"
        return self._run(Call("PUT", path, scope, True, {"id": file_id}, json=new_file_name))

    def upload_gallery_file(
        self,
        folder_name: str,
        file_name: str,
        data: bytes | None = None,
        input_file_path: PathLike | None = None,
        prevent_share: bool = False,
        content_type: str = "image/png",
        scope: str = "content/write",
    ) -> Any:
        """Upload ``data`` or (streamed) ``input_file_path`` into a folder; the file id."""
        params = {"fileName": file_name, "preventShare": _flag(prevent_share)}
        return self._run(
            Call(
                "POST",
                "/user/media/file/{f}",
                scope,
                True,
                {"f": folder_name},
                params=params,
                upload=binary_body(data, input_file_path, content_type),
                returns="text",
            )
        )

    def get_gallery_item_list(
        self,
        folder_name: str,
        skip: int | None = None,
        count: int | None = None,
        scope: str = "content/read",
    ) -> Any:
        path = "/user/media/list/{f}"
        params = _paging(skip, count)
        return self._run(
            Call("GET", path, scope, True, {"f": folder_name}, params=params, returns="json")
        )

    def get_gallery_file(
        self,
        file_id: str,
        output_file_path: PathLike | None = None,
        scope: str = "content/read",
    ) -> Any:
        """The file's bytes, or (with ``output_file_path``) streamed into that file."""
        return self._run(
            Call(
                "GET",
                "/user/media/content/{id}",
                scope,
                True,
                {"id": file_id},
                returns="bytes",
                output_file_path=output_file_path,
            )
        )

    # -- file offers (app token) ---------------------------------------------------------
    def upload_file_and_send_file_offer(
        self,
        file_name: str,
        user_id: str,
        data: bytes | None = None,
        input_file_path: PathLike | None = None,
        content_type: str = "application/octet-stream",
        auto_open: bool = False,
        prevent_share: bool = False,
        scope: str = "content/send",
    ) -> Any:
        """Store a file of any type and offer it to ``user_id``; the file id."""
        params = {
            "fileName": file_name,
            "userId": user_id,
            "autoOpen": _flag(auto_open),
            "preventShare": _flag(prevent_share),
        }
        return self._run(
            Call(
                "POST",
                "/user/media/file/send",
                scope,
                False,
                params=params,
                upload=binary_body(data, input_file_path, content_type),
                returns="text",
            )
        )

    def send_file_offer(
        self, file_id: str, user_id: str, auto_open: bool = False, scope: str = "content/send"
    ) -> Any:
        """Offer a stored file to ``user_id``."""
        params = {"UserId": user_id, "autoOpen": _flag(auto_open)}
        path = "/user/media/file/send/{id}"
        return self._run(Call("POST", path, scope, False, {"id": file_id}, params=params))
