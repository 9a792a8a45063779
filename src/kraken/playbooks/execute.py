"""Carry out a plan with exactly-once effect on other systems.

Each step first asks whether it was already done: the incident by its
correlation id (our ledger, then ServiceNow itself, so a crash between
ServiceNow's answer and our commit finds the incident instead of filing a
second one), the OpsGenie calls by the audit trail. Every call made is written
to the audit trail.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine

from kraken.connectors.opsgenie.client import OpsGenieClient
from kraken.connectors.servicenow.client import ServiceNowClient
from kraken.errors import TicketIncompleteError
from kraken.logs import get_logger
from kraken.metrics.definitions import Metrics
from kraken.playbooks.steps import (
    AcknowledgeAlert,
    EnsureIncident,
    NoteAlert,
    Plan,
    Step,
    TagAlert,
    WorkNoteIncident,
)
from kraken.store import TicketRecord, find_ticket, list_audit, record_audit
from kraken.store import record_ticket as store_ticket

log = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class JobContext:
    job_id: int | None
    event_id: int | None
    provider: str


class Executor:
    """Runs plans against ServiceNow and the alert provider."""

    def __init__(
        self,
        *,
        engine: Engine,
        servicenow: ServiceNowClient,
        opsgenie: OpsGenieClient | None,
        required_fields: Sequence[str],
        metrics: Metrics,
    ) -> None:
        self._engine = engine
        self._servicenow = servicenow
        self._opsgenie = opsgenie
        self._required = tuple(required_fields)
        self._metrics = metrics

    async def run(self, plan: Plan, ctx: JobContext) -> None:
        ticket: TicketRecord | None = None
        for step in plan.steps:
            ticket = await self._run_step(step, plan, ctx, ticket)

    async def _run_step(
        self, step: Step, plan: Plan, ctx: JobContext, ticket: TicketRecord | None
    ) -> TicketRecord | None:
        match step:
            case EnsureIncident():
                return await self._ensure_incident(step, plan, ctx)
            case NoteAlert():
                if ticket is not None:
                    text = f"Kraken filed ServiceNow incident {ticket.number}"
                    await self._opsgenie_once(
                        "add_note", step.alert_id, ticket.number, ctx, text=text
                    )
            case AcknowledgeAlert():
                target = ticket.number if ticket else ""
                await self._opsgenie_once("acknowledge", step.alert_id, target, ctx)
            case TagAlert():
                target = ",".join(step.tags)
                await self._opsgenie_once(
                    "add_tags", step.alert_id, target, ctx, tags=step.tags
                )
            case WorkNoteIncident():
                await self._work_note(step, plan, ctx)
        return ticket

    async def _ensure_incident(
        self, step: EnsureIncident, plan: Plan, ctx: JobContext
    ) -> TicketRecord:
        known = await asyncio.to_thread(self._find_ticket, step.correlation_id)
        if known is not None:
            return known

        found = await self._servicenow.find_by_correlation_id(step.correlation_id)
        if found is not None:
            outcome = "found_existing"
            number, sys_id = found.number, found.sys_id
        else:
            # The data-quality rule, enforced again at run time: never file
            # an incomplete ticket.
            missing = [f for f in self._required if not _filled(step.fields, f)]
            missing = sorted(set(missing) | set(step.missing))
            if missing:
                raise TicketIncompleteError(missing)
            created = await self._servicenow.create_incident(step.fields)
            outcome = "ok"
            number, sys_id = created.number, created.sys_id

        record = TicketRecord(
            correlation_id=step.correlation_id,
            provider=ctx.provider,
            alert_id=plan.alert_id,
            route=plan.route or "",
            system="servicenow",
            number=number,
            sys_id=sys_id,
            created_at=0.0,
            event_id=ctx.event_id,
        )
        await asyncio.to_thread(self._record_incident, record, outcome, ctx)
        self._metrics.actions.labels("servicenow", "create_incident", outcome).inc()
        log.info(
            "incident.ensured",
            alert_id=plan.alert_id,
            number=number,
            outcome=outcome,
            route=plan.route,
        )
        return record

    async def _opsgenie_once(
        self,
        action: str,
        alert_id: str,
        target: str,
        ctx: JobContext,
        *,
        text: str = "",
        tags: Sequence[str] = (),
    ) -> None:
        if self._opsgenie is None:
            return
        done = await asyncio.to_thread(
            self._already_done, "opsgenie", action, alert_id, target
        )
        if done:
            return
        if action == "add_note":
            await self._opsgenie.add_note(alert_id, text)
        elif action == "acknowledge":
            await self._opsgenie.acknowledge(alert_id, note="Acknowledged by Kraken")
        elif action == "add_tags":
            await self._opsgenie.add_tags(alert_id, list(tags))
        await asyncio.to_thread(
            self._audit,
            system="opsgenie",
            action=action,
            alert_id=alert_id,
            target=target,
            ctx=ctx,
        )
        self._metrics.actions.labels("opsgenie", action, "ok").inc()

    async def _work_note(
        self, step: WorkNoteIncident, plan: Plan, ctx: JobContext
    ) -> None:
        ticket = await asyncio.to_thread(self._find_ticket, step.correlation_id)
        if ticket is None:
            log.info("work_note.no_ticket", alert_id=plan.alert_id)
            return
        # One work note per event: a redelivered Close must not note twice.
        target = f"{ticket.number}#event{ctx.event_id}"
        done = await asyncio.to_thread(
            self._already_done, "servicenow", "add_work_note", plan.alert_id, target
        )
        if done:
            return
        await self._servicenow.add_work_note(ticket.sys_id, step.note)
        await asyncio.to_thread(
            self._audit,
            system="servicenow",
            action="add_work_note",
            alert_id=plan.alert_id,
            target=target,
            ctx=ctx,
        )
        self._metrics.actions.labels("servicenow", "add_work_note", "ok").inc()

    # Database helpers: run in a worker thread, one short transaction each.

    def _find_ticket(self, correlation_id: str) -> TicketRecord | None:
        with self._engine.connect() as conn:
            return find_ticket(conn, correlation_id)

    def _record_incident(
        self, record: TicketRecord, outcome: str, ctx: JobContext
    ) -> None:
        with self._engine.begin() as conn:
            store_ticket(
                conn,
                correlation_id=record.correlation_id,
                provider=record.provider,
                alert_id=record.alert_id,
                route=record.route,
                system=record.system,
                number=record.number,
                sys_id=record.sys_id,
                event_id=record.event_id,
            )
            record_audit(
                conn,
                system="servicenow",
                action="create_incident",
                alert_id=record.alert_id,
                outcome=outcome,
                target=record.number,
                job_id=ctx.job_id,
                event_id=ctx.event_id,
                detail={"sys_id": record.sys_id, "route": record.route},
            )

    def _already_done(
        self, system: str, action: str, alert_id: str, target: str
    ) -> bool:
        with self._engine.connect() as conn:
            records = list_audit(conn, alert_id=alert_id, limit=1000)
        return any(
            r.system == system
            and r.action == action
            and r.target == target
            and r.outcome == "ok"
            for r in records
        )

    def _audit(
        self,
        *,
        system: str,
        action: str,
        alert_id: str,
        target: str,
        ctx: JobContext,
    ) -> None:
        with self._engine.begin() as conn:
            record_audit(
                conn,
                system=system,
                action=action,
                alert_id=alert_id,
                outcome="ok",
                target=target,
                job_id=ctx.job_id,
                event_id=ctx.event_id,
            )


def _filled(fields: Mapping[str, str], name: str) -> bool:
    return bool(str(fields.get(name, "")).strip())
