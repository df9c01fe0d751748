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


#: Body fields (JSON keys, form fields; compared lower-case) whose values are secrets.
SENSITIVE_FIELDS = frozenset(
    {
        "password",
        "passwd",
        "secret",
        "client_secret",
        "token",
        "access_token",
        "refresh_token",
        "id_token",
        "api_key",
        "apikey",
        "private_key",
    }
)


def _mask_json(value: object) -> object:
    if isinstance(value, dict):
        return {
            k: (MASK if isinstance(k, str) and k.lower() in SENSITIVE_FIELDS else _mask_json(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_mask_json(v) for v in value]
    return value


def mask_body(content: bytes, content_type: str | None) -> bytes:
    """``content`` with the values of secret fields masked (JSON and URL-encoded forms).

    Used for what is shown (curl output, dry-run logs, errors), never for what is sent.
    """
    ctype = (content_type or "").split(";", 1)[0].strip().lower()
    if ctype == "application/x-www-form-urlencoded":
        pairs = []
        for pair in content.decode("ascii", errors="replace").split("&"):
            name, eq, _ = pair.partition("=")
            secret = eq and unquote_plus(name).lower() in SENSITIVE_FIELDS
            pairs.append(f"{name}={_quote_query(MASK)}" if secret else pair)
        return "&".join(pairs).encode("ascii")
    if ctype == "application/json" or ctype.endswith("+json"):
        import json

        try:
            decoded = json.loads(content)
        except ValueError:
            return content
        masked = _mask_json(decoded)
        if masked == decoded:
            return content
        return json.dumps(masked, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return content
