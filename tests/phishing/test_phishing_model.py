"""Training on a synthetic corpus, safe model files, the registry and hot reload."""

from __future__ import annotations

import json
import os
import random
import time
from pathlib import Path

import numpy as np
import pytest
import skops.io as sio
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import LogisticRegression

from kraken.errors import ModelError
from kraken.phishing.artifact import FORMAT, load_artifact
from kraken.phishing.leakage import load_profile
from kraken.phishing.model import CLASSES, PhishingModel, TrainOptions
from kraken.phishing.pipeline import read_corpus, train_corpus
from kraken.phishing.registry import PromotedModel, Registry
from kraken.phishing.sources import FolderSource, ManifestSource, attach_groups
from kraken.phishing.synthetic import make_email, write_corpus
from kraken.phishing.vectorize import FeatureConfig, _hash_index


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    write_corpus(root, per_class=15, seed=1)
    return root


def _train(corpus_dir: Path, seed: int = 42) -> PhishingModel:
    corpus = read_corpus([FolderSource(corpus_dir)])
    result = train_corpus(
        corpus,
        profile=load_profile("public-corpus"),
        options=TrainOptions(seed=seed, folds=3),
        jobs=1,
    )
    return result.model


@pytest.fixture(scope="module")
def model_file(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("model") / "model.skops"
    _train(corpus_dir).save(path)
    return path


def test_folder_and_manifest_sources_agree(corpus_dir: Path) -> None:
    by_folder = {(item.sha256, item.label) for item in FolderSource(corpus_dir)}
    by_manifest = {
        (item.sha256, item.label)
        for item in ManifestSource(corpus_dir / "manifest.csv")
    }
    assert by_folder == by_manifest
    assert len(by_folder) == 45


def test_classify_returns_verdict_with_reasons(model_file: Path) -> None:
    model = PhishingModel.load(model_file)
    verdict = model.classify_bytes(make_email("malicious", random.Random(99), 1))
    assert verdict.label == "malicious"
    assert set(verdict.probabilities) == set(CLASSES)
    assert sum(verdict.probabilities.values()) == pytest.approx(1.0, abs=1e-4)
    assert verdict.decision in ("escalate", "queue")
    assert verdict.model_version == model.version
    assert len(verdict.reasons) >= 2
    assert verdict.to_dict()["label"] == "malicious"


def test_training_is_reproducible_with_a_seed(corpus_dir: Path) -> None:
    first, second = _train(corpus_dir, seed=7), _train(corpus_dir, seed=7)
    assert np.array_equal(first.classifier.coef_, second.classifier.coef_)
    assert first.thresholds == second.thresholds
    assert first.metadata["training"]["sha256"] == second.metadata["training"]["sha256"]


def test_metadata_records_profile_thresholds_and_fingerprint(model_file: Path) -> None:
    _, metadata = load_artifact(model_file)
    assert metadata["format"] == FORMAT
    assert metadata["profile"]["name"] == "public-corpus"
    assert len(metadata["training"]["fingerprint"]) == 64
    assert metadata["thresholds"]["close"] <= metadata["thresholds"]["escalate"]
    assert "malicious_auto_closed" in metadata["evaluation"]
    assert "mailing_list" not in metadata["signals"]


def test_holdout_keeps_groups_together(corpus_dir: Path) -> None:
    emails = list(FolderSource(corpus_dir))
    groups = {item.key: f"g{index // 3}" for index, item in enumerate(emails)}
    grouped = attach_groups(emails, groups)
    from kraken.phishing.evaluate import split_holdout

    split = split_holdout(grouped, share=0.2, seed=0)
    train_groups = {item.group for item in split.train}
    assert split.test
    assert not train_groups & {item.group for item in split.test}


class Smuggled(LogisticRegression):
    """A type no Kraken model contains; loading it would import and build it."""


def test_foreign_type_in_model_file_is_refused(
    model_file: Path, tmp_path: Path
) -> None:
    components, metadata = load_artifact(model_file)
    components["classifier"] = Smuggled()
    path = tmp_path / "evil.skops"
    sio.dump({**components, "metadata": json.dumps(metadata)}, path)
    with pytest.raises(ModelError, match=r"does not trust.*Smuggled"):
        PhishingModel.load(path)


def test_unexpected_component_type_is_refused(model_file: Path, tmp_path: Path) -> None:
    components, metadata = load_artifact(model_file)
    components["classifier"] = HashingVectorizer()  # trusted by skops, wrong for Kraken
    path = tmp_path / "odd.skops"
    sio.dump({**components, "metadata": json.dumps(metadata)}, path)
    with pytest.raises(ModelError, match="unexpected component"):
        PhishingModel.load(path)


def test_non_model_files_are_refused(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.skops"
    garbage.write_bytes(b"\x80\x04 a pickle, not a skops archive")
    with pytest.raises(ModelError):
        PhishingModel.load(garbage)
    wrong = tmp_path / "wrong.skops"
    sio.dump({"metadata": '{"format": "other"}'}, wrong)
    with pytest.raises(ModelError, match="format"):
        PhishingModel.load(wrong)


def test_hash_index_matches_hashing_vectorizer() -> None:
    config = FeatureConfig()
    vectorizer = HashingVectorizer(
        n_features=config.word_features,
        alternate_sign=False,
        norm=None,
        ngram_range=(1, 2),
    )
    for term in ("password", "verify your", "invoice", "résumé"):
        row = vectorizer.transform([term]).tocsr()
        expected = set(row.indices.tolist())
        assert _hash_index(term, config.word_features) in expected


def test_promote_rollback_and_hot_reload(
    corpus_dir: Path, model_file: Path, tmp_path: Path
) -> None:
    registry = Registry(tmp_path / "models")
    holder = PromotedModel(registry)
    with pytest.raises(ModelError):
        holder.get()

    first = registry.promote(str(model_file))
    assert holder.get().version == first
    second_file = tmp_path / "second.skops"
    second_model = _train(corpus_dir, seed=3)
    second_model.metadata["version"] = "second-model"
    second_model.save(second_file)

    _bump_mtime(registry)
    assert registry.promote(str(second_file)) == "second-model"
    assert holder.get().version == "second-model"
    assert [info.version for info in registry.models() if info.promoted] == [
        "second-model"
    ]

    _bump_mtime(registry)
    assert registry.rollback() == first
    assert holder.get().version == first
    actions = [event["action"] for event in registry.state()["history"]]
    assert actions == ["promote", "promote", "rollback"]
    with pytest.raises(ModelError, match="roll back"):
        registry.rollback()


def test_promote_refuses_unknown_version(tmp_path: Path) -> None:
    with pytest.raises(ModelError):
        Registry(tmp_path).promote("no-such-version")


def _bump_mtime(registry: Registry) -> None:
    # coarse file-system clocks: make sure the next write changes the stamp
    if registry.file.exists():
        stat = registry.file.stat()
        os.utime(registry.file, ns=(stat.st_atime_ns, stat.st_mtime_ns - 10**9))
    time.sleep(0.01)
