"""One Mxit API call, described as data: what the sync and async clients both send.

A :class:`Call` says which request a service method makes (method, path, body), which
token it needs (an app token or the user's, for which scope) and what it returns; the
two executors of :mod:`restwright.mxit.client` only send it.  Nothing here does I/O.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ..engine.file_bodies import FileBody
from ..engine.models import Response
from ..errors import DecodeError, InvalidRequestError

__all__ = ["Call", "FileBody", "binary_body"]

#: How a call's answer is handed back: decoded JSON, a JSON string (Mxit quotes its plain
#: answers), the raw bytes, or nothing.
Returns = Literal["json", "text", "bytes", "none"]


def binary_body(
    data: bytes | None, input_file_path: str | os.PathLike[str] | None, content_type: str
) -> tuple[bytes | FileBody, dict[str, str]]:
    """The body and headers of an upload given as ``data`` or ``input_file_path`` (the
    engine's :class:`~restwright.engine.file_bodies.FileBody`: streamed, with its
    ``Content-Length``, and sent again whole when a retry or a 307 asks)."""
    body: bytes | FileBody
    if input_file_path is not None:
        body = FileBody(input_file_path)
    elif data:
        body = bytes(data)
    else:
        raise InvalidRequestError(
            "either the data of a file (data=) or the path to a file (input_file_path=) "
            "must be given"
        )
    return body, {"Content-Type": content_type}


_NO_JSON: Any = object()


@dataclass(frozen=True)
class Call:
    """One call: ``user`` says whether it needs the user's token (else the app's)."""

    method: str
    path: str
    scope: str
    user: bool
    path_params: Mapping[str, str] = field(default_factory=dict)
    params: Mapping[str, Any] | None = None
    json: Any = _NO_JSON
    upload: tuple[bytes | FileBody, dict[str, str]] | None = None
    returns: Returns = "none"
    output_file_path: str | os.PathLike[str] | None = None

    def request_options(self) -> dict[str, Any]:
        """The keyword arguments of the engine's ``request`` for this call."""
        options: dict[str, Any] = {"path_params": dict(self.path_params)}
        if self.params:
            options["params"] = dict(self.params)
        if self.json is not _NO_JSON:
            options["json"] = self.json
        if self.upload is not None:
            options["content"], options["headers"] = self.upload
        return options

    def result(self, response: Response) -> Any:
        if self.returns == "bytes":
            return response.content
        if self.returns == "none" or not response.content:
            return None
        if self.returns == "text":
            try:
                value = response.json()
            except DecodeError:
                return response.text
            return value if isinstance(value, str) else response.text
        return response.json()
