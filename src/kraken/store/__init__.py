"""The durable store: the inbox, the job queue, the ticket ledger and audit.

SQLAlchemy Core over SQLite (WAL, the one-machine default) or PostgreSQL (many
workers). Repositories take a `Connection` so the caller decides what shares a
transaction; `JobQueue` owns its short transactions itself.
"""

from kraken.store.backoff import compute_backoff
from kraken.store.cursors import get_cursor, set_cursor
from kraken.store.engine import (
    DATABASE_URL_ENV,
    DEFAULT_DATABASE_URL,
    create_engine_for,
    resolve_database_url,
    store_errors,
    transaction,
    upgrade,
)
from kraken.store.events import (
    Accepted,
    NewEvent,
    StoredEvent,
    accept_events,
    count_events,
    get_event,
)
from kraken.store.ledger import (
    AuditRecord,
    TicketRecord,
    count_tickets,
    find_ticket,
    list_audit,
    record_audit,
    record_ticket,
)
from kraken.store.queue import Job, JobQueue
from kraken.store.states import JobState

__all__ = [
    "DATABASE_URL_ENV",
    "DEFAULT_DATABASE_URL",
    "Accepted",
    "AuditRecord",
    "Job",
    "JobQueue",
    "JobState",
    "NewEvent",
    "StoredEvent",
    "TicketRecord",
    "accept_events",
    "compute_backoff",
    "count_events",
    "count_tickets",
    "create_engine_for",
    "find_ticket",
    "get_cursor",
    "get_event",
    "list_audit",
    "record_audit",
    "record_ticket",
    "resolve_database_url",
    "set_cursor",
    "store_errors",
    "transaction",
    "upgrade",
]
