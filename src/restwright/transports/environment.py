"""What the environment says about proxies and trusted certificates.

Follows the conventions of curl, requests and httpx: ``http_proxy``, ``https_proxy``,
``all_proxy`` and ``no_proxy`` (lower case wins over upper case), and for certificates
``SSL_CERT_FILE``/``SSL_CERT_DIR`` then ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE``.
"""

from __future__ import annotations

import ipaddress
import os
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import unquote, urlsplit

from ..engine.urls import Origin
from ..errors import ClientCertificateError
from .client_cert import CertTypes, load_client_cert

if TYPE_CHECKING:
    import ssl


class Proxy(NamedTuple):
    """A forward proxy: where to connect, and the ``Proxy-Authorization`` to send (if any)."""

    origin: Origin
    authorization: str | None = None

    def __repr__(self) -> str:
        return f"Proxy({str(self.origin)!r})"


def _env(name: str) -> str | None:
    return os.environ.get(name.lower()) or os.environ.get(name.upper()) or None


def parse_proxy(url: str) -> Proxy:
    if "://" not in url:
        url = f"http://{url}"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"unsupported proxy URL scheme {parts.scheme!r}")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    authorization = None
    if parts.username is not None:
        import base64

        raw = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
        authorization = "Basic " + base64.b64encode(raw).decode("ascii")
    return Proxy(Origin(parts.scheme, parts.hostname.lower(), port), authorization)


def _bypassed(host: str, port: int, no_proxy: str) -> bool:
    for entry in (e.strip().lower() for e in no_proxy.split(",")):
        if not entry:
            continue
        if entry == "*":
            return True
        name, _, entry_port = entry.rpartition(":") if entry.count(":") == 1 else (entry, "", "")
        if entry_port and entry_port.isdigit() and int(entry_port) != port:
            continue
        name = name.lstrip(".")
        if host == name or host.endswith("." + name):
            return True
        try:
            if ipaddress.ip_address(host) in ipaddress.ip_network(name, strict=False):
                return True
        except ValueError:
            pass
    return False


def proxy_from_env(origin: Origin) -> Proxy | None:
    """The proxy the environment asks for this origin, or None."""
    url = _env(f"{origin.scheme}_proxy") or _env("all_proxy")
    if not url:
        return None
    no_proxy = _env("no_proxy")
    if no_proxy and _bypassed(origin.host, origin.port, no_proxy):
        return None
    return parse_proxy(url)


class ClientCertContext:
    """An SSL context holding a client certificate, loaded once from its settings.

    A client keeps this as its ``verify`` so that every connection (and every clone) uses
    the certificate loaded at construction.  It pickles as the settings it was built from,
    so a client copied to a worker process loads the files again there (like auth, the
    pickle then holds the key's password); its repr shows neither paths nor password.
    """

    __slots__ = ("_settings", "context")

    def __init__(self, verify: Any, trust_env: bool, cert: CertTypes) -> None:
        self.context = ssl_context(verify, trust_env, cert)
        self._settings = (verify, trust_env, cert)

    def __reduce__(self) -> tuple[Any, ...]:
        return (ClientCertContext, self._settings)

    def __repr__(self) -> str:
        return "<ClientCertContext>"


def ssl_context(
    verify: Any = True, trust_env: bool = True, cert: CertTypes | None = None
) -> ssl.SSLContext:
    """An SSL context: ``verify`` is True, False, a CA bundle path, an SSLContext or a
    :class:`ClientCertContext`; ``cert`` a client certificate (see
    :mod:`restwright.transports.client_cert`)."""
    import ssl

    if isinstance(verify, ClientCertContext):
        verify = verify.context
    if isinstance(verify, ssl.SSLContext):
        if cert is not None:
            # Loading into the caller's context would change an object they own.
            raise ClientCertificateError(
                "cert= cannot be combined with an ssl.SSLContext as verify=: load the "
                "certificate into that context (ctx.load_cert_chain) instead"
            )
        return verify
    if verify is False:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    else:
        ctx = _verifying_context(verify, trust_env)
    if cert is not None:
        load_client_cert(ctx, cert)
    return ctx


def _verifying_context(verify: Any, trust_env: bool) -> ssl.SSLContext:
    import ssl

    cafile = capath = None
    if isinstance(verify, (str, os.PathLike)):
        path = os.fspath(verify)
        cafile, capath = (None, path) if os.path.isdir(path) else (path, None)
    elif trust_env:
        cafile = (
            os.environ.get("SSL_CERT_FILE")
            or os.environ.get("REQUESTS_CA_BUNDLE")
            or os.environ.get("CURL_CA_BUNDLE")
        )
        capath = os.environ.get("SSL_CERT_DIR")
    ctx = ssl.create_default_context(cafile=cafile, capath=capath)
    ctx.set_alpn_protocols(["http/1.1"])
    return ctx
