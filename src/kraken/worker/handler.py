"""What a worker does with one job: rebuild the alert, plan, execute."""

from __future__ import annotations

from kraken.errors import PayloadError
from kraken.ingest.providers import get_provider
from kraken.logs import get_logger
from kraken.playbooks.execute import Executor, JobContext
from kraken.playbooks.plan import Planner
from kraken.store import Job

log = get_logger(__name__)


class AlertJobHandler:
    def __init__(self, *, planner: Planner, executor: Executor) -> None:
        self._planner = planner
        self._executor = executor

    async def __call__(self, job: Job) -> None:
        provider = get_provider(job.provider)
        if provider is None:
            raise PayloadError("provider", f"no alert provider named {job.provider!r}")
        alert = provider.parse_webhook(job.payload)
        plan = self._planner.plan(alert)
        log.info(
            "alert.planned",
            job_id=job.id,
            alert_id=alert.alert_id,
            action=alert.action,
            route=plan.route,
            playbook=plan.playbook,
            steps=len(plan.steps),
        )
        ctx = JobContext(job_id=job.id, event_id=job.event_id, provider=job.provider)
        await self._executor.run(plan, ctx)
