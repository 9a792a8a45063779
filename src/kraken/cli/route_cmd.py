"""`kraken route explain`: which route an OpsGenie webhook would take, and why.

Meant for the moment a route "does not fire": it shows every route tried and
each criterion's verdict, using the same parser and router as `kraken serve`.
Exit codes let scripts use it as a routing test: 0 matched, 1 no route,
2 an unusable alert or config file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from kraken.config import load_settings
from kraken.domain import Alert
from kraken.errors import ConfigError, PayloadError
from kraken.ingest.opsgenie import parse_webhook
from kraken.routing import Explanation, Router

EXIT_MATCHED, EXIT_NO_ROUTE, EXIT_BAD_FILE = 0, 1, 2


@click.group()
def route() -> None:
    """Inspect how alerts are routed."""


@route.command()
@click.argument("alert_file", metavar="ALERT.json", type=click.Path(path_type=Path))
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    envvar="KRAKEN_CONFIG",
    help="Kraken YAML configuration file (or $KRAKEN_CONFIG).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_context
def explain(
    ctx: click.Context, alert_file: Path, config_path: Path, as_json: bool
) -> None:
    """Show every route tried for the OpsGenie webhook payload in ALERT.json."""
    try:
        settings = load_settings(config_path, os.environ)
        alert = _read_alert(alert_file)
    except ConfigError as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        ctx.exit(EXIT_BAD_FILE)
    explanation = Router.from_settings(settings).explain(alert)
    if as_json:
        click.echo(json.dumps(_as_dict(explanation), indent=2))
    else:
        _print_table(explanation)
    ctx.exit(EXIT_MATCHED if explanation.chosen else EXIT_NO_ROUTE)


def _read_alert(path: Path) -> Alert:
    """The alert in `path`; every failure becomes a ConfigError naming the file."""
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError([f"{path}: cannot read: {exc.strerror}"]) from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError([f"{path}: not valid JSON: {exc}"]) from exc
    try:
        return parse_webhook(payload)
    except PayloadError as exc:
        raise ConfigError([f"{path}: {exc.field}: {exc.reason}"]) from exc


def _print_table(explanation: Explanation) -> None:
    # Criteria print as `tags_any [a,b]`, which rich would take for markup.
    console = Console(highlight=False, markup=False, soft_wrap=True)
    table = Table(title=f"alert {explanation.alert_id} ({explanation.action})")
    table.add_column("route")
    table.add_column("criterion")
    table.add_column("outcome")
    for trial in explanation.trials:
        label = f"{trial.label} {trial.name}"
        for outcome in trial.outcomes:
            verdict = "ok" if outcome.ok else f"{outcome.detail} — no match"
            criterion = f"{outcome.criterion} [{','.join(outcome.values)}]"
            table.add_row(label, criterion, verdict)
            label = ""
    console.print(table)
    chosen = explanation.chosen
    console.print(f"matched: {chosen.name}" if chosen else "no route matched")
    console.print(f"reason: {explanation.reason}")


def _as_dict(explanation: Explanation) -> dict[str, Any]:
    chosen = explanation.chosen
    return {
        "alert_id": explanation.alert_id,
        "action": explanation.action,
        "matched": chosen.name if chosen else None,
        "default": chosen.is_default if chosen else False,
        "reason": explanation.reason,
        "tried": [
            {
                "route": trial.name,
                "location": trial.label,
                "matched": trial.matched,
                "criteria": [
                    {
                        "criterion": outcome.criterion,
                        "values": list(outcome.values),
                        "ok": outcome.ok,
                        "detail": outcome.detail if not outcome.ok else "",
                        "text": str(outcome),
                    }
                    for outcome in trial.outcomes
                ],
            }
            for trial in explanation.trials
        ],
    }
