"""The tables, as SQLAlchemy Core metadata.

Repositories build their queries from these objects, and Alembic compares
them with the database to autogenerate the next migration. The migrations
themselves spell their tables out, so that editing this file can never change
what an old migration does.

Times are epoch seconds as floats: one representation in SQLite and
PostgreSQL, cheap to compare in the claim query, and free of time zones.
"""

from __future__ import annotations

from typing import Final

import sqlalchemy as sa

# Deterministic constraint names, so migrations can refer to them on both
# backends (SQLite would otherwise leave them unnamed).
NAMING_CONVENTION: Final = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)

events = sa.Table(
    "events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("provider", sa.String(64), nullable=False),
    # (source, external id, action): the same delivery twice is one event.
    sa.Column("idempotency_key", sa.String(512), nullable=False, unique=True),
    sa.Column("alert_id", sa.String(255), nullable=False, index=True),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),  # JSON object
    sa.Column("received_at", sa.Double, nullable=False),
    sa.Column("source", sa.String(16), nullable=False),  # webhook | poll | replay
)

jobs = sa.Table(
    "jobs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("event_id", sa.Integer, sa.ForeignKey("events.id"), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("max_attempts", sa.Integer, nullable=False),
    sa.Column("run_after", sa.Double, nullable=False),
    sa.Column("lease_owner", sa.String(255), nullable=True),
    sa.Column("lease_expires", sa.Double, nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("created_at", sa.Double, nullable=False),
    sa.Column("updated_at", sa.Double, nullable=False),
    sa.Column("finished_at", sa.Double, nullable=True),
    # The claim query filters on state and orders by run_after.
    sa.Index(None, "state", "run_after"),
    sa.Index(None, "event_id"),
)

tickets = sa.Table(
    "tickets",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    # Kraken's key on the ticketing system; one ticket per key, ever.
    sa.Column("correlation_id", sa.String(512), nullable=False, unique=True),
    sa.Column("provider", sa.String(64), nullable=False),
    sa.Column("alert_id", sa.String(255), nullable=False, index=True),
    sa.Column("route", sa.String(255), nullable=False),
    sa.Column("system", sa.String(32), nullable=False),
    sa.Column("number", sa.String(64), nullable=False),
    sa.Column("sys_id", sa.String(64), nullable=False),
    sa.Column("created_at", sa.Double, nullable=False),
    sa.Column("event_id", sa.Integer, sa.ForeignKey("events.id"), nullable=True),
)

# Append-only, with no foreign keys on purpose: the record of what Kraken did
# to another system must outlive any clean-up of events and jobs.
audit = sa.Table(
    "audit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.Double, nullable=False),
    sa.Column("job_id", sa.Integer, nullable=True),
    sa.Column("event_id", sa.Integer, nullable=True),
    sa.Column("alert_id", sa.String(255), nullable=False, index=True),
    sa.Column("system", sa.String(32), nullable=False),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("target", sa.String(255), nullable=False),
    sa.Column("outcome", sa.String(32), nullable=False),
    sa.Column("detail", sa.Text, nullable=False),  # JSON object
)

poll_cursors = sa.Table(
    "poll_cursors",
    metadata,
    sa.Column("name", sa.String(128), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("updated_at", sa.Double, nullable=False),
)
