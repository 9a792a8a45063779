from __future__ import annotations

import random

import pytest

from kraken.store import compute_backoff


def test_backoff_stays_within_half_step_and_step() -> None:
    rng = random.Random(7)
    for attempt in range(1, 8):
        step = min(60.0, 2.0 * 2 ** (attempt - 1))
        for _ in range(200):
            delay = compute_backoff(
                attempt, base=2.0, cap=60.0, retry_after=None, rng=rng
            )
            assert step / 2 <= delay <= step


def test_backoff_grows_with_attempts_until_the_cap() -> None:
    def upper(attempt: int) -> float:
        rng = random.Random(1)
        return max(
            compute_backoff(attempt, base=1.0, cap=30.0, retry_after=None, rng=rng)
            for _ in range(500)
        )

    bounds = [upper(attempt) for attempt in range(1, 8)]
    assert bounds[0] < bounds[1] < bounds[2] < bounds[3] < bounds[4]
    assert all(bound <= 30.0 for bound in bounds)
    assert bounds[-1] > 15.0


def test_backoff_never_below_half_base_even_for_huge_attempts() -> None:
    rng = random.Random(3)
    delays = [
        compute_backoff(attempt, base=4.0, cap=600.0, retry_after=None, rng=rng)
        for attempt in (1, 2, 50, 5000)
    ]
    assert all(2.0 <= delay <= 600.0 for delay in delays)


def test_backoff_honours_a_longer_retry_after() -> None:
    delay = compute_backoff(1, base=1.0, cap=10.0, retry_after=120.0)
    assert delay == 120.0


def test_backoff_keeps_its_own_delay_when_retry_after_is_shorter() -> None:
    delay = compute_backoff(
        6, base=1.0, cap=10.0, retry_after=0.5, rng=random.Random(2)
    )
    assert 5.0 <= delay <= 10.0


def test_backoff_jitter_spreads_retries() -> None:
    rng = random.Random(11)
    delays = {
        round(compute_backoff(4, base=1.0, cap=60.0, retry_after=None, rng=rng), 3)
        for _ in range(50)
    }
    assert len(delays) > 40


def test_backoff_rejects_nonsense_arguments() -> None:
    with pytest.raises(ValueError, match="attempt"):
        compute_backoff(0, base=1.0, cap=10.0, retry_after=None)
    with pytest.raises(ValueError, match="base"):
        compute_backoff(1, base=0.0, cap=10.0, retry_after=None)
