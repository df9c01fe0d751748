"""``restwright completion bash|zsh|fish``: the shell's completion script.

Completion is click's own machinery (the script calls ``restwright`` back with
``_RESTWRIGHT_COMPLETE`` set); restwright adds what click cannot know: the tags,
operations and parameter names of the API description named on the command line
(:mod:`.operations`), read from the description cache.
"""

from __future__ import annotations

import click
from click.shell_completion import get_completion_class

__all__ = ["COMPLETE_VAR", "completion_command"]

COMPLETE_VAR = "_RESTWRIGHT_COMPLETE"


@click.command("completion", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
def completion_command(shell: str) -> None:
    """Print the completion script of SHELL; enable it with, for bash,
    ``eval "$(restwright completion bash)"`` in ~/.bashrc (zsh: ~/.zshrc; fish:
    ``restwright completion fish | source`` in config.fish)."""
    from .main import main

    completion_class = get_completion_class(shell)
    assert completion_class is not None  # the three choices are click's built-in shells
    click.echo(completion_class(main, {}, "restwright", COMPLETE_VAR).source())
