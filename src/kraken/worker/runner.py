"""The worker loop: claim a batch, run each job, settle it.

A job is settled exactly one way: done, retried later with backoff (honouring
`Retry-After`), or dead-lettered with its last error once retrying cannot help
or the attempts are used up. Leases are extended while a job runs, so a slow
vendor never lets a second worker pick the same job up; a crashed worker's
jobs come back when their leases expire.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from kraken.errors import ConnectorError, KrakenError, StoreError
from kraken.logs import get_logger
from kraken.metrics.definitions import Metrics
from kraken.store import Job, JobQueue, compute_backoff

log = get_logger(__name__)

JobHandler = Callable[[Job], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class WorkerOptions:
    concurrency: int = 8
    batch_size: int = 16
    poll_interval_seconds: float = 0.2
    backoff_base_seconds: float = 1.0
    backoff_max_seconds: float = 300.0
    lease_seconds: float = 60.0
    shutdown_grace_seconds: float = 10.0


def new_worker_id() -> str:
    """Unique per process and host, readable in `dlq show` and logs."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Worker:
    def __init__(
        self,
        *,
        queue: JobQueue,
        handler: JobHandler,
        options: WorkerOptions,
        metrics: Metrics,
        worker_id: str | None = None,
    ) -> None:
        self._queue = queue
        self._handler = handler
        self._options = options
        self._metrics = metrics
        self.worker_id = worker_id or new_worker_id()
        self._in_flight: dict[int, asyncio.Task[None]] = {}
        self._slots = asyncio.Semaphore(options.concurrency)

    async def run(self, stop: asyncio.Event) -> None:
        """Work until `stop` is set, then finish or release what is in flight."""
        log.info("worker.started", worker_id=self.worker_id)
        heartbeat = asyncio.create_task(self._extend_leases(stop))
        try:
            while not stop.is_set():
                claimed = await self._claim()
                if not claimed:
                    await _wait(stop, self._options.poll_interval_seconds)
                    continue
                for job in claimed:
                    await self._slots.acquire()
                    task = asyncio.create_task(self._run_one(job))
                    self._in_flight[job.id] = task
                    task.add_done_callback(functools.partial(self._done, job.id))
        finally:
            heartbeat.cancel()
            await self._shutdown()
            log.info("worker.stopped", worker_id=self.worker_id)

    def _done(self, job_id: int, _task: asyncio.Task[None]) -> None:
        self._in_flight.pop(job_id, None)
        self._slots.release()

    async def _claim(self) -> list[Job]:
        # Claim no more than there are free slots, so claimed jobs never wait
        # in memory while their leases run down.
        free = self._options.concurrency - len(self._in_flight)
        limit = min(self._options.batch_size, free)
        if limit <= 0:
            await asyncio.sleep(self._options.poll_interval_seconds / 4)
            return []
        try:
            return await asyncio.to_thread(self._queue.claim, self.worker_id, limit)
        except StoreError as exc:
            log.warning("worker.claim_failed", error=str(exc))
            return []

    async def _run_one(self, job: Job) -> None:
        bound = log.bind(job_id=job.id, alert_id=job.alert_id, action=job.action)
        started = time.perf_counter()
        try:
            await self._handler(job)
        except Exception as exc:  # every failure is settled: retried or dead-lettered
            await self._settle_failure(job, exc)
        else:
            held = await asyncio.to_thread(self._queue.complete, job.id, self.worker_id)
            self._metrics.jobs.labels("done" if held else "lease_lost").inc()
            if not held:
                bound.warning("job.lease_lost")
        finally:
            self._metrics.job_seconds.observe(time.perf_counter() - started)

    async def _settle_failure(self, job: Job, exc: Exception) -> None:
        error = _describe(exc)
        retryable = _is_retryable(exc)
        if retryable and job.attempts < job.max_attempts:
            retry_after = exc.retry_after if isinstance(exc, ConnectorError) else None
            delay = compute_backoff(
                job.attempts,
                base=self._options.backoff_base_seconds,
                cap=self._options.backoff_max_seconds,
                retry_after=retry_after,
            )
            await asyncio.to_thread(
                self._queue.retry,
                job.id,
                self.worker_id,
                error=error,
                delay_seconds=delay,
            )
            self._metrics.jobs.labels("retried").inc()
            log.warning(
                "job.retry_scheduled",
                job_id=job.id,
                alert_id=job.alert_id,
                attempt=job.attempts,
                delay_s=round(delay, 3),
                error=error,
            )
            return
        await asyncio.to_thread(
            self._queue.dead_letter, job.id, self.worker_id, error=error
        )
        self._metrics.jobs.labels("dead_lettered").inc()
        log.error(
            "job.dead_lettered",
            job_id=job.id,
            alert_id=job.alert_id,
            attempts=job.attempts,
            error=error,
            exc_info=not isinstance(exc, KrakenError),
        )

    async def _extend_leases(self, stop: asyncio.Event) -> None:
        interval = max(self._options.lease_seconds / 3, 0.05)
        while not stop.is_set():
            await _wait(stop, interval)
            ids = list(self._in_flight)
            if ids:
                try:
                    await asyncio.to_thread(
                        self._queue.extend_leases, ids, self.worker_id
                    )
                except StoreError as exc:
                    log.warning("worker.lease_extend_failed", error=str(exc))

    async def _shutdown(self) -> None:
        """Give in-flight jobs a grace period, then release the rest."""
        tasks = list(self._in_flight.values())
        if not tasks:
            return
        _, pending = await asyncio.wait(
            tasks, timeout=self._options.shutdown_grace_seconds
        )
        if pending:
            ids = [
                job_id for job_id, task in self._in_flight.items() if task in pending
            ]
            for task in pending:
                task.cancel()
            released = await asyncio.to_thread(self._queue.release, ids, self.worker_id)
            log.warning("worker.released_in_flight", jobs=released)


def _is_retryable(exc: Exception) -> bool:
    if isinstance(exc, ConnectorError):
        return exc.retryable
    if isinstance(exc, StoreError):
        return True
    # Other Kraken errors (incomplete ticket, bad payload, config) fail the
    # same way every time; unknown exceptions may be transient, so retry them.
    return not isinstance(exc, KrakenError)


def _describe(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"[:2000]


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
