"""`kraken dlq`: see, replay and drop dead-lettered jobs.

Thin by design: find the database, call `JobQueue`, print. The database URL
comes from `--database-url`, else KRAKEN_DATABASE_URL, else `database.url` in
the `--config` file, else the local default.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final, TypeVar

import click
import yaml
from rich.console import Console
from rich.table import Table

from kraken.errors import ConfigError
from kraken.store import Job, JobQueue, create_engine_for, resolve_database_url, upgrade

_ERROR_PREVIEW: Final = 60
_REPLAY_ALL_PAGE: Final = 500

F = TypeVar("F", bound=Callable[..., Any])


def _database_options(func: F) -> F:
    func = click.option(
        "--database-url",
        metavar="URL",
        help="Database to use, e.g. sqlite:///kraken.db or postgresql://host/db. "
        "Beats KRAKEN_DATABASE_URL and --config.",
    )(func)
    return click.option(
        "--config",
        "config_file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Kraken config file; only its database.url is read.",
    )(func)


def _json_option(func: F) -> F:
    return click.option(
        "--json", "as_json", is_flag=True, help="Print JSON for scripts instead."
    )(func)


@click.group()
def dlq() -> None:
    """Inspect, replay and drop dead-lettered jobs.

    A job is dead-lettered when it has used all its attempts, or failed in a
    way retrying cannot fix (an incomplete ticket, a request the vendor
    refused). Fix the cause, then `replay` the job; or `drop` it for good.
    """


@dlq.command("list")
@_database_options
@_json_option
@click.option(
    "--limit",
    default=100,
    show_default=True,
    type=click.IntRange(min=1),
    help="Show at most this many jobs, most recent failure first.",
)
def list_jobs(
    config_file: Path | None, database_url: str | None, as_json: bool, limit: int
) -> None:
    """List dead-lettered jobs, most recent failure first."""
    with _queue(config_file, database_url) as queue:
        jobs = queue.list_dead(limit=limit)
    if as_json:
        click.echo(json.dumps([_job_summary(job) for job in jobs], indent=2))
        return
    if not jobs:
        click.echo("No dead-lettered jobs.")
        return
    now = time.time()
    table = Table(title=f"Dead-lettered jobs ({len(jobs)})")
    table.add_column("id", justify="right")
    table.add_column("alert_id")
    table.add_column("action")
    table.add_column("attempts", justify="right")
    table.add_column("last error")
    table.add_column("age", justify="right")
    for job in jobs:
        table.add_row(
            str(job.id),
            job.alert_id,
            job.action,
            f"{job.attempts}/{job.max_attempts}",
            _preview(job.last_error),
            _age(now - job.created_at),
        )
    Console().print(table)


@dlq.command("show")
@click.argument("job_id", type=int)
@_database_options
@_json_option
def show(
    job_id: int, config_file: Path | None, database_url: str | None, as_json: bool
) -> None:
    """Show one job (in any state): its details, last error and event payload."""
    with _queue(config_file, database_url) as queue:
        job = queue.get(job_id)
    if job is None:
        raise click.ClickException(f"no job with id {job_id}")
    if as_json:
        click.echo(json.dumps({**_job_summary(job), "payload": job.payload}, indent=2))
        return
    console = Console()
    console.print(f"[bold]Job {job.id}[/bold] ({job.state})", highlight=False)
    for label, value in _job_fields(job):
        console.print(f"  {label:<12} {value}", highlight=False, markup=False)
    console.print("[bold]Last error[/bold]")
    console.print(job.last_error or "(none)", highlight=False, markup=False)
    console.print("[bold]Event payload[/bold]")
    console.print_json(json.dumps(job.payload))


@dlq.command("replay")
@click.argument("job_ids", nargs=-1, type=int)
@click.option("--all", "replay_all", is_flag=True, help="Replay every dead job.")
@_database_options
def replay(
    job_ids: tuple[int, ...],
    replay_all: bool,
    config_file: Path | None,
    database_url: str | None,
) -> None:
    """Run dead jobs again with a fresh attempt budget.

    Give job ids, or --all. Every id must name a dead job; if one does not,
    nothing is replayed. Fix the cause first: a replayed job that fails the
    same way comes back here after its attempts.
    """
    if bool(job_ids) == replay_all:
        raise click.UsageError("give job ids or --all, not both or neither")
    with _queue(config_file, database_url) as queue:
        if replay_all:
            replayed = _replay_every_dead_job(queue)
        else:
            _require_dead(queue, job_ids)
            replayed = [job_id for job_id in job_ids if queue.replay(job_id)]
    _report("Replayed", replayed, job_ids)


@dlq.command("drop")
@click.argument("job_ids", nargs=-1, type=int, required=True)
@_database_options
def drop(
    job_ids: tuple[int, ...], config_file: Path | None, database_url: str | None
) -> None:
    """Give up on dead jobs for good; they stay in the database as 'dropped'.

    Every id must name a dead job; if one does not, nothing is dropped.
    """
    with _queue(config_file, database_url) as queue:
        _require_dead(queue, job_ids)
        dropped = [job_id for job_id in job_ids if queue.drop(job_id)]
    _report("Dropped", dropped, job_ids)


def _replay_every_dead_job(queue: JobQueue) -> list[int]:
    replayed: list[int] = []
    # Replayed jobs leave the dead state, so each page is a fresh one.
    while page := queue.list_dead(limit=_REPLAY_ALL_PAGE):
        done = [job.id for job in page if queue.replay(job.id)]
        if not done:  # another operator got there first
            break
        replayed.extend(done)
    return replayed


def _require_dead(queue: JobQueue, job_ids: Sequence[int]) -> None:
    problems: list[str] = []
    for job_id in job_ids:
        job = queue.get(job_id)
        if job is None:
            problems.append(f"no job with id {job_id}")
        elif job.state != "dead":
            problems.append(f"job {job_id} is {job.state}, not dead")
    if problems:
        raise click.ClickException("; ".join(problems) + " (nothing changed)")


def _report(verb: str, changed: list[int], requested: Sequence[int]) -> None:
    if changed:
        ids = ", ".join(str(job_id) for job_id in changed)
        click.echo(f"{verb} {len(changed)} job(s): {ids}")
    else:
        click.echo(f"{verb} 0 jobs.")
    missed = [job_id for job_id in requested if job_id not in changed]
    if missed:
        # Only a concurrent change can get here: every id was checked first.
        ids = ", ".join(str(job_id) for job_id in missed)
        raise click.ClickException(f"changed by someone else meanwhile: {ids}")


@contextmanager
def _queue(config_file: Path | None, database_url: str | None) -> Iterator[JobQueue]:
    """A queue on the chosen database, migrated first.

    Store and config errors propagate: `kraken.cli.main` prints them and exits
    with their own code (75 for an unreachable database, 78 for bad config).
    """
    url = database_url or resolve_database_url(_configured_url(config_file))
    engine = create_engine_for(url)
    try:
        # A fresh database has no tables yet; an empty DLQ is the answer.
        upgrade(engine)
        yield JobQueue(engine)
    finally:
        engine.dispose()


def _configured_url(config_file: Path | None) -> str | None:
    """`database.url` from the config file, read without the config package.

    The full config model validates everything (routes, templates); the DLQ
    must still work when an unrelated part of the file is broken.
    """
    if config_file is None:
        return None
    try:
        document = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError([f"{config_file}: cannot read YAML: {exc}"]) from exc
    database = document.get("database") if isinstance(document, dict) else None
    url = database.get("url") if isinstance(database, dict) else None
    if url is not None and not isinstance(url, str):
        raise ConfigError([f"{config_file}: database.url must be a string"])
    return url


def _job_summary(job: Job) -> dict[str, Any]:
    return {
        "id": job.id,
        "event_id": job.event_id,
        "state": str(job.state),
        "kind": job.kind,
        "provider": job.provider,
        "alert_id": job.alert_id,
        "action": job.action,
        "attempts": job.attempts,
        "max_attempts": job.max_attempts,
        "last_error": job.last_error,
        "created_at": job.created_at,
        "updated_at": job.updated_at,
    }


def _job_fields(job: Job) -> list[tuple[str, str]]:
    now = time.time()
    return [
        ("kind", job.kind),
        ("provider", job.provider),
        ("alert_id", job.alert_id),
        ("action", job.action),
        ("attempts", f"{job.attempts}/{job.max_attempts}"),
        ("event_id", str(job.event_id)),
        ("created", f"{_age(now - job.created_at)} ago"),
        ("updated", f"{_age(now - job.updated_at)} ago"),
    ]


def _preview(error: str | None) -> str:
    if not error:
        return ""
    first_line = error.strip().splitlines()[0] if error.strip() else ""
    if len(first_line) <= _ERROR_PREVIEW:
        return first_line
    return first_line[: _ERROR_PREVIEW - 1] + "…"


def _age(seconds: float) -> str:
    """A short human age: 42s, 7m, 5h, 3d."""
    seconds = max(0.0, seconds)
    for unit, size in (("d", 86_400), ("h", 3_600), ("m", 60)):
        if seconds >= size:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds)}s"
