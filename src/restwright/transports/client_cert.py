"""Client certificates for mutual TLS: the ``cert=`` option, checked and loaded once.

``cert=`` takes what requests and httpx take: a PEM file holding the certificate and its
key, a ``(certificate, key)`` pair, or ``(certificate, key, password)`` for an encrypted
key.  The chain is loaded into the client's SSL context when the client is built, so a
missing file or a wrong password fails there, with a
:class:`~restwright.errors.ClientCertificateError` naming the file, and not at the first
request.  No message, repr or log record shows the password.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Union

from ..errors import ClientCertificateError

if TYPE_CHECKING:
    import ssl

StrPath = Union[str, "os.PathLike[str]"]
CertTypes = Union[
    StrPath,
    tuple[StrPath, Union[StrPath, None]],
    tuple[StrPath, Union[StrPath, None], Union[str, bytes, None]],
]


class _PasswordNeeded(Exception):
    """OpenSSL asked for the password of an encrypted key and none was given."""


class _Password:
    """Answers OpenSSL's password prompt, and remembers that it was asked.

    Passing a callable (rather than the bare password, or nothing) keeps OpenSSL from
    prompting on the terminal for an encrypted key given without a password, and tells a
    wrong password apart from a file that is not PEM.
    """

    __slots__ = ("_secret", "asked")

    def __init__(self, secret: str | bytes | None) -> None:
        self._secret = secret
        self.asked = False

    def __call__(self) -> str | bytes:
        self.asked = True
        if self._secret is None:
            raise _PasswordNeeded
        return self._secret

    def __repr__(self) -> str:
        return "<password [REDACTED]>"


def _is_path(value: object) -> bool:
    return isinstance(value, (str, os.PathLike))


def _split(cert: CertTypes) -> tuple[str, str | None, str | bytes | None]:
    if _is_path(cert):
        return os.fspath(cert), None, None  # type: ignore[arg-type]
    if isinstance(cert, tuple) and len(cert) in (2, 3):
        certfile, keyfile = cert[0], cert[1]
        password = cert[2] if len(cert) == 3 else None
        if (
            _is_path(certfile)
            and (keyfile is None or _is_path(keyfile))
            and (password is None or isinstance(password, (str, bytes)))
        ):
            return os.fspath(certfile), None if keyfile is None else os.fspath(keyfile), password
    # The value itself is not shown: it may hold the password.
    given = f"a tuple of {len(cert)} items" if isinstance(cert, tuple) else type(cert).__name__
    raise ClientCertificateError(
        "cert= takes a PEM file path, a (certificate, key) pair or "
        f"(certificate, key, password), not {given}"
    )


def _check_readable(path: str, what: str) -> None:
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        raise ClientCertificateError(
            f"cannot read the client {what} file {path!r}: {exc.strerror or exc}"
        ) from None


def load_client_cert(ctx: ssl.SSLContext, cert: CertTypes) -> None:
    """Load ``cert`` into ``ctx``, or raise :class:`ClientCertificateError`."""
    import ssl

    certfile, keyfile, secret = _split(cert)
    _check_readable(certfile, "certificate")
    if keyfile is not None:
        _check_readable(keyfile, "key")
    key_name = repr(keyfile or certfile)
    password = _Password(secret)
    try:
        ctx.load_cert_chain(certfile, keyfile, password=password)
    except _PasswordNeeded:
        raise ClientCertificateError(
            f"the client key {key_name} is encrypted: give cert=(certificate, key, password)"
        ) from None
    except ssl.SSLError as exc:
        if exc.reason == "KEY_VALUES_MISMATCH":
            message = f"the client key {key_name} does not match the certificate {certfile!r}"
        elif password.asked:
            message = f"cannot decrypt the client key {key_name}: wrong password"
        else:
            detail = f" ({exc.reason})" if exc.reason else ""
            message = (
                f"cannot load the client certificate {certfile!r} (key {key_name}): "
                f"not a PEM certificate with its key{detail}"
            )
        raise ClientCertificateError(message) from None


__all__ = ["CertTypes", "load_client_cert"]
