"""Ablation: does the model lean on signals that only reveal era or source?

Every variant is trained on the same group-split training portion and judged
on the same held-apart portion:

* ``default``: the shipped configuration.
* ``handcrafted-only``: no text n-grams; only links, forms, sender tricks,
  attachments and credential/urgency language.
* ``text-only``: n-grams without the handcrafted signals.
* ``era-text``: years, dates and times left in the text (not masked).
* ``plus-confounds``: adds the genre (mailing-list) and structure (size, MIME,
  HTML, non-ASCII) signals that the default leaves out.
* ``leak-canary``: no stripping at all and header names as words. It should
  look near perfect, which shows what stripping takes away.
* ``no-guard``: the default without the close guard, which shows what the
  guard costs in automation and what it saves in misses.

Run: ``python -m kraken.phishing.ablation --data DIR [--json]``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from kraken.phishing.features import ALL_GROUPS
from kraken.phishing.guards import CloseGuard
from kraken.phishing.leakage import load_profile
from kraken.phishing.model import TrainOptions
from kraken.phishing.pipeline import (
    Corpus,
    default_groups_file,
    read_corpus,
    train_corpus,
)
from kraken.phishing.sources import FolderSource, ManifestSource
from kraken.phishing.vectorize import FeatureConfig, featurize_many


@dataclass(frozen=True, slots=True)
class Variant:
    name: str
    profile: str
    features: FeatureConfig
    guard: bool = True


VARIANTS = (
    Variant("default", "public-corpus", FeatureConfig()),
    Variant("handcrafted-only", "public-corpus", FeatureConfig(use_text=False)),
    Variant("text-only", "public-corpus", FeatureConfig(use_signals=False)),
    Variant("era-text", "public-corpus", FeatureConfig(mask_dates=False)),
    Variant("plus-confounds", "public-corpus", FeatureConfig(groups=ALL_GROUPS)),
    Variant(
        "leak-canary",
        "none",
        FeatureConfig(groups=ALL_GROUPS, header_tokens=True, mask_dates=False),
    ),
    Variant("no-guard", "public-corpus", FeatureConfig(), guard=False),
)
KEYS = (
    "macro_f1",
    "malicious_auto_closed",
    "automation_rate",
    "queued_share",
    "benign_escalated",
)


def run_ablation(
    corpus: Corpus,
    *,
    variants: tuple[Variant, ...] = VARIANTS,
    options: TrainOptions | None = None,
    holdout_share: float = 0.2,
    jobs: int = 0,
) -> list[dict[str, Any]]:
    """Train and evaluate each variant; one result dict per variant."""
    options = options or TrainOptions()
    cache: dict[tuple[str, bool, bool], Any] = {}
    results = []
    for variant in variants:
        profile = load_profile(variant.profile)
        key = (
            variant.profile,
            variant.features.mask_dates,
            variant.features.header_tokens,
        )
        if key not in cache:
            raws = [item.raw for item in corpus.emails]
            cache[key] = featurize_many(raws, profile, variant.features, jobs=jobs)
        started = time.perf_counter()
        result = train_corpus(
            corpus,
            profile=profile,
            options=replace(
                options,
                features=variant.features,
                guard=CloseGuard(enabled=variant.guard),
            ),
            holdout_share=holdout_share,
            rows=cache[key],
        )
        if result.evaluation is None:
            raise ValueError("the ablation needs a held-apart share above 0")
        summary = result.evaluation.summary
        results.append(
            {
                "variant": variant.name,
                **{name: summary[name] for name in KEYS},
                "n_test": summary["n"],
                "train_seconds": round(time.perf_counter() - started, 1),
            }
        )
    return results


def format_table(results: list[dict[str, Any]]) -> str:
    lines = [
        f"{'variant':<18} {'macro F1':>8} {'mal. auto-closed':>16} "
        f"{'automation':>10} {'queued':>7} {'benign esc.':>11}"
    ]
    for row in results:
        lines.append(
            f"{row['variant']:<18} {row['macro_f1']:>8.4f} "
            f"{row['malicious_auto_closed']:>16.2%} "
            f"{row['automation_rate']:>10.2%} {row['queued_share']:>7.2%} "
            f"{row['benign_escalated']:>11.2%}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kraken.phishing.ablation", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--data",
        type=Path,
        action="append",
        default=[],
        help="label-per-folder email directory",
    )
    parser.add_argument(
        "--manifest", type=Path, action="append", default=[], help="path,label CSV"
    )
    parser.add_argument(
        "--groups",
        type=Path,
        help="near-duplicate groups CSV (default: found beside the data)",
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--holdout-share", type=float, default=0.2)
    parser.add_argument(
        "--only", action="append", help="run only these variants (repeatable)"
    )
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object as the last line"
    )
    args = parser.parse_args(argv)
    if not args.data and not args.manifest:
        parser.error("give --data DIR or --manifest CSV")
    sources = [FolderSource(path) for path in args.data] + [
        ManifestSource(path) for path in args.manifest
    ]
    anchor = (args.data or args.manifest)[0]
    corpus = read_corpus(
        sources, groups_file=args.groups or default_groups_file(anchor)
    )
    variants = tuple(v for v in VARIANTS if not args.only or v.name in args.only)
    results = run_ablation(
        corpus,
        variants=variants,
        options=TrainOptions(seed=args.seed),
        holdout_share=args.holdout_share,
    )
    print(format_table(results))
    if args.json:
        print(json.dumps({"ablation": results, "seed": args.seed}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
