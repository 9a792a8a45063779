"""Poll mode: for sites whose OpsGenie cannot reach Kraken.

The poller lists alerts matching the configured query, oldest first, and
feeds each alert it has not seen into the same inbox as the webhook, as a
webhook-shaped Create payload, so idempotency, routing and playbooks are
shared. The cursor (the newest `createdAt` fed, plus the ids seen at that
instant) lives in the database, so a restart resumes where it stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from kraken.connectors.opsgenie.client import OpsGenieClient
from kraken.errors import ConnectorError, PayloadError
from kraken.ingest.inbox import GroupCommitInbox
from kraken.ingest.opsgenie import api_alert_to_webhook
from kraken.ingest.providers import AlertProvider
from kraken.logs import get_logger
from kraken.store import NewEvent, get_cursor, set_cursor

log = get_logger(__name__)

CURSOR_NAME = "opsgenie.poll"


def _created_ms(alert: Mapping[str, Any]) -> int:
    value = alert.get("createdAt")
    if not isinstance(value, str) or not value:
        return 0
    return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() * 1000)


class OpsGeniePoller:
    def __init__(
        self,
        *,
        client: OpsGenieClient,
        provider: AlertProvider,
        inbox: GroupCommitInbox,
        engine: Engine,
        query: str,
        interval_seconds: float,
        page_size: int = 100,
    ) -> None:
        self._client = client
        self._provider = provider
        self._inbox = inbox
        self._engine = engine
        self._query = query
        self._interval = interval_seconds
        self._page_size = page_size

    async def run(self, stop: asyncio.Event) -> None:
        log.info("poller.started", query=self._query)
        while not stop.is_set():
            try:
                fed = await self.poll_once()
                if fed:
                    log.info("poller.fed", alerts=fed)
            except ConnectorError as exc:
                log.warning("poller.failed", error=str(exc))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self._interval)

    async def poll_once(self) -> int:
        """Feed every alert created since the cursor; returns how many were new."""
        since_ms, seen_ids = await asyncio.to_thread(self._load_cursor)
        offset: int | None = 0
        fed = 0
        newest_ms, newest_ids = since_ms, set(seen_ids)
        while offset is not None:
            page = await self._client.list_alerts(
                query=self._query,
                offset=offset,
                limit=self._page_size,
                sort="createdAt",
            )
            for summary in page.alerts:
                created = _created_ms(summary)
                alert_id = str(summary.get("id", ""))
                if created < since_ms or (created == since_ms and alert_id in seen_ids):
                    continue
                full = await self._client.get_alert(alert_id)
                if await self._feed(full):
                    fed += 1
                if created > newest_ms:
                    newest_ms, newest_ids = created, {alert_id}
                elif created == newest_ms:
                    newest_ids.add(alert_id)
            offset = page.next_offset
        await asyncio.to_thread(self._save_cursor, newest_ms, newest_ids)
        return fed

    async def _feed(self, api_alert: Mapping[str, Any]) -> bool:
        try:
            payload = api_alert_to_webhook(api_alert)
            alert = self._provider.parse_webhook(payload)
        except PayloadError as exc:
            log.warning("poller.bad_alert", error=str(exc))
            return False
        event = NewEvent(
            provider=self._provider.name,
            idempotency_key=self._provider.idempotency_key(alert),
            alert_id=alert.alert_id,
            action=alert.action,
            payload=payload,
            received_at=time.time(),
            source="poll",
        )
        accepted = await self._inbox.accept(event)
        return not accepted.duplicate

    def _load_cursor(self) -> tuple[int, set[str]]:
        with self._engine.connect() as conn:
            raw = get_cursor(conn, CURSOR_NAME)
        if not raw:
            return 0, set()
        value = json.loads(raw)
        return int(value["created_ms"]), set(value["ids"])

    def _save_cursor(self, created_ms: int, ids: set[str]) -> None:
        value = json.dumps({"created_ms": created_ms, "ids": sorted(ids)})
        with self._engine.begin() as conn:
            set_cursor(conn, CURSOR_NAME, value)
