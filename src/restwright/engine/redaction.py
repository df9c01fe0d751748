"""What counts as a secret, and how it is masked in reprs, logs, errors and curl output."""

from __future__ import annotations

from collections.abc import Callable, Iterable

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
    return f"{path}?{_mask_pairs(query, sensitive_params.__contains__)}"


def _mask_pairs(encoded: str, secret: Callable[[str], bool]) -> str:
    """A ``name=value&...`` string (query or form body) with the values of the fields whose
    decoded name is ``secret`` masked; everything else is kept byte for byte."""
    out = []
    for pair in encoded.split("&"):
        name, eq, _value = pair.partition("=")
        out.append(f"{name}={_quote_query(MASK)}" if eq and secret(unquote_plus(name)) else pair)
    return "&".join(out)


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
        "code_verifier",
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
        # latin-1 maps every byte to one character and back: a body that is not pure ASCII
        # (sent as given by the caller) is shown as it is, not refused.
        form = content.decode("latin-1")
        return _mask_pairs(form, lambda name: name.lower() in SENSITIVE_FIELDS).encode("latin-1")
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
