"""Pure routing: match an alert to a configured route and explain the match.

No I/O and no state beyond what is compiled from the config, so the webhook
path can call it per alert and `kraken route explain` can show its reasoning.
"""

from kraken.routing.criteria import CompiledMatch, CriterionOutcome
from kraken.routing.router import Explanation, RouteMatch, Router, RouteTrial

__all__ = [
    "CompiledMatch",
    "CriterionOutcome",
    "Explanation",
    "RouteMatch",
    "RouteTrial",
    "Router",
]
