"""`kraken train | evaluate | classify | model` end to end on a made-up corpus."""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from kraken.cli import cli
from kraken.phishing.model import PhishingModel
from kraken.phishing.synthetic import make_email, write_corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli-corpus")
    write_corpus(root, per_class=12, seed=2)
    return root


@pytest.fixture(scope="module")
def trained(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cli-model") / "model.skops"
    result = CliRunner().invoke(
        cli,
        ["train", "--data", str(corpus), "--out", str(out), "--jobs", "1", "--json"],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert summary["n_holdout"] > 0
    assert summary["evaluation"]["n"] == summary["n_holdout"]
    return out


def last_json(output: str) -> dict[str, object]:
    parsed: dict[str, object] = json.loads(output.strip().splitlines()[-1])
    return parsed


def test_train_from_manifest(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "m.skops"
    args = [
        "train",
        "--manifest",
        str(corpus / "manifest.csv"),
        "--out",
        str(out),
        "--jobs",
        "1",
    ]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert out.is_file()
    assert "held-apart evaluation" in result.output


def test_evaluate_json_has_the_promised_keys(
    corpus: Path, trained: Path, tmp_path: Path
) -> None:
    report = tmp_path / "report.html"
    args = [
        "evaluate",
        "--model",
        str(trained),
        "--data",
        str(corpus),
        "--json",
        "--report",
        str(report),
    ]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    summary = last_json(result.output)
    for key in (
        "n",
        "per_class",
        "macro_f1",
        "auto_closed_share",
        "escalated_share",
        "queued_share",
        "malicious_auto_closed",
        "automation_rate",
    ):
        assert key in summary
    shares = [
        summary[k] for k in ("auto_closed_share", "escalated_share", "queued_share")
    ]
    assert sum(shares) == pytest.approx(1.0, abs=1e-3)  # type: ignore[arg-type]
    assert "never saw" in str(summary["scope"])
    assert summary["n"] < 36  # the training portion is left out
    page = report.read_text()
    assert page.count("data:image/png;base64,") == 3


def test_evaluate_all_scores_everything(corpus: Path, trained: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["evaluate", "--model", str(trained), "--data", str(corpus), "--all", "--json"],
    )
    assert result.exit_code == 0, result.output
    assert last_json(result.output)["n"] == 36


def test_evaluate_scores_a_foreign_corpus_whole_without_all(
    trained: Path, tmp_path: Path
) -> None:
    """Data the model never trained on is scored in full: no flag needed."""
    foreign = tmp_path / "foreign"
    write_corpus(foreign, per_class=5, seed=99)
    result = CliRunner().invoke(
        cli, ["evaluate", "--model", str(trained), "--data", str(foreign), "--json"]
    )
    assert result.exit_code == 0, result.output
    assert last_json(result.output)["n"] == 15


def test_evaluate_refuses_data_the_model_trained_on_only(
    corpus: Path, trained: Path, tmp_path: Path
) -> None:
    seen = set(PhishingModel.load(trained).metadata["training"]["sha256"])
    only_seen = tmp_path / "seen"
    for path in corpus.rglob("*.eml"):
        if hashlib.sha256(path.read_bytes()).hexdigest() in seen:
            target = only_seen / path.parent.name / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    result = CliRunner().invoke(
        cli, ["evaluate", "--model", str(trained), "--data", str(only_seen)]
    )
    assert result.exit_code != 0
    assert "trained on every email given" in str(result.exception)


def test_classify_table_and_json(trained: Path, tmp_path: Path) -> None:
    email = tmp_path / "suspicious.eml"
    email.write_bytes(make_email("malicious", random.Random(5), 3))
    table = CliRunner().invoke(cli, ["classify", str(email), "--model", str(trained)])
    assert table.exit_code == 0, table.output
    assert "P(malicious)" in table.output
    assert "reason 1" in table.output
    result = CliRunner().invoke(
        cli, ["classify", str(email), "--model", str(trained), "--json"]
    )
    verdict = last_json(result.output)
    assert verdict["label"] == "malicious"
    assert verdict["decision"] in ("escalate", "queue")
    assert verdict["reasons"]


def test_model_registry_commands(trained: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    registry = str(tmp_path / "models")
    assert (
        "no models"
        in runner.invoke(cli, ["model", "list", "--registry", registry]).output
    )
    promoted = runner.invoke(
        cli, ["model", "promote", str(trained), "--registry", registry]
    )
    assert promoted.exit_code == 0, promoted.output
    version = promoted.output.split()[-1]
    listing = runner.invoke(cli, ["model", "list", "--registry", registry, "--json"])
    models = last_json(listing.output)["models"]
    assert [m["version"] for m in models if m["promoted"]] == [version]  # type: ignore[attr-defined,index]
    shown = runner.invoke(cli, ["model", "show", version, "--registry", registry])
    assert json.loads(shown.output)["version"] == version
    rollback = runner.invoke(cli, ["model", "rollback", "--registry", registry])
    assert rollback.exit_code != 0
    email = tmp_path / "mail.eml"
    email.write_bytes(make_email("clean", random.Random(1)))
    classified = runner.invoke(
        cli, ["classify", str(email), "--registry", registry, "--json"]
    )
    assert last_json(classified.output)["model_version"] == version


def test_train_needs_data(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["train", "--out", str(tmp_path / "x.skops")])
    assert result.exit_code == 2
    assert "--data" in result.output
