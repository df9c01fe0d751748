"""Profiles: the settings of one API under a short name, and ``restwright profile``.

Why: typing a base URL, an API description and credentials at every call is tedious and
puts secrets into shell history.  A profile names them once, in a TOML file in the user's
config directory (``$RESTWRIGHT_CONFIG/config.toml`` when that variable is set, else
``platformdirs.user_config_dir("restwright")/config.toml``)::

    [profiles.kinto]
    base_url = "https://kinto.example/v1"
    retry = 3
    timeout = 10.0

    [profiles.kinto.headers]
    X-Team = "core"

    [profiles.kinto.auth]
    type = "basic"
    user = "alice"
    password = "env:KINTO_PASSWORD"

Secrets are never in the file, only references to them (:mod:`.secret_refs`: ``env:``,
``keyring:``, ``file:`` of a 0600 file); a literal secret is refused when the file is read
and when ``profile add`` is asked to write one.  The same holds for the values of headers
that carry credentials (``Authorization``, ``X-API-Key``... the engine's list of sensitive
headers); the value of any header may be a reference.

:func:`load_profile` gives a :class:`Profile`; :meth:`Profile.client_options` turns it into
the keyword arguments of :class:`restwright.Client` and :func:`restwright.from_openapi`,
with the secrets read.  Errors are :class:`ProfileError` (and
:class:`~.secret_refs.SecretReferenceError` for a reference that cannot be read): click
exceptions, shown by the command line as one line, exit code 3 (the command line's code for
an API description or profile that cannot be read or used).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from .secret_refs import SecretReferenceError, check_reference, is_reference, resolve_reference

__all__ = [
    "CONFIG_ENV",
    "AuthConfig",
    "Profile",
    "ProfileError",
    "ProfileNotFound",
    "config_path",
    "load_profile",
    "load_profiles",
    "profile_group",
    "remove_profile",
    "save_profile",
]

#: The environment variable naming the config *directory* (tests point it at a tmp dir).
CONFIG_ENV = "RESTWRIGHT_CONFIG"
CONFIG_FILE = "config.toml"

#: A name that can never be mistaken for a path or a URL where the command line takes
#: "a profile or an API description".
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*\Z")
_PROFILE_KEYS = frozenset({"base_url", "description", "headers", "retry", "timeout", "auth"})


class ProfileError(click.ClickException):
    """A profile that is missing, malformed, or breaks the no-secrets-in-the-file rule."""

    exit_code = 3


class ProfileNotFound(ProfileError):
    """No profile of that name in the config file."""


@dataclass(frozen=True)
class _AuthType:
    """The settings of one auth type: which are required, and which one is the secret."""

    required: tuple[str, ...]
    optional: tuple[str, ...]
    secret: str


_AUTH_TYPES: dict[str, _AuthType] = {
    "basic": _AuthType(("user", "password"), (), "password"),
    "bearer": _AuthType(("token",), ("scheme",), "token"),
    "api-key": _AuthType(("key",), ("header",), "key"),
    "oauth2": _AuthType(("token_url", "client_id", "client_secret"), ("scopes",), "client_secret"),
}


@dataclass(frozen=True)
class AuthConfig:
    """How a profile authenticates: ``type`` (``basic``, ``bearer``, ``api-key``,
    ``oauth2`` client credentials) and its settings, the secret one as a reference."""

    type: str
    settings: Mapping[str, Any]

    @property
    def secret_setting(self) -> str:
        """The name of the setting that holds the secret's reference."""
        return _AUTH_TYPES[self.type].secret

    @classmethod
    def from_table(cls, table: Any, where: str) -> AuthConfig:
        """Validate the ``auth`` table of a profile (``where`` names it in errors)."""
        if not isinstance(table, dict):
            raise ProfileError(f"{where} must be a table")
        kind = table.get("type")
        if not isinstance(kind, str) or kind not in _AUTH_TYPES:
            raise ProfileError(f"{where}.type must be one of: {', '.join(_AUTH_TYPES)}")
        spec = _AUTH_TYPES[kind]
        settings = {k: v for k, v in table.items() if k != "type"}
        unknown = set(settings) - set(spec.required) - set(spec.optional)
        if unknown:
            raise ProfileError(f"{where}: unknown setting(s) for {kind} auth: {sorted(unknown)}")
        missing = [k for k in spec.required if k not in settings]
        if missing:
            raise ProfileError(f"{where}: {kind} auth needs {', '.join(missing)}")
        for key, value in settings.items():
            if key == "scopes":
                if not (isinstance(value, list) and all(isinstance(s, str) for s in value)):
                    raise ProfileError(f"{where}.scopes must be a list of strings")
            elif not isinstance(value, str):
                raise ProfileError(f"{where}.{key} must be a string")
        check_reference(settings[spec.secret], f"{where}.{spec.secret}")
        return cls(kind, settings)

    def build(self, where: str) -> Any:
        """The engine auth, with the secret read now."""
        from ..engine.auth import APIKeyAuth, BasicAuth, BearerAuth

        s = self.settings
        secret = resolve_reference(s[self.secret_setting], f"{where}.{self.secret_setting}")
        if self.type == "basic":
            return BasicAuth(s["user"], secret)
        if self.type == "bearer":
            return BearerAuth(secret, type=s.get("scheme", "Bearer"))
        if self.type == "api-key":
            return APIKeyAuth(s.get("header", "X-API-Key"), secret)
        try:
            from ..auth.oauth2 import ClientCredentials
        except ImportError as exc:
            raise ProfileError(f"{where}: {exc}") from None
        return ClientCredentials(s["token_url"], s["client_id"], secret, s.get("scopes"))


