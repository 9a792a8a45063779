"""Run an ASGI app on loopback inside the caller's event loop (or a thread).

The demo, the tests and the benchmarks all need a real HTTP server they can
start on a free port and stop cleanly; uvicorn's own signal handling is turned
off so that an embedded server never steals the host process's Ctrl-C.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import uvicorn
from starlette.types import ASGIApp

from kraken.sim.app import create_app
from kraken.sim.settings import SimSettings

STARTUP_TIMEOUT_S = 10.0


class _EmbeddedServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # The host process owns SIGINT/SIGTERM; it calls stop() itself.
        yield


@dataclass
class RunningServer:
    """A served app: its base URL and how to stop it."""

    url: str
    _server: uvicorn.Server
    _task: asyncio.Task[None]

    async def stop(self) -> None:
        self._server.should_exit = True
        await self._task


@dataclass
class RunningSim(RunningServer):
    settings: SimSettings


async def serve_app(
    app: ASGIApp, host: str = "127.0.0.1", port: int = 0
) -> RunningServer:
    """Serve `app` in a task of the running loop; return once it accepts connections."""
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=None,
        log_level="warning",
        access_log=False,
        lifespan="on",
        ws="none",
    )
    server = _EmbeddedServer(config)
    task = asyncio.create_task(server.serve())
    loop = asyncio.get_running_loop()
    deadline = loop.time() + STARTUP_TIMEOUT_S
    while not server.started:
        if task.done():
            await task
            raise RuntimeError("server exited during start-up")
        if loop.time() > deadline:
            server.should_exit = True
            raise RuntimeError("server did not start in time")
        await asyncio.sleep(0.005)
    bound_port = server.servers[0].sockets[0].getsockname()[1]
    return RunningServer(f"http://{host}:{bound_port}", server, task)


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
