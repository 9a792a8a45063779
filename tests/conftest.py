"""Fixtures every test folder may use."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from kraken.sim import RunningSim, SimSettings, start_sim
from shared_files import recorded_opsgenie


@pytest.fixture
def recorded() -> Callable[[str], Any]:
    """Load a recorded OpsGenie payload, or skip visibly when shared/ is absent."""
    return recorded_opsgenie


@pytest.fixture
async def sim(sim_settings: SimSettings) -> AsyncIterator[RunningSim]:
    """The simulators on a free loopback port; folders choose `sim_settings`."""
    running = await start_sim(sim_settings)
    try:
        yield running
    finally:
        await running.stop()
