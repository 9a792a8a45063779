"""Honest evaluation: a group-held-out test portion, and scoring a model on it.

`split_holdout` keeps every near-duplicate group whole on one side, stratified
by label, and the model records the content hashes of the emails it trained
on, so `kraken evaluate` scores only emails the model has not seen: on the
development data that is exactly the held-apart portion, whichever folder or
manifest it is read from; on a corpus from elsewhere it is all of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.model_selection import StratifiedGroupKFold

from kraken.phishing.model import CLASSES, PhishingModel
from kraken.phishing.scoring import figures
from kraken.phishing.sources import DataError, LabelledEmail
from kraken.phishing.vectorize import Progress, Row, featurize_many


@dataclass(frozen=True, slots=True)
class Split:
    train: list[LabelledEmail]
    test: list[LabelledEmail]


def split_holdout(emails: Sequence[LabelledEmail], *, share: float, seed: int) -> Split:
    """Hold apart about `share` of the emails, whole groups at a time, per label."""
    if share <= 0:
        return Split(list(emails), [])
    if not 0 < share < 0.5:
        raise DataError("the held-apart share must be between 0 and 0.5")
    n_splits = max(2, round(1 / share))
    labels = np.asarray([CLASSES.index(item.label) for item in emails])
    groups = np.asarray([item.group_key for item in emails])
    folds = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    _, test_index = next(folds.split(np.zeros(len(emails)), labels, groups))
    chosen = set(test_index.tolist())
    return Split(
        train=[item for i, item in enumerate(emails) if i not in chosen],
        test=[item for i, item in enumerate(emails) if i in chosen],
    )


@dataclass(frozen=True, slots=True)
class Evaluation:
    y_true: np.ndarray[Any, Any]
    proba: np.ndarray[Any, Any]
    held: np.ndarray[Any, Any]  # the close guard kept these from auto-closing
    decisions: list[str]
    summary: dict[str, Any]


def select_unseen(
    model: PhishingModel, emails: Sequence[LabelledEmail]
) -> list[LabelledEmail]:
    """The emails this model did not train on, found by content hash."""
    trained = set(model.metadata.get("training", {}).get("sha256", []))
    unseen = [item for item in emails if item.sha256 not in trained]
    if not unseen:
        raise DataError(
            "the model trained on every email given; nothing is left to evaluate "
            "honestly (--all scores them anyway)"
        )
    return unseen


def evaluate_model(
    model: PhishingModel,
    emails: Sequence[LabelledEmail],
    *,
    jobs: int = 0,
    progress: Progress | None = None,
) -> Evaluation:
    """Score `emails` with `model` (its own stripping profile) and summarise."""
    rows = featurize_many(
        [item.raw for item in emails],
        model.profile,
        model.features,
        jobs=jobs,
        progress=progress,
    )
    return evaluate_rows(model, rows, [item.label for item in emails])


def evaluate_rows(
    model: PhishingModel, rows: Sequence[Row], labels: Sequence[str]
) -> Evaluation:
    """Score featurized emails, decide each as the service would, and summarise."""
    proba = model.predict_rows(rows)
    held = model.held(rows)
    decisions: list[str] = list(model.decide(proba, held))
    y_true = np.asarray([CLASSES.index(label) for label in labels])
    summary = figures(y_true, proba, decisions)
    summary["thresholds"] = {
        "close": model.thresholds.close,
        "escalate": model.thresholds.escalate,
    }
    summary["held_by_guard"] = round(sum(held) / max(1, len(held)), 5)
    summary["model_version"] = model.version
    summary["parse_defects"] = sum(1 for row in rows if row.defects)
    return Evaluation(y_true, proba, np.asarray(held, dtype=bool), decisions, summary)
