"""Simulator tests: the sim on one free port, a webhook receiver on another."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sim_helpers import Receiver
from starlette.applications import Starlette
from starlette.routing import Route

from kraken.sim import RunningSim, SimSettings, start_sim
from kraken.sim.server import RunningServer, serve_app

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
async def receiver() -> AsyncIterator[Receiver]:
    target = Receiver()
    app = Starlette(routes=[Route("/hook", target.handle, methods=["POST"])])
    server: RunningServer = await serve_app(app)
    target.url = f"{server.url}/hook"
    try:
        yield target
    finally:
        await server.stop()


@pytest.fixture
def sim_settings() -> SimSettings:
    return SimSettings(redelivery_rate=0.0, seed=3)


@pytest.fixture
async def sim(sim_settings: SimSettings) -> AsyncIterator[RunningSim]:
    running = await start_sim(sim_settings)
    try:
        yield running
    finally:
        await running.stop()


@pytest.fixture
async def http(sim: RunningSim) -> AsyncIterator[httpx.AsyncClient]:
    """A raw client, to see the simulator's wire answers without a connector."""
    async with httpx.AsyncClient(base_url=sim.url, timeout=5.0) as client:
        yield client
