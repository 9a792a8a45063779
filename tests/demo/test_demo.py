"""The demo end to end: simulators, server, worker, a stream of alerts."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from kraken.cli.demo_cmd import demo
from kraken.demo import scenario
from kraken.demo.run import run_demo

pytestmark = pytest.mark.slow


async def test_every_routed_alert_becomes_exactly_one_complete_ticket(
    tmp_path: Path,
) -> None:
    result = await run_demo(workdir=tmp_path, alerts=80, seed=3)
    assert result["alerts"] > 0
    assert result["accepted"] == result["alerts"]  # one Create webhook per alert
    assert result["rejected"] == 5
    assert result["tickets_created"] == result["routed_to_ticketing"]
    assert result["tickets_complete"] == result["tickets_created"]
    assert result["duplicate_tickets"] == 0
    assert result["dead_lettered"] == 0
    assert result["lost"] == 0
    assert result["latency_ms"]["p50"] <= result["latency_ms"]["p99"]


def test_demo_json_prints_the_summary_on_the_last_line() -> None:
    outcome = CliRunner().invoke(demo, ["--alerts", "30", "--json"])
    assert outcome.exit_code == 0, outcome.output
    summary = json.loads(outcome.output.strip().splitlines()[-1])
    expected = {
        "alerts",
        "accepted",
        "duplicates",
        "rejected",
        "tickets_created",
        "tickets_complete",
        "duplicate_tickets",
        "dead_lettered",
        "lost",
        "latency_ms",
    }
    assert expected <= summary.keys()
    assert {"p50", "p99"} <= summary["latency_ms"].keys()


def test_scenario_is_seeded_and_repeats_aliases() -> None:
    first = scenario.generate(200, seed=1)
    assert first == scenario.generate(200, seed=1)
    aliases = [a.alias for a in first]
    assert len(set(aliases)) < len(aliases)
    assert {"splunk", "crowdstrike", "heartbeat"} <= {a.source for a in first}


def test_hold_prints_connection_details_first_and_stops_on_sigterm() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "kraken", "demo", "--alerts", "10", "--hold", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        details = json.loads(process.stdout.readline())
        summary = json.loads(process.stdout.readline())  # printed before holding
        health = httpx.get(
            details["webhook_url"].replace("/webhooks/opsgenie", "/healthz")
        )
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(30)
    assert {
        "webhook_url",
        "webhook_header",
        "webhook_token",
        "opsgenie_url",
        "opsgenie_api_key",
        "servicenow_url",
        "servicenow_user",
        "servicenow_password",
    } <= details.keys()
    assert health.status_code == 200  # still serving while held
    assert summary["lost"] == 0
    assert process.returncode == 0
