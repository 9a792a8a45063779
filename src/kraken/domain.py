"""The provider-neutral alert that routing and playbooks work on.

Every alert provider (OpsGenie today, JSM Operations next) turns its webhook
or API payload into an `Alert`; nothing downstream reads a provider's raw
format. Pure data, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Alert:
    """One alert action as a provider reported it."""

    provider: str  # "opsgenie", "jsm"
    alert_id: str
    action: str  # provider's action name: Create, Close, AddNote, ...
    message: str = ""
    alias: str = ""
    tiny_id: str = ""
    tags: frozenset[str] = frozenset()
    priority: str = ""  # normalised to "P1".."P5", or "" when unknown
    source: str = ""  # alert.source: where the alert came from (a SIEM, a host)
    entity: str = ""
    description: str = ""
    details: Mapping[str, str] = field(default_factory=dict)
    teams: tuple[str, ...] = ()
    created_at_ms: int | None = None
    updated_at_ns: int | None = None
    note: str = ""
    actor: str = ""  # who performed the action (username), for audit

    @property
    def correlation_id(self) -> str:
        """Kraken's idempotency key on other systems: `<provider>:<alert id>`."""
        return f"{self.provider}:{self.alert_id}"

    def template_context(self) -> dict[str, Any]:
        """The values a ticket template may use, as plain types."""
        return {
            "id": self.alert_id,
            "alert_id": self.alert_id,
            "provider": self.provider,
            "action": self.action,
            "message": self.message,
            "alias": self.alias,
            "tiny_id": self.tiny_id,
            "tags": sorted(self.tags),
            "priority": self.priority,
            "source": self.source,
            "entity": self.entity,
            "description": self.description,
            "details": dict(self.details),
            "teams": list(self.teams),
            "correlation_id": self.correlation_id,
        }
