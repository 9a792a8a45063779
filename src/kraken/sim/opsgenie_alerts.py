"""The OpsGenie simulator's alert record and the wire views built from it.

One record feeds three shapes that the real service keeps apart: the list
item (BaseAlert), the full alert of `GET /v2/alerts/{id}`, and the alert
object inside a webhook, whose times are epoch numbers instead of ISO strings.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from kraken.sim.runtime import iso_ms

API_INTEGRATION = {
    "id": "5d2e1f3a-0c4b-4b9e-9d1a-6f0e2b7c8a41",
    "name": "API",
    "type": "API",
}
API_USER_ID = "8a1f0c2e-3b4d-4e5f-8a6b-7c8d9e0f1a2b"
WEBHOOK_INTEGRATION_ID = "c0ffee00-1d2c-4b3a-9e8f-7a6b5c4d3e2f"
WEBHOOK_INTEGRATION_NAME = "Kraken Webhook"


def _now_ns() -> int:
    return time.time_ns()


@dataclass
class SimAlert:
    """One alert as the simulator stores it."""

    id: str
    tiny_id: int
    alias: str
    message: str
    source: str
    priority: str = "P3"
    tags: list[str] = field(default_factory=list)
    entity: str = ""
    description: str = ""
    details: dict[str, str] = field(default_factory=dict)
    status: str = "open"
    acknowledged: bool = False
    count: int = 1
    created_ns: int = field(default_factory=_now_ns)
    updated_ns: int = 0
    last_occurred_ns: int = 0
    notes: list[dict[str, str]] = field(default_factory=list)
    report: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.updated_ns = self.updated_ns or self.created_ns
        self.last_occurred_ns = self.last_occurred_ns or self.created_ns

    @staticmethod
    def new_id(created_ns: int) -> str:
        """`<uuid4>-<epoch ms>`, the id format seen on real alerts."""
        return f"{uuid.uuid4()}-{created_ns // 1_000_000}"

    def touch(self) -> None:
        self.updated_ns = _now_ns()

    def base_view(self) -> dict[str, Any]:
        """The BaseAlert of `GET /v2/alerts` items."""
        view: dict[str, Any] = {
            "seen": False,
            "id": self.id,
            "tinyId": str(self.tiny_id),
            "alias": self.alias,
            "message": self.message,
            "status": self.status,
            "acknowledged": self.acknowledged,
            "isSeen": False,
            "tags": list(self.tags),
            "snoozed": False,
            "count": self.count,
            "lastOccurredAt": iso_ms(self.last_occurred_ns // 1_000_000),
            "createdAt": iso_ms(self.created_ns // 1_000_000),
            "updatedAt": iso_ms(self.updated_ns // 1_000_000),
            "source": self.source,
            "owner": "",
            "priority": self.priority,
            "teams": [],
            "responders": [],
            "integration": dict(API_INTEGRATION),
            "ownerTeamId": "",
        }
        if self.report:
            view["report"] = dict(self.report)
        return view

    def full_view(self) -> dict[str, Any]:
        """The Alert of `GET /v2/alerts/{id}`: BaseAlert plus the long fields."""
        return self.base_view() | {
            "actions": [],
            "entity": self.entity,
            "description": self.description,
            "details": dict(self.details),
        }

    def webhook_alert(self, *, with_body: bool) -> dict[str, Any]:
        """The `alert` object of a webhook; description and details on Create only."""
        alert: dict[str, Any] = {
            "alertId": self.id,
            "message": self.message,
            "tags": list(self.tags),
            "tinyId": str(self.tiny_id),
            "source": self.source,
            "entity": self.entity,
            "alias": self.alias,
            "createdAt": self.created_ns // 1_000_000,
            "updatedAt": self.updated_ns,
            "username": API_INTEGRATION["name"],
            "userId": API_USER_ID,
            "recipients": [],
            "teams": [],
            "insertedAt": self.updated_ns,
            "priority": self.priority,
        }
        if with_body:
            # OpsGenie truncates both to 1000 characters in webhooks.
            alert["description"] = self.description[:1000]
            alert["details"] = {k: v[:1000] for k, v in self.details.items()}
        return alert


def webhook_payload(alert: SimAlert, action: str, request_id: str) -> dict[str, Any]:
    """The newer outgoing-webhook shape (with integrationType, alertFlowContext)."""
    return {
        "action": action,
        "alert": alert.webhook_alert(with_body=action == "Create"),
        "source": {"name": API_INTEGRATION["name"], "type": "API"},
        "integrationId": WEBHOOK_INTEGRATION_ID,
        "integrationName": WEBHOOK_INTEGRATION_NAME,
        "integrationType": "Webhook",
        "alertFlowContext": {
            "requestId": request_id,
            "traceId": request_id,
            "content": {},
        },
    }
