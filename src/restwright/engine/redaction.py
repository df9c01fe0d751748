"""What counts as a secret, and how it is masked in reprs, logs, errors and curl output."""

from __future__ import annotations

from collections.abc import Iterable

from .urls import _quote_query, unquote_plus

MASK = "[REDACTED]"

#: Header names (lower case) that always carry credentials.
SENSITIVE_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-auth-token",
        "x-api-key",
        "api-key",
        "x-amz-security-token",
    }
)


def mask_headers(
    items: Iterable[tuple[str, str]], sensitive: frozenset[str]
) -> list[tuple[str, str]]:
    """Replace the values of sensitive headers with :data:`MASK`."""
    return [
        (k, MASK if (k.lower() in SENSITIVE_HEADERS or k.lower() in sensitive) else v)
        for k, v in items
    ]


def mask_target(target: str, sensitive_params: frozenset[str]) -> str:
    """Replace the values of sensitive query parameters in a request target."""
    if not sensitive_params or "?" not in target:
        return target
    path, _, query = target.partition("?")
    out = []
    for pair in query.split("&"):
        name, eq, _value = pair.partition("=")
        if eq and unquote_plus(name) in sensitive_params:
            out.append(f"{name}={_quote_query(MASK)}")
        else:
            out.append(pair)
    return f"{path}?{'&'.join(out)}"
