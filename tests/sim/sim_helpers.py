"""Helpers for the simulator tests, importable by name (unlike conftest.py)."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from kraken.sim import SimSettings

API_KEY = "GenieKey " + SimSettings().opsgenie_api_key


class Receiver:
    """Collects webhook deliveries; `wait_for(n)` returns once n have arrived."""

    def __init__(self) -> None:
        self.deliveries: list[tuple[dict[str, str], dict[str, Any]]] = []
        self._arrived = asyncio.Condition()
        self.url = ""

    async def handle(self, request: Request) -> Response:
        body = await request.json()
        async with self._arrived:
            self.deliveries.append((dict(request.headers), body))
            self._arrived.notify_all()
        return JSONResponse({"ok": True})

    async def wait_for(self, count: int, timeout: float = 3.0) -> None:
        async with asyncio.timeout(timeout), self._arrived:
            await self._arrived.wait_for(lambda: len(self.deliveries) >= count)

    def actions(self) -> list[str]:
        return [body["action"] for _, body in self.deliveries]
