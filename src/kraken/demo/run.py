"""Run the demo: simulators, server and worker on loopback, a stream of
alerts through the OpsGenie simulator, a wait until every alert has an
outcome, and a summary."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

from kraken.config.loader import load_settings
from kraken.connectors.opsgenie.client import OpsGenieClient
from kraken.demo import scenario, summary, traffic
from kraken.demo.config import write_demo_config
from kraken.runtime import Runtime, serving
from kraken.sim.server import start_sim
from kraken.sim.settings import SimSettings

WEBHOOK_HEADER = "X-Kraken-Token"
SETTLE_POLL_SECONDS = 0.1


async def run_demo(
    *,
    workdir: Path,
    alerts: int,
    seed: int,
    hold: Callable[[dict[str, str]], Any] | None = None,
    progress: Callable[[int, int], None] | None = None,
    report: Callable[[dict[str, Any]], None] | None = None,
    timeout_seconds: float | None = None,
) -> dict[str, Any]:
    """Run one demo and return its summary, also handed to `report` as soon
    as it is made. With `hold`, call it with the connection details before the
    stream starts, and after the report await what it returned (a wait for a
    signal) before tearing everything down."""
    sim_settings = SimSettings(
        redelivery_rate=0.1, error_rate=0.02, rate_limit_rate=0.02, seed=seed
    )
    sim = await start_sim(sim_settings)
    token = secrets.token_urlsafe(24)
    config_path = write_demo_config(
        workdir / "kraken.yaml",
        database_url=f"sqlite:///{workdir / 'kraken-demo.db'}",
        opsgenie_url=sim.url,
        servicenow_url=sim.url,
    )
    environ = {
        "KRAKEN_WEBHOOK_TOKEN": token,
        "KRAKEN_OPSGENIE_API_KEY": sim_settings.opsgenie_api_key,
        "KRAKEN_SERVICENOW_PASSWORD": sim_settings.servicenow_password,
    }
    settings = load_settings(config_path, environ)
    runtime = Runtime.build(settings)
    try:
        async with serving(runtime, host="127.0.0.1", port=0) as running:
            if running is None:  # pragma: no cover - serving() was asked for one
                raise RuntimeError("the demo server did not start")
            webhook_url = f"{running.url}/webhooks/opsgenie"
            async with httpx.AsyncClient(base_url=sim.url, timeout=10.0) as control:
                await control.post(
                    "/_sim/settings",
                    json={
                        "webhook_url": webhook_url,
                        "webhook_headers": {WEBHOOK_HEADER: token},
                    },
                )
                waiter = None
                if hold is not None:
                    waiter = hold(
                        {
                            "webhook_url": webhook_url,
                            "webhook_header": WEBHOOK_HEADER,
                            "webhook_token": token,
                            "opsgenie_url": sim.url,
                            "opsgenie_api_key": sim_settings.opsgenie_api_key,
                            "servicenow_url": sim.url,
                            "servicenow_user": sim_settings.servicenow_user,
                            "servicenow_password": sim_settings.servicenow_password,
                        }
                    )
                result = await _stream_and_wait(
                    runtime,
                    control,
                    sim_settings,
                    webhook_url,
                    token,
                    alerts=alerts,
                    seed=seed,
                    progress=progress,
                    timeout_seconds=timeout_seconds or 60.0 + alerts * 0.2,
                )
                if report is not None:
                    report(result)
                if waiter is not None:
                    await waiter
                return result
    finally:
        await runtime.aclose()
        await sim.stop()


async def _stream_and_wait(
    runtime: Runtime,
    control: httpx.AsyncClient,
    sim_settings: SimSettings,
    webhook_url: str,
    token: str,
    *,
    alerts: int,
    seed: int,
    progress: Callable[[int, int], None] | None,
    timeout_seconds: float,
) -> dict[str, Any]:
    stream = scenario.generate(alerts, seed=seed)
    client = OpsGenieClient(
        str(control.base_url).rstrip("/"), SecretStr(sim_settings.opsgenie_api_key)
    )
    try:
        await traffic.create_alerts(client, stream)
    finally:
        await client.aclose()
    rejected = await traffic.send_malformed(webhook_url, WEBHOOK_HEADER, token)

    alert_ids = await _sim_alert_ids(control)
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        waiting = await asyncio.to_thread(summary.unsettled, runtime.engine, alert_ids)
        if progress is not None:
            progress(len(alert_ids) - waiting, len(alert_ids))
        in_flight = await asyncio.to_thread(summary.jobs_in_flight, runtime.engine)
        if waiting == 0 and in_flight == 0:
            break
        await asyncio.sleep(SETTLE_POLL_SECONDS)

    stats = (await control.get("/_sim/stats")).json()
    return summary.summarise(
        engine=runtime.engine,
        metrics=runtime.metrics,
        planner=runtime.planner,
        sim_stats=stats,
        sim_alert_ids=alert_ids,
        malformed_rejected=rejected,
    )


async def _sim_alert_ids(control: httpx.AsyncClient) -> list[str]:
    alerts = (await control.get("/_sim/opsgenie/alerts")).json()
    records = alerts.get("alerts", alerts) if isinstance(alerts, dict) else alerts
    return [str(a["id"]) for a in records]
