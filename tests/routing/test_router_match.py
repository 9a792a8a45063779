"""Router.match: first match wins, tags exact, globs case-insensitive, actions."""

from __future__ import annotations

from typing import Any

from kraken.config import Settings
from kraken.domain import Alert
from kraken.routing import Router


def alert(
    *tags: str,
    action: str = "Create",
    priority: str = "P3",
    source: str = "",
    entity: str = "",
) -> Alert:
    return Alert(
        provider="opsgenie",
        alert_id="a-1",
        action=action,
        tags=frozenset(tags),
        priority=priority,
        source=source,
        entity=entity,
    )


def router(*matches: dict[str, Any], default: dict[str, Any] | None = None) -> Router:
    routes = [
        {"name": f"r{index}", "match": match, "playbook": "ignore"}
        for index, match in enumerate(matches)
    ]
    data: dict[str, Any] = {"routes": routes}
    if default is not None:
        data["default_route"] = {"playbook": "ignore", **default}
    return Router.from_settings(Settings.model_validate(data))


def matched(r: Router, a: Alert) -> str | None:
    found = r.match(a)
    return found.name if found else None


def test_tags_all_needs_every_tag() -> None:
    r = router({"tags_all": ["siem", "splunk"]})
    assert matched(r, alert("siem", "splunk", "x")) == "r0"
    assert matched(r, alert("siem")) is None


def test_tags_any_needs_one_tag() -> None:
    r = router({"tags_any": ["critical", "high"]})
    assert matched(r, alert("high")) == "r0"
    assert matched(r, alert("low")) is None


def test_tags_none_refuses_any_listed_tag() -> None:
    r = router({"tags_none": ["test"]})
    assert matched(r, alert("siem")) == "r0"
    assert matched(r, alert("siem", "test")) is None


def test_tags_are_case_sensitive_like_opsgenie() -> None:
    r = router({"tags_all": ["SIEM"]})
    assert matched(r, alert("siem")) is None
    assert matched(r, alert("SIEM")) == "r0"


def test_priority_is_any_of() -> None:
    r = router({"priority": ["P1", 2]})
    assert matched(r, alert(priority="P2")) == "r0"
    assert matched(r, alert(priority="P3")) is None
    assert matched(r, alert(priority="")) is None


def test_source_glob_is_case_insensitive() -> None:
    r = router({"source": ["splunk", "elastic*"]})
    assert matched(r, alert(source="Elastic-SIEM")) == "r0"
    assert matched(r, alert(source="SPLUNK")) == "r0"
    assert matched(r, alert(source="splunkd")) is None
    assert matched(r, alert(source="")) is None


def test_entity_glob_matches_whole_value() -> None:
    r = router({"entity": ["db-*"]})
    assert matched(r, alert(entity="DB-01")) == "r0"
    assert matched(r, alert(entity="web-db-01")) is None


def test_all_criteria_must_hold_together() -> None:
    r = router({"tags_all": ["siem"], "priority": ["P1"], "source": ["splunk"]})
    assert matched(r, alert("siem", priority="P1", source="splunk")) == "r0"
    assert matched(r, alert("siem", priority="P1", source="elastic")) is None


def test_first_matching_route_wins() -> None:
    r = router({"tags_any": ["siem"]}, {"tags_any": ["siem", "edr"]}, {})
    assert matched(r, alert("siem")) == "r0"
    assert matched(r, alert("edr")) == "r1"
    assert matched(r, alert("other")) == "r2"


def test_default_route_catches_unmatched_alerts() -> None:
    r = router({"tags_any": ["siem"]}, default={"name": "fallback"})
    found = r.match(alert("other"))
    assert found is not None
    assert found.name == "fallback"
    assert found.is_default
    assert found.index is None


def test_no_route_and_no_default_is_none() -> None:
    assert router({"tags_any": ["siem"]}).match(alert("other")) is None


def test_routes_take_only_create_by_default() -> None:
    r = router({"tags_any": ["siem"]})
    assert matched(r, alert("siem", action="AddNote")) is None


def test_route_actions_select_which_actions_start_it() -> None:
    r = router({"tags_any": ["siem"], "actions": ["Create", "Escalate"]})
    assert matched(r, alert("siem", action="Escalate")) == "r0"
    assert matched(r, alert("siem", action="Acknowledge")) is None


def test_default_route_applies_only_to_its_own_actions() -> None:
    r = router({"tags_any": ["siem"]}, default={"name": "d"})
    assert matched(r, alert("x", action="Close")) is None
    r = router({"tags_any": ["siem"]}, default={"name": "d", "actions": ["Close"]})
    assert matched(r, alert("x", action="Close")) == "d"


def test_routes_and_lookup_by_name_are_exposed() -> None:
    r = router({"tags_any": ["siem"]}, {}, default={"name": "d"})
    assert [route.name for route in r.routes] == ["r0", "r1"]
    found = r.route("r1")
    assert found is not None
    assert found.playbook == "ignore"
    assert r.route("d") is r.default_route
    assert r.route("absent") is None


def test_match_carries_the_route_config() -> None:
    settings = Settings.model_validate(
        {
            "routes": [
                {
                    "name": "siem",
                    "match": {"tags_any": ["siem"]},
                    "playbook": "ignore",
                    "opsgenie": {"add_tags": ["seen"]},
                }
            ]
        }
    )
    found = Router.from_settings(settings).match(alert("siem"))
    assert found is not None
    assert found.route.opsgenie.add_tags == ("seen",)
    assert found.index == 0
