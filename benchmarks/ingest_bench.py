"""Webhook acceptance rate, durable at the answer: Kraken against a bare handler.

Each target is served by uvicorn in its own process on a free loopback port;
this process drives it with httpx at a fixed concurrency. The targets, in the
same run and under the same load:

- ``ceiling``: a handler that reads the body and answers 202 with no storage.
  It is the most this load generator and uvicorn can measure on the machine.
- ``bare-sqlite``: the honest naive design. It parses the JSON and inserts one
  SQLite row per request (WAL, synchronous=NORMAL, one commit per request),
  in a thread so the event loop does not block.
- ``kraken-sqlite`` / ``kraken-postgres``: Kraken's real webhook app
  (`create_app` + `GroupCommitInbox` + the real store), with the auth token and
  OpsGenie Create payloads, of which about 10% are redeliveries.

After the load, the server process is killed with SIGKILL (no graceful
shutdown) and the database is read back: every request answered 202 must have
its row. That is the durability check.

    python benchmarks/ingest_bench.py [--requests N] [--concurrency C] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import random
import signal
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families

from ingest_servers import BARE_SCHEMA, HEADER, TOKEN, WEBHOOK_PATH, Kind, serve
from kraken.demo.summary import percentile
from kraken.store import create_engine_for
from kraken.store.schema import events

POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDELIVERY_SHARE = 0.1
REDELIVERY_WINDOW = 50  # a redelivery repeats one of the last 50 webhooks
READY_TIMEOUT_S = 30.0
READY_POLL_S = 0.05


@dataclass(frozen=True, slots=True)
class Target:
    name: str
    kind: Kind
    db_url: str  # sqlite path for `bare`, SQLAlchemy URL for `kraken`


@dataclass(frozen=True, slots=True)
class Load:
    """The requests to send: bodies and the alert id each one carries."""

    bodies: list[bytes]
    alert_ids: list[str]

    @property
    def unique(self) -> int:
        return len(set(self.alert_ids))


@dataclass(slots=True)
class Outcome:
    """What the load generator saw, plus what was read back from the server."""

    target: str
    requests: int
    seconds: float
    accepted: int
    duplicates: int
    errors: int
    p50_ms: float
    p99_ms: float
    server_cpu_us: float | None = None  # server CPU (all threads) per request
    stored: int | None = None
    missing_after_kill: int | None = None
    batches: int | None = None
    mean_batch: float | None = None

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def core_capacity(self) -> float | None:
        """Requests per second one core could serve at this CPU cost."""
        return 1e6 / self.server_cpu_us if self.server_cpu_us else None


# -- payloads ---------------------------------------------------------------


def make_load(count: int, seed: int) -> Load:
    """`count` OpsGenie Create webhooks; about 10% repeat a recent one verbatim,
    as OpsGenie's at-least-once delivery does."""
    rng = random.Random(seed)
    bodies: list[bytes] = []
    alert_ids: list[str] = []
    for n in range(count):
        if bodies and rng.random() < REDELIVERY_SHARE:
            index = rng.randrange(max(0, len(bodies) - REDELIVERY_WINDOW), len(bodies))
            bodies.append(bodies[index])
            alert_ids.append(alert_ids[index])
            continue
        alert_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        bodies.append(json.dumps(_create_payload(alert_id, n, rng)).encode())
        alert_ids.append(alert_id)
    return Load(bodies, alert_ids)


def _create_payload(alert_id: str, n: int, rng: random.Random) -> dict[str, Any]:
    """The outgoing-webhook Create shape of the recorded contract payload."""
    now_ms = int(time.time() * 1000) + n
    host = f"ws-{rng.randrange(1000):03d}"
    request_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    return {
        "action": "Create",
        "alert": {
            "alertId": alert_id,
            "message": f"Suspicious PowerShell execution on {host}",
            "tags": rng.choice([["siem", "splunk"], ["edr", "crowdstrike"], []]),
            "tinyId": str(n + 1),
            "source": "splunk",
            "entity": host,
            "alias": f"splunk-{host}-{n}",
            "createdAt": now_ms,
            "updatedAt": now_ms * 1_000_000 + 110,
            "username": "System",
            "userId": "",
            "recipients": [],
            "teams": [],
            "insertedAt": now_ms * 1_000_000 + 110,
            "priority": rng.choice(["P1", "P2", "P3", "P4"]),
            "description": f"Encoded command line observed on {host}. " * 4,
            "details": {"user": "alice", "search": "edr_powershell_encoded"},
        },
        "source": {"name": "API", "type": "API"},
        "integrationId": "daca46c6-e26b-4dda-8f8a-21f6db7eeaef",
        "integrationName": "Webhook",
        "integrationType": "Webhook",
        "alertFlowContext": {
            "requestId": request_id,
            "traceId": request_id,
            "content": {},
        },
    }


# -- the parent: start, load, read back --------------------------------------


