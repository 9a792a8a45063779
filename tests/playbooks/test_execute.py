"""Executing plans against the simulators: exactly-once effect, never incomplete."""

from __future__ import annotations

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import Engine

from kraken.connectors.opsgenie.client import OpsGenieClient
from kraken.connectors.servicenow.auth import BasicAuth
from kraken.connectors.servicenow.client import ServiceNowClient
from kraken.errors import TicketIncompleteError
from kraken.metrics.definitions import Metrics
from kraken.playbooks.execute import Executor, JobContext
from kraken.playbooks.steps import EnsureIncident, NoteAlert, Plan, WorkNoteIncident
from kraken.sim.settings import SimSettings
from kraken.store import create_engine_for, find_ticket, list_audit, upgrade

REQUIRED = ("short_description", "assignment_group", "correlation_id")
CTX = JobContext(job_id=None, event_id=None, provider="opsgenie")


@pytest.fixture
def engine(tmp_path) -> Engine:
    engine = create_engine_for(f"sqlite:///{tmp_path / 'kraken.db'}")
    upgrade(engine)
    return engine


@pytest.fixture
async def executor(sim, engine):
    creds = SimSettings()
    servicenow = ServiceNowClient(
        sim.url, BasicAuth(creds.servicenow_user, SecretStr(creds.servicenow_password))
    )
    opsgenie = OpsGenieClient(sim.url, SecretStr(creds.opsgenie_api_key))
    yield Executor(
        engine=engine,
        servicenow=servicenow,
        opsgenie=opsgenie,
        required_fields=REQUIRED,
        metrics=Metrics(),
    )
    await servicenow.aclose()
    await opsgenie.aclose()


async def incidents(sim) -> list[dict]:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{sim.url}/_sim/servicenow/incidents")
    return response.json()["incidents"]


async def sim_stats(sim) -> dict:
    async with httpx.AsyncClient() as client:
        return (await client.get(f"{sim.url}/_sim/stats")).json()


def ticket_plan(alert_id: str, **fields: str) -> Plan:
    values = {
        "short_description": "Brute force",
        "assignment_group": "SOC L1",
        "correlation_id": f"opsgenie:{alert_id}",
        **fields,
    }
    ensure = EnsureIncident(f"opsgenie:{alert_id}", values)
    return Plan(alert_id, "Create", "siem", "ticket", "test", (ensure,))


async def test_running_a_plan_twice_files_one_incident(executor, sim, engine) -> None:
    await executor.run(ticket_plan("a-1"), CTX)
    await executor.run(ticket_plan("a-1"), CTX)
    assert len(await incidents(sim)) == 1
    with engine.connect() as conn:
        assert find_ticket(conn, "opsgenie:a-1") is not None


async def test_incident_filed_before_a_crash_is_found_not_refiled(
    executor, sim, engine
) -> None:
    creds = SimSettings()
    auth = BasicAuth(creds.servicenow_user, SecretStr(creds.servicenow_password))
    async with ServiceNowClient(sim.url, auth) as client:
        earlier = await client.create_incident(
            {"short_description": "Brute force", "correlation_id": "opsgenie:a-2"}
        )
    await executor.run(ticket_plan("a-2"), CTX)
    assert len(await incidents(sim)) == 1
    with engine.connect() as conn:
        ticket = find_ticket(conn, "opsgenie:a-2")
        audit = list_audit(conn, alert_id="a-2")
    assert ticket is not None and ticket.number == earlier.number
    assert [r.outcome for r in audit] == ["found_existing"]


async def test_incomplete_ticket_is_never_filed(executor, sim) -> None:
    with pytest.raises(TicketIncompleteError) as caught:
        await executor.run(ticket_plan("a-3", assignment_group="  "), CTX)
    assert caught.value.missing == ["assignment_group"]
    assert (await incidents(sim)) == []


async def test_note_is_added_once_per_incident(executor, sim) -> None:
    creds = SimSettings()
    async with OpsGenieClient(sim.url, SecretStr(creds.opsgenie_api_key)) as client:
        await client.create_alert(message="Brute force", alias="bf-1")
    async with httpx.AsyncClient() as client:
        alerts = (await client.get(f"{sim.url}/_sim/opsgenie/alerts")).json()["alerts"]
    alert_id = alerts[0]["id"]
    plan = ticket_plan(alert_id)
    plan = Plan(
        alert_id, "Create", "siem", "ticket", "test", (*plan.steps, NoteAlert(alert_id))
    )
    await executor.run(plan, CTX)
    await executor.run(plan, CTX)
    stats = await sim_stats(sim)
    assert stats["opsgenie"]["notes"] == 1


async def test_close_adds_one_work_note_per_event(executor, sim) -> None:
    await executor.run(ticket_plan("a-5"), CTX)
    close = Plan(
        "a-5",
        "Close",
        None,
        "close",
        "test",
        (WorkNoteIncident("opsgenie:a-5", "closed"),),
    )
    await executor.run(close, CTX)
    await executor.run(close, CTX)  # the same event redelivered
    (incident,) = await incidents(sim)
    assert incident["_journal"]["work_notes"] == ["closed"]


async def test_close_without_a_ticket_does_nothing(executor, sim) -> None:
    close = Plan(
        "a-6",
        "Close",
        None,
        "close",
        "test",
        (WorkNoteIncident("opsgenie:a-6", "closed"),),
    )
    await executor.run(close, CTX)
    assert (await incidents(sim)) == []
