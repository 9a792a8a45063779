"""`kraken replay`: recorded webhooks take the real path; --dry-run writes nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml
from click.testing import CliRunner

from kraken.cli.replay_cmd import replay
from kraken.demo.config import demo_config
from kraken.sim.server import start_sim_in_thread
from kraken.sim.settings import SimSettings

pytestmark = pytest.mark.slow


@pytest.fixture
def sim() -> Iterator[str]:
    url, stop = start_sim_in_thread(SimSettings(redelivery_rate=0.0))
    yield url
    stop()


@pytest.fixture
def env() -> dict[str, str]:
    creds = SimSettings()
    return {
        "KRAKEN_WEBHOOK_TOKEN": "replay-test-token",
        "KRAKEN_OPSGENIE_API_KEY": creds.opsgenie_api_key,
        "KRAKEN_SERVICENOW_PASSWORD": creds.servicenow_password,
    }


def write_files(tmp_path: Path, sim_url: str) -> tuple[Path, Path, Path]:
    db = tmp_path / "kraken.db"
    config = tmp_path / "kraken.yaml"
    config.write_text(
        yaml.safe_dump(
            demo_config(
                database_url=f"sqlite:///{db}",
                opsgenie_url=sim_url,
                servicenow_url=sim_url,
            )
        )
    )

    def create(alert_id: str, tags: list[str]) -> str:
        alert = {
            "alertId": alert_id,
            "message": f"alert {alert_id}",
            "tags": tags,
            "priority": "P2",
            "updatedAt": 1502709956288000110,
        }
        return json.dumps({"action": "Create", "alert": alert})

    lines = [
        create("r-1", ["siem"]),
        create("r-2", ["heartbeat"]),
        create("r-1", ["siem"]),  # redelivered
        '{"action": "Create", "alert": {}}',
    ]
    recorded = tmp_path / "recorded.jsonl"
    recorded.write_text("\n".join(lines) + "\n")
    return config, recorded, db


def test_dry_run_shows_actions_and_writes_nothing(sim, tmp_path, env) -> None:
    config, recorded, db = write_files(tmp_path, sim)
    result = CliRunner(env=env).invoke(
        replay, [str(recorded), "--config", str(config), "--dry-run"]
    )
    assert "servicenow: ensure incident opsgenie:r-1" in result.output
    assert "route heartbeats runs playbook ignore" in result.output
    assert "alert.alertId" in result.output  # the bad line, named
    assert result.exit_code == 1  # one line was unusable
    assert not db.exists()
    incidents = httpx.get(f"{sim}/_sim/servicenow/incidents").json()["incidents"]
    assert incidents == []


def test_replay_files_each_ticket_once(sim, tmp_path, env) -> None:
    config, recorded, _ = write_files(tmp_path, sim)
    runner = CliRunner(env=env)
    first = runner.invoke(replay, [str(recorded), "--config", str(config)])
    assert "accepted: 2, duplicates: 1" in first.output, first.output
    second = runner.invoke(replay, [str(recorded), "--config", str(config)])
    assert "accepted: 0, duplicates: 3" in second.output, second.output
    incidents = httpx.get(f"{sim}/_sim/servicenow/incidents").json()["incidents"]
    assert [i["correlation_id"] for i in incidents] == ["opsgenie:r-1"]
