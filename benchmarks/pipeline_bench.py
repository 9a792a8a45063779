"""End to end: alerts created in OpsGenie to settled jobs and filed incidents.

This is the demo's path (`kraken.demo.run.run_demo`): the OpsGenie and
ServiceNow simulators, Kraken's webhook server and a worker, all in one
process on loopback, the seeded demo alert stream, the same fault profile
(10% webhook redeliveries, 2% vendor 5xx, 2% vendor 429). `run_demo` takes no
settings override and reports no timings or round trips, so `run_pipeline`
below repeats its few steps with the public pieces, adding:

- a worker override, for the baseline arm;
- wall time from the first alert create to the last job settled
  (`max(jobs.finished_at)`), hence alerts/s end to end;
- vendor round trips per alert: Kraken's own connector counter
  (`kraken.connectors.http.REQUEST_COUNTER`; the traffic generator counts on
  a separate counter), cross-checked against the ServiceNow simulator's count;
- database statements and transactions per alert, counted on Kraken's engine.

Baseline, in the same run: a serial worker (concurrency 1, claim batch 1), the
naive "take one job, do it, take the next" consumer. Default: the demo's worker
(concurrency 16, claim batch 32), which overlaps vendor round trips.

    python benchmarks/pipeline_bench.py [--alerts 200 1000] [--latency-ms 0] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import tempfile
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
import yaml
from pydantic import SecretStr

from kraken.config.loader import load_settings
from kraken.config.models import Settings
from kraken.connectors.http import REQUEST_COUNTER, RequestCounter
from kraken.connectors.opsgenie.client import OpsGenieClient
from kraken.demo import scenario, summary, traffic
from kraken.demo.config import demo_config
from kraken.logs import configure
from kraken.runtime import Runtime, serving
from kraken.sim.server import RunningSim, start_sim
from kraken.sim.settings import SimSettings
from kraken.store.schema import jobs

WEBHOOK_HEADER = "X-Kraken-Token"
SETTLE_POLL_S = 0.02
SETTLE_TIMEOUT_BASE_S = 60.0
SETTLE_TIMEOUT_PER_ALERT_S = 0.2

ARMS: dict[str, dict[str, int]] = {
    # name -> worker settings laid over the demo config
    "serial worker (baseline)": {"concurrency": 1, "batch_size": 1},
    "demo worker (default)": {},
}


@dataclass(frozen=True, slots=True)
class Result:
    arm: str
    created: int  # create calls sent to the OpsGenie simulator
    alerts: int  # distinct alerts after OpsGenie's alias dedup
    seconds: float
    p50_ms: float
    p99_ms: float
    servicenow_calls: int
    opsgenie_calls: int
    servicenow_seen_by_sim: int
    db_statements: int
    db_transactions: int
    tickets: int
    dead_lettered: int
    lost: int

    @property
    def rate(self) -> float:
        return self.alerts / self.seconds if self.seconds else 0.0

    def per_alert(self, count: int) -> float:
        return count / self.alerts if self.alerts else 0.0


class _EngineCounter:
    """Counts statements and transactions on one engine."""

    def __init__(self, engine: sa.Engine) -> None:
        self.statements = 0
        self.transactions = 0
        sa.event.listen(engine, "before_cursor_execute", self._statement)
        sa.event.listen(engine, "begin", self._begin)

    def _statement(self, *_args: Any) -> None:
        self.statements += 1

    def _begin(self, *_args: Any) -> None:
        self.transactions += 1


def sim_settings(*, seed: int, latency_ms: float, faults: bool) -> SimSettings:
    """The demo's simulator profile, optionally with vendor latency or no faults."""
    fault_rate = 0.02 if faults else 0.0
    return SimSettings(
        redelivery_rate=0.1,
        error_rate=fault_rate,
        rate_limit_rate=fault_rate,
        latency_ms=latency_ms,
        seed=seed,
    )


def kraken_settings(
    workdir: Path, sim: RunningSim, token: str, worker: Mapping[str, int]
) -> Settings:
    """The demo's config file with `worker` laid over its worker section."""
    config = demo_config(
        database_url=database_url(workdir),
        opsgenie_url=sim.url,
        servicenow_url=sim.url,
    )
    config["worker"] = {**config["worker"], **worker}
    path = workdir / "kraken.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    environ = {
        "KRAKEN_WEBHOOK_TOKEN": token,
        "KRAKEN_OPSGENIE_API_KEY": sim.settings.opsgenie_api_key,
        "KRAKEN_SERVICENOW_PASSWORD": sim.settings.servicenow_password,
    }
    return load_settings(path, environ)


