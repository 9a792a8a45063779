from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
from sqlalchemy.engine import Engine

from kraken.store import JobQueue, JobState, NewEvent, accept_events


class FakeClock:
    """Wall-clock time that only moves when a test says so.

    It starts a minute ahead, so jobs accepted at real time are already due.
    """

    def __init__(self) -> None:
        self.now = time.time() + 60

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def _enqueue(engine: Engine, count: int, *, max_attempts: int = 5) -> list[int]:
    batch = [
        NewEvent("opsgenie", f"og:a-{n}:Create", f"a-{n}", "Create", {"n": n}, 1.0)
        for n in range(count)
    ]
    with engine.begin() as conn:
        accepted = accept_events(conn, batch, max_attempts=max_attempts)
    return [result.job_id for result in accepted if result.job_id is not None]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def queue(engine: Engine, clock: FakeClock) -> JobQueue:
    return JobQueue(engine, lease_seconds=30.0, clock=clock)


def test_claim_leases_due_jobs_oldest_first_with_their_event(
    engine: Engine, queue: JobQueue
) -> None:
    job_ids = _enqueue(engine, 3)
    claimed = queue.claim("w1", 2)
    assert [job.id for job in claimed] == job_ids[:2]
    first = claimed[0]
    assert (first.state, first.attempts, first.lease_owner) == ("running", 1, "w1")
    assert (first.provider, first.alert_id, first.action) == (
        "opsgenie",
        "a-0",
        "Create",
    )
    assert first.payload == {"n": 0}
    stored = queue.get(first.id)
    assert stored is not None and stored.state == JobState.RUNNING
    assert [job.id for job in queue.claim("w2", 5)] == job_ids[2:]
    assert queue.claim("w3", 5) == []


def test_claim_with_zero_limit_claims_nothing(engine: Engine, queue: JobQueue) -> None:
    _enqueue(engine, 1)
    assert queue.claim("w1", 0) == []
    assert queue.counts()["pending"] == 1


def _drain_concurrently(queue: JobQueue, workers: int) -> tuple[list[int], list[bool]]:
    claimed: list[int] = []
    completed: list[bool] = []
    lock = threading.Lock()
    start = threading.Barrier(workers)

    def work(worker_id: str) -> None:
        start.wait()
        while batch := queue.claim(worker_id, 3):
            results = [queue.complete(job.id, worker_id) for job in batch]
            with lock:
                claimed.extend(job.id for job in batch)
                completed.extend(results)

    threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return claimed, completed


def test_concurrent_claimers_never_share_a_job(engine: Engine) -> None:
    job_ids = _enqueue(engine, 150)
    queue = JobQueue(engine)
    claimed, completed = _drain_concurrently(queue, workers=8)
    duplicates = [job_id for job_id, seen in Counter(claimed).items() if seen > 1]
    assert duplicates == []
    assert sorted(claimed) == job_ids
    assert all(completed)
    assert queue.counts()["done"] == 150


def test_expired_lease_is_reclaimed_and_old_worker_loses_it(
    engine: Engine, queue: JobQueue, clock: FakeClock
) -> None:
    [job_id] = _enqueue(engine, 1)
    queue.claim("w1", 1)
    clock.advance(10)
    assert queue.claim("w2", 1) == []  # lease still valid
    clock.advance(25)
    [reclaimed] = queue.claim("w2", 1)
    assert (reclaimed.id, reclaimed.attempts, reclaimed.lease_owner) == (
        job_id,
        2,
        "w2",
    )
    assert queue.complete(job_id, "w1") is False
    assert queue.retry(job_id, "w1", error="late", delay_seconds=1) is False
    assert queue.complete(job_id, "w2") is True
    assert queue.counts()["done"] == 1


def test_extended_lease_is_not_reclaimed(
    engine: Engine, queue: JobQueue, clock: FakeClock
) -> None:
    [job_id] = _enqueue(engine, 1)
    queue.claim("w1", 1)
    clock.advance(20)
    assert queue.extend_leases([job_id], "w1") == 1
    assert queue.extend_leases([job_id], "someone-else") == 0
    clock.advance(20)
    assert queue.claim("w2", 1) == []
    assert queue.complete(job_id, "w1") is True


def test_retry_waits_for_its_delay(
    engine: Engine, queue: JobQueue, clock: FakeClock
) -> None:
    [job_id] = _enqueue(engine, 1)
    queue.claim("w1", 1)
    assert queue.retry(job_id, "w1", error="HTTP 503", delay_seconds=60) is True
    clock.advance(59)
    assert queue.claim("w1", 1) == []
    clock.advance(2)
    [again] = queue.claim("w1", 1)
    assert (again.id, again.attempts, again.last_error) == (job_id, 2, "HTTP 503")


