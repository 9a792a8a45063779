"""What Kraken did to other systems: the ticket ledger and the audit trail.

The ledger maps an alert's correlation id to the ticket filed for it; with the
correlation id stored on the ticket itself, it is how a retry finds the ticket
instead of filing a second one. The audit trail records every call's outcome,
for the analyst asking "why did Kraken do that?" and for the metrics.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kraken.store.events import parse_object
from kraken.store.schema import audit, tickets
from kraken.store.upsert import dialect_insert


@dataclass(frozen=True, slots=True)
class TicketRecord:
    """The ticket Kraken filed for one correlation id."""

    correlation_id: str
    provider: str
    alert_id: str
    route: str
    system: str  # "servicenow"
    number: str  # human-facing, e.g. INC0010001
    sys_id: str
    created_at: float
    event_id: int | None


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One action Kraken took, or decided not to take, on another system."""

    id: int
    at: float
    job_id: int | None
    event_id: int | None
    alert_id: str
    system: str
    action: str  # create_incident, find_incident, add_note, acknowledge, ...
    target: str  # what it acted on, e.g. an incident number
    outcome: str  # ok | error | found_existing | dry_run
    detail: dict[str, Any]


def record_ticket(
    conn: Connection,
    *,
    correlation_id: str,
    provider: str,
    alert_id: str,
    route: str,
    system: str,
    number: str,
    sys_id: str,
    event_id: int | None,
) -> None:
    """Remember the ticket for `correlation_id`; the first record wins.

    Recording twice is harmless, so a job retried after filing (or finding)
    its ticket needs no check of its own.
    """
    statement = (
        dialect_insert(conn, tickets)
        .values(
            correlation_id=correlation_id,
            provider=provider,
            alert_id=alert_id,
            route=route,
            system=system,
            number=number,
            sys_id=sys_id,
            created_at=time.time(),
            event_id=event_id,
        )
        .on_conflict_do_nothing(index_elements=[tickets.c.correlation_id])
    )
    conn.execute(statement)


def find_ticket(conn: Connection, correlation_id: str) -> TicketRecord | None:
    """The ticket recorded for `correlation_id`, or None."""
    query = sa.select(tickets).where(tickets.c.correlation_id == correlation_id)
    row = conn.execute(query).one_or_none()
    if row is None:
        return None
    return TicketRecord(
        correlation_id=row.correlation_id,
        provider=row.provider,
        alert_id=row.alert_id,
        route=row.route,
        system=row.system,
        number=row.number,
        sys_id=row.sys_id,
        created_at=row.created_at,
        event_id=row.event_id,
    )


def count_tickets(conn: Connection) -> int:
    """How many tickets Kraken has filed (or adopted) in total."""
    return conn.execute(sa.select(sa.func.count()).select_from(tickets)).scalar_one()


def record_audit(
    conn: Connection,
    *,
    system: str,
    action: str,
    alert_id: str,
    outcome: str,
    target: str = "",
    job_id: int | None = None,
    event_id: int | None = None,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """Append one entry to the audit trail. `detail` must never hold secrets."""
    conn.execute(
        sa.insert(audit).values(
            at=time.time(),
            job_id=job_id,
            event_id=event_id,
            alert_id=alert_id,
            system=system,
            action=action,
            target=target,
            outcome=outcome,
            detail=json.dumps(dict(detail or {}), separators=(",", ":"), default=str),
        )
    )


def list_audit(
    conn: Connection, *, alert_id: str | None = None, limit: int = 100
) -> list[AuditRecord]:
    """Audit entries in the order they happened, optionally for one alert.

    With more than `limit` entries, the newest `limit` are returned.
    """
    query = sa.select(audit).order_by(audit.c.id.desc()).limit(limit)
    if alert_id is not None:
        query = query.where(audit.c.alert_id == alert_id)
    rows = list(conn.execute(query))
    rows.reverse()
    return [
        AuditRecord(
            id=row.id,
            at=row.at,
            job_id=row.job_id,
            event_id=row.event_id,
            alert_id=row.alert_id,
            system=row.system,
            action=row.action,
            target=row.target,
            outcome=row.outcome,
            detail=parse_object(row.detail),
        )
        for row in rows
    ]