@dataclass(frozen=True)
class Profile:
    """A named set of client settings; ``description`` is a path or URL of an API
    description (for :func:`restwright.from_openapi`).  Holds references, never secrets, so
    its repr is safe to print."""

    name: str
    base_url: str | None = None
    description: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    retry: int | None = None
    timeout: float | None = None
    auth: AuthConfig | None = None

    @classmethod
    def from_table(cls, name: str, table: Any) -> Profile:
        """Validate one ``[profiles.NAME]`` table."""
        where = f"profile {name!r}"
        if not _NAME.match(name):
            raise ProfileError(
                f"{where}: a profile name is letters, digits, '-' and '_' (so it is never "
                "mistaken for a file or a URL)"
            )
        if not isinstance(table, dict):
            raise ProfileError(f"{where} must be a table")
        unknown = set(table) - _PROFILE_KEYS
        if unknown:
            from .._suggest import did_you_mean

            hint = did_you_mean(sorted(unknown)[0], _PROFILE_KEYS)
            raise ProfileError(f"{where}: unknown setting(s) {sorted(unknown)}{hint}")
        for key in ("base_url", "description"):
            if not isinstance(table.get(key, ""), str):
                raise ProfileError(f"{where}: {key} must be a string")
        retry = table.get("retry")
        if retry is not None and (type(retry) is not int or retry < 0):
            raise ProfileError(f"{where}: retry must be a whole number >= 0")
        timeout = table.get("timeout")
        if timeout is not None and (type(timeout) not in (int, float) or timeout <= 0):
            raise ProfileError(f"{where}: timeout must be a number of seconds > 0")
        headers = _checked_headers(table.get("headers", {}), f"{where}: headers")
        auth = table.get("auth")
        return cls(
            name=name,
            base_url=table.get("base_url"),
            description=table.get("description"),
            headers=headers,
            retry=retry,
            timeout=float(timeout) if timeout is not None else None,
            auth=AuthConfig.from_table(auth, f"{where}: auth") if auth is not None else None,
        )

    def to_table(self) -> dict[str, Any]:
        """The ``[profiles.NAME]`` table (the inverse of :meth:`from_table`)."""
        table: dict[str, Any] = {}
        for key in ("base_url", "description", "retry", "timeout"):
            value = getattr(self, key)
            if value is not None:
                table[key] = value
        if self.headers:
            table["headers"] = dict(self.headers)
        if self.auth is not None:
            table["auth"] = {"type": self.auth.type, **self.auth.settings}
        return table

    def references(self) -> list[tuple[str, str]]:
        """``(setting, reference)`` for every secret reference of the profile."""
        found = [(f"headers.{k}", v) for k, v in self.headers.items() if is_reference(v)]
        if self.auth is not None:
            key = self.auth.secret_setting
            found.append((f"auth.{key}", self.auth.settings[key]))
        return found

    def client_options(self) -> dict[str, Any]:
        """Keyword arguments for ``restwright.Client(**options)`` and
        ``restwright.from_openapi(profile.description, **options)``: ``base_url`` (when
        set), ``auth`` (an engine auth with the secrets read now, those of headers given by
        reference included), ``headers`` (the others), ``retry``, ``timeout``; a setting the
        profile leaves out is left to the client's default."""
        where = f"profile {self.name!r}"
        options: dict[str, Any] = {}
        if self.base_url is not None:
            options["base_url"] = self.base_url
        plain = {k: v for k, v in self.headers.items() if not is_reference(v)}
        if plain:
            options["headers"] = plain
        auth = self._auth(where)
        if auth is not None:
            options["auth"] = auth
        if self.retry is not None:
            options["retry"] = self.retry
        if self.timeout is not None:
            options["timeout"] = self.timeout
        return options

    def _auth(self, where: str) -> Any:
        """The profile's auth and its secret headers, as one engine auth.

        A header read from a reference is sent as a :class:`~restwright.HeaderAuth`, not
        as a default header: the engine then masks it wherever requests are shown and
        never sends it to another origin, as it does for ``Authorization``.
        """
        from ..engine.auth import Auth, HeaderAuth

        parts: list[Auth] = [
            HeaderAuth(name, resolve_reference(value, f"{where}: header {name}"))
            for name, value in self.headers.items()
            if is_reference(value)
        ]
        if self.auth is not None:
            parts.append(self.auth.build(f"{where}: auth"))
        if len(parts) < 2:
            return parts[0] if parts else None
        from ..openapi.security import AllOfAuth

        return AllOfAuth(parts)


