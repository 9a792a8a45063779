"""`kraken replay FILE.jsonl [--dry-run]`: recorded webhooks through the same path."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from sqlalchemy import make_url, select
from sqlalchemy.exc import SQLAlchemyError

from kraken.cli.common import config_option, load
from kraken.config.models import Settings
from kraken.domain import Alert
from kraken.errors import PayloadError, StoreError
from kraken.ingest.providers import AlertProvider, get_provider
from kraken.playbooks.plan import Planner
from kraken.routing import Router
from kraken.runtime import Runtime, serving
from kraken.store import (
    NewEvent,
    accept_events,
    create_engine_for,
    resolve_database_url,
)
from kraken.store.schema import events
from kraken.templates import build_ticket_templates

console = Console(stderr=True)


@dataclass(frozen=True, slots=True)
class _Line:
    number: int
    alert: Alert | None
    payload: dict[str, Any] | None
    error: str = ""


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@config_option
@click.option(
    "--dry-run", is_flag=True, help="Show every action it would take; take none."
)
@click.option(
    "--provider",
    default="opsgenie",
    show_default=True,
    help="Alert provider whose webhook payloads the file holds.",
)
@click.option(
    "--wait/--no-wait",
    default=True,
    show_default=True,
    help="Work the replayed jobs to the end here, with a progress bar.",
)
def replay(
    file: Path, config_path: Path, dry_run: bool, provider: str, wait: bool
) -> None:
    """Feed recorded webhook payloads (one JSON object per line) through the
    same inbox, routing and playbooks as live webhooks. Payloads already in
    the inbox are recognised by their idempotency key and not run twice."""
    settings = load(config_path)
    alert_provider = get_provider(provider)
    if alert_provider is None:
        raise click.BadParameter(
            f"unknown provider {provider!r}", param_hint="--provider"
        )
    lines = list(_read_lines(file, alert_provider))
    bad = [line for line in lines if line.alert is None]
    for line in bad:
        console.print(f"[red]line {line.number}[/red]: {line.error}")
    good = [line for line in lines if line.alert is not None]
    if dry_run:
        _show_plans(settings, alert_provider, good)
    else:
        asyncio.run(_replay(settings, alert_provider, good, wait=wait))
    click.echo(f"lines: {len(lines)}, usable: {len(good)}, rejected: {len(bad)}")
    if bad:
        raise SystemExit(1)


def _read_lines(path: Path, provider: AlertProvider) -> Iterator[_Line]:
    with path.open(encoding="utf-8") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                payload = json.loads(raw)
                if not isinstance(payload, dict):
                    raise PayloadError("payload", "must be a JSON object")
                alert = provider.parse_webhook(payload)
            except json.JSONDecodeError as exc:
                yield _Line(number, None, None, f"invalid JSON: {exc}")
            except PayloadError as exc:
                yield _Line(number, None, None, str(exc))
            else:
                yield _Line(number, alert, payload)


def _show_plans(
    settings: Settings, provider: AlertProvider, lines: list[_Line]
) -> None:
    planner = Planner(
        router=Router.from_settings(settings),
        templates=build_ticket_templates(settings),
        required_fields=tuple(settings.servicenow.required_fields),
    )
    keys = [provider.idempotency_key(line.alert) for line in lines if line.alert]
    known = _known_keys(settings, keys)
    first_seen: dict[str, int] = {}
    click.echo("dry run: nothing will be written or sent")
    for line in lines:
        if line.alert is None:
            continue
        alert = line.alert
        key = provider.idempotency_key(alert)
        header = f"line {line.number}: alert {alert.alert_id} {alert.action}"
        if key in known:
            click.echo(f"{header}: already in the inbox, nothing to do")
            continue
        if key in first_seen:
            click.echo(f"{header}: duplicate of line {first_seen[key]}, nothing to do")
            continue
        first_seen[key] = line.number
        plan = planner.plan(alert)
        click.echo(f"{header}: route {plan.route or '-'}: {plan.reason}")
        for description in plan.describe():
            click.echo(f"  - {description}")


def _known_keys(settings: Settings, keys: list[str]) -> set[str]:
    """Keys already in the inbox; empty when there is no database yet. Never
    creates one: a dry run leaves no trace."""
    url = resolve_database_url(settings.database.url)
    parsed = make_url(url)
    sqlite = parsed.drivername.startswith("sqlite")
    if sqlite and not (parsed.database and Path(parsed.database).exists()):
        return set()
    engine = create_engine_for(url)
    try:
        with engine.connect() as conn:
            query = select(events.c.idempotency_key).where(
                events.c.idempotency_key.in_(keys)
            )
            return {row[0] for row in conn.execute(query)}
    except (StoreError, SQLAlchemyError):  # no schema yet: nothing is known
        return set()
    finally:
        engine.dispose()


async def _replay(
    settings: Settings, provider: AlertProvider, lines: list[_Line], *, wait: bool
) -> None:
    runtime = Runtime.build(settings)
    try:
        new_events = [
            NewEvent(
                provider=provider.name,
                idempotency_key=provider.idempotency_key(line.alert),
                alert_id=line.alert.alert_id,
                action=line.alert.action,
                payload=line.payload or {},
                received_at=time.time(),
                source="replay",
            )
            for line in lines
            if line.alert is not None
        ]
        with runtime.engine.begin() as conn:
            accepted = accept_events(
                conn, new_events, max_attempts=settings.worker.max_attempts
            )
        job_ids = [a.job_id for a in accepted if a.job_id is not None]
        click.echo(
            f"accepted: {len(job_ids)}, duplicates: {len(accepted) - len(job_ids)}"
        )
        if wait and job_ids:
            await _work_until_settled(runtime, job_ids)
    finally:
        await runtime.aclose()


async def _work_until_settled(runtime: Runtime, job_ids: list[int]) -> None:
    columns = (TextColumn("replaying"), BarColumn(), MofNCompleteColumn())
    async with serving(runtime, host="", port=0, with_server=False, with_poller=False):
        with Progress(*columns, console=console) as progress:
            task = progress.add_task("jobs", total=len(job_ids))
            while True:
                states = await asyncio.to_thread(_states, runtime, job_ids)
                settled = sum(1 for s in states if s in ("done", "dead", "dropped"))
                progress.update(task, completed=settled)
                if settled == len(job_ids):
                    break
                await asyncio.sleep(0.2)
    dead = sum(1 for s in states if s == "dead")
    click.echo(f"done: {len(job_ids) - dead}, dead-lettered: {dead}")


def _states(runtime: Runtime, job_ids: list[int]) -> list[str]:
    states = []
    for job_id in job_ids:
        job = runtime.queue.get(job_id)
        states.append(job.state if job else "missing")
    return states
