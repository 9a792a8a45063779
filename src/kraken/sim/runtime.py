"""State shared by every simulator: settings, the seeded RNG, faults, error bodies.

Error bodies are shaped like each vendor's own, so a client's error handling
is exercised against what production would send, not a generic stub.
"""

from __future__ import annotations

import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from starlette.responses import JSONResponse

from kraken.sim.settings import SimSettings

Vendor = Literal["opsgenie", "servicenow"]

TOOK_S = 0.003
"""`took` in OpsGenie bodies: the real service reports a few milliseconds."""


@dataclass(frozen=True, slots=True)
class Fault:
    """An answer the knobs impose instead of the real handler's."""

    status: int
    retry_after: str | None = None


@dataclass
class SimRuntime:
    """The mutable core: one per running simulator app."""

    settings: SimSettings
    rng: random.Random = field(init=False)
    started_at: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.settings.seed)

    def elapsed_s(self) -> float:
        return time.monotonic() - self.started_at

    def draw_fault(self) -> Fault | None:
        """Outage first, then one draw shared by rate limits and errors."""
        now = self.elapsed_s()
        if any(start <= now < end for start, end in self.settings.outages):
            return Fault(503)
        draw = self.rng.random()
        throttle = self.settings.rate_limit_rate
        if draw < throttle:
            return Fault(429, retry_after="1")
        if draw < throttle + self.settings.error_rate:
            return Fault(self.rng.choice((500, 503)))
        return None


def new_request_id() -> str:
    return str(uuid.uuid4())


def iso_ms(epoch_ms: int) -> str:
    """OpsGenie's API timestamps: ISO-8601, milliseconds, `Z`."""
    moment = datetime.fromtimestamp(epoch_ms / 1000, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def glide_time(moment: datetime | None = None) -> str:
    """ServiceNow's raw date-time: `YYYY-MM-DD HH:MM:SS` in UTC."""
    return (moment or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M:%S")


def opsgenie_error(
    status: int,
    message: str,
    *,
    errors: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, object] = {"message": message, "took": TOOK_S}
    if errors:
        body["errors"] = errors
    body["requestId"] = new_request_id()
    return JSONResponse(body, status_code=status, headers=headers)


def servicenow_error(
    status: int,
    message: str,
    detail: str | None,
    *,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = {"error": {"message": message, "detail": detail}, "status": "failure"}
    return JSONResponse(body, status_code=status, headers=headers)


_FAULT_MESSAGES = {
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}


def fault_response(vendor: Vendor, fault: Fault) -> JSONResponse:
    headers = {"Retry-After": fault.retry_after} if fault.retry_after else None
    message = _FAULT_MESSAGES.get(fault.status, "Error")
    if vendor == "opsgenie":
        return opsgenie_error(fault.status, message, headers=headers)
    return servicenow_error(fault.status, message, None, headers=headers)
