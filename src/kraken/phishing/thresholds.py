"""The decision policy and how its two thresholds are chosen. Pure functions.

A report is auto-closed when P(malicious) is below ``close`` (and the most
likely class is clean or spam), escalated when P(malicious) reaches
``escalate``, and queued for an analyst otherwise. ``close`` is the largest
value that keeps the share of malicious emails auto-closed at or under the
stated maximum on group-held-out scores; ``escalate`` is the lowest value
whose escalations are still mostly malicious. Both together maximise how many
reports are decided without an analyst.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

Decision = Literal["auto_close", "escalate", "queue"]
DEFAULT_MAX_MISS_RATE = 0.005
DEFAULT_MAX_FALSE_ESCALATION = 0.02
# Aim below the stated maximum: the threshold is chosen on a finite sample and
# the next sample will differ. 0.8 aims at 0.4 % when 0.5 % is allowed.
DEFAULT_SAFETY = 0.8
CLOSE_CAP = (
    0.5  # never auto-close an email the model finds at least even odds malicious
)
ESCALATE_FLOOR = 0.5  # never escalate an email the model finds more likely benign

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class Thresholds:
    close: float  # auto-close below this P(malicious)
    escalate: float  # escalate at or above this P(malicious)

    def decide(self, p_malicious: float, label: str, *, held: bool = False) -> Decision:
        """`held`: the close guard forbids auto-closing this report."""
        if p_malicious < self.close and label != "malicious" and not held:
            return "auto_close"
        if p_malicious >= self.escalate:
            return "escalate"
        return "queue"


@dataclass(frozen=True, slots=True)
class ThresholdChoice:
    """Chosen thresholds and what they achieved on the scores they were chosen on."""

    thresholds: Thresholds
    max_miss_rate: float
    max_false_escalation: float
    safety: float
    n: int
    n_malicious: int
    miss_rate: float  # share of malicious emails auto-closed
    automation_rate: float  # share auto-closed or escalated
    false_escalation: float  # share of escalations that were not malicious

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["thresholds"] = asdict(self.thresholds)
        return data


def select_thresholds(
    p_malicious: FloatArray,
    is_malicious: BoolArray,
    predicted_malicious: BoolArray | None = None,
    *,
    max_miss_rate: float = DEFAULT_MAX_MISS_RATE,
    max_false_escalation: float = DEFAULT_MAX_FALSE_ESCALATION,
    safety: float = DEFAULT_SAFETY,
) -> ThresholdChoice:
    """Choose (close, escalate) on held-out scores; see the module docstring.

    `predicted_malicious` marks emails that are never auto-closed: those whose
    most likely class is malicious and those the close guard holds; by default
    it is ``p_malicious >= 0.5``.
    """
    scores = np.asarray(p_malicious, dtype=np.float64)
    truth = np.asarray(is_malicious, dtype=bool)
    if scores.shape != truth.shape or scores.ndim != 1:
        raise ValueError("p_malicious and is_malicious must be 1-d and the same length")
    if not 0 <= max_miss_rate < 1 or not 0 < safety <= 1:
        raise ValueError("max_miss_rate must be in [0, 1) and safety in (0, 1]")
    n_malicious = int(truth.sum())
    if n_malicious == 0:
        raise ValueError("cannot choose thresholds without malicious examples")
    predicted = (
        scores >= 0.5
        if predicted_malicious is None
        else np.asarray(predicted_malicious, bool)
    )

    # close: the (k+1)-th lowest malicious score, where k misses are allowed;
    # `p < close` then auto-closes at most k malicious emails.
    allowed = math.floor(max_miss_rate * safety * n_malicious + 1e-9)
    malicious_scores = np.sort(scores[truth & ~predicted])
    if allowed < len(malicious_scores):
        close = float(malicious_scores[allowed])
    else:
        close = CLOSE_CAP
    close = min(close, CLOSE_CAP)

    escalate = _lowest_precise_threshold(
        scores, truth, floor=max(close, ESCALATE_FLOOR), max_false=max_false_escalation
    )
    thresholds = Thresholds(close=close, escalate=escalate)
    return _measure(
        thresholds,
        scores,
        truth,
        predicted,
        max_miss_rate=max_miss_rate,
        max_false_escalation=max_false_escalation,
        safety=safety,
    )


def _lowest_precise_threshold(
    scores: FloatArray, truth: BoolArray, *, floor: float, max_false: float
) -> float:
    order = np.argsort(-scores, kind="stable")
    sorted_scores = scores[order]
    false_so_far = np.cumsum(~truth[order])
    count_so_far = np.arange(1, len(scores) + 1)
    best = 1.0
    for index in range(len(scores)):
        value = float(sorted_scores[index])
        if value < floor:
            break
        # only judge at the last email of a run of equal scores
        if index + 1 < len(scores) and sorted_scores[index + 1] == value:
            continue
        if false_so_far[index] / count_so_far[index] <= max_false:
            best = value
    return best


def _measure(
    thresholds: Thresholds,
    scores: FloatArray,
    truth: BoolArray,
    predicted: BoolArray,
    *,
    max_miss_rate: float,
    max_false_escalation: float,
    safety: float,
) -> ThresholdChoice:
    closed = (scores < thresholds.close) & ~predicted
    escalated = ~closed & (scores >= thresholds.escalate)
    n_escalated = int(escalated.sum())
    return ThresholdChoice(
        thresholds=thresholds,
        max_miss_rate=max_miss_rate,
        max_false_escalation=max_false_escalation,
        safety=safety,
        n=len(scores),
        n_malicious=int(truth.sum()),
        miss_rate=float((closed & truth).sum() / max(1, truth.sum())),
        automation_rate=float((closed | escalated).mean()) if len(scores) else 0.0,
        false_escalation=float((escalated & ~truth).sum() / n_escalated)
        if n_escalated
        else 0.0,
    )


def automation_curve(
    p_malicious: FloatArray,
    is_malicious: BoolArray,
    predicted_malicious: BoolArray,
    escalate: float,
    *,
    points: int = 200,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(close grid, miss rates, automation rates) as `close` sweeps 0..CLOSE_CAP."""
    scores = np.asarray(p_malicious, dtype=np.float64)
    truth = np.asarray(is_malicious, dtype=bool)
    grid = np.unique(
        np.concatenate(
            [
                np.linspace(0, CLOSE_CAP, points),
                np.quantile(scores, np.linspace(0, 1, points)),
            ]
        )
    )
    grid = grid[grid <= CLOSE_CAP]
    n_mal = max(1, int(truth.sum()))
    misses = np.empty(len(grid))
    automation = np.empty(len(grid))
    escalated = scores >= escalate
    for index, close in enumerate(grid):
        closed = (scores < close) & ~predicted_malicious
        misses[index] = (closed & truth).sum() / n_mal
        automation[index] = (closed | (escalated & ~closed)).mean()
    return grid, misses, automation
