"""Start the simulators on loopback, in the caller's event loop or a thread."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass

from kraken.asgi_server import STARTUP_TIMEOUT_S, RunningServer, serve_app
from kraken.sim.app import create_app
from kraken.sim.settings import SimSettings


@dataclass
class RunningSim(RunningServer):
    settings: SimSettings


async def start_sim(
    settings: SimSettings, host: str = "127.0.0.1", port: int = 0
) -> RunningSim:
    """Start every simulator on one port; `port=0` picks a free one."""
    running = await serve_app(create_app(settings), host, port)
    return RunningSim(running.url, running._server, running._task, settings)


def start_sim_in_thread(
    settings: SimSettings, host: str = "127.0.0.1", port: int = 0
) -> tuple[str, Callable[[], None]]:
    """The same simulator for synchronous code: a loop in a daemon thread."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="kraken-sim", daemon=True)
    thread.start()
    future = asyncio.run_coroutine_threadsafe(start_sim(settings, host, port), loop)
    running = future.result(timeout=STARTUP_TIMEOUT_S)

    def stop() -> None:
        asyncio.run_coroutine_threadsafe(running.stop(), loop).result(STARTUP_TIMEOUT_S)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(STARTUP_TIMEOUT_S)
        loop.close()

    return running.url, stop
