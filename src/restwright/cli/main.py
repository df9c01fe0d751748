"""The ``main`` command group: commands loaded by name, on first use.

Why lazy: a command line is started for every call, so its start-up is part of every
call's latency (``restwright get URL`` aims at 0.15 s wall).  The group knows each command
as ``"module:attribute"`` and imports only the module of the command being run; ``--help``
imports them all to show their summaries.

A first word that is not a command is an API description or a profile:
``restwright SPEC_OR_PROFILE TAG OPERATION key=value ...`` (see :mod:`.operations`).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

import click

from .._version import __version__
from ..errors import RestwrightError
from .failures import EXIT_INTERRUPTED, failure_of

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

__all__ = ["LAZY_COMMANDS", "LazyGroup", "main"]

#: Every command of ``main``: name → ``"module:attribute"`` of its click command.
LAZY_COMMANDS: dict[str, str] = {
    "get": "restwright.cli.http:get_command",
    "post": "restwright.cli.http:post_command",
    "put": "restwright.cli.http:put_command",
    "patch": "restwright.cli.http:patch_command",
    "delete": "restwright.cli.http:delete_command",
    "head": "restwright.cli.http:head_command",
    "call": "restwright.cli.operations:call_command",
    "completion": "restwright.cli.completion:completion_command",
    "generate": "restwright.cli.generate:generate_command",
    "stubs": "restwright.cli.generate:stubs_command",
    "profile": "restwright.cli.profiles:profile_group",
    "kinto": "restwright.cli.kinto:kinto_group",
}


class LazyGroup(click.Group):
    """A click group whose commands are imported when first asked for, and which hands
    any other first word to :data:`fallback` (``"module:attribute"``) with every argument.

    A command whose module is not installed (an optional part of restwright left out)
    is skipped, as if it were not there.
    """

    def __init__(
        self, *args: Any, lazy: dict[str, str], fallback: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy
        self.fallback = fallback

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = set(self.commands) | {
            name for name in self.lazy if self.get_command(ctx, name) is not None
        }
        return sorted(names)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = self.commands.get(cmd_name)
        if command is not None or cmd_name not in self.lazy:
            return command
        loaded = _load(self.lazy[cmd_name])
        if loaded is not None:
            self.commands[cmd_name] = loaded
        return loaded

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        first = args[0]
        if self.fallback and not first.startswith("-") and self.get_command(ctx, first) is None:
            fallback = _load(self.fallback)
            if fallback is not None:
                return first, fallback, args
        return super().resolve_command(ctx, args)

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[CompletionItem]:
        # the first word is a command, else what the fallback's first argument completes
        # (bash's script drops every other offer when one is a file, so the fallback is
        # only asked when no command matches)
        items = super().shell_complete(ctx, incomplete)
        fallback = _load(self.fallback) if self.fallback and not items else None
        if fallback is not None and fallback.params:
            items = fallback.params[0].shell_complete(ctx, incomplete)
        return items

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RestwrightError as exc:
            raise failure_of(exc, ctx) from None
        except KeyboardInterrupt:
            # Ctrl-C: the shell's convention (128 + SIGINT), without click's "Aborted!"
            raise click.exceptions.Exit(EXIT_INTERRUPTED) from None


def _load(target: str) -> click.Command | None:
    """The command at ``"module:attribute"``, or ``None`` when its module is absent."""
    module_name, _, attribute = target.partition(":")
    try:
        module = import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name is not None and module_name.startswith(exc.name):
            return None
        raise
    command = getattr(module, attribute, None)
    return command if isinstance(command, click.Command) else None


@click.group(
    cls=LazyGroup,
    lazy=LAZY_COMMANDS,
    fallback="restwright.cli.operations:described_command",
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, prog_name="restwright")
def main() -> None:
    """restwright: any web API from the terminal, and typed Python clients for it.

    \b
      restwright get https://api.example/items q==dune Accept:application/json
      restwright post https://api.example/items title=Dune year:=1965
      restwright call api.yaml get_user user_id=me
      restwright api.yaml users get_user user_id=me
      restwright PROFILE TAG OPERATION key=value ...

    Exit codes: 0 ok, 1 other error, 2 usage, 3 API description or profile,
    4 client error (4xx), 5 server error (5xx), 6 network or timeout, 130 interrupted.
    """
