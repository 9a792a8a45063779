"""Simulator tests: the sim on one free port, a webhook receiver on another."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sim_helpers import Receiver
from starlette.applications import Starlette
from starlette.routing import Route

from kraken.sim import RunningSim, SimSettings
from kraken.sim.server import RunningServer, serve_app


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
async def http(sim: RunningSim) -> AsyncIterator[httpx.AsyncClient]:
    """A raw client, to see the simulator's wire answers without a connector."""
    async with httpx.AsyncClient(base_url=sim.url, timeout=5.0) as client:
        yield client
