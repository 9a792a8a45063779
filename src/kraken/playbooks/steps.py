"""The steps a playbook can plan. Plain data: printable, comparable, testable."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class EnsureIncident:
    """Find the alert's incident by correlation id, or file it if there is none."""

    correlation_id: str
    fields: Mapping[str, str]
    missing: tuple[str, ...] = ()  # required fields the rendered template left empty

    def describe(self) -> str:
        short = self.fields.get("short_description", "")
        return f"servicenow: ensure incident {self.correlation_id} ({short!r})"


@dataclass(frozen=True, slots=True)
class NoteAlert:
    """Add a note to the alert naming the incident filed for it."""

    alert_id: str

    def describe(self) -> str:
        return f"opsgenie: add note naming the incident to alert {self.alert_id}"


@dataclass(frozen=True, slots=True)
class AcknowledgeAlert:
    alert_id: str

    def describe(self) -> str:
        return f"opsgenie: acknowledge alert {self.alert_id}"


@dataclass(frozen=True, slots=True)
class TagAlert:
    alert_id: str
    tags: tuple[str, ...]

    def describe(self) -> str:
        return f"opsgenie: add tags {', '.join(self.tags)} to alert {self.alert_id}"


@dataclass(frozen=True, slots=True)
class WorkNoteIncident:
    """Add a work note to the incident already filed for this alert, if any."""

    correlation_id: str
    note: str

    def describe(self) -> str:
        return f"servicenow: work note on incident {self.correlation_id}: {self.note!r}"


Step = EnsureIncident | NoteAlert | AcknowledgeAlert | TagAlert | WorkNoteIncident


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything Kraken will do for one alert event, and why."""

    alert_id: str
    action: str
    route: str | None
    playbook: str | None
    reason: str
    steps: tuple[Step, ...] = field(default_factory=tuple)

    def describe(self) -> list[str]:
        return [step.describe() for step in self.steps]
