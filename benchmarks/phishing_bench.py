"""Phishing model throughput and training time, against a baseline in the same run.

Single core (BLAS/OpenMP pools limited to 1 thread, parsing in-process):

* parse, features, predict and combined emails/second for the shipped model;
* the same for a bag-of-words-only baseline (plain-text body, words only);
* training time (featurize + fit + thresholds) for growing corpus sizes,
  baseline training time beside it.

Run: ``python benchmarks/phishing_bench.py [--data DIR] [--sizes 500,1000,2000,0]``
(0 = the full corpus). Without --data it uses a synthetic corpus.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from sklearn.svm import LinearSVC
from threadpoolctl import threadpool_limits

from kraken.phishing.leakage import load_profile
from kraken.phishing.model import CLASSES, TrainOptions
from kraken.phishing.parse import parse_email
from kraken.phishing.pipeline import (
    Corpus,
    default_groups_file,
    read_corpus,
    train_corpus,
)
from kraken.phishing.sources import FolderSource
from kraken.phishing.synthetic import write_corpus
from kraken.phishing.vectorize import featurize_parsed


def _rate(count: int, seconds: float) -> str:
    return f"{count / seconds:8.0f} emails/s"


def throughput(corpus: Corpus, sample: int) -> None:
    profile = load_profile("public-corpus")
    emails = random.Random(0).sample(corpus.emails, min(sample, len(corpus.emails)))
    raws = [item.raw for item in emails]
    model = train_corpus(
        corpus, profile=profile, options=TrainOptions(), holdout_share=0.2, jobs=1
    ).model

    started = time.perf_counter()
    parsed = [parse_email(raw, profile) for raw in raws]
    t_parse = time.perf_counter() - started
    started = time.perf_counter()
    rows = [featurize_parsed(item, model.features) for item in parsed]
    t_features = time.perf_counter() - started
    started = time.perf_counter()
    for row in rows:  # one at a time, as the triage flow scores them
        model.predict_rows([row])
    t_predict = time.perf_counter() - started
    started = time.perf_counter()
    for raw in raws:
        model.classify_bytes(raw)
    t_verdict = time.perf_counter() - started

    base_vec, base_tfidf, base_clf = _baseline_fit(corpus)
    started = time.perf_counter()
    for raw in raws:
        text = parse_email(raw, profile).text
        base_clf.decision_function(base_tfidf.transform(base_vec.transform([text])))
    t_base = time.perf_counter() - started

    n = len(raws)
    print(f"throughput on one core, {n} emails scored one at a time")
    print(f"  parse                        {_rate(n, t_parse)}")
    print(f"  features (signals + text)    {_rate(n, t_features)}")
    print(f"  predict (hash, tf-idf, svm)  {_rate(n, t_predict)}")
    print(
        f"  parse+features+predict       {_rate(n, t_parse + t_features + t_predict)}"
    )
    print(f"  full verdict with reasons    {_rate(n, t_verdict)}")
    print(
        f"  baseline bag-of-words        {_rate(n, t_base)}   (parse + words + svm, "
        f"no reasons)"
    )


def _baseline_fit(
    corpus: Corpus,
) -> tuple[HashingVectorizer, TfidfTransformer, LinearSVC]:
    profile = load_profile("public-corpus")
    texts = [parse_email(item.raw, profile).text for item in corpus.emails]
    y = np.asarray([CLASSES.index(item.label) for item in corpus.emails])
    vec = HashingVectorizer(n_features=2**18, alternate_sign=False, norm=None)
    tfidf = TfidfTransformer(sublinear_tf=True).fit(vec.transform(texts))
    clf = LinearSVC(random_state=0).fit(tfidf.transform(vec.transform(texts)), y)
    return vec, tfidf, clf


def training_times(corpus: Corpus, sizes: list[int]) -> None:
    profile = load_profile("public-corpus")
    print(
        "training time on one core (featurize + 4-fold calibration + fit + "
        "held-apart evaluation)"
    )
    print(f"  {'emails':>7} {'kraken':>9} {'baseline':>9}")
    for size in sizes:
        count = len(corpus.emails) if size == 0 or size > len(corpus.emails) else size
        chosen = random.Random(size).sample(corpus.emails, count)
        subset = Corpus(chosen, corpus.sources, corpus.groups_file)
        started = time.perf_counter()
        train_corpus(subset, profile=profile, options=TrainOptions(), jobs=1)
        t_kraken = time.perf_counter() - started
        started = time.perf_counter()
        _baseline_fit(subset)
        t_base = time.perf_counter() - started
        print(f"  {count:>7} {t_kraken:>8.1f}s {t_base:>8.1f}s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--data", type=Path, help="label-per-folder corpus (default: synthetic)"
    )
    parser.add_argument(
        "--sizes", default="500,1000,2000,0", help="corpus sizes to train on; 0 = all"
    )
    parser.add_argument(
        "--sample", type=int, default=1000, help="emails for the throughput test"
    )
    args = parser.parse_args()
    if args.data:
        corpus = read_corpus(
            [FolderSource(args.data)], groups_file=default_groups_file(args.data)
        )
    else:
        folder = Path(tempfile.mkdtemp(prefix="kraken-bench-"))
        write_corpus(folder, per_class=300, seed=0)
        corpus = read_corpus([FolderSource(folder)])
    print(f"corpus: {len(corpus.emails)} emails from {', '.join(corpus.sources)}")
    with threadpool_limits(limits=1):  # one core: BLAS and OpenMP pools too
        throughput(corpus, args.sample)
        training_times(corpus, [int(item) for item in args.sizes.split(",")])


if __name__ == "__main__":
    main()
