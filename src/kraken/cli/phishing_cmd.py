"""`kraken train | evaluate | classify | model`: the phishing model's commands.

Thin: parse flags, call kraken.phishing, print. With --json the last line of
standard output is one JSON object; progress bars go to standard error.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

REGISTRY_HELP = "Model registry directory (default: $KRAKEN_MODEL_DIR or ./models)."
_registry_option = click.option(
    "--registry",
    "registry_dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="KRAKEN_MODEL_DIR",
    default="models",
    show_default=True,
    help=REGISTRY_HELP,
)
_data_option = click.option(
    "--data",
    "data_dirs",
    multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder with one subfolder per label (clean/, spam/, malicious/) of .eml "
    "files. Repeatable.",
)
_manifest_option = click.option(
    "--manifest",
    "manifests",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CSV with path,label columns (paths relative to the CSV). Repeatable.",
)
_groups_option = click.option(
    "--groups",
    "groups_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="path,group CSV of near-duplicate groups (default: near_dup_groups.csv "
    "beside or above the data).",
)
_jobs_option = click.option(
    "--jobs",
    default=0,
    show_default=True,
    help="Parsing processes (0: one per core, at most 4).",
)


@contextmanager
def _progress(total: int, desc: str) -> Iterator[Any]:
    from tqdm import tqdm

    with tqdm(
        total=total, desc=desc, unit="email", file=sys.stderr, disable=None, leave=False
    ) as bar:
        yield bar.update


def _read(
    data_dirs: tuple[Path, ...], manifests: tuple[Path, ...], groups_file: Path | None
) -> Any:
    from kraken.phishing.pipeline import default_groups_file, read_corpus
    from kraken.phishing.sources import EmailSource, FolderSource, ManifestSource

    if not data_dirs and not manifests:
        raise click.UsageError("give --data DIR or --manifest CSV")
    sources: list[EmailSource] = [FolderSource(path) for path in data_dirs]
    sources += [ManifestSource(path) for path in manifests]
    anchor = data_dirs[0] if data_dirs else manifests[0]
    return read_corpus(sources, groups_file=groups_file or default_groups_file(anchor))


def _parse_priors(text: str | None) -> dict[str, float] | None:
    if not text:
        return None
    try:
        pairs = dict(item.split("=", 1) for item in text.split(","))
        priors = {key.strip(): float(value) for key, value in pairs.items()}
    except ValueError as exc:
        raise click.BadParameter("use clean=0.6,spam=0.3,malicious=0.1") from exc
    if (
        set(priors) != {"clean", "spam", "malicious"}
        or abs(sum(priors.values()) - 1) > 1e-6
    ):
        raise click.BadParameter("give clean, spam and malicious shares that sum to 1")
    return priors


def _print_json(payload: dict[str, Any]) -> None:
    click.echo(json.dumps(payload, sort_keys=True))


def _print_figures(summary: dict[str, Any]) -> None:
    click.echo(f"{'class':<10} {'precision':>9} {'recall':>7} {'f1':>7} {'n':>6}")
    for name, m in summary["per_class"].items():
        click.echo(
            f"{name:<10} {m['precision']:>9.3f} {m['recall']:>7.3f} {m['f1']:>7.3f} "
            f"{m['support']:>6}"
        )
    click.echo(
        f"macro F1 {summary['macro_f1']:.4f} | malicious auto-closed "
        f"{summary['malicious_auto_closed']:.2%}"
        f" ({summary['malicious_auto_closed_count']}) | automation "
        f"{summary['automation_rate']:.2%}"
        f" (auto-closed {summary['auto_closed_share']:.2%}, escalated "
        f"{summary['escalated_share']:.2%},"
        f" queued {summary['queued_share']:.2%})"
    )
    if "held_by_guard" in summary:
        click.echo(
            f"kept from auto-closing by the close guard: "
            f"{summary['held_by_guard']:.2%} of reports"
        )


@click.command()
@_data_option
@_manifest_option
@_groups_option
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Model file to write (.skops).",
)
@click.option(
    "--holdout-share",
    default=0.2,
    show_default=True,
    help="Share of near-duplicate groups held apart for `evaluate` (0: none).",
)
@click.option(
    "--seed", default=42, show_default=True, help="Seed for the split, folds and model."
)
@click.option(
    "--max-miss-rate",
    default=0.005,
    show_default=True,
    help="Largest share of malicious emails that may be auto-closed.",
)
@click.option(
    "--max-false-escalation",
    default=0.02,
    show_default=True,
    help="Largest share of escalations that may be benign.",
)
@click.option(
    "--profile",
    default="public-corpus",
    show_default=True,
    help="Stripping profile: public-corpus, site, none, or a JSON file.",
)
@click.option(
    "--prior",
    "prior",
    help="Class shares expected where the model runs, e.g. "
    "clean=0.6,spam=0.3,malicious=0.1.",
)
@click.option(
    "--close-guard/--no-close-guard",
    default=True,
    show_default=True,
    help="Never auto-close a report with a password field, a risky attachment, "
    "a disguised link, or credential wording beside a lure.",
)
@_jobs_option
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print one JSON summary object as the last line.",
)
def train(
    *,
    data_dirs: tuple[Path, ...],
    manifests: tuple[Path, ...],
    groups_file: Path | None,
    out: Path,
    holdout_share: float,
    seed: int,
    max_miss_rate: float,
    max_false_escalation: float,
    profile: str,
    prior: str | None,
    close_guard: bool,
    jobs: int,
    as_json: bool,
) -> None:
    """Train a phishing model on labelled emails and write it to --out.

    Near-duplicate groups (--groups) stay together: a share of them is held
    apart for `kraken evaluate`, and thresholds are chosen on group-held-out
    cross-validation of the rest so that at most --max-miss-rate of malicious
    emails are auto-closed.
    """
    from kraken.phishing.guards import CloseGuard
    from kraken.phishing.leakage import load_profile
    from kraken.phishing.model import TrainOptions
    from kraken.phishing.pipeline import train_corpus

    corpus = _read(data_dirs, manifests, groups_file)
    options = TrainOptions(
        seed=seed,
        max_miss_rate=max_miss_rate,
        max_false_escalation=max_false_escalation,
        priors=_parse_priors(prior),
        guard=CloseGuard(enabled=close_guard),
    )
    with _progress(len(corpus.emails), "featurizing") as update:
        result = train_corpus(
            corpus,
            profile=load_profile(profile),
            options=options,
            holdout_share=holdout_share,
            jobs=jobs,
            progress=update,
        )
    result.model.save(out)
    meta = result.model.metadata
    summary = {
        "model": str(out),
        "version": result.model.version,
        "n_train": meta["training"]["n"],
        "n_holdout": meta["training"]["holdout"]["n"],
        "seconds": round(result.seconds, 2),
        "thresholds": meta["thresholds"],
        "validation": meta["threshold_choice"],
        "evaluation": meta.get("evaluation"),
    }
    if as_json:
        _print_json(summary)
        return
    click.echo(
        f"wrote {out} (version {result.model.version}) in {result.seconds:.1f} s"
    )
    click.echo(
        f"trained on {summary['n_train']} emails; {summary['n_holdout']} held apart "
        f"for evaluation"
    )
    click.echo(
        f"thresholds: auto-close P(malicious) < {meta['thresholds']['close']:.4f}, "
        f"escalate >= {meta['thresholds']['escalate']:.4f}"
    )
    if result.evaluation is not None:
        click.echo("held-apart evaluation:")
        _print_figures(result.evaluation.summary)


@click.command()
@click.option(
    "--model",
    "model_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Model file (.skops).",
)
@_data_option
@_manifest_option
@click.option(
    "--all",
    "use_all",
    is_flag=True,
    help="Score every email given, even those the model trained on.",
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write an HTML report with figures.",
)
@_jobs_option
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print one JSON object with the figures as the last line.",
)
def evaluate(
    *,
    model_path: Path,
    data_dirs: tuple[Path, ...],
    manifests: tuple[Path, ...],
    use_all: bool,
    report_path: Path | None,
    jobs: int,
    as_json: bool,
) -> None:
    """Evaluate a model on labelled emails.

    Emails the model trained on are left out (found by content hash): on the
    training data that leaves the portion held apart at training, on a corpus
    from another source or year it leaves all of it. --all scores everything.
    """
    from kraken.phishing.evaluate import evaluate_model, select_unseen
    from kraken.phishing.model import PhishingModel

    model = PhishingModel.load(model_path)
    corpus = _read(data_dirs, manifests, None)
    emails = corpus.emails if use_all else select_unseen(model, corpus.emails)
    scope = (
        "all emails given" if use_all else "the emails given that the model never saw"
    )
    with _progress(len(emails), "scoring") as update:
        evaluation = evaluate_model(model, emails, jobs=jobs, progress=update)
    summary = {**evaluation.summary, "scope": scope}
    if report_path is not None:
        from kraken.phishing.report import write_report

        write_report(report_path, model, evaluation, scope=scope)
        summary["report"] = str(report_path)
    if as_json:
        _print_json(summary)
        return
    click.echo(f"model {model.version}, evaluated on {scope}: {summary['n']} emails")
    _print_figures(summary)
    if report_path is not None:
        click.echo(f"report written to {report_path}")


@click.command()
@click.argument("file", type=click.File("rb"))
@click.option(
    "--model",
    "model_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Model file; default: the promoted model of the registry.",
)
@_registry_option
@click.option(
    "--json", "as_json", is_flag=True, help="Print the verdict as one JSON object."
)
def classify(
    file: Any, model_path: Path | None, registry_dir: Path, as_json: bool
) -> None:
    """Classify one email (FILE.eml, or - for standard input)."""
    from kraken.phishing.model import PhishingModel
    from kraken.phishing.registry import PromotedModel, Registry

    model = (
        PhishingModel.load(model_path)
        if model_path
        else PromotedModel(Registry(registry_dir)).get()
    )
    verdict = model.classify_bytes(file.read())
    if as_json:
        _print_json(verdict.to_dict())
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title=f"{verdict.label} -> {verdict.decision}  (model {verdict.model_version})",
        show_header=False,
    )
    for name, value in verdict.probabilities.items():
        table.add_row(f"P({name})", f"{value:.2%}")
    for index, reason in enumerate(verdict.reasons, start=1):
        table.add_row(f"reason {index}", reason)
    Console(soft_wrap=False).print(table)


@click.group()
def model() -> None:
    """List, inspect, promote and roll back phishing models in a registry."""


@model.command("list")
@_registry_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def list_models(registry_dir: Path, as_json: bool) -> None:
    """List the models in the registry, newest first; * marks the promoted one."""
    from kraken.phishing.registry import Registry

    infos = Registry(registry_dir).models()
    if as_json:
        rows = [
            {
                "version": i.version,
                "path": str(i.path),
                "created": i.created,
                "promoted": i.promoted,
                "malicious_auto_closed": i.evaluation.get("malicious_auto_closed"),
                "automation_rate": i.evaluation.get("automation_rate"),
            }
            for i in infos
        ]
        _print_json({"models": rows})
        return
    if not infos:
        click.echo(f"no models in {registry_dir}")
    for info in infos:
        mark = "*" if info.promoted else " "
        figures = info.evaluation
        extra = (
            f"miss {figures['malicious_auto_closed']:.2%} automation "
            f"{figures['automation_rate']:.2%}"
            if figures
            else "no held-apart evaluation"
        )
        click.echo(f"{mark} {info.version}  {info.created}  {extra}")


@model.command("show")
@click.argument("version")
@_registry_option
def show_model(version: str, registry_dir: Path) -> None:
    """Print a model's metadata as JSON: thresholds, features, data, figures."""
    from kraken.phishing.registry import Registry

    metadata = Registry(registry_dir).metadata(version)
    metadata.get("training", {}).pop("sha256", None)
    click.echo(json.dumps(metadata, indent=2, sort_keys=True))


@model.command("promote")
@click.argument("version_or_path")
@_registry_option
def promote(version_or_path: str, registry_dir: Path) -> None:
    """Make VERSION (or a .skops file, copied in first) the model the service uses."""
    from kraken.phishing.registry import Registry

    version = Registry(registry_dir).promote(version_or_path)
    click.echo(f"promoted {version}")


@model.command("rollback")
@_registry_option
def rollback(registry_dir: Path) -> None:
    """Return to the model promoted before the current one."""
    from kraken.phishing.registry import Registry

    version = Registry(registry_dir).rollback()
    click.echo(f"rolled back to {version}")
