"""Run an ASGI app on a real port inside the caller's event loop.

`kraken serve`, the demo, the simulators, the tests and the benchmarks all
need a real HTTP server they can start on a free port and stop cleanly.
uvicorn's own signal handling is turned off so that an embedded server never
steals the host process's SIGINT/SIGTERM: the caller owns shutdown.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

import uvicorn
from starlette.types import ASGIApp

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