def _checked_headers(value: Any, where: str) -> dict[str, str]:
    from ..engine.headers import check_header
    from ..engine.redaction import SENSITIVE_HEADERS
    from ..errors import InvalidRequestError

    if not isinstance(value, dict):
        raise ProfileError(f"{where} must be a table of name = value")
    for name, text in value.items():
        if not isinstance(text, str):
            raise ProfileError(f"{where}: {name} must be a string")
        try:
            check_header(name, text)
        except InvalidRequestError as exc:
            raise ProfileError(f"{where}: {exc}") from None
        if name.lower() in SENSITIVE_HEADERS or is_reference(text):
            check_reference(text, f"{where}: {name}")
    return dict(value)


# -- the config file ----------------------------------------------------------------------


def config_path() -> Path:
    """The config file: ``$RESTWRIGHT_CONFIG/config.toml``, else in the user config dir."""
    directory = os.environ.get(CONFIG_ENV)
    if not directory:
        try:
            from platformdirs import user_config_dir
        except ImportError:
            directory = str(Path.home() / ".config" / "restwright")
        else:
            directory = user_config_dir("restwright")
    return Path(directory) / CONFIG_FILE


def _read_config() -> dict[str, Any]:
    path = config_path()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ProfileError(f"cannot read {path}: {exc.strerror}") from None
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    try:
        config = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ProfileError(f"{path} is not valid TOML: {exc}") from None
    if not isinstance(config.get("profiles", {}), dict):
        raise ProfileError(f"{path}: 'profiles' must be a table")
    return dict(config)


def _write_config(config: dict[str, Any]) -> None:
    """Write the whole config file at once (temporary file + rename, mode 0600)."""
    import tomli_w

    from ..openapi.cache import _write_atomic

    _write_atomic(config_path(), tomli_w.dumps(config).encode("utf-8"))


def load_profiles() -> dict[str, Profile]:
    """Every profile of the config file, validated, by name."""
    tables = _read_config().get("profiles", {})
    return {name: Profile.from_table(name, table) for name, table in tables.items()}


