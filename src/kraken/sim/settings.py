"""Knobs of the vendor simulators, set at start and partly changeable at run time.

The credentials here are simulator credentials with demo defaults: they guard
nothing real, and `kraken sim` prints them so a demo needs no setup.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

DEMO_OPSGENIE_API_KEY = "sim-opsgenie-api-key"
DEMO_SERVICENOW_USER = "kraken.integration"
DEMO_SERVICENOW_PASSWORD = "sim-servicenow-password"  # noqa: S105 (simulator only)
DEMO_OAUTH_CLIENT_ID = "kraken-sim-client"
DEMO_OAUTH_CLIENT_SECRET = "sim-oauth-client-secret"  # noqa: S105 (simulator only)

DEFAULT_REQUIRED_FIELDS: tuple[str, ...] = (
    "short_description",
    "description",
    "caller_id",
    "category",
    "subcategory",
    "assignment_group",
    "impact",
    "urgency",
    "contact_type",
    "correlation_id",
)

RUNTIME_KNOBS: frozenset[str] = frozenset(
    {
        "latency_ms",
        "error_rate",
        "rate_limit_rate",
        "servicenow_create_response_delay_s",
        "redelivery_rate",
        "webhook_url",
        "webhook_headers",
        "request_not_processed_polls",
        "oauth_token_ttl_s",
    }
)
"""What `POST /_sim/settings` may change; credentials and the seed are fixed."""

_RATES = ("redelivery_rate", "error_rate", "rate_limit_rate")
_NON_NEGATIVE = (
    "latency_ms",
    "servicenow_create_response_delay_s",
    "request_not_processed_polls",
    "oauth_token_ttl_s",
)


@dataclass
class SimSettings:
    """Everything the simulators do differently from a perfect vendor."""

    opsgenie_api_key: str = DEMO_OPSGENIE_API_KEY
    servicenow_user: str = DEMO_SERVICENOW_USER
    servicenow_password: str = DEMO_SERVICENOW_PASSWORD
    oauth_client_id: str | None = DEMO_OAUTH_CLIENT_ID
    oauth_client_secret: str | None = DEMO_OAUTH_CLIENT_SECRET
    webhook_url: str | None = None
    webhook_headers: dict[str, str] = field(default_factory=dict)
    redelivery_rate: float = 0.1
    """Chance that a webhook is POSTed twice: OpsGenie delivers at least once."""
    latency_ms: float = 0.0
    """Added to every vendor API answer."""
    error_rate: float = 0.0
    """Share of vendor API calls answered 500 or 503, before any state changes."""
    rate_limit_rate: float = 0.0
    """Share of vendor API calls answered 429 with `Retry-After: 1`."""
    outages: list[tuple[float, float]] = field(default_factory=list)
    """(start_s, end_s) offsets from sim start during which every call gets 503."""
    servicenow_create_response_delay_s: float = 0.0
    """The incident is stored at once but the 201 waits this long: a client
    killed meanwhile never learns that its create succeeded."""
    required_fields: tuple[str, ...] = DEFAULT_REQUIRED_FIELDS
    """Incident fields that must be non-empty for `/_sim/stats` to call it complete."""
    request_not_processed_polls: int = 1
    """How many status polls of an OpsGenie request answer 404 RequestNotProcessed."""
    oauth_token_ttl_s: float = 1800.0
    """`expires_in` of issued ServiceNow access tokens."""
    seed: int = 0

    def __post_init__(self) -> None:
        self._check()

    def apply(self, changes: Mapping[str, Any]) -> None:
        """Change run-time knobs; unknown or ill-typed values change nothing."""
        unknown = sorted(set(changes) - RUNTIME_KNOBS)
        if unknown:
            raise ValueError(f"not changeable at run time: {', '.join(unknown)}")
        candidate = {name: getattr(self, name) for name in RUNTIME_KNOBS}
        candidate.update(_coerce(changes))
        probe = SimSettings(**candidate)
        for name in changes:
            setattr(self, name, getattr(probe, name))

    def knobs(self) -> dict[str, Any]:
        """The run-time knobs and their current values, for `/_sim/settings`."""
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name in RUNTIME_KNOBS
        }

    def _check(self) -> None:
        for name in _RATES:
            if not 0.0 <= float(getattr(self, name)) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")
        for name in _NON_NEGATIVE:
            if float(getattr(self, name)) < 0:
                raise ValueError(f"{name} must not be negative")
        for start, end in self.outages:
            if not 0 <= start < end:
                raise ValueError("each outage needs 0 <= start_s < end_s")
        headers = self.webhook_headers
        if not isinstance(headers, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in headers.items()
        ):
            raise ValueError("webhook_headers must map strings to strings")
        if self.webhook_url is not None and not isinstance(self.webhook_url, str):
            raise ValueError("webhook_url must be a string or null")


def _coerce(changes: Mapping[str, Any]) -> dict[str, Any]:
    """JSON numbers to the knob's type; a bool is not accepted as a number."""
    out: dict[str, Any] = {}
    for name, value in changes.items():
        if name in _RATES or name in _NON_NEGATIVE:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{name} must be a number")
            out[name] = (
                int(value) if name == "request_not_processed_polls" else float(value)
            )
        else:
            out[name] = value
    return out
