"""load_settings / check_settings: every problem kind, with its exact location."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from kraken.config import check_settings, load_settings
from kraken.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]

TEMPLATES = """\
templates:
  generic:
    short_description: "[{{ alert.priority }}] {{ alert.message }}"
    description: "{{ alert.description or alert.message }}"
    caller_id: kraken.integration
    category: security
    subcategory: alert
    assignment_group: SOC L1
    impact: 2
    urgency: "2"
    contact_type: monitoring
"""


def write(tmp_path: Path, text: str, *, templates: bool = True) -> Path:
    path = tmp_path / "kraken.yaml"
    body = textwrap.dedent(text)
    path.write_text((TEMPLATES if templates else "") + body, encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str, **kwargs: bool) -> list[str]:
    return check_settings(write(tmp_path, text, **kwargs), {})


def test_example_config_in_repo_root_passes_check() -> None:
    assert check_settings(REPO / "kraken.example.yaml", {}) == []


def test_example_config_loads_with_routes_and_default() -> None:
    settings = load_settings(REPO / "kraken.example.yaml", {})
    assert len(settings.routes) >= 5
    assert settings.default_route is not None
    assert settings.default_route.playbook == "ticket"


def test_minimal_file_gets_defaults_for_every_section(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, "routes: []\n"), {})
    assert settings.server.port == 8080
    assert settings.server.webhook_header == "X-Kraken-Token"
    assert settings.database.url == "sqlite:///kraken.db"
    assert settings.worker.max_attempts == 5
    assert settings.opsgenie.poll.enabled is False
    assert settings.servicenow.required_fields[-1] == "correlation_id"
    assert settings.routes == ()
    assert settings.default_route is None


def test_unknown_key_is_reported_with_its_path(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        """\
        routes:
          - name: a
            match: {tag_all: [siem]}
            playbook: ignore
        """,
    )
    assert found == ["routes[0].match.tag_all: unknown key"]


def test_unknown_top_level_section_is_reported(tmp_path: Path) -> None:
    assert problems(tmp_path, "rotues: []\n") == ["rotues: unknown key"]


def test_bad_choice_lists_the_allowed_values(tmp_path: Path) -> None:
    found = problems(tmp_path, "servicenow: {auth: ldap}\n")
    assert found == ["servicenow.auth: must be one of basic, oauth"]


def test_number_below_minimum_names_the_bound(tmp_path: Path) -> None:
    found = problems(tmp_path, "worker: {max_attempts: 0}\n")
    assert found == ["worker.max_attempts: must be >= 1"]


def test_string_where_integer_expected_is_refused(tmp_path: Path) -> None:
    found = problems(tmp_path, "server: {port: '8080'}\n")
    assert found == ["server.port: must be an integer"]


def test_port_out_of_range_is_refused(tmp_path: Path) -> None:
    assert problems(tmp_path, "server: {port: 70000}\n") == [
        "server.port: must be <= 65535"
    ]


def test_backoff_max_below_base_is_refused(tmp_path: Path) -> None:
    found = problems(
        tmp_path, "worker: {backoff_base_seconds: 10, backoff_max_seconds: 5}\n"
    )
    assert found == ["worker.backoff_max_seconds: must be >= backoff_base_seconds"]


def test_oauth_without_client_id_is_refused(tmp_path: Path) -> None:
    found = problems(tmp_path, "servicenow: {auth: oauth}\n")
    assert found == ["servicenow.client_id: required when auth is oauth"]


def test_servicenow_url_must_be_http(tmp_path: Path) -> None:
    found = problems(tmp_path, "servicenow: {url: example.service-now.com}\n")
    assert found == ["servicenow.url: must start with http:// or https://"]


def test_ticket_playbook_without_ticket_is_refused(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        """\
        routes:
          - {name: a, match: {}, playbook: ticket}
        """,
    )
    assert found == ["routes[0].ticket: required when playbook is ticket"]


def test_route_without_match_is_refused(tmp_path: Path) -> None:
    found = problems(tmp_path, "routes: [{name: a, playbook: ignore}]\n")
    assert found == ["routes[0].match: required key is missing"]


def test_bad_priority_in_match_is_refused(tmp_path: Path) -> None:
    found = problems(
        tmp_path, "routes: [{name: a, match: {priority: [P9]}, playbook: ignore}]\n"
    )
    assert found == ["routes[0].match.priority[0]: must be one of P1, P2, P3, P4, P5"]


def test_empty_actions_list_is_refused(tmp_path: Path) -> None:
    found = problems(
        tmp_path, "routes: [{name: a, match: {actions: []}, playbook: ignore}]\n"
    )
    assert found == ["routes[0].match.actions: must not be empty"]


def test_missing_required_field_is_reported_at_route_and_field(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        """\
        templates:
          partial:
            short_description: x
            description: x
            caller_id: x
            category: x
            subcategory: x
            impact: "2"
            urgency: "2"
            contact_type: x
        routes:
          - {name: a, match: {tags_any: [a]}, playbook: ignore}
          - {name: b, match: {tags_any: [b]}, playbook: ignore}
          - name: c
            match: {tags_any: [c]}
            playbook: ticket
            ticket: {template: partial}
        """,
        templates=False,
    )
    assert found == ["routes[2].ticket.assignment_group: required field has no value"]


def test_route_override_fills_a_field_the_template_lacks(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        """\
        templates:
          partial: {short_description: x, description: x, caller_id: x,
                    category: x, subcategory: x, impact: 2, urgency: 2,
                    contact_type: x}
        routes:
          - name: c
            match: {}
            playbook: ticket
            ticket: {template: partial, assignment_group: SOC L1}
        """,
        templates=False,
    )
    assert found == []


def test_constant_empty_value_counts_as_missing(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        """\
        routes:
          - name: a
            match: {}
            playbook: ticket
            ticket: {template: generic, assignment_group: "  "}
        """,
    )
    assert found == ["routes[0].ticket.assignment_group: required field has no value"]


def test_default_route_missing_field_uses_default_route_location(
    tmp_path: Path,
) -> None:
    found = problems(
        tmp_path,
        """\
        default_route:
          playbook: ticket
          ticket: {short_description: only this}
        """,
    )
    assert "default_route.ticket.assignment_group: required field has no value" in found
    assert (
        "default_route.ticket.short_description: required field has no value"
        not in (found)
    )
    assert all(p.startswith("default_route.ticket.") for p in found)


def test_correlation_id_need_not_be_provided_by_templates(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        "routes: [{name: a, match: {}, playbook: ticket,"
        " ticket: {template: generic}}]\n",
    )
    assert found == []


def test_template_may_not_set_correlation_id(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        """\
        routes:
          - name: a
            match: {}
            playbook: ticket
            ticket: {template: generic, correlation_id: "{{ alert.id }}"}
        """,
    )
    assert found == [
        "routes[0].ticket.correlation_id: set by Kraken to the alert's correlation id"
        " (opsgenie:<alertId>); remove it"
    ]


def test_unknown_template_name_lists_known_ones(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        "routes: [{name: a, match: {}, playbook: ticket, ticket: {template: siem}}]\n",
    )
    assert (
        found[0]
        == "routes[0].ticket.template: unknown template 'siem' (known: generic)"
    )


def test_template_syntax_error_is_reported_with_location(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        """\
        routes:
          - name: a
            match: {}
            playbook: ticket
            ticket: {template: generic, description: "{{ alert.message "}
        """,
    )
    assert len(found) == 1
    assert found[0].startswith(
        "routes[0].ticket.description: template syntax error at line 1:"
    )


def test_named_template_syntax_error_is_reported_once_at_the_template(
    tmp_path: Path,
) -> None:
    found = problems(
        tmp_path,
        """\
        templates:
          t: {short_description: "{% if %}"}
        """,
        templates=False,
    )
    assert len(found) == 1
    assert found[0].startswith("templates.t.short_description: template syntax error")


def test_unsafe_attribute_access_fails_the_check(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        """\
        routes:
          - name: a
            match: {}
            playbook: ticket
            ticket: {template: generic, description: "{{ alert.__class__ }}"}
        """,
    )
    assert len(found) == 1
    assert found[0].startswith("routes[0].ticket.description: fails on a sample alert:")
    assert "unsafe" in found[0]


def test_template_runtime_error_fails_the_check(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        """\
        routes:
          - name: a
            match: {}
            playbook: ticket
            ticket: {template: generic, impact: "{{ alert.priority + 1 }}"}
        """,
    )
    assert len(found) == 1
    assert found[0].startswith("routes[0].ticket.impact: fails on a sample alert:")


def test_duplicate_route_names_are_refused(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        """\
        routes:
          - {name: a, match: {}, playbook: ignore}
          - {name: a, match: {}, playbook: ignore}
        """,
    )
    assert found == ["routes[1].name: duplicate route name 'a' (routes[0].name)"]


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "routes: [\n  {name: a\nworker: {}\n", templates=False)
    found = check_settings(path, {})
    assert len(found) == 1
    assert found[0].startswith(f"{path}: line 3, column ")
    assert "YAML syntax error" in found[0]


def test_duplicate_yaml_key_is_an_error_not_a_silent_overwrite(tmp_path: Path) -> None:
    path = write(tmp_path, "routes: []\nroutes: []\n", templates=False)
    assert check_settings(path, {}) == [
        f"{path}: line 2, column 1: YAML syntax error: duplicate key 'routes'"
    ]


def test_empty_file_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "", templates=False)
    assert check_settings(path, {}) == [f"{path}: file is empty"]


def test_non_mapping_document_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "- a\n- b\n", templates=False)
    assert check_settings(path, {})[0].endswith(
        "must be a mapping of sections (server, routes, ...)"
    )


def test_missing_file_is_reported_not_raised(tmp_path: Path) -> None:
    found = check_settings(tmp_path / "absent.yaml", {})
    assert found == [
        f"{tmp_path / 'absent.yaml'}: cannot read: No such file or directory"
    ]


def test_check_reports_static_problems_despite_validation_errors(
    tmp_path: Path,
) -> None:
    found = problems(
        tmp_path,
        """\
        worker: {max_attempts: 0}
        routes:
          - {name: a, match: {tag_all: [x]}, playbook: ignore}
          - name: b
            match: {}
            playbook: ticket
            ticket: {template: generic, assignment_group: ""}
        """,
    )
    assert found == [
        "worker.max_attempts: must be >= 1",
        "routes[0].match.tag_all: unknown key",
        "routes[1].ticket.assignment_group: required field has no value",
    ]


def test_route_on_an_invalid_template_is_not_blamed_for_its_fields(
    tmp_path: Path,
) -> None:
    found = problems(
        tmp_path,
        """\
        templates:
          t: {short_description: [not, a, string]}
        routes:
          - {name: a, match: {}, playbook: ticket, ticket: {template: t}}
        """,
        templates=False,
    )
    assert found == ["templates.t.short_description: must be a string"]


def test_load_settings_raises_config_error_with_every_problem(tmp_path: Path) -> None:
    path = write(tmp_path, "worker: {max_attempts: 0, concurrency: 0}\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(path, {})
    assert caught.value.problems == [
        "worker.concurrency: must be >= 1",
        "worker.max_attempts: must be >= 1",
    ]
    assert caught.value.exit_code == 78


def test_database_url_env_var_overrides_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "database: {url: 'sqlite:///a.db'}\n")
    settings = load_settings(path, {"KRAKEN_DATABASE_URL": "sqlite:///b.db"})
    assert settings.database.url == "sqlite:///b.db"


def test_database_url_with_password_in_yaml_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "database: {url: 'postgresql://k:pw1234@db/kraken'}\n")
    found = check_settings(path, {})
    assert found == [
        "database.url: contains a password;"
        " set the whole URL in KRAKEN_DATABASE_URL instead"
    ]
    assert "pw1234" not in found[0]


def test_yaml_booleans_are_not_accepted_as_strings(tmp_path: Path) -> None:
    found = problems(tmp_path, "server: {host: yes}\n")
    assert found == ["server.host: must be a string"]
