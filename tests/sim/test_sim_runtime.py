"""Settings validation, the threaded runner and the `kraken sim` command."""

from __future__ import annotations

import httpx
import pytest
from click.testing import CliRunner

from kraken.cli.sim_cmd import _headers, sim
from kraken.sim import SimSettings, start_sim_in_thread


def test_settings_reject_out_of_range_rates() -> None:
    with pytest.raises(ValueError, match="error_rate"):
        SimSettings(error_rate=1.5)
    with pytest.raises(ValueError, match="outage"):
        SimSettings(outages=[(5.0, 1.0)])


def test_apply_changes_only_runtime_knobs() -> None:
    settings = SimSettings()
    settings.apply({"latency_ms": 25, "webhook_headers": {"A": "b"}})
    assert settings.latency_ms == 25.0
    assert settings.webhook_headers == {"A": "b"}
    with pytest.raises(ValueError, match="opsgenie_api_key"):
        settings.apply({"opsgenie_api_key": "x"})
    with pytest.raises(ValueError, match="number"):
        settings.apply({"error_rate": True})


def test_threaded_sim_serves_synchronous_callers() -> None:
    url, stop = start_sim_in_thread(SimSettings())
    try:
        response = httpx.get(f"{url}/_sim/stats", timeout=5.0)
    finally:
        stop()
    assert response.json()["opsgenie"]["alerts"] == 0


def test_webhook_header_flags_parse_name_value() -> None:
    assert _headers(("X-A: b", "Authorization:Bearer t")) == {
        "X-A": "b",
        "Authorization": "Bearer t",
    }


def test_sim_command_rejects_a_malformed_header() -> None:
    result = CliRunner().invoke(sim, ["--webhook-header", "novalue"])
    assert result.exit_code == 2
    assert "NAME:VALUE" in result.output
