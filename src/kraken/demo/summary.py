"""Count what happened in a demo run, from the store and the simulators' own books."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Engine, select

from kraken.ingest.providers import get_provider
from kraken.metrics.definitions import Metrics
from kraken.playbooks.plan import Planner
from kraken.store.schema import events, jobs, tickets

SETTLED = ("done", "dead", "dropped")


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))
    return ordered[rank]


def create_outcomes(engine: Engine) -> dict[str, str]:
    """alert id -> state of the job for its Create event."""
    query = (
        select(events.c.alert_id, jobs.c.state)
        .join(jobs, jobs.c.event_id == events.c.id)
        .where(events.c.action == "Create")
    )
    with engine.connect() as conn:
        return {row.alert_id: row.state for row in conn.execute(query)}


def unsettled(engine: Engine, alert_ids: Iterable[str]) -> int:
    outcomes = create_outcomes(engine)
    return sum(1 for a in alert_ids if outcomes.get(a) not in SETTLED)


def jobs_in_flight(engine: Engine) -> int:
    with engine.connect() as conn:
        rows = conn.execute(
            select(jobs.c.id).where(jobs.c.state.in_(("pending", "running")))
        )
        return len(rows.all())


def summarise(
    *,
    engine: Engine,
    metrics: Metrics,
    planner: Planner,
    sim_stats: Mapping[str, Any],
    sim_alert_ids: list[str],
    malformed_rejected: int,
) -> dict[str, Any]:
    outcomes = create_outcomes(engine)
    with engine.connect() as conn:
        dead = len(conn.execute(select(jobs.c.id).where(jobs.c.state == "dead")).all())
        latency_rows = conn.execute(
            select(tickets.c.created_at, events.c.received_at).join(
                events, events.c.id == tickets.c.event_id
            )
        ).all()
        routed = _routed_to_ticketing(conn, planner)
    latencies = [(row.created_at - row.received_at) * 1000 for row in latency_rows]
    snow = sim_stats["servicenow"]

    def webhooks(outcome: str) -> int:
        labels = {"provider": "opsgenie", "outcome": outcome}
        value = metrics.registry.get_sample_value("kraken_webhooks_total", labels)
        return int(value or 0)

    return {
        "alerts": len(sim_alert_ids),
        "accepted": webhooks("accepted"),
        "duplicates": webhooks("duplicate"),
        "rejected": webhooks("rejected"),
        "malformed_sent_rejected": malformed_rejected,
        "routed_to_ticketing": routed,
        "tickets_created": int(snow["incidents"]),
        "tickets_complete": int(snow["complete"]),
        "duplicate_tickets": int(snow["duplicate_correlation_ids"]),
        "dead_lettered": dead,
        "lost": sum(1 for a in sim_alert_ids if outcomes.get(a) not in SETTLED),
        "latency_ms": {
            "p50": round(percentile(latencies, 0.50), 1),
            "p99": round(percentile(latencies, 0.99), 1),
        },
    }


def _routed_to_ticketing(conn: Any, planner: Planner) -> int:
    provider = get_provider("opsgenie")
    if provider is None:  # pragma: no cover - the registry always has it
        return 0
    count = 0
    query = select(events.c.payload).where(events.c.action == "Create")
    for row in conn.execute(query):
        alert = provider.parse_webhook(json.loads(row.payload))
        if planner.plan(alert).playbook == "ticket":
            count += 1
    return count