def load_profile(name: str) -> Profile:
    """The profile ``name``; :class:`ProfileNotFound` names the close ones when it is absent.

    Only that profile is validated, so one broken profile does not lock the others out.
    """
    tables = _read_config().get("profiles", {})
    if name not in tables:
        from .._suggest import did_you_mean

        raise ProfileNotFound(
            f"no profile {name!r} in {config_path()}{did_you_mean(name, tables)}"
            + ("" if tables else " (add one with: restwright profile add NAME --base-url URL)")
        )
    return Profile.from_table(name, tables[name])


def save_profile(profile: Profile, *, replace: bool = False) -> None:
    """Add ``profile`` to the config file (replace one of the same name if ``replace``)."""
    Profile.from_table(profile.name, profile.to_table())  # the rules of a profile read back
    config = _read_config()
    profiles = config.setdefault("profiles", {})
    if profile.name in profiles and not replace:
        raise ProfileError(f"profile {profile.name!r} exists (--force replaces it)")
    profiles[profile.name] = profile.to_table()
    _write_config(config)


def remove_profile(name: str) -> None:
    """Remove the profile ``name`` from the config file."""
    config = _read_config()
    profiles = config.get("profiles", {})
    if name not in profiles:
        raise ProfileNotFound(f"no profile {name!r} in {config_path()}")
    del profiles[name]
    _write_config(config)


# -- restwright profile ...  ---------------------------------------------------------------

#: ``profile add`` options that imply an auth type when ``--auth`` is not given.
_AUTH_OPTIONS: dict[str, tuple[str, str]] = {
    # option dest: (auth type, setting)
    "user": ("basic", "user"),
    "password_from": ("basic", "password"),
    "token_from": ("bearer", "token"),
    "token_scheme": ("bearer", "scheme"),
    "api_key_from": ("api-key", "key"),
    "api_key_header": ("api-key", "header"),
    "token_url": ("oauth2", "token_url"),
    "client_id": ("oauth2", "client_id"),
    "client_secret_from": ("oauth2", "client_secret"),
    "scope": ("oauth2", "scopes"),
}


@click.group("profile")
def profile_group() -> None:
    """Named API settings (base URL, description, auth, headers, retry, timeout).

    Secrets are given by reference only: env:NAME, keyring:SERVICE/USER, or file:PATH of a
    file only you can read (chmod 600).
    """


