"""OpsGenie payloads to Alerts: hand-made cases and every recorded webhook."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kraken.domain import Alert
from kraken.errors import PayloadError
from kraken.ingest.opsgenie import api_alert_to_webhook, idempotency_key, parse_webhook
from shared_files import shared_path


def create(**alert: Any) -> dict[str, Any]:
    body = {"alertId": "ec03dad6", "message": "another alert"}
    body.update(alert)
    return {"action": "Create", "alert": body, "integrationName": "Webhook"}


def recorded(name: str) -> dict[str, Any]:
    path = shared_path("contracts", "opsgenie", name)
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def webhook_files() -> list[Path]:
    folder = shared_path("contracts", "opsgenie")
    return sorted(folder.glob("webhook-*.json"))


def test_create_payload_becomes_an_alert() -> None:
    alert = parse_webhook(
        create(
            tags=["siem", "critical"],
            priority="P1",
            source="splunk",
            entity="db-01",
            alias="a1",
            tinyId="2",
            description="desc",
            details={"user": "alice", "count": 3},
            teams=["team-id-1"],
            createdAt=1502709956288,
            updatedAt=1502709956288000110,
            username="test@example.com",
        )
    )
    assert alert.provider == "opsgenie"
    assert alert.alert_id == "ec03dad6"
    assert alert.action == "Create"
    assert alert.tags == frozenset({"siem", "critical"})
    assert alert.priority == "P1"
    assert (alert.source, alert.entity, alert.alias, alert.tiny_id) == (
        "splunk",
        "db-01",
        "a1",
        "2",
    )
    assert alert.details == {"user": "alice", "count": "3"}
    assert alert.teams == ("team-id-1",)
    assert alert.created_at_ms == 1502709956288
    assert alert.updated_at_ns == 1502709956288000110
    assert alert.actor == "test@example.com"
    assert alert.correlation_id == "opsgenie:ec03dad6"


@pytest.mark.parametrize(
    ("given", "expected"),
    [("P3", "P3"), ("p2", "P2"), (3, "P3"), ("3", "P3"), (9, ""), ("P0", ""), ("", "")],
)
def test_priority_forms_are_normalised(given: Any, expected: str) -> None:
    assert parse_webhook(create(priority=given)).priority == expected


def test_missing_priority_is_unknown() -> None:
    assert parse_webhook(create()).priority == ""


def test_tags_may_be_a_comma_separated_string() -> None:
    assert parse_webhook(create(tags="a, b,,c")).tags == frozenset({"a", "b", "c"})


def test_updated_at_may_be_a_string_of_nanoseconds() -> None:
    alert = parse_webhook(create(updatedAt="1420452224764002246"))
    assert alert.updated_at_ns == 1420452224764002246


def test_optional_fields_may_be_absent_or_null() -> None:
    alert = parse_webhook(create(tags=None, description=None, details=None))
    assert alert.tags == frozenset()
    assert alert.description == ""
    assert alert.details == {}
    assert alert.updated_at_ns is None


def test_escalate_shape_with_only_the_alert_id_is_valid() -> None:
    alert = parse_webhook({"action": "Escalate", "alert": {"alertId": "7ba9"}})
    assert alert.action == "Escalate"
    assert alert.alert_id == "7ba9"
    assert alert.message == ""


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ([], "payload"),
        ({"alert": {"alertId": "x"}}, "action"),
        ({"action": 3, "alert": {"alertId": "x"}}, "action"),
        ({"action": "Create"}, "alert"),
        ({"action": "Create", "alert": "x"}, "alert"),
        ({"action": "Create", "alert": {}}, "alert.alertId"),
        ({"action": "Create", "alert": {"alertId": ""}}, "alert.alertId"),
        ({"action": "Create", "alert": {"alertId": 5}}, "alert.alertId"),
        (create(message={"a": 1}), "alert.message"),
        (create(tags=[1, 2]), "alert.tags"),
        (create(priority=[1]), "alert.priority"),
        (create(priority=True), "alert.priority"),
        (create(details=["a"]), "alert.details"),
        (create(updatedAt="yesterday"), "alert.updatedAt"),
        (create(teams="ops"), "alert.teams"),
    ],
)
def test_unusable_payload_names_the_field(payload: Any, field: str) -> None:
    with pytest.raises(PayloadError) as caught:
        parse_webhook(payload)
    assert caught.value.field == field


def test_idempotency_key_uses_action_and_update_time() -> None:
    alert = parse_webhook(create(updatedAt=1420452224764002246))
    assert idempotency_key(alert) == "opsgenie:ec03dad6:Create:1420452224764002246"


def test_idempotency_key_without_update_time_ends_empty() -> None:
    alert = parse_webhook({"action": "Escalate", "alert": {"alertId": "7ba9"}})
    assert idempotency_key(alert) == "opsgenie:7ba9:Escalate:"


def parse_api_alert(obj: dict) -> Alert:
    return parse_webhook(api_alert_to_webhook(obj))


def test_api_alert_becomes_a_polled_create() -> None:
    alert = parse_api_alert(
        {
            "id": "b7da6303-1637756080926",
            "tinyId": "163",
            "message": "1234",
            "tags": ["aws"],
            "priority": "P3",
            "createdAt": "2021-11-24T12:14:40.926Z",
            "updatedAt": "2021-11-24T12:14:41.03Z",
            "source": "192.168.x.x",
            "teams": [{"id": "t-1"}, {"id": "t-2", "name": "SOC"}],
        }
    )
    assert alert.action == "Create"
    assert alert.alert_id == "b7da6303-1637756080926"
    assert alert.created_at_ms == 1637756080926
    assert alert.updated_at_ns == 1637756081030000000
    assert alert.teams == ("t-1", "t-2")
    assert idempotency_key(alert) == (
        "opsgenie:b7da6303-1637756080926:Create:1637756080926"
    )


def test_api_alert_time_keeps_nanosecond_digits_and_offsets() -> None:
    alert = parse_api_alert(
        {"id": "x", "updatedAt": "2021-11-24T13:14:41.123456789+01:00"}
    )
    assert alert.updated_at_ns == 1637756081123456789


def test_api_alert_with_bad_time_is_refused() -> None:
    with pytest.raises(PayloadError) as caught:
        parse_api_alert({"id": "x", "updatedAt": "24/11/2021"})
    assert caught.value.field == "updatedAt"


def test_api_alert_without_id_is_refused() -> None:
    with pytest.raises(PayloadError) as caught:
        parse_api_alert({"message": "m"})
    assert caught.value.field == "id"


def test_recorded_create_webhook_parses() -> None:
    alert = parse_webhook(recorded("webhook-create.json"))
    assert alert.action == "Create"
    assert alert.alert_id == "ec03dad6-62c8-4c94-b38b-d88f398e900f"
    assert alert.priority == "P3"  # recorded as the number 3
    assert alert.tags == frozenset({"vip"})
    assert alert.updated_at_ns == 1502709956288000110


def test_every_recorded_webhook_parses_with_its_action() -> None:
    files = webhook_files()
    assert files, "no recorded webhooks found"
    for path in files:
        payload = json.loads(path.read_text(encoding="utf-8"))
        alert = parse_webhook(payload)
        assert alert.action == payload["action"], path.name
        assert alert.alert_id == payload["alert"]["alertId"], path.name
        assert idempotency_key(alert).startswith(f"opsgenie:{alert.alert_id}:")


def test_recorded_note_webhook_carries_the_note() -> None:
    alert = parse_webhook(recorded("webhook-addnote.json"))
    assert alert.note == "note to test alert"
    assert alert.actor == "fili@ifountain.com"


def test_recorded_api_list_alerts_parse() -> None:
    for item in recorded("alerts-list.json")["data"]:
        alert = parse_api_alert(item)
        assert alert.action == "Create"
        assert alert.priority == "P3"
        assert alert.updated_at_ns is not None


def test_webhook_and_polled_create_of_one_alert_share_a_key() -> None:
    pushed = parse_webhook(
        {
            "action": "Create",
            "alert": {
                "alertId": "b7da6303-1637756080926",
                "createdAt": 1637756080926,
                "updatedAt": 1637756080926000110,
            },
        }
    )
    polled = parse_api_alert(
        {
            "id": "b7da6303-1637756080926",
            "createdAt": "2021-11-24T12:14:40.926Z",
            "updatedAt": "2021-11-24T12:14:41.03Z",
        }
    )
    assert idempotency_key(pushed) == idempotency_key(polled)


def test_later_actions_keep_the_update_time_in_their_key() -> None:
    note = {"alertId": "a", "updatedAt": 1637756080926000110, "createdAt": 1}
    alert = parse_webhook({"action": "AddNote", "alert": note})
    assert idempotency_key(alert) == "opsgenie:a:AddNote:1637756080926000110"
