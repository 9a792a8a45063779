"""Train from sources end to end: read, group, hold apart, fit, evaluate, record.

The CLI and the ablation both go through here, so every model carries the
same provenance: which sources, which emails (fingerprint), which groups were
held apart, and the figures measured on them.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kraken.logs import get_logger
from kraken.phishing.evaluate import (
    Evaluation,
    evaluate_model,
    evaluate_rows,
    split_holdout,
)
from kraken.phishing.leakage import StrippingProfile
from kraken.phishing.model import PhishingModel, TrainOptions, train_model
from kraken.phishing.sources import (
    DataError,
    EmailSource,
    LabelledEmail,
    attach_groups,
    find_groups_file,
    fingerprint,
    read_groups,
)
from kraken.phishing.vectorize import Progress, Row, featurize_many

log = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Corpus:
    emails: list[LabelledEmail]
    sources: list[str]
    groups_file: str | None


def read_corpus(
    sources: Sequence[EmailSource], *, groups_file: Path | None = None
) -> Corpus:
    """Every email of every source, with near-duplicate groups attached when known."""
    emails: list[LabelledEmail] = []
    for source in sources:
        emails.extend(source)
    if not emails:
        raise DataError("the sources hold no emails")
    if groups_file is not None:
        emails = attach_groups(emails, read_groups(groups_file))
    grouped = sum(1 for item in emails if item.group)
    log.info(
        "phishing.corpus.read",
        emails=len(emails),
        grouped=grouped,
        groups_file=groups_file,
    )
    return Corpus(
        emails,
        [source.describe() for source in sources],
        str(groups_file) if groups_file else None,
    )


def default_groups_file(anchor: Path) -> Path | None:
    return find_groups_file(anchor)


@dataclass(frozen=True, slots=True)
class TrainResult:
    model: PhishingModel
    evaluation: Evaluation | None
    seconds: float


def train_corpus(
    corpus: Corpus,
    *,
    profile: StrippingProfile,
    options: TrainOptions,
    holdout_share: float = 0.2,
    jobs: int = 0,
    progress: Progress | None = None,
    rows: Sequence[Row] | None = None,
) -> TrainResult:
    """Hold apart a group-split test portion, train on the rest, evaluate on it.

    `rows` may carry featurized emails (same order as the corpus) to skip
    parsing again, as the ablation does when only the model changes.
    """
    started = time.perf_counter()
    split = split_holdout(corpus.emails, share=holdout_share, seed=options.seed)
    test_keys = {item.key for item in split.test}
    if rows is None:
        train_rows = featurize_many(
            [item.raw for item in split.train],
            profile,
            options.features,
            jobs=jobs,
            progress=progress,
        )
    else:
        train_rows = [
            row
            for row, item in zip(rows, corpus.emails, strict=True)
            if item.key not in test_keys
        ]
    provenance = {
        "sources": corpus.sources,
        "groups_file": corpus.groups_file,
        "fingerprint": fingerprint(split.train),
        "class_counts": dict(Counter(item.label for item in split.train)),
        # Content hashes of every training email, so that `kraken evaluate`
        # never scores an email the model learnt from, whatever data it gets.
        "sha256": sorted({item.sha256 for item in split.train}),
        "holdout": {
            "share": holdout_share,
            "seed": options.seed,
            "n": len(split.test),
            "fingerprint": fingerprint(split.test) if split.test else "",
        },
    }
    model = train_model(
        train_rows,
        [item.label for item in split.train],
        [item.group_key for item in split.train],
        profile=profile,
        options=options,
        provenance=provenance,
    )
    model.metadata["training"]["seconds"] = round(time.perf_counter() - started, 2)
    evaluation = None
    if split.test:
        evaluation = _evaluate_test(
            model, corpus, split.test, rows, jobs=jobs, progress=progress
        )
        model.metadata["evaluation"] = {
            key: value
            for key, value in evaluation.summary.items()
            if key != "model_version"
        }
    return TrainResult(model, evaluation, time.perf_counter() - started)


def _evaluate_test(
    model: PhishingModel,
    corpus: Corpus,
    test: list[LabelledEmail],
    rows: Sequence[Row] | None,
    *,
    jobs: int,
    progress: Progress | None,
) -> Evaluation:
    if rows is None:
        return evaluate_model(model, test, jobs=jobs, progress=progress)
    keys = {item.key for item in test}
    test_rows = [
        row for row, item in zip(rows, corpus.emails, strict=True) if item.key in keys
    ]
    return evaluate_rows(model, test_rows, [item.label for item in test])