def test_retry_dead_letters_once_attempts_are_spent(
    engine: Engine, queue: JobQueue, clock: FakeClock
) -> None:
    [job_id] = _enqueue(engine, 1, max_attempts=2)
    for attempt in (1, 2):
        [job] = queue.claim("w1", 1)
        assert job.attempts == attempt
        assert job.exhausted is (attempt == 2)
        assert queue.retry(job_id, "w1", error=f"fail {attempt}", delay_seconds=0)
        clock.advance(1)
    assert queue.claim("w1", 1) == []
    dead = queue.get(job_id)
    assert dead is not None
    assert (dead.state, dead.last_error) == (JobState.DEAD, "fail 2")


def test_dead_letter_parks_the_job_with_its_error(
    engine: Engine, queue: JobQueue
) -> None:
    [job_id] = _enqueue(engine, 1)
    queue.claim("w1", 1)
    assert queue.dead_letter(job_id, "w2", error="not mine") is False
    assert queue.dead_letter(job_id, "w1", error="ticket missing caller_id") is True
    [dead] = queue.list_dead()
    assert (dead.id, dead.state, dead.last_error) == (
        job_id,
        "dead",
        "ticket missing caller_id",
    )


def test_crashing_job_is_dead_lettered_when_its_last_lease_expires(
    engine: Engine, queue: JobQueue, clock: FakeClock
) -> None:
    [job_id] = _enqueue(engine, 1, max_attempts=2)
    for _ in range(2):
        assert len(queue.claim("w1", 1)) == 1
        clock.advance(31)  # the worker "crashed": its lease runs out
    assert queue.claim("w2", 1) == []
    dead = queue.get(job_id)
    assert dead is not None and dead.state == JobState.DEAD
    assert dead.last_error is not None and "lease expired" in dead.last_error


def test_release_returns_jobs_without_spending_an_attempt(
    engine: Engine, queue: JobQueue
) -> None:
    job_ids = _enqueue(engine, 2)
    queue.claim("w1", 2)
    assert queue.release(job_ids, "w2") == 0
    assert queue.release(job_ids, "w1") == 2
    assert queue.release([], "w1") == 0
    claimed = queue.claim("w2", 2)
    assert [job.attempts for job in claimed] == [1, 1]


def test_replay_gives_a_dead_job_a_fresh_budget(
    engine: Engine, queue: JobQueue, clock: FakeClock
) -> None:
    [job_id] = _enqueue(engine, 1, max_attempts=1)
    queue.claim("w1", 1)
    assert queue.replay(job_id) is False  # running, not dead
    queue.dead_letter(job_id, "w1", error="boom")
    assert queue.replay(job_id) is True
    assert queue.replay(job_id) is False
    [again] = queue.claim("w1", 1)
    assert (again.id, again.attempts) == (job_id, 1)


def test_drop_retires_a_dead_job_for_good(engine: Engine, queue: JobQueue) -> None:
    [job_id] = _enqueue(engine, 1)
    queue.claim("w1", 1)
    queue.dead_letter(job_id, "w1", error="boom")
    assert queue.drop(job_id) is True
    assert queue.drop(job_id) is False
    assert queue.replay(job_id) is False
    assert queue.list_dead() == []
    assert queue.claim("w1", 1) == []


def test_counts_report_every_state(engine: Engine, queue: JobQueue) -> None:
    assert queue.counts() == {
        "pending": 0,
        "running": 0,
        "done": 0,
        "dead": 0,
        "dropped": 0,
    }
    job_ids = _enqueue(engine, 4)
    queue.claim("w1", 3)
    queue.complete(job_ids[0], "w1")
    queue.dead_letter(job_ids[1], "w1", error="x")
    assert queue.counts() == {
        "pending": 1,
        "running": 1,
        "done": 1,
        "dead": 1,
        "dropped": 0,
    }


def test_list_dead_shows_newest_failures_first_up_to_limit(
    engine: Engine, queue: JobQueue, clock: FakeClock
) -> None:
    job_ids = _enqueue(engine, 3)
    queue.claim("w1", 3)
    for job_id in job_ids:
        queue.dead_letter(job_id, "w1", error=f"e{job_id}")
        clock.advance(1)
    assert [job.id for job in queue.list_dead(limit=2)] == job_ids[:0:-1]


def test_get_unknown_job_is_none(queue: JobQueue) -> None:
    assert queue.get(12345) is None


def test_long_errors_are_truncated(engine: Engine, queue: JobQueue) -> None:
    [job_id] = _enqueue(engine, 1)
    queue.claim("w1", 1)
    queue.dead_letter(job_id, "w1", error="x" * 100_000)
    dead = queue.get(job_id)
    assert dead is not None and dead.last_error is not None
    assert len(dead.last_error) == 4000
