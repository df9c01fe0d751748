"""Where a request goes: directly, through a forward proxy, or through a CONNECT tunnel.

Shared by the sync and asyncio socket transports; computed once per origin and cached.
A Unix domain socket (``uds=``) replaces the TCP address of every route.
"""

from __future__ import annotations

import os
import socket
from typing import NamedTuple

from ..engine.urls import Origin
from .environment import Proxy, parse_proxy, proxy_from_env


class Route(NamedTuple):
    """How to reach an origin.

    ``connect_to``: the address to open a TCP connection to (the origin or the proxy).
    ``tunnel``: True for https through a proxy (CONNECT first, then TLS to the origin).
    ``absolute_form``: True for http through a proxy (request targets are full URLs).
    """

    origin: Origin
    connect_to: Origin
    host_header: str
    proxy: Proxy | None
    tunnel: bool
    absolute_form: bool

    def target(self, target: str) -> str:
        return f"{self.origin}{target}" if self.absolute_form else target


def host_header(origin: Origin) -> str:
    return str(origin).split("://", 1)[1]


class RouteTable:
    """Resolves and caches the route of each origin (proxy from ``proxy=`` or the env).

    With ``uds`` (a Unix domain socket path) every connection goes to that socket, so no
    proxy applies: one from the environment is ignored (``http_proxy`` must not divert
    calls meant for a local daemon), and one given as ``proxy=`` is refused.
    """

    def __init__(
        self,
        proxy: str | Proxy | None = None,
        trust_env: bool = True,
        uds: str | os.PathLike[str] | None = None,
    ) -> None:
        if uds is not None and proxy is not None:
            raise ValueError("uds= and proxy= cannot be combined: the socket is the destination")
        if uds is not None and not hasattr(socket, "AF_UNIX"):
            raise ValueError("uds=: this platform has no Unix domain sockets")
        self._proxy = parse_proxy(proxy) if isinstance(proxy, str) else proxy
        self._trust_env = trust_env and uds is None
        self.uds = None if uds is None else os.fspath(uds)
        self._routes: dict[Origin, Route] = {}

    def get(self, origin: Origin) -> Route:
        route = self._routes.get(origin)
        if route is None:
            route = self._routes[origin] = self._resolve(origin)
        return route

    def _resolve(self, origin: Origin) -> Route:
        proxy = self._proxy
        if proxy is None and self._trust_env:
            proxy = proxy_from_env(origin)
        if proxy is None:
            return Route(origin, origin, host_header(origin), None, False, False)
        tunnel = origin.scheme == "https"
        return Route(origin, proxy.origin, host_header(origin), proxy, tunnel, not tunnel)
