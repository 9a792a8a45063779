"""Assemble the running service from settings: the one place that wires
store, connectors, routing, playbooks, ingest and workers together.

`kraken serve`, `kraken worker`, `kraken replay` and `kraken demo` all build
a `Runtime`, so they run the same code paths.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from pydantic import SecretStr
from sqlalchemy import Engine, text
from starlette.applications import Starlette

from kraken.asgi_server import RunningServer, serve_app
from kraken.config.models import Settings
from kraken.connectors.opsgenie.client import OpsGenieClient
from kraken.connectors.servicenow.auth import BasicAuth, OAuthPasswordGrant
from kraken.connectors.servicenow.client import ServiceNowClient
from kraken.errors import ConfigError
from kraken.ingest.inbox import GroupCommitInbox
from kraken.ingest.poller import OpsGeniePoller
from kraken.ingest.providers import get_provider
from kraken.ingest.webhook import create_app
from kraken.logs import get_logger
from kraken.metrics.definitions import Metrics
from kraken.playbooks.execute import Executor
from kraken.playbooks.plan import Planner
from kraken.routing import Router
from kraken.store import JobQueue, create_engine_for, resolve_database_url, upgrade
from kraken.templates import build_ticket_templates
from kraken.worker.handler import AlertJobHandler
from kraken.worker.runner import Worker, WorkerOptions

log = get_logger(__name__)


def _secret(value: SecretStr | None, env: str) -> SecretStr:
    if value is None or not value.get_secret_value():
        raise ConfigError([f"{env}: not set (secrets come from the environment)"])
    return value


def servicenow_client(settings: Settings) -> ServiceNowClient:
    snow = settings.servicenow
    secrets = settings.secrets
    password = _secret(secrets.servicenow_password, "KRAKEN_SERVICENOW_PASSWORD")
    auth: BasicAuth | OAuthPasswordGrant
    if snow.auth == "oauth":
        auth = OAuthPasswordGrant(
            client_id=snow.client_id or "",
            client_secret=_secret(
                secrets.servicenow_client_secret, "KRAKEN_SERVICENOW_CLIENT_SECRET"
            ),
            username=snow.username or "",
            password=password,
        )
    else:
        auth = BasicAuth(username=snow.username or "", password=password)
    return ServiceNowClient(snow.url, auth, table=snow.table)


def opsgenie_client(settings: Settings) -> OpsGenieClient:
    key = _secret(settings.secrets.opsgenie_api_key, "KRAKEN_OPSGENIE_API_KEY")
    return OpsGenieClient(settings.opsgenie.url, key)


@dataclass
class Runtime:
    """Everything one Kraken process runs, built once at start-up."""

    settings: Settings
    engine: Engine
    metrics: Metrics
    queue: JobQueue
    planner: Planner
    servicenow: ServiceNowClient
    opsgenie: OpsGenieClient
    inbox: GroupCommitInbox
    workers: list[Worker] = field(default_factory=list)

    @classmethod
    def build(cls, settings: Settings, *, database_url: str | None = None) -> Runtime:
        url = database_url or resolve_database_url(settings.database.url)
        engine = create_engine_for(url)
        upgrade(engine)
        metrics = Metrics()
        templates = build_ticket_templates(settings)
        planner = Planner(
            router=Router.from_settings(settings),
            templates=templates,
            required_fields=tuple(settings.servicenow.required_fields),
        )
        return cls(
            settings=settings,
            engine=engine,
            metrics=metrics,
            queue=JobQueue(engine, lease_seconds=settings.worker.lease_seconds),
            planner=planner,
            servicenow=servicenow_client(settings),
            opsgenie=opsgenie_client(settings),
            inbox=GroupCommitInbox(
                engine, max_attempts=settings.worker.max_attempts, metrics=metrics
            ),
        )

    def new_worker(self) -> Worker:
        w = self.settings.worker
        executor = Executor(
            engine=self.engine,
            servicenow=self.servicenow,
            opsgenie=self.opsgenie,
            required_fields=self.settings.servicenow.required_fields,
            metrics=self.metrics,
        )
        options = WorkerOptions(
            concurrency=w.concurrency,
            batch_size=w.batch_size,
            poll_interval_seconds=w.poll_interval_seconds,
            backoff_base_seconds=w.backoff_base_seconds,
            backoff_max_seconds=w.backoff_max_seconds,
            lease_seconds=w.lease_seconds,
        )
        handler = AlertJobHandler(planner=self.planner, executor=executor)
        worker = Worker(
            queue=self.queue, handler=handler, options=options, metrics=self.metrics
        )
        self.workers.append(worker)
        return worker

    def new_poller(self) -> OpsGeniePoller:
        poll = self.settings.opsgenie.poll
        provider = get_provider("opsgenie")
        if provider is None:  # pragma: no cover - the registry always has it
            raise ConfigError(["opsgenie: provider missing"])
        return OpsGeniePoller(
            client=self.opsgenie,
            provider=provider,
            inbox=self.inbox,
            engine=self.engine,
            query=poll.query,
            interval_seconds=poll.interval_seconds,
            page_size=poll.page_size,
        )

    def web_app(self) -> Starlette:
        token = _secret(self.settings.secrets.webhook_token, "KRAKEN_WEBHOOK_TOKEN")
        server = self.settings.server

        async def ready() -> bool:
            return await asyncio.to_thread(self._database_ok)

        return create_app(
            inbox=self.inbox,
            token=token.get_secret_value(),
            header=server.webhook_header,
            metrics=self.metrics,
            max_body_bytes=server.max_body_bytes,
            readiness=ready,
        )

    def _database_ok(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception:  # readiness reports, it does not raise
            return False
        return True

    async def aclose(self) -> None:
        self.inbox.stop()
        await self.servicenow.aclose()
        await self.opsgenie.aclose()
        self.engine.dispose()


@contextlib.asynccontextmanager
async def serving(
    runtime: Runtime,
    *,
    host: str,
    port: int,
    workers: int = 1,
    with_server: bool = True,
    with_poller: bool | None = None,
) -> AsyncIterator[RunningServer | None]:
    """Run the webhook server, workers and poller until the block exits."""
    stop = asyncio.Event()
    runtime.inbox.start()
    tasks = [
        asyncio.create_task(runtime.new_worker().run(stop)) for _ in range(workers)
    ]
    poll = (
        runtime.settings.opsgenie.poll.enabled if with_poller is None else with_poller
    )
    if poll:
        tasks.append(asyncio.create_task(runtime.new_poller().run(stop)))
    running: RunningServer | None = None
    if with_server:
        running = await serve_app(runtime.web_app(), host, port)
        log.info("server.listening", url=running.url)
    try:
        yield running
    finally:
        if running is not None:
            await running.stop()
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