def database_url(workdir: Path) -> str:
    return f"sqlite:///{workdir / 'kraken-bench.db'}"


async def create_alerts(sim: RunningSim, stream: list[scenario.DemoAlert]) -> None:
    """The demo's traffic, counted apart from Kraken's own vendor calls."""
    key = SecretStr(sim.settings.opsgenie_api_key)
    client = OpsGenieClient(sim.url, key, counter=RequestCounter())
    try:
        await traffic.create_alerts(client, stream)
    finally:
        await client.aclose()


async def wait_settled(workdir: Path, alert_ids: list[str], timeout: float) -> None:
    """Poll the store until every alert's Create job settled and none is in flight.

    Reads through a plain engine of its own: Kraken's engine takes SQLite's
    write lock even for reads, and its statements are being counted.
    """
    engine = sa.create_engine(database_url(workdir))
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            waiting = await asyncio.to_thread(summary.unsettled, engine, alert_ids)
            in_flight = await asyncio.to_thread(summary.jobs_in_flight, engine)
            if waiting == 0 and in_flight == 0:
                return
            await asyncio.sleep(SETTLE_POLL_S)
        raise TimeoutError(f"{waiting} alerts still unsettled after {timeout:.0f}s")
    finally:
        engine.dispose()


def last_finished(engine: sa.Engine) -> float:
    with engine.connect() as conn:
        return float(conn.scalar(sa.select(sa.func.max(jobs.c.finished_at))) or 0.0)


async def run_pipeline(
    *,
    arm: str,
    alerts: int,
    seed: int,
    latency_ms: float,
    faults: bool,
    workdir: Path,
) -> Result:
    """One demo-shaped run with the arm's worker settings; see the module doc."""
    sim = await start_sim(sim_settings(seed=seed, latency_ms=latency_ms, faults=faults))
    try:
        token = secrets.token_urlsafe(24)
        settings = kraken_settings(workdir, sim, token, ARMS[arm])
        runtime = Runtime.build(settings, database_url=database_url(workdir))
        try:
            return await _measure(arm, runtime, sim, token, alerts, seed, workdir)
        finally:
            await runtime.aclose()
    finally:
        await sim.stop()


async def _measure(
    arm: str,
    runtime: Runtime,
    sim: RunningSim,
    token: str,
    alerts: int,
    seed: int,
    workdir: Path,
) -> Result:
    stream = scenario.generate(alerts, seed=seed)
    counted = _EngineCounter(runtime.engine)
    REQUEST_COUNTER.reset()
    async with (
        serving(runtime, host="127.0.0.1", port=0) as running,
        httpx.AsyncClient(base_url=sim.url, timeout=10.0) as control,
    ):
        assert running is not None  # serving() was asked for a server
        hook = {
            "webhook_url": f"{running.url}/webhooks/opsgenie",
            "webhook_headers": {WEBHOOK_HEADER: token},
        }
        await control.post("/_sim/settings", json=hook)

        started = time.time()
        await create_alerts(sim, stream)
        alert_ids = await _sim_alert_ids(control)
        timeout = SETTLE_TIMEOUT_BASE_S + SETTLE_TIMEOUT_PER_ALERT_S * alerts
        await wait_settled(workdir, alert_ids, timeout)

        vendor_calls = REQUEST_COUNTER.snapshot()
        statements, transactions = counted.statements, counted.transactions
        stats = (await control.get("/_sim/stats")).json()
    outcome = summary.summarise(
        engine=runtime.engine,
        metrics=runtime.metrics,
        planner=runtime.planner,
        sim_stats=stats,
        sim_alert_ids=alert_ids,
        malformed_rejected=0,
    )
    return Result(
        arm=arm,
        created=len(stream),
        alerts=len(alert_ids),
        seconds=last_finished(runtime.engine) - started,
        p50_ms=outcome["latency_ms"]["p50"],
        p99_ms=outcome["latency_ms"]["p99"],
        servicenow_calls=vendor_calls.get("servicenow", 0),
        opsgenie_calls=vendor_calls.get("opsgenie", 0),
        servicenow_seen_by_sim=int(stats["servicenow"]["requests"]),
        db_statements=statements,
        db_transactions=transactions,
        tickets=outcome["tickets_created"],
        dead_lettered=outcome["dead_lettered"],
        lost=outcome["lost"],
    )


