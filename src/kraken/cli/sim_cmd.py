"""`kraken sim`: serve the vendor simulators on loopback until interrupted.

The first stdout line is one JSON object with the URL and the simulator
credentials, so a script can start the simulators and read where they are.
Those credentials guard nothing real; printing them is the point.
"""

from __future__ import annotations

import asyncio
import json
import signal
from typing import Any

import click

from kraken.sim.settings import (
    DEMO_OAUTH_CLIENT_ID,
    DEMO_OAUTH_CLIENT_SECRET,
    DEMO_OPSGENIE_API_KEY,
    DEMO_SERVICENOW_PASSWORD,
    DEMO_SERVICENOW_USER,
    SimSettings,
)


def _headers(values: tuple[str, ...]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for value in values:
        name, sep, content = value.partition(":")
        if not sep or not name.strip():
            raise click.BadParameter(f"expected NAME:VALUE, got {value!r}")
        headers[name.strip()] = content.strip()
    return headers


def _banner(url: str, settings: SimSettings) -> dict[str, Any]:
    return {
        "url": url,
        "opsgenie": {"base_url": url, "api_key": settings.opsgenie_api_key},
        "servicenow": {
            "base_url": url,
            "username": settings.servicenow_user,
            "password": settings.servicenow_password,
            "client_id": settings.oauth_client_id,
            "client_secret": settings.oauth_client_secret,
        },
        "control": f"{url}/_sim/stats",
    }


async def _serve(settings: SimSettings, host: str, port: int) -> None:
    from kraken.sim.server import start_sim

    running = await start_sim(settings, host, port)
    click.echo(json.dumps(_banner(running.url, settings)), nl=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await running.stop()


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option(
    "--port", type=click.IntRange(0, 65535), default=0, help="0 = a free port."
)
@click.option("--webhook-url", default=None, help="Where OpsGenie webhooks are POSTed.")
@click.option(
    "--webhook-header", "webhook_headers", multiple=True, metavar="NAME:VALUE"
)
@click.option("--latency-ms", type=click.FloatRange(min=0), default=0.0)
@click.option("--error-rate", type=click.FloatRange(0, 1), default=0.0)
@click.option("--rate-limit-rate", type=click.FloatRange(0, 1), default=0.0)
@click.option("--redelivery-rate", type=click.FloatRange(0, 1), default=0.1)
@click.option("--seed", type=int, default=0)
@click.option(
    "--opsgenie-api-key",
    envvar="KRAKEN_SIM_OPSGENIE_API_KEY",
    default=DEMO_OPSGENIE_API_KEY,
)
@click.option(
    "--servicenow-user",
    envvar="KRAKEN_SIM_SERVICENOW_USER",
    default=DEMO_SERVICENOW_USER,
)
@click.option(
    "--servicenow-password",
    envvar="KRAKEN_SIM_SERVICENOW_PASSWORD",
    default=DEMO_SERVICENOW_PASSWORD,
)
@click.option(
    "--oauth-client-id",
    envvar="KRAKEN_SIM_OAUTH_CLIENT_ID",
    default=DEMO_OAUTH_CLIENT_ID,
)
@click.option(
    "--oauth-client-secret",
    envvar="KRAKEN_SIM_OAUTH_CLIENT_SECRET",
    default=DEMO_OAUTH_CLIENT_SECRET,
)
def sim(
    *,
    host: str,
    port: int,
    webhook_url: str | None,
    webhook_headers: tuple[str, ...],
    latency_ms: float,
    error_rate: float,
    rate_limit_rate: float,
    redelivery_rate: float,
    seed: int,
    opsgenie_api_key: str,
    servicenow_user: str,
    servicenow_password: str,
    oauth_client_id: str,
    oauth_client_secret: str,
) -> None:
    """Serve the OpsGenie and ServiceNow simulators on one loopback port.

    Knobs can be changed while running with `POST /_sim/settings`; counters
    are at `GET /_sim/stats`.
    """
    settings = SimSettings(
        opsgenie_api_key=opsgenie_api_key,
        servicenow_user=servicenow_user,
        servicenow_password=servicenow_password,
        oauth_client_id=oauth_client_id,
        oauth_client_secret=oauth_client_secret,
        webhook_url=webhook_url,
        webhook_headers=_headers(webhook_headers),
        latency_ms=latency_ms,
        error_rate=error_rate,
        rate_limit_rate=rate_limit_rate,
        redelivery_rate=redelivery_rate,
        seed=seed,
    )
    asyncio.run(_serve(settings, host, port))
