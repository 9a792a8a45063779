"""Outgoing OpsGenie webhooks, sent in the background and at least once.

The API answer never waits for a webhook, as with the real service; a share of
deliveries (`redelivery_rate`) is sent twice so that receivers must be
idempotent, which is the whole point of testing against this simulator.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from kraken.logs import get_logger
from kraken.sim.runtime import SimRuntime

WEBHOOK_TIMEOUT = httpx.Timeout(5.0, connect=2.0)
DRAIN_TIMEOUT_S = 5.0
"""How long `stop()` waits for deliveries still in flight."""

log = get_logger(__name__)


class WebhookSender:
    """Posts payloads to the configured URL; counts what got through."""

    def __init__(self, runtime: SimRuntime) -> None:
        self._runtime = runtime
        self._client: httpx.AsyncClient | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.sent = 0
        self.failed = 0

    async def start(self) -> None:
        self._client = httpx.AsyncClient(timeout=WEBHOOK_TIMEOUT)

    async def stop(self) -> None:
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=DRAIN_TIMEOUT_S)
        for task in self._tasks:
            task.cancel()
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def fire(self, payload: dict[str, Any]) -> None:
        """Schedule delivery (once, or twice by chance) without waiting for it."""
        url = self._runtime.settings.webhook_url
        if url is None or self._client is None:
            return
        copies = (
            2
            if self._runtime.rng.random() < self._runtime.settings.redelivery_rate
            else 1
        )
        headers = dict(self._runtime.settings.webhook_headers)
        task = asyncio.create_task(self._deliver(url, headers, payload, copies))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(
        self, url: str, headers: dict[str, str], payload: dict[str, Any], copies: int
    ) -> None:
        for _ in range(copies):
            await self._post(url, headers, payload)

    async def _post(
        self, url: str, headers: dict[str, str], payload: dict[str, Any]
    ) -> None:
        if self._client is None:
            return
        action = payload.get("action")
        try:
            response = await self._client.post(url, json=payload, headers=headers)
        except httpx.HTTPError as exc:
            self.failed += 1
            log.warning("sim.webhook.failed", action=action, error=type(exc).__name__)
            return
        if response.is_success:
            self.sent += 1
        else:
            self.failed += 1
            log.warning(
                "sim.webhook.rejected", action=action, status=response.status_code
            )
