"""A worker killed after ServiceNow accepted a create, but before Kraken
recorded it, must not file a second incident when the job runs again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from sqlalchemy import select

from kraken.demo.config import demo_config
from kraken.sim.server import start_sim_in_thread
from kraken.sim.settings import SimSettings
from kraken.store import (
    NewEvent,
    accept_events,
    create_engine_for,
    find_ticket,
    upgrade,
)
from kraken.store.schema import jobs

pytestmark = pytest.mark.slow
ALERT_ID = "5f0c7c64-crash-test-alert-1637756080926"


@pytest.fixture
def sim() -> Iterator[str]:
    settings = SimSettings(redelivery_rate=0.0, servicenow_create_response_delay_s=3.0)
    url, stop = start_sim_in_thread(settings)
    yield url
    stop()


def write_config(tmp_path: Path, sim_url: str) -> tuple[Path, str]:
    db_url = f"sqlite:///{tmp_path / 'kraken.db'}"
    config = demo_config(
        database_url=db_url, opsgenie_url=sim_url, servicenow_url=sim_url
    )
    # A short lease, so the restarted worker reclaims the killed worker's job soon.
    config["worker"].update(lease_seconds=1.0, poll_interval_seconds=0.05)
    path = tmp_path / "kraken.yaml"
    path.write_text(yaml.safe_dump(config))
    return path, db_url


def start_worker(config: Path, log: Path) -> subprocess.Popen[bytes]:
    sim = SimSettings()
    env = {
        **os.environ,
        "KRAKEN_WEBHOOK_TOKEN": "unused-here",
        "KRAKEN_OPSGENIE_API_KEY": sim.opsgenie_api_key,
        "KRAKEN_SERVICENOW_PASSWORD": sim.servicenow_password,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "kraken", "worker", "--config", str(config)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )


def incidents(sim_url: str) -> list[dict[str, Any]]:
    found = httpx.get(f"{sim_url}/_sim/servicenow/incidents").json()["incidents"]
    return [i for i in found if i.get("correlation_id") == f"opsgenie:{ALERT_ID}"]


def wait_for(predicate: Any, log: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"not reached in time; worker log:\n{log.read_text()}")


def test_sigkill_between_create_and_record_files_one_incident(sim, tmp_path) -> None:
    config, db_url = write_config(tmp_path, sim)
    engine = create_engine_for(db_url)
    upgrade(engine)
    payload = {
        "action": "Create",
        "alert": {
            "alertId": ALERT_ID,
            "message": "Credential dumping on ws-7",
            "tags": ["edr", "high"],
            "priority": "P2",
            "source": "crowdstrike",
            "entity": "ws-7",
            "tinyId": "9",
        },
    }
    event = NewEvent(
        provider="opsgenie",
        idempotency_key=f"opsgenie:{ALERT_ID}:Create",
        alert_id=ALERT_ID,
        action="Create",
        payload=payload,
        received_at=time.time(),
    )
    with engine.begin() as conn:
        (accepted,) = accept_events(conn, [event], max_attempts=5)

    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    first = start_worker(config, first_log)
    try:
        # ServiceNow stores the incident at once but holds its answer back.
        wait_for(lambda: len(incidents(sim)) == 1, first_log)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    with engine.connect() as conn:
        assert find_ticket(conn, f"opsgenie:{ALERT_ID}") is None  # never recorded
        state = conn.execute(select(jobs.c.state).where(jobs.c.id == accepted.job_id))
        assert state.scalar_one() == "running"  # still leased by the dead worker

    httpx.post(f"{sim}/_sim/settings", json={"servicenow_create_response_delay_s": 0})
    second = start_worker(config, second_log)
    try:

        def settled() -> bool:
            with engine.connect() as conn:
                row = conn.execute(
                    select(jobs.c.state).where(jobs.c.id == accepted.job_id)
                )
                return row.scalar_one() == "done"

        wait_for(settled, second_log)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(15)

    assert len(incidents(sim)) == 1
    with engine.connect() as conn:
        ticket = find_ticket(conn, f"opsgenie:{ALERT_ID}")
    assert ticket is not None
    assert ticket.number == incidents(sim)[0]["number"]
    assert second.returncode == 0
    engine.dispose()
