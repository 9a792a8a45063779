"""Stateful vendor simulators (OpsGenie, ServiceNow) served on loopback.

Kraken's demo, tests and benchmarks talk to these over real HTTP, exactly as
production talks to the vendors; `/_sim/*` exposes their state and knobs.
"""

from kraken.sim.app import create_app
from kraken.sim.server import RunningSim, start_sim, start_sim_in_thread
from kraken.sim.settings import SimSettings

__all__ = [
    "RunningSim",
    "SimSettings",
    "create_app",
    "start_sim",
    "start_sim_in_thread",
]
