"""Evaluation figures from labels, probabilities and decisions. Pure functions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

CLASSES: tuple[str, ...] = ("clean", "spam", "malicious")


def figures(
    y_true: Sequence[int] | np.ndarray[Any, Any],
    proba: np.ndarray[Any, Any],
    decisions: Sequence[str],
) -> dict[str, Any]:
    """The evaluation summary printed by ``kraken evaluate --json``.

    ``malicious_auto_closed`` is the share of malicious emails that were
    auto-closed (the miss rate that matters); ``automation_rate`` is the share
    of all emails decided without an analyst (auto-closed or escalated).
    """
    truth = np.asarray(y_true, dtype=int)
    predicted = proba.argmax(axis=1) if len(truth) else np.zeros(0, dtype=int)
    labels = list(range(len(CLASSES)))
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=labels, zero_division=0
    )
    decided = np.asarray(decisions)
    n = len(truth)
    closed = decided == "auto_close"
    escalated = decided == "escalate"
    is_mal = truth == CLASSES.index("malicious")
    share = _share(n)
    return {
        "n": n,
        "per_class": {
            name: {
                "precision": round(float(precision[i]), 4),
                "recall": round(float(recall[i]), 4),
                "f1": round(float(f1[i]), 4),
                "support": int(support[i]),
            }
            for i, name in enumerate(CLASSES)
        },
        "macro_f1": round(float(np.mean(f1)), 4),
        "accuracy": round(float((predicted == truth).mean()) if n else 0.0, 4),
        "auto_closed_share": share(closed.sum()),
        "escalated_share": share(escalated.sum()),
        "queued_share": share((decided == "queue").sum()),
        "malicious_auto_closed": round(
            float((closed & is_mal).sum() / max(1, is_mal.sum())), 5
        ),
        "malicious_auto_closed_count": int((closed & is_mal).sum()),
        "benign_escalated": round(
            float((escalated & ~is_mal).sum() / max(1, (~is_mal).sum())), 5
        ),
        "automation_rate": share((closed | escalated).sum()),
        "confusion_matrix": confusion_matrix(truth, predicted, labels=labels).tolist()
        if n
        else [],
    }


def _share(n: int) -> Any:
    def share(count: Any) -> float:
        return round(float(count) / n, 5) if n else 0.0

    return share
