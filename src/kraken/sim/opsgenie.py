"""A stateful OpsGenie Alert API v2: dedup by alias, async requests, webhooks.

Only creates and API closes fire webhooks. Notes, acks and tags made through
the API do not: Kraken itself writes those, and echoing them back as webhooks
would make the demo loop on its own actions.
"""

from __future__ import annotations

import hmac
import json
import time
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from kraken.sim.opsgenie_alerts import API_INTEGRATION, SimAlert, webhook_payload
from kraken.sim.opsgenie_query import ListParams, list_page
from kraken.sim.runtime import (
    TOOK_S,
    SimRuntime,
    iso_ms,
    new_request_id,
    opsgenie_error,
)
from kraken.sim.webhooks import WebhookSender

PRIORITIES = ("P1", "P2", "P3", "P4", "P5")


@dataclass
class _Request:
    """A write OpsGenie has accepted; polls answer 404 until `pending` is 0."""

    data: dict[str, Any]
    pending: int


class OpsGenieSim:
    """Alerts, request statuses and counters behind the `/v2/alerts` routes."""

    def __init__(self, runtime: SimRuntime, webhooks: WebhookSender) -> None:
        self._runtime = runtime
        self._webhooks = webhooks
        self._alerts: dict[str, SimAlert] = {}
        self._open_by_alias: dict[str, str] = {}
        self._requests: dict[str, _Request] = {}
        self._next_tiny = 1
        self.creates = 0
        self.deduplicated = 0
        self.notes = 0
        self.acks = 0

    def routes(self) -> list[Route]:
        return [
            Route("/v2/alerts", self.create, methods=["POST"]),
            Route("/v2/alerts", self.list_alerts, methods=["GET"]),
            Route(
                "/v2/alerts/requests/{request_id}", self.request_status, methods=["GET"]
            ),
            Route("/v2/alerts/{identifier}", self.get_alert, methods=["GET"]),
            Route("/v2/alerts/{identifier}/{action}", self.act, methods=["POST"]),
        ]

    def stats(self) -> dict[str, int]:
        return {
            "alerts": len(self._alerts),
            "creates": self.creates,
            "deduplicated": self.deduplicated,
            "webhooks_sent": self._webhooks.sent,
            "webhooks_failed": self._webhooks.failed,
            "notes": self.notes,
            "acks": self.acks,
        }

    def dump(self) -> list[dict[str, Any]]:
        return [
            alert.full_view() | {"notes": list(alert.notes)}
            for alert in self._alerts.values()
        ]

    # -- handlers -------------------------------------------------------------

    async def create(self, request: Request) -> Response:
        refused = self._refuse(request)
        if refused is not None:
            return refused
        body, problem = await _json_body(request)
        if problem is not None:
            return problem
        errors = _validate_create(body)
        if errors:
            message = "Request body is not processable. Please check the errors."
            return opsgenie_error(422, message, errors=errors)
        self.creates += 1
        request_id = new_request_id()
        alert, created = self._create_or_dedup(body, request)
        # The wording for a deduplicated create is not in the recorded payloads.
        status = "Created alert" if created else "Alert is updated with new occurrence"
        self._record(request_id, "Create", status, alert)
        if created:
            self._webhooks.fire(webhook_payload(alert, "Create", request_id))
        return _accepted(request_id)

    async def request_status(self, request: Request) -> Response:
        refused = self._refuse(request)
        if refused is not None:
            return refused
        pending = self._requests.get(request.path_params["request_id"])
        if pending is None or pending.pending > 0:
            if pending is not None:
                pending.pending -= 1
            headers = {"X-Opsgenie-Errortype": "RequestNotProcessed"}
            return opsgenie_error(404, "Request not processed yet", headers=headers)
        body = {"data": pending.data, "took": TOOK_S, "requestId": new_request_id()}
        return JSONResponse(body)

    async def get_alert(self, request: Request) -> Response:
        refused = self._refuse(request)
        if refused is not None:
            return refused
        alert = self._find(request)
        if alert is None:
            return opsgenie_error(404, "Alert does not exist")
        body = {
            "data": alert.full_view(),
            "took": TOOK_S,
            "requestId": new_request_id(),
        }
        return JSONResponse(body)

    async def list_alerts(self, request: Request) -> Response:
        refused = self._refuse(request)
        if refused is not None:
            return refused
        try:
            params = ListParams.from_query(request.query_params)
        except ValueError as exc:
            return opsgenie_error(422, str(exc))
        body = list_page(list(self._alerts.values()), params, str(request.base_url))
        return JSONResponse(body | {"took": TOOK_S, "requestId": new_request_id()})

    async def act(self, request: Request) -> Response:
        """notes, acknowledge, close and tags: all answer 202 and apply at once."""
        refused = self._refuse(request)
        if refused is not None:
            return refused
        action = request.path_params["action"]
        if action not in _ACTIONS:
            return opsgenie_error(404, "Not found")
        body, problem = await _json_body(request, empty_ok=action in _EMPTY_OK)
        if problem is not None:
            return problem
        errors = _ACTIONS[action](body)
        if errors:
            return opsgenie_error(
                422, "Request body is not processable.", errors=errors
            )
        request_id = new_request_id()
        alert = self._find(request)
        self._apply(action, alert, body, request_id)
        return _accepted(request_id)

    # -- state ----------------------------------------------------------------

    def _create_or_dedup(
        self, body: dict[str, Any], request: Request
    ) -> tuple[SimAlert, bool]:
        alias = body.get("alias") or None
        existing = self._open_by_alias.get(alias) if alias else None
        if existing is not None:
            # OpsGenie's dedup: same alias on an open alert bumps its count only.
            alert = self._alerts[existing]
            alert.count += 1
            alert.touch()
            alert.last_occurred_ns = alert.updated_ns
            self.deduplicated += 1
            return alert, False
        alert = _new_alert(body, self._next_tiny, request)
        self._next_tiny += 1
        self._alerts[alert.id] = alert
        self._open_by_alias[alert.alias] = alert.id
        return alert, True

    def _apply(
        self, action: str, alert: SimAlert | None, body: dict[str, Any], request_id: str
    ) -> None:
        label, done = _LABELS[action]
        if alert is None:
            self._record(request_id, label, "Alert does not exist", None)
            return
        note = body.get("note")
        if isinstance(note, str) and note:
            alert.notes.append({"note": note, "owner": str(body.get("user", ""))})
            self.notes += 1
        if action == "acknowledge":
            alert.acknowledged = True
            self.acks += 1
        elif action == "tags":
            alert.tags += [t for t in body["tags"] if t not in alert.tags]
        elif action == "close" and alert.status == "open":
            self._close(alert, request_id)
        alert.touch()
        self._record(request_id, label, done, alert)

    def _close(self, alert: SimAlert, request_id: str) -> None:
        alert.status = "closed"
        alert.touch()
        age_ms = (alert.updated_ns - alert.created_ns) // 1_000_000
        alert.report = {"closeTime": age_ms, "closedBy": API_INTEGRATION["name"]}
        self._open_by_alias.pop(alert.alias, None)
        self._webhooks.fire(webhook_payload(alert, "Close", request_id))

    def _record(
        self, request_id: str, action: str, status: str, alert: SimAlert | None
    ) -> None:
        now_ms = alert.updated_ns // 1_000_000 if alert else 0
        data: dict[str, Any] = {
            "success": alert is not None,
            "action": action,
            "processedAt": iso_ms(now_ms) if alert else "",
            "integrationId": API_INTEGRATION["id"],
            "isSuccess": alert is not None,
            "status": status,
        }
        if alert is not None:
            data |= {"alertId": alert.id, "alias": alert.alias}
        polls = self._runtime.settings.request_not_processed_polls
        self._requests[request_id] = _Request(data=data, pending=polls)

    def _find(self, request: Request) -> SimAlert | None:
        identifier = request.path_params["identifier"]
        kind = request.query_params.get("identifierType", "id")
        if kind == "id":
            return self._alerts.get(identifier)
        if kind == "alias":
            alert_id = self._open_by_alias.get(identifier)
            return self._alerts.get(alert_id) if alert_id else None
        if kind == "tiny":
            return next(
                (a for a in self._alerts.values() if str(a.tiny_id) == identifier), None
            )
        return None

    def _refuse(self, request: Request) -> Response | None:
        """401 unless `Authorization: GenieKey <key>` matches (constant-time)."""
        given = request.headers.get("Authorization", "")
        expected = f"GenieKey {self._runtime.settings.opsgenie_api_key}"
        if hmac.compare_digest(given.encode(), expected.encode()):
            return None
        return opsgenie_error(401, "Could not authenticate")


