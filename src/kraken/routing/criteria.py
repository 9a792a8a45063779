"""One route's `match:` block compiled for speed, and explained in words.

Routing runs for every alert, so everything that depends only on the config
(tag sets, glob regexes) is built once here. Matching has two forms: `matches`
answers yes/no with no allocation beyond the checks, and `outcomes` says why,
criterion by criterion, for `kraken route explain`. Tags compare exactly, as
OpsGenie tags are case-sensitive; source and entity are case-insensitive globs.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Self

from kraken.config.models import MatchSpec
from kraken.domain import Alert


@dataclass(frozen=True, slots=True)
class CriterionOutcome:
    """How one criterion judged one alert."""

    criterion: str  # tags_all, tags_any, tags_none, priority, source, entity, actions
    values: tuple[str, ...]
    ok: bool
    detail: str  # empty when ok

    def __str__(self) -> str:
        head = f"{self.criterion} [{','.join(self.values)}]"
        return f"{head}: ok" if self.ok else f"{head}: {self.detail} — no match"


def _glob_regex(patterns: Sequence[str]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    return re.compile("|".join(fnmatch.translate(p) for p in patterns), re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class CompiledMatch:
    """Precomputed criteria of one route; an empty criterion is not checked."""

    actions: frozenset[str]
    tags_all: frozenset[str]
    tags_any: frozenset[str]
    tags_none: frozenset[str]
    priorities: frozenset[str]
    source: re.Pattern[str] | None
    entity: re.Pattern[str] | None
    # The configured criteria in YAML order (actions first), for explanations.
    spec: tuple[tuple[str, tuple[str, ...]], ...]

    @classmethod
    def from_spec(cls, match: MatchSpec) -> Self:
        """Compile a route's `match:` block."""
        spec = (
            ("actions", match.actions),
            ("tags_all", match.tags_all),
            ("tags_any", match.tags_any),
            ("tags_none", match.tags_none),
            ("priority", match.priority),
            ("source", match.source),
            ("entity", match.entity),
        )
        return cls(
            actions=frozenset(match.actions),
            tags_all=frozenset(match.tags_all),
            tags_any=frozenset(match.tags_any),
            tags_none=frozenset(match.tags_none),
            priorities=frozenset(match.priority),
            source=_glob_regex(match.source),
            entity=_glob_regex(match.entity),
            spec=tuple((name, values) for name, values in spec if values),
        )

    def matches(self, alert: Alert) -> bool:
        """True when every configured criterion holds for `alert`."""
        tags = alert.tags
        return (
            alert.action in self.actions
            and self.tags_all <= tags
            and (not self.tags_any or not self.tags_any.isdisjoint(tags))
            and self.tags_none.isdisjoint(tags)
            and (not self.priorities or alert.priority in self.priorities)
            and (self.source is None or self.source.match(alert.source) is not None)
            and (self.entity is None or self.entity.match(alert.entity) is not None)
        )

    def outcomes(self, alert: Alert) -> tuple[CriterionOutcome, ...]:
        """Every configured criterion with its verdict, for explanations."""
        return tuple(
            CriterionOutcome(name, values, *self._judge(name, alert))
            for name, values in self.spec
        )

    def _judge(self, name: str, alert: Alert) -> tuple[bool, str]:
        if name == "actions":
            return alert.action in self.actions, f"alert action is {alert.action}"
        if name == "tags_all":
            missing = sorted(self.tags_all - alert.tags)
            return not missing, f"alert lacks {', '.join(missing)}"
        if name == "tags_any":
            hit = not self.tags_any.isdisjoint(alert.tags)
            return hit, "alert has none of them"
        if name == "tags_none":
            present = sorted(self.tags_none & alert.tags)
            return not present, f"alert has {', '.join(present)}"
        if name == "priority":
            has = alert.priority or "no priority"
            return alert.priority in self.priorities, f"alert has {has}"
        pattern, value = (
            (self.source, alert.source)
            if name == "source"
            else (self.entity, alert.entity)
        )
        ok = pattern is not None and pattern.match(value) is not None
        return ok, f"alert {name} is {value!r}" if value else f"alert has no {name}"
