"""Poll mode feeds the same inbox, once per alert, resuming from its cursor."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from kraken.connectors.opsgenie.client import OpsGenieClient
from kraken.errors import PayloadError
from kraken.ingest.inbox import GroupCommitInbox
from kraken.ingest.opsgenie import api_alert_to_webhook
from kraken.ingest.poller import OpsGeniePoller
from kraken.ingest.providers import OpsGenieProvider
from kraken.sim.server import RunningSim, start_sim
from kraken.sim.settings import SimSettings
from kraken.store import create_engine_for, upgrade
from kraken.store.schema import events


@pytest.fixture
async def sim() -> AsyncIterator[RunningSim]:
    running = await start_sim(SimSettings(redelivery_rate=0.0))
    yield running
    await running.stop()


@pytest.fixture
async def client(sim) -> AsyncIterator[OpsGenieClient]:
    async with OpsGenieClient(sim.url, SecretStr(SimSettings().opsgenie_api_key)) as c:
        yield c


def make_poller(client, engine, inbox) -> OpsGeniePoller:
    return OpsGeniePoller(
        client=client,
        provider=OpsGenieProvider(),
        inbox=inbox,
        engine=engine,
        query="status:open",
        interval_seconds=1.0,
        page_size=2,
    )


async def test_each_alert_is_fed_once_across_polls_and_restarts(
    client, tmp_path
) -> None:
    engine = create_engine_for(f"sqlite:///{tmp_path / 'kraken.db'}")
    upgrade(engine)
    inbox = GroupCommitInbox(engine, max_attempts=5)
    inbox.start()
    for n in range(5):
        await client.create_alert(
            message=f"alert {n}", alias=f"poll-{n}", tags=["siem"]
        )

    assert await make_poller(client, engine, inbox).poll_once() == 5
    assert await make_poller(client, engine, inbox).poll_once() == 0  # a restart

    await client.create_alert(message="late", alias="poll-late")
    assert await make_poller(client, engine, inbox).poll_once() == 1
    inbox.stop()
    with engine.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(events)).scalar_one()
        sources = {row[0] for row in conn.execute(select(events.c.source))}
    assert stored == 6
    assert sources == {"poll"}
    engine.dispose()


def test_api_alert_becomes_a_parseable_create_payload() -> None:
    api_alert = {
        "id": "b7da6303-0da4-43e2-8e21-9e22faedc594-1637756080926",
        "tinyId": "163",
        "message": "1234",
        "tags": ["siem"],
        "priority": "P3",
        "createdAt": "2021-11-24T12:14:40.926Z",
        "source": "192.0.2.1",
    }
    alert = OpsGenieProvider().parse_webhook(api_alert_to_webhook(api_alert))
    assert alert.action == "Create"
    assert alert.alert_id == api_alert["id"]
    assert alert.tags == frozenset({"siem"})
    assert alert.created_at_ms == 1637756080926


def test_api_alert_without_id_is_refused() -> None:
    with pytest.raises(PayloadError):
        api_alert_to_webhook({"message": "no id"})
