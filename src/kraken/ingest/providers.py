"""Alert providers: each turns its own payloads into `Alert`s.

A second provider (JSM Operations, which replaces OpsGenie) is one more module
that implements `AlertProvider` and one more entry in `PROVIDERS`; the webhook
app, the inbox, routing and playbooks stay as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from kraken.domain import Alert
from kraken.ingest import opsgenie


class AlertProvider(Protocol):
    @property
    def name(self) -> str: ...

    def parse_webhook(self, payload: Mapping[str, Any]) -> Alert: ...

    def idempotency_key(self, alert: Alert) -> str: ...


@dataclass(frozen=True, slots=True)
class OpsGenieProvider:
    name: str = "opsgenie"

    def parse_webhook(self, payload: Mapping[str, Any]) -> Alert:
        return opsgenie.parse_webhook(payload)

    def idempotency_key(self, alert: Alert) -> str:
        return opsgenie.idempotency_key(alert)


PROVIDERS: dict[str, AlertProvider] = {"opsgenie": OpsGenieProvider()}


def get_provider(name: str) -> AlertProvider | None:
    return PROVIDERS.get(name)
