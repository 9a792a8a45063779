"""The close guard: which tricks keep a report from auto-closing, and that it
only ever turns an auto-close into a queue."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from kraken.phishing.catalogue import SIGNAL_NAMES
from kraken.phishing.guards import CloseGuard
from kraken.phishing.leakage import load_profile
from kraken.phishing.model import PhishingModel, TrainOptions
from kraken.phishing.pipeline import read_corpus, train_corpus
from kraken.phishing.sources import FolderSource
from kraken.phishing.synthetic import make_email, write_corpus
from kraken.phishing.thresholds import Thresholds

PASSWORD_FORM = b"""From: Alice <alice@corp.test>
To: bob@corp.test
Subject: Notes
Message-ID: <1@corp.test>
Content-Type: text/html

<p>Hi Bob, notes from the meeting.</p>
<form action="https://collect.example/p"><input type="password" name="pw"></form>
"""


def test_a_strong_trick_holds_on_its_own() -> None:
    reason = CloseGuard().reason({"html_password": 0.69})
    assert reason == "contains a password field"


def test_a_lure_holds_only_beside_credential_wording() -> None:
    guard = CloseGuard()
    assert guard.reason({"url_login_path": 0.69}) is None
    reason = guard.reason({"url_login_path": 0.69, "credential_words": 1.1})
    assert reason is not None
    assert reason.startswith("asks for credentials and ")


def test_a_disabled_guard_and_a_model_without_one_hold_nothing() -> None:
    assert CloseGuard(enabled=False).reason({"html_password": 1.0}) is None
    assert CloseGuard.from_dict(None).reason({"html_password": 1.0}) is None


def test_guard_round_trips_and_refuses_unknown_signals() -> None:
    guard = CloseGuard(alone=("attach_macro",), with_credentials=("ip_url",))
    assert CloseGuard.from_dict(guard.to_dict()) == guard
    with pytest.raises(ValueError, match="no_such_signal"):
        CloseGuard(alone=("no_such_signal",))


def test_holds_reads_rows_in_signal_order() -> None:
    row = [0.0] * len(SIGNAL_NAMES)
    held_row = list(row)
    held_row[SIGNAL_NAMES.index("attach_macro")] = 0.69
    assert CloseGuard().holds([row, held_row], SIGNAL_NAMES) == [False, True]


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> PhishingModel:
    root = tmp_path_factory.mktemp("guard-corpus")
    write_corpus(root, per_class=15, seed=4)
    result = train_corpus(
        read_corpus([FolderSource(root)]),
        profile=load_profile("public-corpus"),
        options=TrainOptions(seed=3, folds=3),
        jobs=1,
    )
    return result.model


@pytest.fixture
def model(trained: PhishingModel) -> PhishingModel:
    """The trained model with the auto-close threshold forced wide open, so that
    only the guard stands between an email and being closed."""
    return PhishingModel(
        profile=trained.profile,
        vectorizer=trained.vectorizer,
        classifier=trained.classifier,
        calibrator=trained.calibrator,
        thresholds=Thresholds(close=0.5, escalate=0.99),
        metadata=trained.metadata,
    )


def test_model_records_its_guard_and_queues_what_it_would_have_closed(
    model: PhishingModel, tmp_path: Path
) -> None:
    assert model.metadata["guard"]["enabled"] is True
    verdict = model.classify_bytes(PASSWORD_FORM)
    assert verdict.label != "malicious"
    assert verdict.decision == "queue"
    assert "password field" in verdict.reasons[-1]

    path = tmp_path / "m.skops"
    model.save(path)
    loaded = PhishingModel.load(path)
    assert loaded.guard == model.guard


def test_guard_leaves_an_ordinary_email_alone(model: PhishingModel) -> None:
    verdict = model.classify_bytes(make_email("clean", random.Random(8), 2))
    assert verdict.decision == "auto_close"
