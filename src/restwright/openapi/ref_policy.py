"""Which documents a description's ``$ref``s may pull in.

A description is input like any other: a hostile (or careless) one can point a ``$ref`` at
``file:///home/me/.aws/credentials`` or at a host on the internal network, and the loader
would read it.  By default a ``$ref`` may only reach what belongs with the document:

* from a local file (or a dict / text, rooted at the working directory): other files under
  the same directory tree;
* from a document fetched over http(s): documents of the same origin (scheme, host, port);
  never a local file.

Anything else is refused with a :class:`~restwright.errors.SpecError` naming the reference,
unless ``allow_refs`` allows it: ``"any"``, or a list of URL prefixes
(``"https://schemas.example.com/"``) and local directories (``"/srv/shared-specs"``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, urlsplit

AllowRefs = str | Iterable[str] | None


def file_uri_to_path(uri: str) -> Path:
    """The local path of a ``file:`` URI."""
    if os.name == "nt":  # pragma: no cover - drive letters and UNC names need the helper
        from urllib.request import url2pathname

        return Path(url2pathname(urlsplit(uri).path))
    return Path(unquote(urlsplit(uri).path))


def _origin(uri: str) -> tuple[str, str]:
    parts = urlsplit(uri)
    return parts.scheme.lower(), parts.netloc.lower()


class RefPolicy:
    """Decides whether the document at a URI may be read for a ``$ref`` (module docs)."""

    def __init__(self, root_uri: str, allow_refs: AllowRefs = None) -> None:
        self.root_uri = root_uri
        self.any = allow_refs == "any"
        self.prefixes: list[str] = []
        if allow_refs is not None and not self.any:
            if isinstance(allow_refs, str):
                raise ValueError("allow_refs is 'any' or a list of URL prefixes and directories")
            for entry in allow_refs:
                if entry.startswith(("http://", "https://", "file:")):
                    self.prefixes.append(entry)
                else:
                    self.prefixes.append(Path(os.path.abspath(entry)).as_uri().rstrip("/") + "/")
        self.root_is_file = urlsplit(root_uri).scheme.lower() == "file"

    @property
    def root_dir(self) -> str:
        """The directory whose tree a local document's references may read."""
        root = os.path.normpath(file_uri_to_path(self.root_uri))
        return root if self.root_uri.endswith("/") else os.path.dirname(root)

    def refusal(self, uri: str) -> str | None:
        """``None`` when ``uri`` may be read, else why not (for the error message)."""
        if self.any or any(uri.startswith(prefix) for prefix in self.prefixes):
            return None
        scheme = urlsplit(uri).scheme.lower()
        if scheme == "file":
            if not self.root_is_file:
                return "a document fetched over HTTP may not reference the local file"
            root, target = self.root_dir, os.path.normpath(file_uri_to_path(uri))
            if os.path.commonpath([root, target]) == root:
                return None
            return f"it is outside the document's directory {root}"
        if scheme in ("http", "https"):
            if not self.root_is_file and _origin(uri) == _origin(self.root_uri):
                return None
            return "it is on another origin than the document"
        return "only file: and http(s): references are read"


__all__ = ["AllowRefs", "RefPolicy", "file_uri_to_path"]
