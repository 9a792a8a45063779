"""`kraken serve` (webhook server + workers) and `kraken worker` (workers only)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from kraken import systemd
from kraken.cli.common import config_option, load, stop_on_signals
from kraken.config.models import Settings
from kraken.logs import get_logger
from kraken.runtime import Runtime, serving

log = get_logger(__name__)


@click.command()
@config_option
@click.option("--host", help="Listen address (default: server.host).")
@click.option("--port", type=int, help="Listen port (default: server.port; 0 = any).")
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Worker loops in this process (each runs worker.concurrency jobs).",
)
def serve(config_path: Path, host: str | None, port: int | None, workers: int) -> None:
    """Run the webhook server, the workers and (if enabled) the poller.

    Accepts POST /webhooks/opsgenie, serves /healthz, /readyz and /metrics,
    and works the job queue. Stops gracefully on SIGINT or SIGTERM: in-flight
    jobs get a grace period, then go back to the queue.
    """
    settings = load(config_path)
    bind_host = host or settings.server.host
    bind_port = settings.server.port if port is None else port
    asyncio.run(_run(settings, bind_host, bind_port, workers, with_server=True))


@click.command()
@config_option
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Worker loops in this process.",
)
@click.option(
    "--poll/--no-poll",
    default=False,
    show_default=True,
    help="Also run the OpsGenie poller here (run it in one process only).",
)
def worker(config_path: Path, workers: int, poll: bool) -> None:
    """Run workers only, for scale-out: many `kraken worker` processes on many
    machines share one PostgreSQL queue (jobs are claimed with SKIP LOCKED)."""
    settings = load(config_path)
    asyncio.run(_run(settings, "", 0, workers, with_server=False, poll=poll))


async def _run(
    settings: Settings,
    host: str,
    port: int,
    workers: int,
    *,
    with_server: bool,
    poll: bool | None = None,
) -> None:
    stop = stop_on_signals()
    runtime = Runtime.build(settings)
    try:
        async with serving(
            runtime,
            host=host,
            port=port,
            workers=workers,
            with_server=with_server,
            with_poller=poll,
        ) as running:
            if running is not None:
                click.echo(f"kraken: listening on {running.url}", err=True)
            systemd.notify("READY=1")
            await _wait_with_watchdog(stop)
            systemd.notify("STOPPING=1")
    finally:
        await runtime.aclose()


async def _wait_with_watchdog(stop: asyncio.Event) -> None:
    interval = systemd.watchdog_interval()
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), timeout=interval)
        except TimeoutError:
            systemd.notify("WATCHDOG=1")
