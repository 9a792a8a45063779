"""The webhook's answers: every bad-input status, idempotency, durability, no leaks."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, func, select

from kraken import logs
from kraken.ingest.inbox import GroupCommitInbox
from kraken.ingest.webhook import create_app
from kraken.metrics.definitions import Metrics
from kraken.store import create_engine_for, upgrade
from kraken.store.schema import events, jobs

TOKEN = "webhook-shared-secret-value"
HEADER = "X-Kraken-Token"


def create_payload(
    alert_id: str = "ec03dad6-62c8-4c94-b38b-d88f398e900f", **alert: Any
) -> dict[str, Any]:
    body = {
        "alertId": alert_id,
        "message": "Brute force against VPN gateway",
        "tags": ["siem", "splunk"],
        "tinyId": "2",
        "source": "splunk",
        "entity": "vpn-gw-01",
        "alias": "vpn-bruteforce",
        "createdAt": 1502709956288,
        "updatedAt": 1502709956288000110,
        "priority": "P3",
    }
    body.update(alert)
    return {"action": "Create", "alert": body, "source": {"name": "web", "type": "API"}}


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = create_engine_for(f"sqlite:///{tmp_path / 'kraken.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
async def client(engine: Engine) -> AsyncIterator[httpx.AsyncClient]:
    inbox = GroupCommitInbox(engine, max_attempts=5, metrics=Metrics())
    inbox.start()
    app = create_app(
        inbox=inbox, token=TOKEN, header=HEADER, metrics=Metrics(), max_body_bytes=4096
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://kraken") as c:
        yield c
    inbox.stop()


def post(
    client: httpx.AsyncClient, body: bytes | dict[str, Any], **headers: str
) -> Any:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    sent = {HEADER: TOKEN, "Content-Type": "application/json", **headers}
    return client.post("/webhooks/opsgenie", content=content, headers=sent)


def count(engine: Engine, table: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


async def test_new_event_is_202_and_committed_with_its_job(client, engine) -> None:
    response = await post(client, create_payload())
    assert response.status_code == 202
    assert response.json()["status"] == "accepted"
    assert isinstance(response.json()["event_id"], int)
    assert count(engine, events) == 1
    assert count(engine, jobs) == 1


async def test_redelivered_event_is_200_with_the_same_event_id(client, engine) -> None:
    first = await post(client, create_payload())
    second = await post(client, create_payload())
    assert second.status_code == 200
    assert second.json() == {
        "event_id": first.json()["event_id"],
        "status": "duplicate",
    }
    assert count(engine, jobs) == 1


async def test_numeric_priority_and_missing_optional_fields_are_accepted(
    client,
) -> None:
    payload = {"action": "Create", "alert": {"alertId": "a-1", "priority": 3}}
    assert (await post(client, payload)).status_code == 202


async def test_missing_secret_is_401(client, engine) -> None:
    response = await client.post(
        "/webhooks/opsgenie", json=create_payload(), headers={}
    )
    assert response.status_code == 401
    assert count(engine, events) == 0


async def test_wrong_secret_is_401(client) -> None:
    response = await post(client, create_payload(), **{HEADER: "not-the-token"})
    assert response.status_code == 401
    assert response.json() == {"error": "unauthorized"}


async def test_oversized_body_is_413(client) -> None:
    payload = create_payload(description="x" * 5000)
    assert (await post(client, payload)).status_code == 413


async def test_non_json_content_type_is_415(client) -> None:
    response = await post(client, b"{}", **{"Content-Type": "text/plain"})
    assert response.status_code == 415


async def test_invalid_json_is_400(client) -> None:
    response = await post(client, b'{"action": "Create", "alert": {')
    assert response.status_code == 400
    assert "invalid JSON" in response.json()["error"]


async def test_missing_alert_id_is_400_naming_the_field(client) -> None:
    payload = create_payload()
    del payload["alert"]["alertId"]
    response = await post(client, payload)
    assert response.status_code == 400
    assert response.json()["field"] == "alert.alertId"
    assert "alert.alertId" in response.json()["error"]


async def test_unknown_provider_is_404(client) -> None:
    response = await client.post("/webhooks/nagios", json={}, headers={HEADER: TOKEN})
    assert response.status_code == 404


async def test_secret_never_appears_in_logs(client, caplog) -> None:
    logs.register_secret(TOKEN)
    formatter = logs.EventFormatter()
    with caplog.at_level(logging.DEBUG, logger="kraken"):
        await post(client, create_payload(), **{HEADER: TOKEN + "x"})
        await post(client, create_payload(message=f"token is {TOKEN}"))
    rendered = "\n".join(formatter.format(record) for record in caplog.records)
    assert "webhook.rejected" in rendered
    assert TOKEN not in rendered


async def test_health_ready_and_metrics(client) -> None:
    await post(client, create_payload())
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    assert (await client.get("/readyz")).status_code == 200
    metrics = (await client.get("/metrics")).text
    assert "kraken_webhooks_total" in metrics
