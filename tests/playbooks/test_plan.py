"""Planning is pure: the same alert and config always give the same steps."""

from __future__ import annotations

from kraken.domain import Alert
from kraken.playbooks.plan import Planner
from kraken.playbooks.steps import (
    AcknowledgeAlert,
    EnsureIncident,
    NoteAlert,
    TagAlert,
    WorkNoteIncident,
)
from kraken.routing import Router
from kraken.templates import build_ticket_templates


def planner(settings) -> Planner:
    return Planner(
        router=Router.from_settings(settings),
        templates=build_ticket_templates(settings),
        required_fields=tuple(settings.servicenow.required_fields),
    )


def make_alert(**overrides) -> Alert:
    values = {
        "provider": "opsgenie",
        "alert_id": "a-1",
        "action": "Create",
        "message": "Excessive failed logins for bob",
        "tags": frozenset({"siem", "splunk", "high"}),
        "priority": "P2",
        "source": "splunk",
        "entity": "vpn-gw-01",
        "tiny_id": "12",
    }
    values.update(overrides)
    return Alert(**values)


def test_siem_alert_plans_a_complete_incident_then_note_and_tag(settings_for) -> None:
    plan = planner(settings_for()).plan(make_alert())
    assert plan.route == "siem"
    ensure, note, tag = plan.steps
    assert isinstance(ensure, EnsureIncident)
    assert ensure.correlation_id == "opsgenie:a-1"
    assert ensure.fields["correlation_id"] == "opsgenie:a-1"
    assert ensure.fields["assignment_group"] == "SOC L1"
    assert ensure.fields["short_description"] == "[P2] Excessive failed logins for bob"
    assert ensure.missing == ()
    assert note == NoteAlert("a-1")
    assert tag == TagAlert("a-1", ("ticketed",))


def test_edr_route_acknowledges(settings_for) -> None:
    plan = planner(settings_for()).plan(make_alert(tags=frozenset({"edr"})))
    assert plan.route == "edr"
    assert AcknowledgeAlert("a-1") in plan.steps


def test_ignored_route_plans_nothing(settings_for) -> None:
    plan = planner(settings_for()).plan(make_alert(tags=frozenset({"heartbeat"})))
    assert plan.route == "heartbeats"
    assert plan.steps == ()


def test_untagged_alert_takes_the_default_route(settings_for) -> None:
    plan = planner(settings_for()).plan(make_alert(tags=frozenset()))
    assert plan.route == "default"
    assert isinstance(plan.steps[0], EnsureIncident)


def test_close_plans_a_work_note_on_the_incident(settings_for) -> None:
    alert = make_alert(action="Close", actor="alice@example.org", note="false positive")
    (step,) = planner(settings_for()).plan(alert).steps
    assert isinstance(step, WorkNoteIncident)
    assert step.correlation_id == "opsgenie:a-1"
    assert "closed by alice@example.org" in step.note
    assert "false positive" in step.note


def test_other_actions_plan_nothing(settings_for) -> None:
    plan = planner(settings_for()).plan(make_alert(action="AddNote"))
    assert plan.steps == ()
    assert plan.route is None
