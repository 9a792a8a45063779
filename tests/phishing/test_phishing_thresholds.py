"""Threshold selection on synthetic scores."""

from __future__ import annotations

import numpy as np
import pytest

from kraken.phishing.thresholds import (
    CLOSE_CAP,
    Thresholds,
    automation_curve,
    select_thresholds,
)


def scores(
    seed: int = 0, n_mal: int = 1000, n_benign: int = 3000
) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    malicious = rng.beta(8, 2, n_mal)
    benign = rng.beta(1, 12, n_benign)
    return np.concatenate([malicious, benign]), np.concatenate(
        [np.ones(n_mal, bool), np.zeros(n_benign, bool)]
    )


@pytest.mark.parametrize("max_miss", [0.0, 0.005, 0.02, 0.1])
def test_respects_max_miss_rate(max_miss: float) -> None:
    p, truth = scores()
    choice = select_thresholds(p, truth, max_miss_rate=max_miss, safety=1.0)
    closed = (p < choice.thresholds.close) & (p < 0.5)
    assert (closed & truth).sum() / truth.sum() <= max_miss
    assert choice.miss_rate <= max_miss


def test_close_is_the_largest_threshold_within_the_budget() -> None:
    p, truth = scores()
    choice = select_thresholds(p, truth, max_miss_rate=0.01, safety=1.0)
    allowed = int(0.01 * truth.sum())
    # one step higher would auto-close one malicious email more than allowed
    next_mal = np.sort(p[truth])[allowed]
    assert choice.thresholds.close == pytest.approx(min(next_mal, CLOSE_CAP))
    assert ((p <= choice.thresholds.close) & truth).sum() == allowed + 1


def test_looser_budget_never_lowers_automation() -> None:
    p, truth = scores(seed=3)
    rates = [
        select_thresholds(p, truth, max_miss_rate=m).automation_rate
        for m in (0.0, 0.005, 0.02, 0.05)
    ]
    assert rates == sorted(rates)
    assert rates[-1] > rates[0]


def test_safety_margin_tightens_the_threshold() -> None:
    p, truth = scores(seed=5)
    loose = select_thresholds(p, truth, max_miss_rate=0.02, safety=1.0)
    tight = select_thresholds(p, truth, max_miss_rate=0.02, safety=0.5)
    assert tight.thresholds.close <= loose.thresholds.close


def test_escalations_are_mostly_malicious() -> None:
    p, truth = scores(seed=7)
    choice = select_thresholds(p, truth, max_false_escalation=0.01)
    escalated = p >= choice.thresholds.escalate
    assert (escalated & ~truth).sum() / max(1, escalated.sum()) <= 0.01
    assert choice.thresholds.escalate >= 0.5


def test_perfect_separation_automates_everything() -> None:
    p = np.array([0.01, 0.02, 0.03, 0.97, 0.98, 0.99])
    truth = np.array([False, False, False, True, True, True])
    choice = select_thresholds(p, truth)
    assert choice.automation_rate == 1.0
    assert choice.miss_rate == 0.0


def test_malicious_scored_lowest_blocks_auto_close() -> None:
    p = np.array([0.001, 0.2, 0.3, 0.9])
    truth = np.array([True, False, False, True])
    choice = select_thresholds(p, truth, max_miss_rate=0.0)
    assert choice.thresholds.close == pytest.approx(0.001)
    assert choice.miss_rate == 0.0


def test_needs_malicious_examples_and_matching_shapes() -> None:
    with pytest.raises(ValueError, match="malicious"):
        select_thresholds(np.array([0.1, 0.2]), np.array([False, False]))
    with pytest.raises(ValueError):
        select_thresholds(np.array([0.1]), np.array([True, False]))


def test_decision_policy() -> None:
    thresholds = Thresholds(close=0.05, escalate=0.8)
    assert thresholds.decide(0.01, "clean") == "auto_close"
    assert thresholds.decide(0.01, "malicious") == "queue"
    assert thresholds.decide(0.5, "spam") == "queue"
    assert thresholds.decide(0.8, "malicious") == "escalate"
    assert thresholds.decide(0.01, "clean", held=True) == "queue"
    assert thresholds.decide(0.9, "malicious", held=True) == "escalate"


def test_automation_curve_is_monotone_in_the_close_threshold() -> None:
    p, truth = scores(seed=9)
    grid, misses, automation = automation_curve(p, truth, p >= 0.5, 0.9)
    assert np.all(np.diff(grid) > 0)
    assert np.all(np.diff(misses) >= 0)
    assert np.all(np.diff(automation) >= -1e-12)
