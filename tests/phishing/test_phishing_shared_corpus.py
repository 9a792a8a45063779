"""Training on a stratified, group-aware subset of the development corpus."""

from __future__ import annotations

import random
from collections import defaultdict

import pytest

from kraken.phishing.leakage import load_profile
from kraken.phishing.model import TrainOptions
from kraken.phishing.pipeline import (
    Corpus,
    default_groups_file,
    read_corpus,
    train_corpus,
)
from kraken.phishing.sources import FolderSource
from shared_files import shared_path

PER_CLASS_GROUPS = 500  # ~1,500 emails: trains in ~10 s on two cores


@pytest.mark.slow
def test_group_held_out_miss_rate_and_automation_on_real_corpus() -> None:
    emails_dir = shared_path("data", "emails")
    corpus = read_corpus(
        [FolderSource(emails_dir)], groups_file=default_groups_file(emails_dir)
    )
    by_label: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for index, item in enumerate(corpus.emails):
        by_label[item.label][item.group_key].append(index)
    rng = random.Random(0)
    chosen: list[int] = []
    for groups in by_label.values():
        for key in rng.sample(sorted(groups), min(PER_CLASS_GROUPS, len(groups))):
            chosen.extend(groups[key])
    subset = Corpus(
        [corpus.emails[i] for i in sorted(chosen)], corpus.sources, corpus.groups_file
    )

    result = train_corpus(
        subset,
        profile=load_profile("public-corpus"),
        options=TrainOptions(seed=1),
        jobs=2,
    )

    assert result.evaluation is not None
    summary = result.evaluation.summary
    # Held-apart portion: ~300 emails, ~100 malicious. On the full corpus the
    # figures are 0.33 % and 91.6 % (docs/phishing.md); a 100-email sample
    # cannot resolve 0.5 %, so this asserts at most one miss.
    assert summary["malicious_auto_closed_count"] <= 1
    assert summary["automation_rate"] >= 0.8
    assert summary["macro_f1"] >= 0.9
    assert not {"List-Id", "mailing_list"} & set(result.model.metadata["signals"])
