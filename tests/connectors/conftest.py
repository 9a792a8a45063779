"""Connector tests talk to the simulators over real loopback HTTP."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from kraken.connectors.http import RequestCounter
from kraken.sim import RunningSim, SimSettings, start_sim

SHARED = Path(__file__).resolve().parents[2].parent / "shared"


@pytest.fixture
def recorded() -> Callable[[str], Any]:
    """Load a recorded OpsGenie payload, or skip visibly when shared/ is absent."""

    def load(name: str) -> Any:
        path = SHARED / "contracts" / "opsgenie" / name
        if not path.exists():
            pytest.skip(
                f"{path} is absent: shared/ is only beside the repo in CI and dev"
            )
        return json.loads(path.read_text())

    return load


@pytest.fixture
def sim_settings() -> SimSettings:
    return SimSettings(redelivery_rate=0.0, seed=7)


@pytest.fixture
async def sim(sim_settings: SimSettings) -> AsyncIterator[RunningSim]:
    running = await start_sim(sim_settings)
    try:
        yield running
    finally:
        await running.stop()


@pytest.fixture
def counter() -> RequestCounter:
    return RequestCounter()
