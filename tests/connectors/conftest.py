"""Connector tests talk to the simulators over real loopback HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from kraken.connectors.http import RequestCounter
from kraken.sim import RunningSim, SimSettings, start_sim


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
