from __future__ import annotations

from sqlalchemy.engine import Engine

from kraken.store import (
    NewEvent,
    accept_events,
    count_tickets,
    find_ticket,
    get_cursor,
    list_audit,
    record_audit,
    record_ticket,
    set_cursor,
)


def _event_id(engine: Engine) -> int:
    new = NewEvent("opsgenie", "og:a-1:Create", "a-1", "Create", {}, 1.0)
    with engine.begin() as conn:
        return accept_events(conn, [new])[0].event_id


def test_ticket_recorded_once_per_correlation_id(engine: Engine) -> None:
    event_id = _event_id(engine)
    with engine.begin() as conn:
        for number in ("INC0010001", "INC0010002"):
            record_ticket(
                conn,
                correlation_id="opsgenie:a-1",
                provider="opsgenie",
                alert_id="a-1",
                route="siem-high",
                system="servicenow",
                number=number,
                sys_id="0123abcd",
                event_id=event_id,
            )
    with engine.connect() as conn:
        ticket = find_ticket(conn, "opsgenie:a-1")
        assert count_tickets(conn) == 1
        assert find_ticket(conn, "opsgenie:unknown") is None
    assert ticket is not None
    assert (ticket.number, ticket.route, ticket.event_id) == (
        "INC0010001",
        "siem-high",
        event_id,
    )


def test_audit_lists_entries_in_order_and_filters_by_alert(engine: Engine) -> None:
    with engine.begin() as conn:
        record_audit(
            conn,
            system="servicenow",
            action="find_incident",
            alert_id="a-1",
            outcome="ok",
        )
        record_audit(
            conn,
            system="servicenow",
            action="create_incident",
            alert_id="a-1",
            outcome="ok",
            target="INC0010001",
            job_id=7,
            event_id=3,
            detail={"route": "siem-high", "fields": 12},
        )
        record_audit(
            conn, system="opsgenie", action="add_note", alert_id="a-2", outcome="error"
        )
    with engine.connect() as conn:
        for_alert = list_audit(conn, alert_id="a-1")
        newest = list_audit(conn, limit=2)
    assert [entry.action for entry in for_alert] == ["find_incident", "create_incident"]
    created = for_alert[1]
    assert (created.target, created.job_id, created.event_id) == ("INC0010001", 7, 3)
    assert created.detail == {"route": "siem-high", "fields": 12}
    assert for_alert[0].detail == {}
    assert [entry.action for entry in newest] == ["create_incident", "add_note"]


def test_cursor_is_absent_then_saved_then_replaced(engine: Engine) -> None:
    with engine.begin() as conn:
        assert get_cursor(conn, "opsgenie") is None
        set_cursor(conn, "opsgenie", "1700000000000")
    with engine.begin() as conn:
        set_cursor(conn, "opsgenie", "1700000005000")
        set_cursor(conn, "cofense", "42")
    with engine.connect() as conn:
        assert get_cursor(conn, "opsgenie") == "1700000005000"
        assert get_cursor(conn, "cofense") == "42"
