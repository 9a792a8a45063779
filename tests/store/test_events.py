from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from kraken.store import (
    Accepted,
    NewEvent,
    accept_events,
    count_events,
    get_event,
)
from kraken.store.schema import jobs


def _event(key: str, *, alert_id: str = "a-1", note: str = "") -> NewEvent:
    return NewEvent(
        provider="opsgenie",
        idempotency_key=key,
        alert_id=alert_id,
        action="Create",
        payload={"alert": {"alertId": alert_id, "tags": ["siem"]}, "note": note},
        received_at=1_700_000_000.5,
    )


def _job_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(jobs)).scalar_one()


def test_accept_stores_event_with_pending_job(engine: Engine) -> None:
    with engine.begin() as conn:
        [accepted] = accept_events(conn, [_event("og:a-1:Create")], max_attempts=3)
    assert not accepted.duplicate
    assert accepted.job_id is not None
    with engine.connect() as conn:
        row = conn.execute(sa.select(jobs).where(jobs.c.id == accepted.job_id)).one()
        stored = get_event(conn, accepted.event_id)
    assert (row.state, row.attempts, row.max_attempts, row.kind) == (
        "pending",
        0,
        3,
        "alert",
    )
    assert row.event_id == accepted.event_id
    assert stored is not None
    assert stored.payload == {"alert": {"alertId": "a-1", "tags": ["siem"]}, "note": ""}
    assert (stored.source, stored.received_at) == ("webhook", 1_700_000_000.5)


def test_same_key_twice_in_one_batch_is_one_event_and_one_job(engine: Engine) -> None:
    batch = [_event("k1"), _event("k2", alert_id="a-2"), _event("k1", note="again")]
    with engine.begin() as conn:
        results = accept_events(conn, batch)
    first, second, repeat = results
    assert not first.duplicate and not second.duplicate
    assert repeat == Accepted(first.event_id, None, duplicate=True)
    with engine.connect() as conn:
        assert count_events(conn) == 2
        stored = get_event(conn, first.event_id)
    assert stored is not None and stored.payload["note"] == ""
    assert _job_count(engine) == 2


def test_same_key_in_a_later_batch_is_flagged_duplicate(engine: Engine) -> None:
    with engine.begin() as conn:
        [original] = accept_events(conn, [_event("k1")])
    with engine.begin() as conn:
        results = accept_events(conn, [_event("k2"), _event("k1")])
    assert results[0].duplicate is False
    assert results[1] == Accepted(original.event_id, None, duplicate=True)
    assert _job_count(engine) == 2


def test_results_follow_input_order_in_a_large_batch(engine: Engine) -> None:
    keys = [f"key-{n}" for n in range(1200)]
    with engine.begin() as conn:
        accept_events(conn, [_event(key) for key in keys[::2]])
    with engine.begin() as conn:
        results = accept_events(conn, [_event(key) for key in keys])
    assert [result.duplicate for result in results] == [n % 2 == 0 for n in range(1200)]
    with engine.connect() as conn:
        assert count_events(conn) == 1200
        for key, result in zip(keys[:5], results, strict=False):
            stored = get_event(conn, result.event_id)
            assert stored is not None and stored.idempotency_key == key


def test_rolled_back_transaction_leaves_neither_event_nor_job(engine: Engine) -> None:
    with pytest.raises(RuntimeError, match="crash"), engine.begin() as conn:
        accept_events(conn, [_event("k1")])
        raise RuntimeError("crash before commit")
    with engine.connect() as conn:
        assert count_events(conn) == 0
    assert _job_count(engine) == 0


def test_racing_accepts_of_one_key_yield_one_event_and_no_error(
    engine: Engine,
) -> None:
    outcome: list[Accepted] = []

    def second_process() -> None:
        with engine.begin() as conn:
            outcome.extend(accept_events(conn, [_event("race")]))

    with engine.begin() as conn:
        [first] = accept_events(conn, [_event("race")])
        racer = threading.Thread(target=second_process)
        racer.start()
        time.sleep(0.3)  # let the racer reach its insert and block on ours
    racer.join(timeout=10)
    assert not racer.is_alive()
    assert outcome == [Accepted(first.event_id, None, duplicate=True)]
    assert _job_count(engine) == 1


def test_get_event_returns_none_for_unknown_id(engine: Engine) -> None:
    with engine.connect() as conn:
        assert get_event(conn, 999) is None


def test_accept_rejects_zero_attempt_budget(engine: Engine) -> None:
    with engine.begin() as conn, pytest.raises(ValueError, match="max_attempts"):
        accept_events(conn, [_event("k1")], max_attempts=0)


def test_empty_batch_is_a_no_op(engine: Engine) -> None:
    with engine.begin() as conn:
        assert accept_events(conn, []) == []
