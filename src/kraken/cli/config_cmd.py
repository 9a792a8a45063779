"""`kraken config check`: every problem in a config file, before anything runs.

Missing secrets are warnings, not problems: configs are checked on build
machines and in CI, where production secrets rightly are not present.
"""

from __future__ import annotations

from pathlib import Path

import click

from kraken.config import evaluate_settings, missing_secrets


@click.group()
def config() -> None:
    """Validate Kraken configuration files."""


@config.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def check(ctx: click.Context, file: Path) -> None:
    """Report every problem in FILE with its location; exit 1 if there are any."""
    settings, problems = evaluate_settings(file)
    if problems or settings is None:
        for problem in problems:
            click.echo(problem)
        ctx.exit(1)
    for var in missing_secrets(settings):
        click.echo(f"warning: {var} is not set", err=True)
    click.echo(f"ok: {file} ({len(settings.routes)} routes)")
