"""Plan what to do for one alert event. Pure: no I/O, so dry runs are free."""

from __future__ import annotations

from collections.abc import Mapping

from kraken.config.models import RouteConfig
from kraken.domain import Alert
from kraken.playbooks.steps import (
    AcknowledgeAlert,
    EnsureIncident,
    NoteAlert,
    Plan,
    Step,
    TagAlert,
    WorkNoteIncident,
)
from kraken.routing import Router
from kraken.templates import TicketTemplate, missing_required

CLOSE_ACTION = "Close"


class Planner:
    """Turns alerts into plans with the routes and templates compiled at start-up."""

    def __init__(
        self,
        *,
        router: Router,
        templates: Mapping[str, TicketTemplate],
        required_fields: tuple[str, ...],
    ) -> None:
        self._router = router
        self._templates = templates
        self._required = required_fields

    def plan(self, alert: Alert) -> Plan:
        if alert.action == CLOSE_ACTION:
            return self._plan_close(alert)
        match = self._router.match(alert)
        if match is None:
            reason = f"no route handles action {alert.action}"
            return Plan(alert.alert_id, alert.action, None, None, reason)
        route = match.route
        if route.playbook != "ticket":
            reason = f"route {route.name} runs playbook {route.playbook}"
            return Plan(
                alert.alert_id, alert.action, route.name, route.playbook, reason
            )
        steps = self._ticket_steps(alert, route)
        reason = f"route {route.name} files a ticket"
        return Plan(alert.alert_id, alert.action, route.name, "ticket", reason, steps)

    def _ticket_steps(self, alert: Alert, route: RouteConfig) -> tuple[Step, ...]:
        # render() sets correlation_id itself: it is Kraken's idempotency key.
        fields = self._templates[route.name].render(alert)
        missing = tuple(missing_required(fields, self._required))
        steps: list[Step] = [EnsureIncident(alert.correlation_id, fields, missing)]
        back = route.opsgenie
        if back.note:
            steps.append(NoteAlert(alert.alert_id))
        if back.acknowledge:
            steps.append(AcknowledgeAlert(alert.alert_id))
        if back.add_tags:
            steps.append(TagAlert(alert.alert_id, tuple(back.add_tags)))
        return tuple(steps)

    def _plan_close(self, alert: Alert) -> Plan:
        who = f" by {alert.actor}" if alert.actor else ""
        note = f"OpsGenie alert {alert.tiny_id or alert.alert_id} was closed{who}."
        if alert.note:
            note += f" Note: {alert.note}"
        step = WorkNoteIncident(alert.correlation_id, note)
        reason = "a closed alert adds a work note to its incident, if it has one"
        return Plan(alert.alert_id, alert.action, None, "close", reason, (step,))