def _accepted(request_id: str) -> JSONResponse:
    body = {
        "result": "Request will be processed",
        "took": TOOK_S,
        "requestId": request_id,
    }
    return JSONResponse(body, status_code=202)


async def _json_body(
    request: Request, *, empty_ok: bool = False
) -> tuple[dict[str, Any], Response | None]:
    raw = await request.body()
    if not raw.strip() and empty_ok:
        return {}, None
    try:
        body = json.loads(raw)
    except ValueError:
        return {}, opsgenie_error(400, "Invalid JSON")
    if not isinstance(body, dict):
        return {}, opsgenie_error(400, "Invalid JSON")
    return body, None


def _validate_create(body: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    message = body.get("message")
    if not isinstance(message, str) or not message.strip():
        errors["message"] = "Message can not be empty."
    if body.get("priority", "P3") not in PRIORITIES:
        errors["priority"] = "Priority should be one of [P1, P2, P3, P4, P5]"
    errors |= _check_tags(body, required=False)
    return errors


def _check_tags(body: dict[str, Any], *, required: bool) -> dict[str, str]:
    tags = body.get("tags")
    if tags is None and not required:
        return {}
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        return {"tags": "Tags should be a list of strings"}
    if required and not tags:
        return {"tags": "Tags can not be empty."}
    if len(tags) > 20:
        return {"tags": "Tags can have at most 20 items"}
    return {}


def _check_note(body: dict[str, Any]) -> dict[str, str]:
    note = body.get("note")
    return {} if isinstance(note, str) and note else {"note": "Note can not be empty."}


def _no_check(body: dict[str, Any]) -> dict[str, str]:
    return {}


def _check_tags_required(body: dict[str, Any]) -> dict[str, str]:
    return _check_tags(body, required=True)


_ACTIONS = {
    "notes": _check_note,
    "acknowledge": _no_check,
    "close": _no_check,
    "tags": _check_tags_required,
}
_EMPTY_OK = frozenset({"acknowledge", "close"})
_LABELS = {
    "notes": ("Add Note", "Added note"),
    "acknowledge": ("Acknowledge", "Acknowledged alert"),
    "close": ("Close", "Closed alert"),
    "tags": ("Add Tags", "Added tags"),
}


def _new_alert(body: dict[str, Any], tiny_id: int, request: Request) -> SimAlert:
    created_ns = time.time_ns()
    alert_id = SimAlert.new_id(created_ns)
    # Without a source, OpsGenie records the caller's IP address.
    caller = request.client.host if request.client else "127.0.0.1"
    details = body.get("details")
    return SimAlert(
        id=alert_id,
        tiny_id=tiny_id,
        alias=str(body.get("alias") or alert_id),
        message=str(body["message"])[:130],
        source=str(body.get("source") or caller),
        priority=str(body.get("priority", "P3")),
        tags=[str(tag) for tag in body.get("tags") or []],
        entity=str(body.get("entity") or ""),
        description=str(body.get("description") or ""),
        details={str(k): str(v) for k, v in details.items()}
        if isinstance(details, dict)
        else {},
        created_ns=created_ns,
    )
