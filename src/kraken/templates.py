"""Ticket templates: Jinja field values over an alert, compiled once at start-up.

Templates come from the config file, so they run in Jinja's immutable sandbox:
an operator's typo cannot reach Python internals or mutate the alert. A missing
optional alert value renders empty instead of failing, because alerts differ in
what they carry; an unsafe attribute access fails loudly, because it is never a
typo worth ignoring. Whether a rendered ticket is complete is checked
separately (`missing_required`), so the ticket is refused, not filed half-empty.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, NoReturn

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from kraken.errors import ConfigError, KrakenError

if TYPE_CHECKING:
    from kraken.config.models import RouteConfig, Settings, TicketSpec
    from kraken.domain import Alert

CORRELATION_FIELD = "correlation_id"


class TemplateRenderError(KrakenError):
    """A ticket field template failed while rendering one alert."""

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"ticket field {field}: {reason}")


class _StrictSandbox(ImmutableSandboxedEnvironment):
    """The sandbox, but an unsafe access raises instead of rendering empty.

    Jinja's sandbox answers a blocked attribute with an undefined value, which
    our lenient undefined would print as ''; that would hide the mistake.
    """

    def unsafe_undefined(self, obj: Any, attribute: str) -> NoReturn:
        kind = type(obj).__name__
        raise SecurityError(f"access to attribute {attribute!r} of {kind!r} is unsafe")


@cache
def _environment() -> _StrictSandbox:
    # Tickets are plain text, not HTML: escaping would corrupt them.
    # ChainableUndefined renders a missing `alert.details.x` as ''.
    return _StrictSandbox(
        autoescape=False,
        undefined=jinja2.ChainableUndefined,
        keep_trailing_newline=False,
    )


def compile_field(source: str) -> jinja2.Template:
    """Compile one field value; raises jinja2.TemplateSyntaxError."""
    return _environment().from_string(source)


@dataclass(frozen=True, slots=True)
class TicketTemplate:
    """The compiled fields of one route's ticket, ready to render per alert."""

    fields: dict[str, jinja2.Template]

    def render(self, alert: Alert) -> dict[str, str]:
        """Every field rendered and stripped, plus Kraken's `correlation_id`.

        Raises TemplateRenderError naming the field when a template fails.
        """
        context = {"alert": alert.template_context()}
        rendered: dict[str, str] = {}
        for name, template in self.fields.items():
            try:
                rendered[name] = template.render(context).strip()
            except jinja2.TemplateError as exc:
                raise TemplateRenderError(name, str(exc)) from exc
            except (TypeError, ValueError, ArithmeticError, LookupError) as exc:
                raise TemplateRenderError(name, f"{type(exc).__name__}: {exc}") from exc
        rendered[CORRELATION_FIELD] = alert.correlation_id
        return rendered


def missing_required(rendered: Mapping[str, str], required: Sequence[str]) -> list[str]:
    """The required fields that are absent, empty or only whitespace, in order."""
    return [name for name in required if not rendered.get(name, "").strip()]


def merged_sources(
    templates: Mapping[str, Mapping[str, str]], ticket: TicketSpec
) -> dict[str, str]:
    """A route's field sources: its named template, then its own overrides on top.

    An unknown template name contributes nothing; `kraken config check`
    reports it.
    """
    merged = dict(templates.get(ticket.template, {})) if ticket.template else {}
    merged.update(ticket.fields)
    merged.pop(CORRELATION_FIELD, None)
    return merged


def build_ticket_templates(settings: Settings) -> dict[str, TicketTemplate]:
    """Compile the ticket of every ticket route (and the default route), by name.

    Raises ConfigError if a template does not compile; a checked config never
    does.
    """
    routes: list[RouteConfig] = [*settings.routes]
    if settings.default_route is not None:
        routes.append(settings.default_route)
    built: dict[str, TicketTemplate] = {}
    problems: list[str] = []
    for route in routes:
        if route.playbook != "ticket" or route.ticket is None:
            continue
        fields: dict[str, jinja2.Template] = {}
        for name, source in merged_sources(settings.templates, route.ticket).items():
            try:
                fields[name] = compile_field(source)
            except jinja2.TemplateSyntaxError as exc:
                problems.append(f"route {route.name}: ticket field {name}: {exc}")
        built[route.name] = TicketTemplate(fields)
    if problems:
        raise ConfigError(problems)
    return built
