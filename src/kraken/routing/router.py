"""Pick the route for an alert: the first route whose criteria all hold.

Alerts arrive already tagged by OpsGenie, so routing is a pure lookup over
the config; a new alert source is a new route, not new code. The default
route catches what no route matched, but only for the actions it lists, so an
AddNote on an unrouted alert does not file a ticket.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kraken.config.models import (
    DefaultRoute,
    MatchSpec,
    Route,
    RouteConfig,
    Settings,
)
from kraken.domain import Alert
from kraken.routing.criteria import CompiledMatch, CriterionOutcome


@dataclass(frozen=True, slots=True)
class RouteMatch:
    """The route chosen for an alert."""

    name: str
    route: RouteConfig
    index: int | None  # position in `routes:`; None for the default route

    @property
    def is_default(self) -> bool:
        return self.index is None


@dataclass(frozen=True, slots=True)
class RouteTrial:
    """One route tried against an alert, with every criterion's verdict."""

    name: str
    index: int | None
    matched: bool
    outcomes: tuple[CriterionOutcome, ...]

    @property
    def label(self) -> str:
        return "default_route" if self.index is None else f"routes[{self.index}]"


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why an alert got the route it got, for people and for `--json`."""

    alert_id: str
    action: str
    trials: tuple[RouteTrial, ...]
    chosen: RouteMatch | None
    reason: str

    def lines(self) -> list[str]:
        """The explanation as plain text, one line per route and criterion."""
        text = [f"alert {self.alert_id} action {self.action}"]
        for trial in self.trials:
            verdict = "matched" if trial.matched else "no match"
            text.append(f"{trial.label} {trial.name}: {verdict}")
            text += [f"  {outcome}" for outcome in trial.outcomes]
        text.append(
            f"matched: {self.chosen.name}" if self.chosen else "no route matched"
        )
        text.append(f"reason: {self.reason}")
        return text


class Router:
    """Routes compiled once from the config; `match` is safe to call per alert."""

    def __init__(
        self, routes: Sequence[Route], default_route: DefaultRoute | None = None
    ) -> None:
        self._routes = tuple(routes)
        self._compiled = tuple(
            CompiledMatch.from_spec(route.match) for route in self._routes
        )
        # The default route has no `match:`; only its own actions apply.
        self._default = (
            (
                default_route,
                CompiledMatch.from_spec(MatchSpec(actions=default_route.actions)),
            )
            if default_route is not None
            else None
        )
        self._by_name: dict[str, RouteConfig] = {r.name: r for r in routes}
        if default_route is not None:
            self._by_name.setdefault(default_route.name, default_route)

    @classmethod
    def from_settings(cls, settings: Settings) -> Router:
        return cls(settings.routes, settings.default_route)

    @property
    def routes(self) -> tuple[Route, ...]:
        """The configured routes in match order (without the default route)."""
        return self._routes

    @property
    def default_route(self) -> DefaultRoute | None:
        return self._default[0] if self._default is not None else None

    def route(self, name: str) -> RouteConfig | None:
        """The route called `name`, the default route included; None if unknown."""
        return self._by_name.get(name)

    def match(self, alert: Alert) -> RouteMatch | None:
        """The first matching route, else the default route, else None."""
        for index, compiled in enumerate(self._compiled):
            if compiled.matches(alert):
                route = self._routes[index]
                return RouteMatch(route.name, route, index)
        if self._default is not None and self._default[1].matches(alert):
            default = self._default[0]
            return RouteMatch(default.name, default, None)
        return None

    def explain(self, alert: Alert) -> Explanation:
        """Every route tried, criterion by criterion, and the route chosen."""
        trials: list[RouteTrial] = []
        for index, compiled in enumerate(self._compiled):
            route = self._routes[index]
            matched = compiled.matches(alert)
            trials.append(
                RouteTrial(route.name, index, matched, compiled.outcomes(alert))
            )
            if matched:
                chosen = RouteMatch(route.name, route, index)
                reason = f"first route whose criteria all hold: {route.name}"
                return Explanation(
                    alert.alert_id, alert.action, tuple(trials), chosen, reason
                )
        return self._explain_default(alert, trials)

    def _explain_default(self, alert: Alert, trials: list[RouteTrial]) -> Explanation:
        chosen: RouteMatch | None = None
        if self._default is None:
            reason = "no route matched and there is no default_route"
        else:
            default, compiled = self._default
            matched = compiled.matches(alert)
            trials.append(
                RouteTrial(default.name, None, matched, compiled.outcomes(alert))
            )
            if matched:
                chosen = RouteMatch(default.name, default, None)
                reason = "no route matched; the default route applies"
            else:
                reason = (
                    f"no route matched and the default route does not take"
                    f" action {alert.action}"
                )
        return Explanation(alert.alert_id, alert.action, tuple(trials), chosen, reason)
