"""``restwright generate`` (a typed client package) and ``restwright stubs`` (``.pyi`` stubs
for the runtime client) for an API document."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("generate")
@click.argument("spec", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--package", "package", required=True, help="Dotted name of the package to write.")
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Directory the package folder is written into (a previous one there is replaced).",
)
def generate_command(spec: Path, package: str, out: Path) -> None:
    """Generate a typed client package from the API document SPEC (OpenAPI 2.0/3.0/3.1)."""
    from ..generator import generate

    if not all(part.isidentifier() for part in package.split(".")):
        raise click.BadParameter(f"{package!r} is not a dotted Python name", param_hint="--package")
    summary = generate(spec, package, out)
    click.echo(summary.report())


@click.command("stubs")
@click.argument("spec", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out",
    "-o",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The .pyi file to write (default: standard output).",
)
def stubs_command(spec: Path, out: Path | None) -> None:
    """Write .pyi stubs typing restwright.from_openapi(SPEC)'s client (Client, AsyncClient)."""
    from ..generator.stubs import render_stubs
    from ..openapi.loader import load

    text, fallbacks = render_stubs(load(spec.read_bytes(), cache=False), spec.name)
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
    for entry in fallbacks:
        click.echo(f"typed more loosely than the document: {entry}", err=True)
