"""The job queue, as rows next to the events it processes.

A worker claims a batch of due jobs and holds a lease on each. Every later
transition (complete, retry, dead-letter, release) succeeds only while that
worker still holds the lease, so a worker that stalled past its lease and lost
the job to another cannot overwrite the newer outcome. A crashed worker's jobs
come back once their leases expire.

SQLite serialises claimers with BEGIN IMMEDIATE (see `engine.py`); PostgreSQL
lets claimers pass each other with SELECT ... FOR UPDATE SKIP LOCKED.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, Row

from kraken.logs import get_logger
from kraken.store.engine import transaction
from kraken.store.events import parse_object
from kraken.store.schema import events, jobs
from kraken.store.states import JobState

# Tracebacks can be long; the first few kilobytes say what went wrong.
MAX_ERROR_CHARS: Final = 4000
LEASE_EXPIRED_ERROR: Final = (
    "lease expired on the last attempt: the job may be crashing its worker"
)

log = get_logger(__name__)

_JOINED: Final = sa.select(
    jobs,
    events.c.payload,
    events.c.provider,
    events.c.alert_id,
    events.c.action,
).join_from(jobs, events, jobs.c.event_id == events.c.id)


@dataclass(frozen=True, slots=True)
class Job:
    """A job with the event it processes, as a worker needs it."""

    id: int
    event_id: int
    kind: str
    attempts: int  # including the one in progress once claimed
    max_attempts: int
    state: JobState
    last_error: str | None
    run_after: float
    payload: dict[str, Any]
    provider: str
    alert_id: str
    action: str
    created_at: float
    updated_at: float
    lease_owner: str | None

    @property
    def exhausted(self) -> bool:
        """True when a failure of this attempt should dead-letter the job."""
        return self.attempts >= self.max_attempts


class JobQueue:
    """Claim and settle jobs; every method is one short transaction."""

    def __init__(
        self,
        engine: Engine,
        *,
        lease_seconds: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if lease_seconds <= 0:
            raise ValueError("lease_seconds must be positive")
        self._engine = engine
        self._lease_seconds = lease_seconds
        self._clock = clock

    def claim(self, worker_id: str, limit: int) -> list[Job]:
        """Lease up to `limit` due jobs to `worker_id`, oldest first.

        Due means pending with run_after in the past, or running under a lease
        that expired (its worker died). Each claim counts as an attempt. A
        job whose lease expired on its last attempt is dead-lettered instead
        of being handed to yet another worker to crash.
        """
        if limit < 1:
            return []
        now = self._clock()
        due = sa.or_(
            sa.and_(jobs.c.state == JobState.PENDING, jobs.c.run_after <= now),
            sa.and_(jobs.c.state == JobState.RUNNING, jobs.c.lease_expires < now),
        )
        query = (
            _JOINED.where(due)
            .order_by(jobs.c.run_after, jobs.c.id)
            .limit(limit)
            .with_for_update(of=jobs, skip_locked=True)
        )
        with transaction(self._engine) as conn:
            rows = conn.execute(query).all()
            poison = [row for row in rows if _lease_lost_on_last_attempt(row)]
            ready = [row for row in rows if not _lease_lost_on_last_attempt(row)]
            self._bury(conn, [row.id for row in poison], now)
            self._lease(conn, [row.id for row in ready], worker_id, now)
        for row in poison:
            log.warning("job.dead", job_id=row.id, reason="lease_expired")
        return [
            _to_job(
                row,
                state=JobState.RUNNING,
                attempts=row.attempts + 1,
                lease_owner=worker_id,
                updated_at=now,
            )
            for row in ready
        ]

    def _lease(
        self, conn: Connection, job_ids: list[int], worker_id: str, now: float
    ) -> None:
        if not job_ids:
            return
        conn.execute(
            sa.update(jobs)
            .where(jobs.c.id.in_(job_ids))
            .values(
                state=JobState.RUNNING,
                lease_owner=worker_id,
                lease_expires=now + self._lease_seconds,
                attempts=jobs.c.attempts + 1,
                updated_at=now,
            )
        )

    def _bury(self, conn: Connection, job_ids: list[int], now: float) -> None:
        if not job_ids:
            return
        conn.execute(
            sa.update(jobs)
            .where(jobs.c.id.in_(job_ids))
            .values(
                state=JobState.DEAD,
                last_error=LEASE_EXPIRED_ERROR,
                lease_expires=None,
                updated_at=now,
                finished_at=now,
            )
        )

    def complete(self, job_id: int, worker_id: str) -> bool:
        """Mark the job done; False if this worker no longer holds its lease."""
        now = self._clock()
        return self._settle(
            job_id,
            worker_id,
            state=JobState.DONE,
            lease_expires=None,
            updated_at=now,
            finished_at=now,
        )

    def retry(
        self, job_id: int, worker_id: str, *, error: str, delay_seconds: float
    ) -> bool:
        """Schedule another attempt after `delay_seconds`.

        A job with no attempts left goes to the dead-letter state instead, so
        the attempt budget holds even if a caller forgets to check it. False
        if this worker no longer holds the lease.
        """
        now = self._clock()
        out_of_attempts = jobs.c.attempts >= jobs.c.max_attempts
        return self._settle(
            job_id,
            worker_id,
            state=sa.case(
                (out_of_attempts, sa.literal(JobState.DEAD.value)),
                else_=sa.literal(JobState.PENDING.value),
            ),
            finished_at=sa.case((out_of_attempts, now), else_=sa.null()),
            run_after=now + max(0.0, delay_seconds),
            last_error=error[:MAX_ERROR_CHARS],
            lease_owner=None,
            lease_expires=None,
            updated_at=now,
        )

    def dead_letter(self, job_id: int, worker_id: str, *, error: str) -> bool:
        """Park the job for an operator; False if the lease was lost."""
        now = self._clock()
        return self._settle(
            job_id,
            worker_id,
            state=JobState.DEAD,
            last_error=error[:MAX_ERROR_CHARS],
            lease_expires=None,
            updated_at=now,
            finished_at=now,
        )

    def _settle(self, job_id: int, worker_id: str, **values: Any) -> bool:
        statement = (
            sa.update(jobs)
            .where(
                jobs.c.id == job_id,
                jobs.c.state == JobState.RUNNING,
                jobs.c.lease_owner == worker_id,
            )
            .values(**values)
        )
        with transaction(self._engine) as conn:
            settled = conn.execute(statement).rowcount == 1
        if not settled:
            log.warning("job.lease_lost", job_id=job_id, worker=worker_id)
        return settled

    def release(self, job_ids: Sequence[int], worker_id: str) -> int:
        """Hand unfinished jobs back at shutdown without spending an attempt."""
        if not job_ids:
            return 0
        statement = (
            sa.update(jobs)
            .where(
                jobs.c.id.in_(list(job_ids)),
                jobs.c.state == JobState.RUNNING,
                jobs.c.lease_owner == worker_id,
            )
            .values(
                state=JobState.PENDING,
                attempts=sa.case((jobs.c.attempts > 0, jobs.c.attempts - 1), else_=0),
                lease_owner=None,
                lease_expires=None,
                updated_at=self._clock(),
            )
        )
        with transaction(self._engine) as conn:
            return conn.execute(statement).rowcount

    def extend_leases(self, job_ids: Sequence[int], worker_id: str) -> int:
        """Renew this worker's leases on jobs that are taking a while."""
        if not job_ids:
            return 0
        now = self._clock()
        statement = (
            sa.update(jobs)
            .where(
                jobs.c.id.in_(list(job_ids)),
                jobs.c.state == JobState.RUNNING,
                jobs.c.lease_owner == worker_id,
            )
            .values(lease_expires=now + self._lease_seconds, updated_at=now)
        )
        with transaction(self._engine) as conn:
            return conn.execute(statement).rowcount

    def counts(self) -> dict[str, int]:
        """Jobs per state, with every state present."""
        query = sa.select(jobs.c.state, sa.func.count()).group_by(jobs.c.state)
        totals = {state.value: 0 for state in JobState}
        with transaction(self._engine, read_only=True) as conn:
            for state, count in conn.execute(query):
                totals[state] = count
        return totals

    def list_dead(self, *, limit: int = 100) -> list[Job]:
        """Dead-lettered jobs, most recently failed first."""
        query = (
            _JOINED.where(jobs.c.state == JobState.DEAD)
            .order_by(jobs.c.updated_at.desc(), jobs.c.id.desc())
            .limit(limit)
        )
        with transaction(self._engine, read_only=True) as conn:
            return [_to_job(row) for row in conn.execute(query)]

    def get(self, job_id: int) -> Job | None:
        """The job with this id, whatever its state."""
        query = _JOINED.where(jobs.c.id == job_id)
        with transaction(self._engine, read_only=True) as conn:
            row = conn.execute(query).one_or_none()
        return None if row is None else _to_job(row)

    def replay(self, job_id: int) -> bool:
        """Give a dead job a fresh attempt budget, due now; False if not dead."""
        now = self._clock()
        return self._from_dead(
            job_id,
            state=JobState.PENDING,
            attempts=0,
            run_after=now,
            lease_owner=None,
            lease_expires=None,
            finished_at=None,
            updated_at=now,
        )

    def drop(self, job_id: int) -> bool:
        """Give up on a dead job for good; False if not dead."""
        return self._from_dead(job_id, state=JobState.DROPPED, updated_at=self._clock())

    def _from_dead(self, job_id: int, **values: Any) -> bool:
        statement = (
            sa.update(jobs)
            .where(jobs.c.id == job_id, jobs.c.state == JobState.DEAD)
            .values(**values)
        )
        with transaction(self._engine) as conn:
            changed = conn.execute(statement).rowcount == 1
        if changed:
            log.info("job.operator_action", job_id=job_id, state=values["state"])
        return changed


def _lease_lost_on_last_attempt(row: Row[Any]) -> bool:
    return bool(row.state == JobState.RUNNING and row.attempts >= row.max_attempts)


def _to_job(row: Row[Any], **overrides: Any) -> Job:
    fields: dict[str, Any] = {
        "id": row.id,
        "event_id": row.event_id,
        "kind": row.kind,
        "attempts": row.attempts,
        "max_attempts": row.max_attempts,
        "state": JobState(row.state),
        "last_error": row.last_error,
        "run_after": row.run_after,
        "payload": parse_object(row.payload),
        "provider": row.provider,
        "alert_id": row.alert_id,
        "action": row.action,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
        "lease_owner": row.lease_owner,
    }
    fields.update(overrides)
    return Job(**fields)
