"""The inbox: accepted events and the jobs that will process them.

`accept_events` is the transactional outbox. It writes each event and its job
in the caller's transaction, so a webhook that answered 2xx after the commit
cannot lose work to a crash, and a batch of requests can share one commit.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kraken.logs import get_logger
from kraken.store.schema import events, jobs
from kraken.store.states import JobState
from kraken.store.upsert import dialect_insert

# Keeps every IN (...) list far below SQLite's bound-parameter limit.
_KEY_CHUNK: Final = 500

log = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event as a provider delivered it, before it is stored."""

    provider: str
    idempotency_key: str
    alert_id: str
    action: str
    payload: Mapping[str, Any]
    received_at: float
    source: str = "webhook"  # webhook | poll | replay


@dataclass(frozen=True, slots=True)
class Accepted:
    """What became of one `NewEvent`: stored with a job, or a known duplicate."""

    event_id: int
    job_id: int | None  # None for a duplicate: its first delivery has the job
    duplicate: bool


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event read back from the inbox, payload parsed."""

    id: int
    provider: str
    idempotency_key: str
    alert_id: str
    action: str
    payload: dict[str, Any]
    received_at: float
    source: str


def accept_events(
    conn: Connection,
    new_events: Sequence[NewEvent],
    *,
    job_kind: str = "alert",
    max_attempts: int = 5,
) -> list[Accepted]:
    """Store each new event with a pending job; flag repeats as duplicates.

    Runs in the caller's transaction and returns results in input order. A key
    already stored, or seen earlier in the same batch, stores nothing. The
    insert is ON CONFLICT DO NOTHING, so another process accepting the same
    key at the same moment makes this one report a duplicate, not fail.
    Three round trips per batch whatever its size: look up, insert events,
    insert jobs.
    """
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")
    first_by_key: dict[str, NewEvent] = {}
    for new in new_events:
        first_by_key.setdefault(new.idempotency_key, new)

    ids_by_key = _existing_ids(conn, first_by_key)
    fresh = [new for key, new in first_by_key.items() if key not in ids_by_key]
    inserted = _insert_events(conn, fresh)
    raced = [
        new.idempotency_key for new in fresh if new.idempotency_key not in inserted
    ]
    if raced:
        # Another transaction stored these keys between our look-up and insert.
        log.debug("events.insert_race", count=len(raced))
    ids_by_key.update(inserted)
    ids_by_key.update(_existing_ids(conn, raced))
    job_ids = _insert_jobs(conn, inserted.values(), job_kind, max_attempts)

    results: list[Accepted] = []
    claimed: set[str] = set()
    for new in new_events:
        key = new.idempotency_key
        event_id = ids_by_key[key]
        if key in inserted and key not in claimed:
            claimed.add(key)
            results.append(Accepted(event_id, job_ids[event_id], duplicate=False))
        else:
            results.append(Accepted(event_id, None, duplicate=True))
    return results


def _existing_ids(conn: Connection, keys: Iterable[str]) -> dict[str, int]:
    wanted = list(keys)
    found: dict[str, int] = {}
    for start in range(0, len(wanted), _KEY_CHUNK):
        chunk = wanted[start : start + _KEY_CHUNK]
        query = sa.select(events.c.idempotency_key, events.c.id).where(
            events.c.idempotency_key.in_(chunk)
        )
        found.update(conn.execute(query).all())
    return found


def _insert_events(conn: Connection, fresh: Sequence[NewEvent]) -> dict[str, int]:
    """Insert, skipping keys another transaction stored first; key -> new id."""
    if not fresh:
        return {}
    rows = [
        {
            "provider": new.provider,
            "idempotency_key": new.idempotency_key,
            "alert_id": new.alert_id,
            "action": new.action,
            "payload": json.dumps(dict(new.payload), separators=(",", ":")),
            "received_at": new.received_at,
            "source": new.source,
        }
        for new in fresh
    ]
    insert = dialect_insert(conn, events).on_conflict_do_nothing(
        index_elements=[events.c.idempotency_key]
    )
    returning = insert.returning(events.c.idempotency_key, events.c.id)
    return dict(conn.execute(returning, rows).all())


def _insert_jobs(
    conn: Connection, event_ids: Iterable[int], kind: str, max_attempts: int
) -> dict[int, int]:
    """One pending job per event, runnable now; event id -> job id."""
    now = time.time()
    rows = [
        {
            "event_id": event_id,
            "kind": kind,
            "state": JobState.PENDING,
            "attempts": 0,
            "max_attempts": max_attempts,
            "run_after": now,
            "created_at": now,
            "updated_at": now,
        }
        for event_id in event_ids
    ]
    if not rows:
        return {}
    insert = sa.insert(jobs).returning(jobs.c.event_id, jobs.c.id)
    return dict(conn.execute(insert, rows).all())


def get_event(conn: Connection, event_id: int) -> StoredEvent | None:
    """The stored event with this id, or None."""
    row = conn.execute(sa.select(events).where(events.c.id == event_id)).one_or_none()
    if row is None:
        return None
    return StoredEvent(
        id=row.id,
        provider=row.provider,
        idempotency_key=row.idempotency_key,
        alert_id=row.alert_id,
        action=row.action,
        payload=parse_object(row.payload),
        received_at=row.received_at,
        source=row.source,
    )


def count_events(conn: Connection) -> int:
    """How many events the inbox holds."""
    return conn.execute(sa.select(sa.func.count()).select_from(events)).scalar_one()


def parse_object(text: str) -> dict[str, Any]:
    """A stored JSON object; anything else means the row was written by hand."""
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError("stored JSON is not an object")
    return value
