"""Checks that span sections, run by `kraken config check` and at start-up.

The data-quality rule of the design lives here in its static half: every
ticket route must fill every required ServiceNow field, so an incomplete
ticket is caught before anything runs. Each template is also compiled and
rendered once against a sample alert, which surfaces sandbox violations and
runtime errors that a syntax check alone would miss. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping

import jinja2

from kraken.config.models import RouteConfig, Settings
from kraken.config.secrets import SECRET_ENV_VARS
from kraken.domain import Alert
from kraken.templates import (
    CORRELATION_FIELD,
    TemplateRenderError,
    TicketTemplate,
    compile_field,
    merged_sources,
)

# Every optional value filled, so a template that only fails on real data
# (say, arithmetic on `alert.priority`) fails here too.
SAMPLE_ALERT = Alert(
    provider="opsgenie",
    alert_id="00000000-0000-4000-8000-000000000000",
    action="Create",
    message="Sample alert used by kraken config check",
    alias="sample-alias",
    tiny_id="1",
    tags=frozenset({"sample"}),
    priority="P3",
    source="sample-source",
    entity="sample-entity",
    description="Sample description",
    details={"sample": "value"},
    teams=("sample-team",),
    created_at_ms=0,
    updated_at_ns=0,
    note="",
    actor="kraken",
)


def static_problems(
    settings: Settings, *, invalid_templates: frozenset[str] = frozenset()
) -> list[str]:
    """Every cross-section problem, each prefixed with its YAML location.

    Routes built on a template in `invalid_templates` (already reported, and
    left out of `settings`) are not blamed for what that template lacks.
    """
    problems = _duplicate_names(settings)
    for name, fields in settings.templates.items():
        for field, source in fields.items():
            problems += _field_problems(f"templates.{name}.{field}", field, source)
    for location, route in _ticket_routes(settings):
        problems += _route_problems(location, route, settings, invalid_templates)
    return problems


def missing_secrets(settings: Settings) -> list[str]:
    """The environment variables `kraken serve` will need but that are unset."""
    # OAuth here is the password grant, so it needs the password as well.
    needed = ["webhook_token", "opsgenie_api_key", "servicenow_password"]
    if settings.servicenow.auth == "oauth":
        needed.append("servicenow_client_secret")
    return [
        SECRET_ENV_VARS[name]
        for name in needed
        if getattr(settings.secrets, name) is None
    ]


def _duplicate_names(settings: Settings) -> list[str]:
    seen: dict[str, str] = {}
    problems: list[str] = []
    named: list[tuple[str, str]] = [
        (f"routes[{index}].name", route.name)
        for index, route in enumerate(settings.routes)
    ]
    if settings.default_route is not None:
        named.append(("default_route.name", settings.default_route.name))
    for location, name in named:
        if name in seen:
            problems.append(f"{location}: duplicate route name {name!r} ({seen[name]})")
        else:
            seen[name] = location
    return problems


def _ticket_routes(settings: Settings) -> list[tuple[str, RouteConfig]]:
    located: list[tuple[str, RouteConfig]] = [
        (f"routes[{index}]", route)
        for index, route in enumerate(settings.routes)
        if route.playbook == "ticket"
    ]
    default = settings.default_route
    if default is not None and default.playbook == "ticket":
        located.append(("default_route", default))
    return located


def _route_problems(
    location: str,
    route: RouteConfig,
    settings: Settings,
    invalid_templates: frozenset[str],
) -> list[str]:
    ticket = route.ticket
    if ticket is None:  # the model already reported it
        return []
    problems: list[str] = []
    for field, source in ticket.fields.items():
        problems += _field_problems(f"{location}.ticket.{field}", field, source)
    if ticket.template in invalid_templates:
        return problems
    if ticket.template is not None and ticket.template not in settings.templates:
        known = ", ".join(sorted(settings.templates)) or "none defined"
        problems.append(
            f"{location}.ticket.template: unknown template {ticket.template!r}"
            f" (known: {known})"
        )
    sources = merged_sources(settings.templates, ticket)
    problems += _required_problems(location, sources, settings)
    return problems


def _required_problems(
    location: str, sources: Mapping[str, str], settings: Settings
) -> list[str]:
    return [
        f"{location}.ticket.{field}: required field has no value"
        for field in settings.servicenow.required_fields
        if field != CORRELATION_FIELD and not sources.get(field, "").strip()
    ]


def _field_problems(location: str, field: str, source: str) -> list[str]:
    """Syntax, sandbox and runtime errors of one field value."""
    if field == CORRELATION_FIELD:
        return [
            f"{location}: set by Kraken to the alert's correlation id"
            " (opsgenie:<alertId>); remove it"
        ]
    try:
        template = compile_field(source)
    except jinja2.TemplateSyntaxError as exc:
        where = f"template syntax error at line {exc.lineno}"
        return [f"{location}: {where}: {exc.message}"]
    try:
        TicketTemplate({field: template}).render(SAMPLE_ALERT)
    except TemplateRenderError as exc:
        return [f"{location}: fails on a sample alert: {exc.reason}"]
    return []