async def _sim_alert_ids(control: httpx.AsyncClient) -> list[str]:
    alerts = (await control.get("/_sim/opsgenie/alerts")).json()["alerts"]
    return [str(alert["id"]) for alert in alerts]


# -- output -----------------------------------------------------------------------


COLUMNS = (
    "arm",
    "alerts",
    "alerts/s",
    "p50 ms",
    "p99 ms",
    "SN/alert",
    "OG/alert",
    "DB stmt/alert",
    "DB txn/alert",
    "tickets",
    "dead",
    "lost",
)

LEGEND = """\
alerts: distinct OpsGenie alerts (the stream's repeated aliases fold into one);
alerts/s: alerts / (last job settled - first create); p50/p99: webhook received
to incident recorded; SN, OG/alert: Kraken's ServiceNow and OpsGenie requests
per alert, retries of injected faults included; DB stmt, txn/alert: statements
and transactions on Kraken's engine (inbox, queue, executor) per alert."""


def row(r: Result) -> list[str]:
    return [
        r.arm,
        str(r.alerts),
        f"{r.rate:.0f}",
        f"{r.p50_ms:.1f}",
        f"{r.p99_ms:.1f}",
        f"{r.per_alert(r.servicenow_calls):.2f}",
        f"{r.per_alert(r.opsgenie_calls):.2f}",
        f"{r.per_alert(r.db_statements):.1f}",
        f"{r.per_alert(r.db_transactions):.1f}",
        str(r.tickets),
        str(r.dead_lettered),
        str(r.lost),
    ]


def render(results: list[Result]) -> str:
    rows = [list(COLUMNS), *(row(r) for r in results)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
    return "\n".join(
        "  ".join(cell.rjust(w) for cell, w in zip(r, widths, strict=True))
        for r in rows
    )


def check(results: list[Result]) -> list[str]:
    """Problems a benchmark run must not hide: lost alerts, counter drift."""
    problems = []
    for r in results:
        if r.lost:
            problems.append(f"{r.arm}: {r.lost} alerts never settled")
        if r.servicenow_calls != r.servicenow_seen_by_sim:
            problems.append(
                f"{r.arm}: Kraken counted {r.servicenow_calls} ServiceNow calls, "
                f"the simulator saw {r.servicenow_seen_by_sim}"
            )
    return problems


# -- main ---------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, nargs="+", default=[200, 1000])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--latency-ms", type=float, default=0.0, help="added to every vendor answer"
    )
    parser.add_argument(
        "--no-faults", action="store_true", help="no injected vendor 5xx/429"
    )
    parser.add_argument("--json", action="store_true", help="end with a JSON line")
    return parser.parse_args(argv)


async def run(args: argparse.Namespace) -> list[tuple[int, list[Result]]]:
    runs = []
    for alerts in args.alerts:
        results = []
        for arm in ARMS:
            with tempfile.TemporaryDirectory(prefix="kraken-pipeline-") as tmp:
                result = await run_pipeline(
                    arm=arm,
                    alerts=alerts,
                    seed=args.seed,
                    latency_ms=args.latency_ms,
                    faults=not args.no_faults,
                    workdir=Path(tmp),
                )
            results.append(result)
        runs.append((alerts, results))
    return runs


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    configure("ERROR")  # injected faults make the worker log retries
    faults = "none" if args.no_faults else "2% 5xx + 2% 429 (Retry-After: 1)"
    print(
        f"pipeline: demo stream, simulators + server + worker in one process, "
        f"{os.cpu_count()} cores, SQLite; vendor latency {args.latency_ms:g} ms, "
        f"faults {faults}, 10% webhook redeliveries"
    )
    runs = asyncio.run(run(args))
    problems: list[str] = []
    for created, results in runs:
        print(f"\n{created} alert creates")
        print(render(results))
        problems += check(results)
    print(LEGEND)
    for problem in problems:
        print(f"PROBLEM: {problem}")
    if args.json:
        payload = [
            asdict(r) | {"rate": r.rate} for _created, results in runs for r in results
        ]
        print(json.dumps(payload))
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
