"""Router.explain: every route tried, each criterion in words, and why."""

from __future__ import annotations

from kraken.config import Settings
from kraken.domain import Alert
from kraken.routing import Router, RouteTrial

SETTINGS = Settings.model_validate(
    {
        "routes": [
            {
                "name": "siem-high",
                "match": {"tags_all": ["siem"], "priority": ["P1", "P2"]},
                "playbook": "ignore",
            },
            {
                "name": "siem",
                "match": {"tags_all": ["siem"], "tags_none": ["test"]},
                "playbook": "ignore",
            },
            {"name": "never", "match": {"tags_any": ["x"]}, "playbook": "ignore"},
        ],
        "default_route": {"name": "default", "playbook": "ignore"},
    }
)


def alert(*tags: str, priority: str = "P3", action: str = "Create") -> Alert:
    return Alert(
        provider="opsgenie",
        alert_id="a-9",
        action=action,
        tags=frozenset(tags),
        priority=priority,
    )


def texts(trial: RouteTrial) -> list[str]:
    return [str(outcome) for outcome in trial.outcomes]


def test_explain_lists_each_criterion_outcome_in_words() -> None:
    explanation = Router.from_settings(SETTINGS).explain(alert("siem"))
    first = explanation.trials[0]
    assert first.name == "siem-high"
    assert not first.matched
    assert texts(first) == [
        "actions [Create]: ok",
        "tags_all [siem]: ok",
        "priority [P1,P2]: alert has P3 — no match",
    ]


def test_explain_stops_at_the_first_match_and_says_why() -> None:
    explanation = Router.from_settings(SETTINGS).explain(alert("siem"))
    assert [t.name for t in explanation.trials] == ["siem-high", "siem"]
    assert explanation.chosen is not None
    assert explanation.chosen.name == "siem"
    assert "siem" in explanation.reason


def test_explain_agrees_with_match() -> None:
    router = Router.from_settings(SETTINGS)
    for case in (alert("siem"), alert("siem", "test"), alert("x"), alert("none")):
        found = router.match(case)
        chosen = router.explain(case).chosen
        assert (found.name if found else None) == (chosen.name if chosen else None)


def test_explain_describes_failed_tag_criteria() -> None:
    explanation = Router.from_settings(SETTINGS).explain(alert("siem", "test"))
    assert (
        texts(explanation.trials[1])[-1]
        == "tags_none [test]: alert has test — no match"
    )
    assert texts(explanation.trials[2])[-1] == (
        "tags_any [x]: alert has none of them — no match"
    )


def test_explain_falls_back_to_the_default_route() -> None:
    explanation = Router.from_settings(SETTINGS).explain(alert("other"))
    assert explanation.trials[-1].label == "default_route"
    assert explanation.chosen is not None
    assert explanation.chosen.is_default
    assert explanation.reason == "no route matched; the default route applies"


def test_explain_says_when_the_action_is_handled_by_no_route() -> None:
    explanation = Router.from_settings(SETTINGS).explain(alert("siem", action="Close"))
    assert explanation.chosen is None
    assert texts(explanation.trials[0])[0] == (
        "actions [Create]: alert action is Close — no match"
    )
    assert explanation.reason == (
        "no route matched and the default route does not take action Close"
    )


def test_explain_without_default_route() -> None:
    router = Router(SETTINGS.routes[:1])
    explanation = router.explain(alert("other"))
    assert explanation.chosen is None
    assert explanation.reason == "no route matched and there is no default_route"


def test_explanation_lines_end_with_the_verdict() -> None:
    lines = Router.from_settings(SETTINGS).explain(alert("siem", priority="P1")).lines()
    assert lines[0] == "alert a-9 action Create"
    assert "routes[0] siem-high: matched" in lines
    assert "  priority [P1,P2]: ok" in lines
    assert lines[-2] == "matched: siem-high"