@dataclass(frozen=True, slots=True)
class Served:
    url: str
    process: multiprocessing.process.BaseProcess

    def kill(self) -> None:
        _kill(self.process)


def _kill(process: multiprocessing.process.BaseProcess) -> None:
    if process.is_alive() and process.pid is not None:
        os.kill(process.pid, signal.SIGKILL)
    process.join()


@contextlib.contextmanager
def server_process(target: Target) -> Iterator[Served]:
    """Start the target in a fresh process; SIGKILL it on exit."""
    ctx = multiprocessing.get_context("spawn")
    port_in, port_out = ctx.Pipe(duplex=False)
    process = ctx.Process(target=serve, args=(target.kind, target.db_url, port_out))
    process.start()
    port_out.close()
    try:
        if not port_in.poll(READY_TIMEOUT_S):
            raise RuntimeError(f"{target.name}: server did not report a port")
        yield Served(f"http://127.0.0.1:{port_in.recv()}", process)
    finally:
        _kill(process)


async def wait_ready(served: Served) -> None:
    """Poll /healthz until the server answers (migrations run before it does)."""
    deadline = time.monotonic() + READY_TIMEOUT_S
    async with httpx.AsyncClient(base_url=served.url, timeout=1.0) as client:
        while time.monotonic() < deadline:
            if not served.process.is_alive():
                raise RuntimeError(f"server at {served.url} exited during start-up")
            try:
                if (await client.get("/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(READY_POLL_S)
    raise RuntimeError(f"server at {served.url} did not become ready")


@dataclass(slots=True)
class _Tally:
    latencies: list[float] = field(default_factory=list)
    accepted_ids: set[str] = field(default_factory=set)
    accepted: int = 0
    duplicates: int = 0
    errors: int = 0


async def drive(url: str, load: Load, concurrency: int) -> tuple[_Tally, float]:
    """Send every request with `concurrency` in flight; return the tally and wall.

    One single-connection client per sender: a single client sharing a pool of
    64 connections spends its time in the pool's bookkeeping (about 120 req/s
    here, against 1,350 with a client per connection), which would measure
    httpx instead of the server.
    """
    headers = {HEADER: TOKEN, "Content-Type": "application/json"}
    tally = _Tally()
    indices = iter(range(len(load.bodies)))
    async with contextlib.AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(
                httpx.AsyncClient(base_url=url, headers=headers, timeout=30.0)
            )
            for _ in range(concurrency)
        ]
        # Open every connection before the clock starts.
        await asyncio.gather(*(client.get("/healthz") for client in clients))

        async def sender(client: httpx.AsyncClient) -> None:
            for index in indices:
                await _send_one(client, load, index, tally)

        started = time.perf_counter()
        await asyncio.gather(*(sender(client) for client in clients))
        wall = time.perf_counter() - started
    return tally, wall


async def _send_one(
    client: httpx.AsyncClient, load: Load, index: int, tally: _Tally
) -> None:
    started = time.perf_counter()
    try:
        response = await client.post(WEBHOOK_PATH, content=load.bodies[index])
    except httpx.HTTPError:
        tally.errors += 1
        return
    tally.latencies.append((time.perf_counter() - started) * 1000)
    if response.status_code == 202:
        tally.accepted += 1
        tally.accepted_ids.add(load.alert_ids[index])
    elif response.status_code == 200:
        tally.duplicates += 1
    else:
        tally.errors += 1


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU of a process and all its threads (Linux /proc)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # Fields after the parenthesised command name; utime and stime are 14, 15.
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def fetch_batches(url: str) -> tuple[int, float]:
    """(commits, mean events per commit) from Kraken's /metrics histogram."""
    async with httpx.AsyncClient(base_url=url, timeout=10.0) as client:
        text = (await client.get("/metrics")).text
    samples = {
        sample.name: sample.value
        for family in text_string_to_metric_families(text)
        if family.name == "kraken_ingest_commit_batch_size"
        for sample in family.samples
    }
    count = int(samples.get("kraken_ingest_commit_batch_size_count", 0))
    total = samples.get("kraken_ingest_commit_batch_size_sum", 0.0)
    return count, (total / count if count else 0.0)


def stored_alert_ids(target: Target) -> set[str]:
    """Alert ids in the target's database, read after its server was killed."""
    if target.kind == "bare":
        with sqlite3.connect(target.db_url) as conn:
            return {row[0] for row in conn.execute("SELECT alert_id FROM alerts")}
    engine = create_engine_for(target.db_url)
    try:
        with engine.connect() as conn:
            return set(conn.scalars(sa.select(events.c.alert_id)))
    finally:
        engine.dispose()


async def run_target(target: Target, load: Load, concurrency: int) -> Outcome:
    batches: tuple[int, float] | None = None
    with server_process(target) as served:
        await wait_ready(served)
        pid = served.process.pid or 0
        cpu_before = cpu_seconds(pid)
        tally, wall = await drive(served.url, load, concurrency)
        cpu_after = cpu_seconds(pid)
        if target.kind == "kraken":
            batches = await fetch_batches(served.url)
        served.kill()  # no graceful shutdown: durable at the answer means durable
    outcome = Outcome(
        target=target.name,
        requests=len(load.bodies),
        seconds=wall,
        accepted=tally.accepted,
        duplicates=tally.duplicates,
        errors=tally.errors,
        p50_ms=percentile(tally.latencies, 0.50),
        p99_ms=percentile(tally.latencies, 0.99),
    )
    if cpu_before is not None and cpu_after is not None:
        outcome.server_cpu_us = (cpu_after - cpu_before) / len(load.bodies) * 1e6
    if target.kind != "ceiling":
        stored = stored_alert_ids(target)
        outcome.stored = len(stored)
        outcome.missing_after_kill = len(tally.accepted_ids - stored)
    if batches is not None:
        outcome.batches, outcome.mean_batch = batches
    return outcome


# -- PostgreSQL: a fresh schema per run ---------------------------------------


@contextlib.contextmanager
def postgres_schema(url: str) -> Iterator[str | None]:
    """Yield a URL whose search_path is a new, empty schema; None if unreachable."""
    schema = f"kraken_bench_{os.getpid()}"
    admin = sa.create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        print(f"PostgreSQL skipped: unreachable ({str(exc.orig).splitlines()[0]})")
        yield None
        return
    try:
        yield f"{url}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


# -- output ---------------------------------------------------------------------


COLUMNS = (
    ("target", "{}"),
    ("req/s", "{:.0f}"),
    ("p50 ms", "{:.1f}"),
    ("p99 ms", "{:.1f}"),
    ("202", "{}"),
    ("200 dup", "{}"),
    ("errors", "{}"),
    ("srv CPU us/req", "{:.0f}"),
    ("req/s per core", "{:.0f}"),
    ("stored", "{}"),
    ("lost", "{}"),
    ("commits", "{}"),
    ("ev/commit", "{:.1f}"),
)


LEGEND = """\
req/s: measured through the load generator, which is itself the ceiling row's
limit; srv CPU us/req: server process CPU (all threads) per request;
req/s per core: 1e6 / that, what one core could serve at that cost.
stored: rows read back after SIGKILL of the server; lost: 202-answered alerts
missing from them (must be 0). commits, ev/commit: from Kraken's /metrics
(kraken_ingest_commit_batch_size)."""


def render(outcomes: list[Outcome]) -> str:
    rows = [[title for title, _ in COLUMNS]]
    for o in outcomes:
        values = (
            o.target,
            o.rate,
            o.p50_ms,
            o.p99_ms,
            o.accepted,
            o.duplicates,
            o.errors,
            o.server_cpu_us,
            o.core_capacity,
            o.stored,
            o.missing_after_kill,
            o.batches,
            o.mean_batch,
        )
        rows.append(
            [
                "-" if v is None else fmt.format(v)
                for v, (_, fmt) in zip(values, COLUMNS, strict=True)
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = [
        "  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in rows
    ]
    return "\n".join(lines)


# -- main -------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--json", action="store_true", help="end with a JSON line")
    return parser.parse_args(argv)


async def run(args: argparse.Namespace, workdir: Path) -> list[Outcome]:
    load = make_load(args.requests, args.seed)
    bare_db = workdir / "bare.db"
    with sqlite3.connect(bare_db) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(BARE_SCHEMA)
    targets = [
        Target("ceiling (no storage)", "ceiling", ""),
        Target("bare-sqlite", "bare", str(bare_db)),
        Target("kraken-sqlite", "kraken", f"sqlite:///{workdir / 'kraken.db'}"),
    ]
    outcomes = [await run_target(t, load, args.concurrency) for t in targets]
    if not args.no_postgres:
        with postgres_schema(args.postgres_url) as pg_url:
            if pg_url is not None:
                target = Target("kraken-postgres", "kraken", pg_url)
                outcomes.append(await run_target(target, load, args.concurrency))
    return outcomes


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    print(
        f"ingest: {args.requests} OpsGenie Create webhooks "
        f"(~{REDELIVERY_SHARE:.0%} redeliveries), concurrency {args.concurrency}, "
        f"{os.cpu_count()} cores; server and load generator in separate processes"
    )
    with tempfile.TemporaryDirectory(prefix="kraken-ingest-bench-") as tmp:
        outcomes = asyncio.run(run(args, Path(tmp)))
    print(render(outcomes))
    print(LEGEND)
    if args.json:
        print(json.dumps([_as_json(o) for o in outcomes]))


def _as_json(outcome: Outcome) -> dict[str, Any]:
    derived = {"rate": outcome.rate, "core_capacity": outcome.core_capacity}
    return asdict(outcome) | derived


if __name__ == "__main__":
    main()
