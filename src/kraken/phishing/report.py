"""A self-contained HTML evaluation report (figures embedded as base64 PNG)."""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path
from typing import Any

import numpy as np

from kraken.phishing.evaluate import Evaluation
from kraken.phishing.model import CLASSES, PhishingModel
from kraken.phishing.thresholds import automation_curve


def write_report(
    path: Path, model: PhishingModel, evaluation: Evaluation, *, scope: str
) -> None:
    import matplotlib

    matplotlib.use("Agg")
    figures = {
        "Confusion matrix": _confusion(evaluation),
        "Precision-recall curves (one class against the rest)": _pr_curves(evaluation),
        "Automation rate against miss rate": _automation(model, evaluation),
    }
    summary = evaluation.summary
    rows = "".join(
        f"<tr><td>{name}</td><td>{m['precision']:.3f}</td><td>{m['recall']:.3f}</td>"
        f"<td>{m['f1']:.3f}</td><td>{m['support']}</td></tr>"
        for name, m in summary["per_class"].items()
    )
    images = "".join(
        f"<h2>{html.escape(title)}</h2><img alt='{html.escape(title)}' "
        f"src='data:image/png;base64,{png}'>"
        for title, png in figures.items()
    )
    headline = {
        key: summary[key]
        for key in (
            "n",
            "macro_f1",
            "malicious_auto_closed",
            "automation_rate",
            "auto_closed_share",
            "escalated_share",
            "queued_share",
            "benign_escalated",
        )
    }
    document = f"""<!doctype html><html><head><meta charset="utf-8">
<title>Kraken phishing model {html.escape(model.version)}</title>
<style>body{{font-family:sans-serif;max-width:960px;margin:2em auto}}
table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:4px 8px;text-align:right}}
img{{max-width:100%}}</style></head><body>
<h1>Phishing model {html.escape(model.version)}</h1>
<p>Evaluated on: {html.escape(scope)}.
Stripping profile: {html.escape(model.profile.name)}.
Thresholds: auto-close below P(malicious) {model.thresholds.close:.4f},
escalate at or above {model.thresholds.escalate:.4f}.</p>
<pre>{html.escape(json.dumps(headline, indent=2))}</pre>
<table><tr><th>class</th><th>precision</th><th>recall</th><th>F1</th><th>n</th></tr>{rows}</table>
{images}</body></html>"""
    path.write_text(document, encoding="utf-8")


def _png(figure: Any) -> str:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _confusion(evaluation: Evaluation) -> str:
    import matplotlib.pyplot as plt

    matrix = np.asarray(evaluation.summary["confusion_matrix"])
    figure, axis = plt.subplots(figsize=(4.5, 4))
    axis.imshow(matrix, cmap="Blues")
    for (i, j), value in np.ndenumerate(matrix):
        colour = "white" if value > matrix.max() / 2 else "black"
        axis.text(j, i, str(value), ha="center", va="center", color=colour)
    axis.set_xticks(range(len(CLASSES)), CLASSES)
    axis.set_yticks(range(len(CLASSES)), CLASSES)
    axis.set_xlabel("predicted")
    axis.set_ylabel("true")
    return _png(figure)


def _pr_curves(evaluation: Evaluation) -> str:
    import matplotlib.pyplot as plt
    from sklearn.metrics import average_precision_score, precision_recall_curve

    figure, axis = plt.subplots(figsize=(6, 4.5))
    for index, name in enumerate(CLASSES):
        truth = evaluation.y_true == index
        if truth.any():
            precision, recall, _ = precision_recall_curve(
                truth, evaluation.proba[:, index]
            )
            ap = average_precision_score(truth, evaluation.proba[:, index])
            axis.plot(recall, precision, label=f"{name} (AP {ap:.3f})")
    axis.set_xlabel("recall")
    axis.set_ylabel("precision")
    axis.set_ylim(0, 1.02)
    axis.legend(loc="lower left")
    axis.grid(alpha=0.3)
    return _png(figure)


def _automation(model: PhishingModel, evaluation: Evaluation) -> str:
    import matplotlib.pyplot as plt

    mal = CLASSES.index("malicious")
    p_mal = evaluation.proba[:, mal]
    never_closed = (evaluation.proba.argmax(axis=1) == mal) | evaluation.held
    _, misses, automation = automation_curve(
        p_mal, evaluation.y_true == mal, never_closed, model.thresholds.escalate
    )
    summary = evaluation.summary
    limit = float(
        model.metadata.get("threshold_choice", {}).get("max_miss_rate", 0.005)
    )
    figure, axis = plt.subplots(figsize=(6, 4.5))
    axis.plot(misses * 100, automation * 100, label="sweeping the auto-close threshold")
    axis.scatter(
        [summary["malicious_auto_closed"] * 100],
        [summary["automation_rate"] * 100],
        color="red",
        zorder=3,
        label=f"chosen: close < {model.thresholds.close:.3f}",
    )
    axis.axvline(
        limit * 100, color="grey", linestyle="--", label=f"stated maximum {limit:.1%}"
    )
    axis.set_xlabel("malicious emails auto-closed (%)")
    axis.set_ylabel("reports decided without an analyst (%)")
    axis.set_xlim(0, max(2.0, limit * 400))
    axis.legend(loc="lower right")
    axis.grid(alpha=0.3)
    return _png(figure)
