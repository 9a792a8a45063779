"""`kraken demo`: everything against the simulators, on loopback, no setup."""

from __future__ import annotations

import asyncio
import json
import tempfile
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from kraken import logs
from kraken.cli.common import stop_on_signals


@click.command()
@click.option(
    "--alerts",
    "alert_count",
    type=click.IntRange(min=1),
    default=200,
    show_default=True,
    help="Alert creations to stream (some repeat an alias).",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the summary as one JSON object on the last line of stdout.",
)
@click.option(
    "--hold",
    is_flag=True,
    help="Print connection details as one JSON line first, and keep "
    "everything running after the summary until SIGINT/SIGTERM.",
)
@click.option(
    "--seed",
    type=int,
    default=7,
    show_default=True,
    help="Seed of the alert stream and the simulators' faults.",
)
@click.option(
    "--workdir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Keep the demo's config and SQLite file here (default: a temp dir).",
)
def demo(
    alert_count: int, as_json: bool, hold: bool, seed: int, workdir: Path | None
) -> None:
    """Watch alerts flow from a simulated OpsGenie into a simulated ServiceNow.

    Starts the simulators, the webhook server and a worker on free loopback
    ports with a throw-away SQLite database, creates a stream of alerts from
    several sources (with duplicate aliases, redelivered webhooks, injected
    vendor errors and a few malformed posts), waits until every alert has an
    outcome and prints a summary.
    """
    logs.configure("ERROR")
    if workdir is not None:
        workdir.mkdir(parents=True, exist_ok=True)
        result = asyncio.run(_run(workdir, alert_count, seed, hold, as_json))
    else:
        with tempfile.TemporaryDirectory(prefix="kraken-demo-") as tmp:
            result = asyncio.run(_run(Path(tmp), alert_count, seed, hold, as_json))
    if result["lost"] or result["duplicate_tickets"] or result["dead_lettered"]:
        raise SystemExit(1)


async def _run(
    workdir: Path, alerts: int, seed: int, hold: bool, quiet: bool
) -> dict[str, Any]:
    from kraken.demo.run import run_demo

    stop = stop_on_signals() if hold else None

    def on_hold(details: dict[str, str]) -> Any:
        click.echo(json.dumps(details))
        if stop is None:  # pragma: no cover - on_hold is only passed with --hold
            raise RuntimeError("--hold without a stop event")
        return stop.wait()

    console = Console(stderr=True)
    columns = (TextColumn("alerts settled"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=console, transient=True, disable=quiet) as bar:
        task = bar.add_task("settle", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return await run_demo(
            workdir=workdir,
            alerts=alerts,
            seed=seed,
            hold=on_hold if hold else None,
            progress=progress,
            report=_print_json if quiet else _print_table,
        )


def _print_json(result: dict[str, Any]) -> None:
    click.echo(json.dumps(result, sort_keys=True))


def _print_table(result: dict[str, Any]) -> None:
    table = Table(title="Kraken demo")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key, value in result.items():
        if key == "latency_ms":
            table.add_row("latency p50 (ms)", str(value["p50"]))
            table.add_row("latency p99 (ms)", str(value["p99"]))
        else:
            table.add_row(key.replace("_", " "), str(value))
    Console().print(table)
