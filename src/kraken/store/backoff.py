"""How long a failed job waits before its next attempt.

Exponential growth backs off from a struggling vendor; jitter spreads the
retries of a burst of failures so they do not return as a burst. The floor at
half the step keeps "full jitter" from retrying almost at once, and a vendor's
Retry-After is a promise we keep.
"""

from __future__ import annotations

import random

_default_rng = random.Random()


def compute_backoff(
    attempt: int,
    *,
    base: float,
    cap: float,
    retry_after: float | None,
    rng: random.Random | None = None,
) -> float:
    """Seconds to wait after failed attempt number `attempt` (1 = the first).

    The step is `base * 2 ** (attempt - 1)`, capped at `cap`; the delay is
    drawn uniformly from [step / 2, step], and raised to `retry_after` when
    the other system asked for a longer wait.
    """
    if attempt < 1:
        raise ValueError("attempt counts from 1")
    if base <= 0 or cap < base:
        raise ValueError("need 0 < base <= cap")
    # Cap the exponent before computing the power: a job on attempt 2000
    # would otherwise overflow float.
    exponent = min(attempt - 1, 64)
    step = min(cap, base * 2.0**exponent)
    delay = (rng or _default_rng).uniform(step / 2, step)
    if retry_after is not None and retry_after > delay:
        return retry_after
    return delay
