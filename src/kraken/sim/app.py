"""One Starlette app that serves every vendor simulator, plus `/_sim` control.

The knobs (latency, errors, throttling, outages) live in one ASGI middleware
in front of the vendor routes, so each simulator's handlers stay about the
vendor's behaviour only. `/_sim/*` is never slowed or failed: tests and the
demo must always be able to read the stats and turn the knobs.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from kraken.sim.opsgenie import OpsGenieSim
from kraken.sim.runtime import SimRuntime, Vendor, fault_response
from kraken.sim.servicenow import ServiceNowSim
from kraken.sim.settings import SimSettings
from kraken.sim.webhooks import WebhookSender


def vendor_of(path: str) -> Vendor | None:
    if path.startswith("/v2/alerts"):
        return "opsgenie"
    if path.startswith(("/api/now/", "/oauth_token.do")):
        return "servicenow"
    return None


class KnobMiddleware:
    """Applies latency and injected faults to vendor API calls."""

    def __init__(
        self, app: ASGIApp, runtime: SimRuntime, servicenow: ServiceNowSim
    ) -> None:
        self.app = app
        self.runtime = runtime
        self.servicenow = servicenow

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        vendor = vendor_of(scope["path"]) if scope["type"] == "http" else None
        if vendor is None:
            await self.app(scope, receive, send)
            return
        if vendor == "servicenow":
            self.servicenow.requests += 1
        latency = self.runtime.settings.latency_ms
        if latency > 0:
            await asyncio.sleep(latency / 1000)
        fault = self.runtime.draw_fault()
        if fault is not None:
            await fault_response(vendor, fault)(scope, receive, send)
            return
        await self.app(scope, receive, send)


class _Control:
    """The `/_sim` endpoints: stats, record dumps and run-time knobs."""

    def __init__(
        self, runtime: SimRuntime, opsgenie: OpsGenieSim, servicenow: ServiceNowSim
    ):
        self.runtime = runtime
        self.opsgenie = opsgenie
        self.servicenow = servicenow

    def routes(self) -> list[Route]:
        return [
            Route("/_sim/stats", self.stats, methods=["GET"]),
            Route("/_sim/servicenow/incidents", self.incidents, methods=["GET"]),
            Route("/_sim/opsgenie/alerts", self.alerts, methods=["GET"]),
            Route("/_sim/settings", self.get_settings, methods=["GET"]),
            Route("/_sim/settings", self.set_settings, methods=["POST"]),
            Route("/_sim/servicenow/revoke_tokens", self.revoke, methods=["POST"]),
        ]

    async def stats(self, request: Request) -> Response:
        body = {
            "opsgenie": self.opsgenie.stats(),
            "servicenow": self.servicenow.stats(),
        }
        return JSONResponse(body)

    async def incidents(self, request: Request) -> Response:
        return JSONResponse({"incidents": self.servicenow.dump()})

    async def alerts(self, request: Request) -> Response:
        return JSONResponse({"alerts": self.opsgenie.dump()})

    async def revoke(self, request: Request) -> Response:
        return JSONResponse({"revoked": self.servicenow.revoke_access_tokens()})

    async def get_settings(self, request: Request) -> Response:
        return JSONResponse(self.runtime.settings.knobs())

    async def set_settings(self, request: Request) -> Response:
        try:
            changes = await request.json()
            if not isinstance(changes, dict):
                raise ValueError("expected a JSON object")
            self.runtime.settings.apply(changes)
        except (ValueError, TypeError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse(self.runtime.settings.knobs())


def create_app(settings: SimSettings) -> Starlette:
    """Assemble the simulators around one runtime; no I/O until served."""
    runtime = SimRuntime(settings)
    webhooks = WebhookSender(runtime)
    opsgenie = OpsGenieSim(runtime, webhooks)
    servicenow = ServiceNowSim(runtime)
    control = _Control(runtime, opsgenie, servicenow)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await webhooks.start()
        try:
            yield
        finally:
            await webhooks.stop()

    app = Starlette(
        routes=control.routes() + opsgenie.routes() + servicenow.routes(),
        lifespan=lifespan,
    )
    app.add_middleware(KnobMiddleware, runtime=runtime, servicenow=servicenow)
    return app
