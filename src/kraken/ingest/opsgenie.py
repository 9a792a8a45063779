"""OpsGenie payloads (outgoing webhooks and Alert API v2 objects) as `Alert`s.

This is the only place that knows OpsGenie's wire shapes, so nothing
downstream reads them. Only what identifies the event is required (`action`
and `alert.alertId`); everything else is optional because OpsGenie sends less
on some actions (Escalate carries just the id) and a missing tag must not lose
an alert. Wrong types are refused with the field named, never guessed at.
Pure: parsing only, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from kraken.domain import Alert
from kraken.errors import PayloadError

PROVIDER = "opsgenie"
# Polling sees an alert that is open; for routing that is its creation.
POLLED_ACTION = "Create"
_ISO = re.compile(
    r"^(?P<base>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(?P<frac>\d{1,9}))?"
    r"(?P<tz>Z|[+-]\d\d:?\d\d)?$"
)


def parse_webhook(payload: Mapping[str, Any]) -> Alert:
    """An outgoing-webhook body as an Alert; raises PayloadError naming the field."""
    if not isinstance(payload, Mapping):
        raise PayloadError("payload", "must be a JSON object")
    action = payload.get("action")
    if action is None:
        raise PayloadError("action", "is missing")
    if not isinstance(action, str) or not action.strip():
        raise PayloadError("action", "must be a non-empty string")
    alert = payload.get("alert")
    if not isinstance(alert, Mapping):
        raise PayloadError("alert", "must be a JSON object")
    return Alert(
        provider=PROVIDER,
        alert_id=_alert_id(alert, "alertId"),
        action=action.strip(),
        message=_text(alert, "message"),
        alias=_text(alert, "alias"),
        tiny_id=_text(alert, "tinyId"),
        tags=_tags(alert),
        priority=_priority(alert),
        source=_text(alert, "source"),
        entity=_text(alert, "entity"),
        description=_text(alert, "description"),
        details=_details(alert),
        teams=_teams(alert),
        created_at_ms=_epoch(alert, "createdAt"),
        updated_at_ns=_epoch(alert, "updatedAt"),
        note=_text(alert, "note"),
        actor=_text(alert, "username"),
    )


def api_alert_to_webhook(obj: Mapping[str, Any]) -> dict[str, Any]:
    """An Alert API v2 object (list or get `data`) reshaped as the Create
    webhook the poller feeds into the inbox, so polled and pushed alerts take
    one path from there on. Times go from ISO strings to the webhook's epochs."""
    if not isinstance(obj, Mapping):
        raise PayloadError("alert", "must be a JSON object")
    alert_id = _alert_id(obj, "id", prefix="")
    created_ns = _iso_ns(obj, "createdAt")
    updated_ns = _iso_ns(obj, "updatedAt")
    teams = obj.get("teams") or []
    body: dict[str, Any] = {
        "alertId": alert_id,
        "tinyId": _text(obj, "tinyId", prefix=""),
        "alias": _text(obj, "alias", prefix=""),
        "message": _text(obj, "message", prefix=""),
        "tags": sorted(_tags(obj, prefix="")),
        "priority": _priority(obj, prefix=""),
        "source": _text(obj, "source", prefix=""),
        "entity": _text(obj, "entity", prefix=""),
        "description": _text(obj, "description", prefix=""),
        "details": dict(_details(obj, prefix="")),
        "teams": [t.get("id", "") for t in teams if isinstance(t, Mapping)],
        "username": _text(obj, "owner", prefix=""),
    }
    if created_ns is not None:
        body["createdAt"] = created_ns // 1_000_000
    if updated_ns is not None:
        body["updatedAt"] = updated_ns
    return {
        "action": POLLED_ACTION,
        "alert": body,
        "source": {"name": "kraken-poller", "type": "poll"},
    }


def idempotency_key(alert: Alert) -> str:
    """Same event, same key: OpsGenie may deliver one webhook more than once.

    The key is alert id + action + the payload's update time. A Create happens
    once per alert, at its creation: its key uses that instant (in ms, the
    precision both the webhook and the Alert API share), so an alert seen by
    webhook and by the poller is one event, not two.
    """
    if alert.action == "Create" and alert.created_at_ms:
        return f"{PROVIDER}:{alert.alert_id}:Create:{alert.created_at_ms}"
    return f"{PROVIDER}:{alert.alert_id}:{alert.action}:{alert.updated_at_ns or ''}"


def _alert_id(obj: Mapping[str, Any], key: str, prefix: str = "alert.") -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value.strip():
        raise PayloadError(prefix + key, "must be a non-empty string")
    return value.strip()


def _text(obj: Mapping[str, Any], key: str, prefix: str = "alert.") -> str:
    value = obj.get(key)
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)  # tinyId is sometimes a number
    raise PayloadError(prefix + key, "must be a string")


def _tags(obj: Mapping[str, Any], prefix: str = "alert.") -> frozenset[str]:
    value = obj.get("tags")
    if value is None:
        return frozenset()
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
        raise PayloadError(prefix + "tags", "must be a list of strings")
    return frozenset(tag.strip() for tag in value if tag.strip())


def _priority(obj: Mapping[str, Any], prefix: str = "alert.") -> str:
    """`P3`, 3 and "3" all mean P3; anything out of range is unknown ('')."""
    value = obj.get("priority")
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise PayloadError(prefix + "priority", "must be a string or a number")
    text = str(value).strip().upper().removeprefix("P")
    return f"P{text}" if text in ("1", "2", "3", "4", "5") else ""


def _details(obj: Mapping[str, Any], prefix: str = "alert.") -> dict[str, str]:
    value = obj.get("details")
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise PayloadError(prefix + "details", "must be a JSON object")
    return {str(key): "" if item is None else str(item) for key, item in value.items()}


def _teams(obj: Mapping[str, Any], prefix: str = "alert.") -> tuple[str, ...]:
    """Team ids (webhooks) or `{id, name}` objects (API); names win when present."""
    value = obj.get("teams")
    if value is None:
        return ()
    if not isinstance(value, list):
        raise PayloadError(prefix + "teams", "must be a list")
    teams: list[str] = []
    for team in value:
        if isinstance(team, str):
            teams.append(team)
        elif isinstance(team, Mapping):
            teams.append(str(team.get("name") or team.get("id") or ""))
        else:
            raise PayloadError(prefix + "teams", "must hold strings or objects")
    return tuple(team for team in teams if team)


def _epoch(obj: Mapping[str, Any], key: str, prefix: str = "alert.") -> int | None:
    """An epoch number as int; nanosecond values exceed float64, so never float."""
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise PayloadError(prefix + key, "must be an integer epoch")


def _iso_ns(obj: Mapping[str, Any], key: str) -> int | None:
    """An ISO-8601 time as epoch nanoseconds, exact to the digits given."""
    value = obj.get(key)
    if value is None:
        return None
    found = _ISO.match(value.strip()) if isinstance(value, str) else None
    if found is None:
        raise PayloadError(key, "must be an ISO-8601 time")
    tz = found["tz"] or "Z"
    offset = "+00:00" if tz == "Z" else tz
    try:
        moment = datetime.fromisoformat(found["base"] + offset)
    except ValueError as exc:
        raise PayloadError(key, "must be an ISO-8601 time") from exc
    seconds = int((moment - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds())
    return seconds * 1_000_000_000 + int((found["frac"] or "0").ljust(9, "0"))
