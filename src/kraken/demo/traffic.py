"""The demo's traffic: alerts created through the OpsGenie simulator's API, and
a few malformed webhook posts straight at Kraken, as real senders produce."""

from __future__ import annotations

import asyncio
import json

import httpx

from kraken.connectors.opsgenie.client import OpsGenieClient
from kraken.demo.scenario import DemoAlert
from kraken.errors import RetryableConnectorError

CREATE_CONCURRENCY = 16
MAX_CREATE_TRIES = 20


async def create_alerts(client: OpsGenieClient, alerts: list[DemoAlert]) -> int:
    """Create every alert, retrying the simulator's injected failures; returns
    the number of create requests accepted."""
    slots = asyncio.Semaphore(CREATE_CONCURRENCY)

    async def create(alert: DemoAlert) -> None:
        async with slots:
            for attempt in range(MAX_CREATE_TRIES):
                try:
                    await client.create_alert(
                        message=alert.message,
                        alias=alert.alias,
                        tags=alert.tags,
                        priority=alert.priority,
                        source=alert.source,
                        entity=alert.entity,
                        description=alert.description,
                        details=alert.details,
                    )
                    return
                except RetryableConnectorError as exc:
                    await asyncio.sleep(min(exc.retry_after or 0.05 * 2**attempt, 1.0))
            raise RuntimeError("the simulator kept failing alert creation")

    await asyncio.gather(*(create(alert) for alert in alerts))
    return len(alerts)


async def send_malformed(webhook_url: str, header: str, token: str) -> int:
    """Post the kinds of bad input a webhook receiver meets; returns how many
    were rejected with a 4xx, as they all should be."""
    good_headers = {header: token, "Content-Type": "application/json"}
    attempts: list[tuple[dict[str, str], bytes]] = [
        (good_headers, b'{"action": "Create", "alert": {'),  # truncated JSON
        (good_headers, json.dumps({"action": "Create", "alert": {}}).encode()),
        ({header: token, "Content-Type": "text/plain"}, b"action=Create"),
        ({header: "wrong-token", "Content-Type": "application/json"}, b"{}"),
        (good_headers, b'{"pad": "' + b"x" * (1024 * 1024 + 10) + b'"}'),
    ]
    rejected = 0
    async with httpx.AsyncClient(timeout=10.0) as client:
        for headers, body in attempts:
            response = await client.post(webhook_url, content=body, headers=headers)
            if 400 <= response.status_code < 500:
                rejected += 1
    return rejected
