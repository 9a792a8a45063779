"""The benchmarks still run: each at its smallest size, as a subprocess.

Only that they finish and print their figures is checked, never a timing.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"

pytestmark = pytest.mark.slow


def _load_run_all() -> object:
    # benchmarks/ is a folder of scripts, not a package: load the file itself.
    spec = importlib.util.spec_from_file_location("run_all", BENCHMARKS / "run_all.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["run_all"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


run_all = _load_run_all()


def run_bench(script: str, *args: str) -> str:
    completed = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *args],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed.stdout


def test_ingest_bench_prints_every_target_and_loses_nothing() -> None:
    out = run_bench(
        "ingest_bench.py",
        "--requests",
        "200",
        "--concurrency",
        "8",
        "--no-postgres",
        "--json",
    )
    rows = json.loads(out.strip().splitlines()[-1])
    assert [r["target"] for r in rows] == [
        "ceiling (no storage)",
        "bare-sqlite",
        "kraken-sqlite",
    ]
    for r in rows:
        assert r["requests"] == 200
        assert r["errors"] == 0
        assert r["rate"] > 0
    kraken = rows[-1]
    assert kraken["missing_after_kill"] == 0
    assert kraken["stored"] == kraken["accepted"]
    assert kraken["batches"] >= 1
    assert "req/s" in out


def test_pipeline_bench_prints_both_arms() -> None:
    out = run_bench("pipeline_bench.py", "--alerts", "20", "--json")
    rows = json.loads(out.strip().splitlines()[-1])
    assert [r["arm"] for r in rows] == [
        "serial worker (baseline)",
        "demo worker (default)",
    ]
    for r in rows:
        assert r["lost"] == 0
        assert r["alerts"] > 0
        assert r["servicenow_calls"] == r["servicenow_seen_by_sim"]
    assert "alerts/s" in out


def test_phishing_bench_prints_throughput_and_training_time() -> None:
    out = run_bench("phishing_bench.py", "--sizes", "60", "--sample", "60")
    for line in ("parse+features+predict", "baseline bag-of-words", "emails    kraken"):
        assert line in out, out


def test_run_all_finds_every_bench_script() -> None:
    names = {path.name for path in run_all.discover()}  # type: ignore[attr-defined]
    assert {"ingest_bench.py", "pipeline_bench.py", "phishing_bench.py"} <= names
    assert "run_all.py" not in names
