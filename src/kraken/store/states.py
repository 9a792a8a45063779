"""The life of a job, as stored in `jobs.state`."""

from __future__ import annotations

from enum import StrEnum


class JobState(StrEnum):
    PENDING = "pending"  # waiting for run_after; any worker may claim it
    RUNNING = "running"  # leased to one worker until lease_expires
    DONE = "done"  # finished; its effects are on the other systems
    DEAD = "dead"  # out of attempts or failed for good; waits for an operator
    DROPPED = "dropped"  # an operator decided a dead job will never run
