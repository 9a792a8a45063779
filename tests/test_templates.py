"""Ticket templates: sandboxed, lenient about missing data, strict about safety."""

from __future__ import annotations

import pytest

from kraken.config import Settings
from kraken.domain import Alert
from kraken.errors import ConfigError
from kraken.templates import (
    TemplateRenderError,
    TicketTemplate,
    build_ticket_templates,
    compile_field,
    missing_required,
)

ALERT = Alert(
    provider="opsgenie",
    alert_id="a-1",
    action="Create",
    message="Brute force on vpn",
    tags=frozenset({"siem", "high"}),
    priority="P2",
    source="splunk",
    details={"user": "alice"},
)


def template(**fields: str) -> TicketTemplate:
    return TicketTemplate({name: compile_field(src) for name, src in fields.items()})


def test_render_fills_fields_from_the_alert_and_strips_whitespace() -> None:
    rendered = template(
        short_description="  [{{ alert.priority }}] {{ alert.message }}\n",
        description="user={{ alert.details.user }} tags={{ alert.tags|join(',') }}",
    ).render(ALERT)
    assert rendered["short_description"] == "[P2] Brute force on vpn"
    assert rendered["description"] == "user=alice tags=high,siem"


def test_render_always_sets_correlation_id_from_the_alert() -> None:
    assert template(category="x").render(ALERT)["correlation_id"] == "opsgenie:a-1"


def test_missing_optional_value_renders_empty_instead_of_failing() -> None:
    rendered = template(
        entity="{{ alert.entity }}", owner="{{ alert.details.owner.name }}"
    ).render(ALERT)
    assert rendered["entity"] == ""
    assert rendered["owner"] == ""


def test_output_is_not_html_escaped() -> None:
    alert = Alert(provider="opsgenie", alert_id="x", action="Create", message="a<b & c")
    assert template(d="{{ alert.message }}").render(alert)["d"] == "a<b & c"


def test_sandbox_blocks_dunder_attribute_access() -> None:
    with pytest.raises(TemplateRenderError) as caught:
        template(description="{{ alert.__class__ }}").render(ALERT)
    assert caught.value.field == "description"
    assert "unsafe" in caught.value.reason


def test_sandbox_blocks_mutating_the_alert_context() -> None:
    with pytest.raises(TemplateRenderError):
        template(d="{{ alert.tags.append('x') }}").render(ALERT)


def test_runtime_type_error_names_the_field() -> None:
    with pytest.raises(TemplateRenderError) as caught:
        template(impact="{{ alert.priority + 1 }}").render(ALERT)
    assert caught.value.field == "impact"


def test_missing_required_counts_absent_empty_and_whitespace() -> None:
    rendered = {"a": "x", "b": "", "c": "  \n"}
    assert missing_required(rendered, ["a", "b", "c", "d"]) == ["b", "c", "d"]


def test_missing_required_is_empty_when_all_present() -> None:
    assert missing_required({"a": "1"}, ["a"]) == []


def test_required_field_that_renders_empty_at_run_time_is_detected() -> None:
    rendered = template(assignment_group="{{ alert.details.team }}").render(ALERT)
    assert missing_required(rendered, ["assignment_group"]) == ["assignment_group"]


def test_build_merges_named_template_with_route_overrides() -> None:
    settings = Settings.model_validate(
        {
            "templates": {"base": {"category": "security", "subcategory": "generic"}},
            "routes": [
                {
                    "name": "r",
                    "match": {},
                    "playbook": "ticket",
                    "ticket": {"template": "base", "subcategory": "siem"},
                },
                {"name": "quiet", "match": {}, "playbook": "ignore"},
            ],
            "default_route": {"playbook": "ticket", "ticket": {"category": "other"}},
        }
    )
    built = build_ticket_templates(settings)
    assert set(built) == {"r", "default"}
    assert built["r"].render(ALERT)["subcategory"] == "siem"
    assert built["r"].render(ALERT)["category"] == "security"
    assert built["default"].render(ALERT)["category"] == "other"


def test_build_ignores_a_correlation_id_in_templates() -> None:
    settings = Settings.model_validate(
        {
            "routes": [
                {
                    "name": "r",
                    "match": {},
                    "playbook": "ticket",
                    "ticket": {"correlation_id": "mine"},
                }
            ]
        }
    )
    rendered = build_ticket_templates(settings)["r"].render(ALERT)
    assert rendered["correlation_id"] == "opsgenie:a-1"


def test_build_refuses_templates_that_do_not_compile() -> None:
    settings = Settings.model_validate(
        {
            "routes": [
                {
                    "name": "r",
                    "match": {},
                    "playbook": "ticket",
                    "ticket": {"description": "{{ oops"},
                }
            ]
        }
    )
    with pytest.raises(ConfigError):
        build_ticket_templates(settings)
