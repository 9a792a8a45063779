"""Settings and a live simulator for playbook tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
import yaml

from kraken.config.loader import load_settings
from kraken.config.models import Settings
from kraken.demo.config import demo_config
from kraken.sim.server import RunningSim, start_sim
from kraken.sim.settings import SimSettings


def _settings_for(tmp_path: Path, sim_url: str) -> Settings:
    config = demo_config(
        database_url=f"sqlite:///{tmp_path / 'kraken.db'}",
        opsgenie_url=sim_url,
        servicenow_url=sim_url,
    )
    path = tmp_path / "kraken.yaml"
    path.write_text(yaml.safe_dump(config))
    sim = SimSettings()
    environ = {
        "KRAKEN_WEBHOOK_TOKEN": "playbook-test-token",
        "KRAKEN_OPSGENIE_API_KEY": sim.opsgenie_api_key,
        "KRAKEN_SERVICENOW_PASSWORD": sim.servicenow_password,
    }
    return load_settings(path, environ)


@pytest.fixture
async def sim() -> AsyncIterator[RunningSim]:
    running = await start_sim(SimSettings(redelivery_rate=0.0))
    yield running
    await running.stop()


@pytest.fixture
def settings_for(tmp_path: Path) -> Callable[[str], Settings]:
    """Build the demo's settings pointing at `sim_url` (default: a closed port)."""

    def build(sim_url: str = "http://127.0.0.1:9") -> Settings:
        return _settings_for(tmp_path, sim_url)

    return build
