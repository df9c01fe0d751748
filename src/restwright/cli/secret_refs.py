"""Secret references: where a credential of a profile is read from, never the credential.

Why: a config file gets copied, backed up, pasted into bug reports and shown on screen; a
secret written into it leaks with it.  A profile therefore names the place a secret lives,
and the secret is read only when a client is built:

* ``env:NAME`` -- the environment variable ``NAME``;
* ``keyring:SERVICE/USER`` -- the system keyring (the optional ``keyring`` package), as
  ``keyring.get_password(SERVICE, USER)``; the last ``/`` separates the two;
* ``file:PATH`` -- the contents of a file (an absolute path or ``~/...``; one trailing
  newline dropped)
  that only its owner can read or write (mode 0600 or stricter, as ssh asks of its keys):
  a file others can read is refused, not read.

Anything else where a secret is expected is refused as a literal secret.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import click

__all__ = [
    "SCHEMES",
    "SecretReferenceError",
    "check_reference",
    "is_reference",
    "resolve_reference",
]

#: The prefixes a secret reference starts with.
SCHEMES = ("env:", "keyring:", "file:")


class SecretReferenceError(click.ClickException):
    """A secret reference that is malformed, points nowhere, or points to an unsafe file.

    A :class:`click.ClickException` so that the command line shows it as one line (exit
    code 3, the command line's code for a profile that cannot be read or used).
    """

    exit_code = 3


def is_reference(value: str) -> bool:
    """Whether ``value`` is written as a secret reference (``env:``, ``keyring:``, ``file:``)."""
    return value.startswith(SCHEMES)


def check_reference(value: str, where: str) -> None:
    """Refuse ``value`` unless it is a well-formed reference; ``where`` names the setting.

    The message never repeats ``value`` when it is not a reference: it may be the secret.
    """
    if not is_reference(value):
        raise SecretReferenceError(
            f"{where} must be a reference to the secret (env:NAME, keyring:SERVICE/USER or "
            "file:PATH), not the secret itself: secrets are never stored in the config file"
        )
    scheme, _, rest = value.partition(":")
    if scheme == "env" and not (rest and "=" not in rest and "\0" not in rest):
        raise SecretReferenceError(f"{where}: {value!r} does not name an environment variable")
    if scheme == "keyring":
        service, slash, user = rest.rpartition("/")
        if not (slash and service and user):
            raise SecretReferenceError(f"{where}: {value!r} is not keyring:SERVICE/USER")
    if scheme == "file" and not Path(rest).expanduser().is_absolute():
        # relative to what? the directory a command happens to run in is no answer
        raise SecretReferenceError(f"{where}: {value!r} is not file:/ABSOLUTE/PATH (or ~/PATH)")


def resolve_reference(value: str, where: str) -> str:
    """The secret ``value`` points to (see the module docstring for the schemes)."""
    check_reference(value, where)
    scheme, _, rest = value.partition(":")
    if scheme == "env":
        secret = os.environ.get(rest)
        if secret is None:
            raise SecretReferenceError(f"{where}: the environment variable {rest} is not set")
        return secret
    if scheme == "keyring":
        return _from_keyring(rest, where)
    return _from_file(Path(rest).expanduser(), where)


def _from_keyring(rest: str, where: str) -> str:
    service, _, user = rest.rpartition("/")
    try:
        import keyring
    except ImportError:
        raise SecretReferenceError(
            f"{where}: keyring:{rest} needs the keyring package (pip install keyring)"
        ) from None
    try:
        secret = keyring.get_password(service, user)
    except Exception as exc:  # a locked or missing keyring backend, in the backend's words
        raise SecretReferenceError(f"{where}: the keyring could not be read: {exc}") from None
    if secret is None:
        raise SecretReferenceError(
            f"{where}: the keyring has no password for service {service!r}, user {user!r}"
        )
    return str(secret)


def _from_file(path: Path, where: str) -> str:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError as exc:
        raise SecretReferenceError(f"{where}: cannot read {path}: {exc.strerror}") from None
    with os.fdopen(fd, "rb") as fh:
        # The checks look at the file that was opened, not at a path that may change.
        st = os.fstat(fh.fileno())
        if os.name == "posix":
            if st.st_mode & 0o077:
                raise SecretReferenceError(
                    f"{where}: {path} can be read or written by others (mode "
                    f"{stat.S_IMODE(st.st_mode):04o}); restrict it with: chmod 600 {path}"
                )
            if st.st_uid != os.getuid():
                raise SecretReferenceError(f"{where}: {path} belongs to another user")
        data = fh.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise SecretReferenceError(f"{where}: {path} is not UTF-8 text") from None
    return text.removesuffix("\n").removesuffix("\r")
