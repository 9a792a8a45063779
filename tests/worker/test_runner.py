"""The worker settles each job one way: done, retried with backoff, or dead."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from kraken.errors import RetryableConnectorError, TicketIncompleteError
from kraken.metrics.definitions import Metrics
from kraken.store import (
    Job,
    JobQueue,
    NewEvent,
    accept_events,
    create_engine_for,
    upgrade,
)
from kraken.worker.runner import Worker, WorkerOptions

FAST = WorkerOptions(
    concurrency=4,
    batch_size=4,
    poll_interval_seconds=0.01,
    backoff_base_seconds=0.01,
    backoff_max_seconds=0.05,
    lease_seconds=5.0,
    shutdown_grace_seconds=1.0,
)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = create_engine_for(f"sqlite:///{tmp_path / 'kraken.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


def enqueue(engine: Engine, n: int, *, max_attempts: int = 3) -> list[int]:
    new = [
        NewEvent(
            provider="opsgenie",
            idempotency_key=f"k{i}",
            alert_id=f"a{i}",
            action="Create",
            payload={"action": "Create", "alert": {"alertId": f"a{i}"}},
            received_at=time.time(),
        )
        for i in range(n)
    ]
    with engine.begin() as conn:
        accepted = accept_events(conn, new, max_attempts=max_attempts)
    return [a.job_id for a in accepted if a.job_id is not None]


async def run_until(
    queue: JobQueue, handler, states: set[str], job_ids: list[int]
) -> None:
    worker = Worker(queue=queue, handler=handler, options=FAST, metrics=Metrics())
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    for _ in range(500):
        jobs = [queue.get(j) for j in job_ids]
        if all(job is not None and job.state in states for job in jobs):
            break
        await asyncio.sleep(0.01)
    stop.set()
    await task


async def test_successful_jobs_are_done(engine) -> None:
    queue = JobQueue(engine, lease_seconds=5)
    ids = enqueue(engine, 5)
    seen: list[int] = []

    async def handler(job: Job) -> None:
        seen.append(job.id)

    await run_until(queue, handler, {"done"}, ids)
    assert sorted(seen) == sorted(ids)
    assert queue.counts()["done"] == 5


async def test_retryable_failure_is_retried_then_succeeds(engine) -> None:
    queue = JobQueue(engine, lease_seconds=5)
    ids = enqueue(engine, 1)
    calls = 0

    async def handler(job: Job) -> None:
        nonlocal calls
        calls += 1
        if calls < 3:
            raise RetryableConnectorError("servicenow", "create", status=503)

    await run_until(queue, handler, {"done"}, ids)
    job = queue.get(ids[0])
    assert job is not None and job.state == "done"
    assert calls == 3


async def test_attempts_used_up_dead_letters_with_last_error(engine) -> None:
    queue = JobQueue(engine, lease_seconds=5)
    ids = enqueue(engine, 1, max_attempts=2)

    async def handler(job: Job) -> None:
        raise RetryableConnectorError(
            "servicenow", "create", status=429, retry_after=0.01
        )

    await run_until(queue, handler, {"dead"}, ids)
    job = queue.get(ids[0])
    assert job is not None and job.state == "dead"
    assert job.attempts == 2
    assert "HTTP 429" in (job.last_error or "")


async def test_incomplete_ticket_dead_letters_at_once_naming_the_field(engine) -> None:
    queue = JobQueue(engine, lease_seconds=5)
    ids = enqueue(engine, 1, max_attempts=5)

    async def handler(job: Job) -> None:
        raise TicketIncompleteError(["assignment_group"])

    await run_until(queue, handler, {"dead"}, ids)
    job = queue.get(ids[0])
    assert job is not None and job.attempts == 1
    assert "assignment_group" in (job.last_error or "")


async def test_shutdown_releases_jobs_that_outlive_the_grace_period(engine) -> None:
    queue = JobQueue(engine, lease_seconds=5)
    ids = enqueue(engine, 1)
    started = asyncio.Event()

    async def handler(job: Job) -> None:
        started.set()
        await asyncio.sleep(30)

    worker = Worker(queue=queue, handler=handler, options=FAST, metrics=Metrics())
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    await asyncio.wait_for(started.wait(), 5)
    stop.set()
    await task
    job = queue.get(ids[0])
    assert job is not None and job.state == "pending"
