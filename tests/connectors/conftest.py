"""Connector tests talk to the simulators over real loopback HTTP."""

from __future__ import annotations

import pytest

from kraken.connectors.http import RequestCounter
from kraken.sim import SimSettings


@pytest.fixture
def sim_settings() -> SimSettings:
    return SimSettings(redelivery_rate=0.0, seed=7)


@pytest.fixture
def counter() -> RequestCounter:
    return RequestCounter()
