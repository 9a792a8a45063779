"""Every Prometheus metric Kraken exports, in one place.

Names carry the `kraken_` prefix and `_total` / `_seconds` suffixes; labels are
bounded sets (provider, outcome, system), never ids.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Metrics:
    """A registry per process (or per test) so counters never leak between apps."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.webhooks = Counter(
            "kraken_webhooks_total",
            "Webhook requests by provider and outcome",
            ["provider", "outcome"],  # accepted | duplicate | rejected
            registry=self.registry,
        )
        self.ingest_batch_seconds = Histogram(
            "kraken_ingest_commit_seconds",
            "Time to commit one group of accepted events",
            registry=self.registry,
        )
        self.ingest_batch_size = Histogram(
            "kraken_ingest_commit_batch_size",
            "Events per group commit",
            buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256),
            registry=self.registry,
        )
        self.jobs = Counter(
            "kraken_jobs_total",
            "Jobs finished by outcome",
            ["outcome"],  # done | retried | dead_lettered | lease_lost
            registry=self.registry,
        )
        self.job_seconds = Histogram(
            "kraken_job_seconds",
            "Time to run one job's playbook",
            registry=self.registry,
        )
        self.actions = Counter(
            "kraken_actions_total",
            "Actions taken on other systems",
            ["system", "action", "outcome"],
            registry=self.registry,
        )
        self.queue_depth = Gauge(
            "kraken_queue_jobs",
            "Jobs in the queue by state, sampled by the worker",
            ["state"],
            registry=self.registry,
        )
