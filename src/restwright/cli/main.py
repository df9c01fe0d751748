"""The ``main`` command group, with every command module registered on it."""

from __future__ import annotations

import click

from .._version import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="restwright")
def main() -> None:
    """restwright: typed, well-behaved Python clients for web APIs."""


def _register() -> None:
    from . import generate

    main.add_command(generate.generate_command)
    main.add_command(generate.stubs_command)


_register()
