"""`kraken route explain`: table or JSON, exit 0 matched, 1 unmatched, 2 bad file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from kraken.cli import cli
from shared_files import shared_path

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "kraken.example.yaml"


def write_alert(tmp_path: Path, payload: Any) -> Path:
    path = tmp_path / "alert.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    return path


def explain(*args: str) -> Result:
    env = {"COLUMNS": "160", "KRAKEN_CONFIG": None}
    return CliRunner().invoke(cli, ["route", "explain", *args], env=env)


def siem_alert(tmp_path: Path) -> Path:
    alert = {"alertId": "x1", "message": "m", "tags": ["splunk"], "priority": "P2"}
    return write_alert(tmp_path, {"action": "Create", "alert": alert})


def test_matched_alert_prints_the_table_and_route_with_exit_0(tmp_path: Path) -> None:
    result = explain(str(siem_alert(tmp_path)), "--config", str(CONFIG))
    assert result.exit_code == 0
    assert "priority [P1,P2]" in result.stdout
    assert "tags_any [test,heartbeat]" in result.stdout
    assert "alert has none of them — no match" in result.stdout
    assert "matched: siem-high" in result.stdout.splitlines()


def test_json_output_lists_routes_tried(tmp_path: Path) -> None:
    result = explain(str(siem_alert(tmp_path)), "--config", str(CONFIG), "--json")
    assert result.exit_code == 0
    body = json.loads(result.stdout)
    assert body["matched"] == "siem-high"
    assert [t["route"] for t in body["tried"]] == [
        "test-and-heartbeat",
        "phishing",
        "siem-high",
    ]
    assert body["tried"][2]["criteria"][-1]["text"] == "priority [P1,P2]: ok"


def test_unmatched_action_exits_1() -> None:
    close = shared_path("contracts", "opsgenie", "webhook-close.json")
    result = explain(str(close), "--config", str(CONFIG))
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-2] == "no route matched"


def test_recorded_create_falls_to_the_default_route() -> None:
    create = shared_path("contracts", "opsgenie", "webhook-create.json")
    result = explain(str(create), "--config", str(CONFIG), "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["default"] is True


def test_invalid_payload_exits_2_naming_the_field(tmp_path: Path) -> None:
    path = write_alert(tmp_path, {"action": "Create", "alert": {}})
    result = explain(str(path), "--config", str(CONFIG))
    assert result.exit_code == 2
    assert f"error: {path}: alert.alertId: must be a non-empty string" in result.stderr


def test_non_json_alert_file_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "alert.json"
    path.write_text("{nope", encoding="utf-8")
    assert explain(str(path), "--config", str(CONFIG)).exit_code == 2


def test_missing_alert_file_exits_2(tmp_path: Path) -> None:
    result = explain(str(tmp_path / "absent.json"), "--config", str(CONFIG))
    assert result.exit_code == 2


def test_invalid_config_exits_2(tmp_path: Path) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text("worker: {max_attempts: 0}\n", encoding="utf-8")
    result = explain(str(siem_alert(tmp_path)), "--config", str(config))
    assert result.exit_code == 2
    assert "error: worker.max_attempts: must be >= 1" in result.stderr