@profile_group.command("add")
@click.argument("name")
@click.option("--base-url", help="The API's base URL.")
@click.option("--description", help="Path (kept absolute) or URL of the API description (OpenAPI).")
@click.option("--auth", "auth_type", type=click.Choice(list(_AUTH_TYPES)), help="Auth type.")
@click.option("--user", help="basic: the user name.")
@click.option("--password-from", metavar="REF", help="basic: where the password is.")
@click.option("--token-from", metavar="REF", help="bearer: where the token is.")
@click.option("--token-scheme", help="bearer: the scheme word (default Bearer).")
@click.option("--api-key-from", metavar="REF", help="api-key: where the key is.")
@click.option("--api-key-header", help="api-key: the header (default X-API-Key).")
@click.option("--token-url", help="oauth2: the token endpoint.")
@click.option("--client-id", help="oauth2: the client id.")
@click.option("--client-secret-from", metavar="REF", help="oauth2: where the secret is.")
@click.option("--scope", multiple=True, help="oauth2: a scope to ask for (repeatable).")
@click.option("--header", "headers", multiple=True, metavar="NAME:VALUE", help="Repeatable.")
@click.option("--retry", type=click.IntRange(min=0), help="Retries of failed requests.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), help="Seconds.")
@click.option("--force", is_flag=True, help="Replace a profile of the same name.")
def add_command(
    name: str,
    base_url: str | None,
    description: str | None,
    auth_type: str | None,
    headers: tuple[str, ...],
    retry: int | None,
    timeout: float | None,
    force: bool,
    **auth_options: Any,
) -> None:
    """Add the profile NAME to the config file."""
    if base_url is None and description is None:
        raise click.UsageError("give --base-url, --description, or both")
    if description is not None and "://" not in description and Path(description).exists():
        description = str(Path(description).resolve())  # the profile works from anywhere
    table: dict[str, Any] = {"base_url": base_url, "description": description}
    table.update(retry=retry, timeout=timeout)
    table = {k: v for k, v in table.items() if v is not None}
    if headers:
        table["headers"] = dict(_header_item(item) for item in headers)
    auth = _auth_table(auth_type, auth_options)
    if auth is not None:
        table["auth"] = auth
    profile = Profile.from_table(name, table)
    save_profile(profile, replace=force)
    click.echo(f"profile {name!r} saved in {config_path()}", err=True)
    for where, reference in profile.references():
        problem = _unreadable(reference, where)
        if problem is not None:  # saved all the same: it may be set up later
            click.echo(f"note: {where} = {reference} cannot be read now: {problem}", err=True)


def _header_item(item: str) -> tuple[str, str]:
    header, colon, value = item.partition(":")
    if not colon:
        raise click.BadParameter(f"{item!r} is not NAME:VALUE", param_hint="--header")
    return header.strip(), value.strip()


def _auth_table(auth_type: str | None, options: dict[str, Any]) -> dict[str, Any] | None:
    given = {dest: value for dest, value in options.items() if value not in (None, ())}
    implied = {_AUTH_OPTIONS[dest][0] for dest in given}
    if auth_type is None:
        if not given:
            return None
        if len(implied) > 1:
            raise click.UsageError(f"options of several auth types given: {sorted(implied)}")
        auth_type = implied.pop()
    foreign = sorted(
        "--" + dest.replace("_", "-") for dest in given if _AUTH_OPTIONS[dest][0] != auth_type
    )
    if foreign:
        raise click.UsageError(f"{', '.join(foreign)} do not apply to --auth {auth_type}")
    table: dict[str, Any] = {"type": auth_type}
    for dest, value in given.items():
        table[_AUTH_OPTIONS[dest][1]] = list(value) if dest == "scope" else value
    return table


@profile_group.command("list")
def list_command() -> None:
    """List the profiles (a table on a terminal, tab-separated lines when piped)."""
    profiles = load_profiles()
    rows = [
        (
            p.name,
            p.base_url or "-",
            p.description or "-",
            p.auth.type if p.auth is not None else "-",
        )
        for p in profiles.values()
    ]
    if not sys.stdout.isatty():
        for row in rows:
            click.echo("\t".join(row))
        return
    if not rows:
        click.echo(f"no profiles in {config_path()}", err=True)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("NAME", "BASE URL", "DESCRIPTION", "AUTH")
    for row in rows:
        table.add_row(*row)
    Console().print(table)


@profile_group.command("show")
@click.argument("name")
def show_command(name: str) -> None:
    """Show the profile NAME.  Secrets are never shown: each reference is followed by
    whether it can be read now."""
    profile = load_profile(name)
    lines = [("name", profile.name)]
    lines += [
        (key, str(getattr(profile, key)))
        for key in ("base_url", "description", "retry", "timeout")
        if getattr(profile, key) is not None
    ]
    for header, value in profile.headers.items():
        lines.append((f"headers.{header}", _shown(value, f"header {header}")))
    if profile.auth is not None:
        lines.append(("auth.type", profile.auth.type))
        for key, value in profile.auth.settings.items():
            if key == profile.auth.secret_setting:
                lines.append((f"auth.{key}", _shown(value, f"auth.{key}")))
            else:
                lines.append((f"auth.{key}", " ".join(value) if key == "scopes" else value))
    width = max(len(key) for key, _ in lines)
    for key, value in lines:
        click.echo(f"{key.ljust(width)}  {value}")


def _shown(value: str, where: str) -> str:
    """A reference, and whether it resolves; a plain header value as is."""
    if not is_reference(value):
        return value
    problem = _unreadable(value, where)
    if problem is not None:
        return f"{value}  (cannot be read: {problem})"
    return f"{value}  (readable; value hidden)"


def _unreadable(reference: str, where: str) -> str | None:
    """Why ``reference`` cannot be read now (``None`` when it can); never its value."""
    try:
        resolve_reference(reference, where)
    except SecretReferenceError as exc:
        return exc.message.split(": ", 1)[-1]
    return None


@profile_group.command("remove")
@click.argument("name")
def remove_command(name: str) -> None:
    """Remove the profile NAME from the config file."""
    remove_profile(name)
    click.echo(f"profile {name!r} removed from {config_path()}", err=True)
