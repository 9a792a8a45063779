"""The `kraken` command. Subcommands load lazily so `kraken --help` is instant
and a command's heavy imports (scikit-learn, uvicorn) cost only that command."""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from kraken import __version__
from kraken.errors import KrakenError

# name -> ("module:attribute", one-line help). Each module owns one command
# or group; the help line here lets `kraken --help` list commands without
# importing them.
_COMMANDS: dict[str, tuple[str, str]] = {
    "config": ("kraken.cli.config_cmd:config", "Check a configuration file."),
    "route": ("kraken.cli.route_cmd:route", "Explain which route an alert takes."),
    "serve": ("kraken.cli.serve_cmd:serve", "Run the webhook server and workers."),
    "worker": ("kraken.cli.serve_cmd:worker", "Run workers only (scale-out)."),
    "dlq": ("kraken.cli.dlq_cmd:dlq", "List, show, replay or drop dead jobs."),
    "replay": (
        "kraken.cli.replay_cmd:replay",
        "Feed recorded webhooks through Kraken.",
    ),
    "sim": ("kraken.cli.sim_cmd:sim", "Serve the OpsGenie/ServiceNow simulators."),
    "demo": ("kraken.cli.demo_cmd:demo", "Run everything against the simulators."),
    "train": ("kraken.cli.phishing_cmd:train", "Train a phishing model."),
    "evaluate": ("kraken.cli.phishing_cmd:evaluate", "Evaluate a phishing model."),
    "classify": ("kraken.cli.phishing_cmd:classify", "Classify one reported email."),
    "model": ("kraken.cli.phishing_cmd:model", "List, promote or roll back models."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in _COMMANDS:
            return None
        module_name, attr = _COMMANDS[cmd_name][0].split(":")
        command = getattr(importlib.import_module(module_name), attr)
        if not isinstance(command, click.Command):
            raise TypeError(f"{module_name}:{attr} is not a click command")
        return command

    def format_commands(
        self, ctx: click.Context, formatter: click.HelpFormatter
    ) -> None:
        rows = [(name, _COMMANDS[name][1]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


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
