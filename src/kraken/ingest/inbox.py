"""The durable inbox with group commit.

Requests hand their event to one writer thread and wait. The thread drains
whatever has queued up, writes the whole batch (events and their jobs) in one
transaction and wakes every waiter: durability costs one commit per batch,
not per request, and the event loop never blocks on the database.
"""

from __future__ import annotations

import asyncio
import queue
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine

from kraken.errors import StoreError
from kraken.logs import get_logger
from kraken.metrics.definitions import Metrics
from kraken.store import Accepted, NewEvent, accept_events

log = get_logger(__name__)

MAX_BATCH = 256  # bounds one transaction's size and every waiter's latency


@dataclass(slots=True)
class _Pending:
    event: NewEvent
    future: asyncio.Future[Accepted]
    loop: asyncio.AbstractEventLoop


class GroupCommitInbox:
    """Accept events durably; `accept()` returns only after the commit."""

    def __init__(
        self,
        engine: Engine,
        *,
        max_attempts: int,
        metrics: Metrics | None = None,
    ) -> None:
        self._engine = engine
        self._max_attempts = max_attempts
        self._metrics = metrics
        self._queue: queue.SimpleQueue[_Pending | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name="kraken-inbox", daemon=True
            )
            self._thread.start()

    def stop(self) -> None:
        """Commit what is queued, then end the writer thread."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None

    async def accept(self, event: NewEvent) -> Accepted:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Accepted] = loop.create_future()
        self._queue.put(_Pending(event, future, loop))
        return await future

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            stopping = False
            while len(batch) < MAX_BATCH:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stopping = True
                    break
                batch.append(item)
            self._commit(batch)
            if stopping:
                return

    def _commit(self, batch: Sequence[_Pending]) -> None:
        started = time.perf_counter()
        try:
            with self._engine.begin() as conn:
                results = accept_events(
                    conn,
                    [p.event for p in batch],
                    max_attempts=self._max_attempts,
                )
        except Exception as exc:  # every waiter must hear about the failure
            log.error("inbox.commit_failed", batch=len(batch), error=type(exc).__name__)
            error = exc if isinstance(exc, StoreError) else StoreError(str(exc))
            for pending in batch:
                pending.loop.call_soon_threadsafe(_set_exception, pending.future, error)
            return
        if self._metrics is not None:
            self._metrics.ingest_batch_seconds.observe(time.perf_counter() - started)
            self._metrics.ingest_batch_size.observe(len(batch))
        for pending, result in zip(batch, results, strict=True):
            pending.loop.call_soon_threadsafe(_set_result, pending.future, result)


def _set_result(future: asyncio.Future[Accepted], result: Accepted) -> None:
    if not future.done():
        future.set_result(result)


def _set_exception(future: asyncio.Future[Accepted], error: BaseException) -> None:
    if not future.done():
        future.set_exception(error)
