"""The `kraken` command. Subcommands load lazily so `kraken --help` is instant
and a command's heavy imports (scikit-learn, uvicorn) cost only that command."""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from kraken import __version__
from kraken.errors import KrakenError

# name -> "module:attribute"; each module owns one command or group.
_COMMANDS: dict[str, str] = {
    "config": "kraken.cli.config_cmd:config",
    "route": "kraken.cli.route_cmd:route",
    "serve": "kraken.cli.serve_cmd:serve",
    "worker": "kraken.cli.serve_cmd:worker",
    "dlq": "kraken.cli.dlq_cmd:dlq",
    "replay": "kraken.cli.replay_cmd:replay",
    "sim": "kraken.cli.sim_cmd:sim",
    "demo": "kraken.cli.demo_cmd:demo",
    "train": "kraken.cli.phishing_cmd:train",
    "evaluate": "kraken.cli.phishing_cmd:evaluate",
    "classify": "kraken.cli.phishing_cmd:classify",
    "model": "kraken.cli.phishing_cmd:model",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = _COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        command = getattr(importlib.import_module(module_name), attr)
        if not isinstance(command, click.Command):
            raise TypeError(f"{target} is not a click command")
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kraken")
def cli() -> None:
    """Kraken: SOC automation between OpsGenie, ServiceNow and Cofense Triage.

    Alerts arrive by webhook (`kraken serve`) or polling, are routed by their
    tags, and become complete ServiceNow incidents. Phishing reports are
    triaged by a model trained on your own labelled history (`kraken train`).
    `kraken demo` runs everything against local simulators.
    """


def main(argv: list[str] | None = None) -> Any:
    try:
        return cli.main(args=argv, prog_name="kraken", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except KrakenError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
