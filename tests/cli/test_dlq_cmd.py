from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy.engine import Engine

from kraken.cli import main
from kraken.cli.dlq_cmd import dlq
from kraken.store import (
    DATABASE_URL_ENV,
    JobQueue,
    JobState,
    NewEvent,
    accept_events,
    create_engine_for,
    upgrade,
)


@pytest.fixture(autouse=True)
def _no_database_url_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DATABASE_URL_ENV, raising=False)


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'kraken.db'}"


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = create_engine_for(db_url)
    upgrade(engine)
    yield engine
    engine.dispose()


def _dead_jobs(engine: Engine, count: int) -> list[int]:
    batch = [
        NewEvent(
            "opsgenie",
            f"og:alert-{n}:Create",
            f"alert-{n}",
            "Create",
            {"alert": {"alertId": f"alert-{n}", "tags": ["siem", "high"]}},
            1.0,
        )
        for n in range(count)
    ]
    with engine.begin() as conn:
        accept_events(conn, batch)
    queue = JobQueue(engine)
    jobs = queue.claim("w1", count)
    for job in jobs:
        queue.dead_letter(
            job.id, "w1", error="ticket is missing required fields: caller_id"
        )
    return [job.id for job in jobs]


def _run(*args: str) -> Result:
    return CliRunner().invoke(dlq, list(args))


def _state(engine: Engine, job_id: int) -> str:
    job = JobQueue(engine).get(job_id)
    assert job is not None
    return job.state


def test_list_on_a_fresh_database_says_it_is_empty(db_url: str) -> None:
    result = _run("list", "--database-url", db_url)
    assert result.exit_code == 0, result.output
    assert "No dead-lettered jobs." in result.output


def test_list_shows_dead_jobs_in_a_table(engine: Engine, db_url: str) -> None:
    _dead_jobs(engine, 2)
    result = _run("list", "--database-url", db_url)
    assert result.exit_code == 0, result.output
    assert "alert-0" in result.output and "alert-1" in result.output
    assert "ticket is missing" in result.output
    assert "1/5" in result.output


def test_list_json_is_machine_readable(engine: Engine, db_url: str) -> None:
    job_ids = _dead_jobs(engine, 2)
    result = _run("list", "--json", "--database-url", db_url)
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    assert sorted(item["id"] for item in listed) == job_ids
    assert {item["state"] for item in listed} == {"dead"}


def test_show_prints_error_and_payload(engine: Engine, db_url: str) -> None:
    [job_id] = _dead_jobs(engine, 1)
    result = _run("show", str(job_id), "--database-url", db_url)
    assert result.exit_code == 0, result.output
    assert "caller_id" in result.output
    assert '"alertId": "alert-0"' in result.output


def test_show_json_includes_the_payload(engine: Engine, db_url: str) -> None:
    [job_id] = _dead_jobs(engine, 1)
    result = _run("show", str(job_id), "--json", "--database-url", db_url)
    shown = json.loads(result.stdout)
    assert shown["id"] == job_id
    assert shown["payload"]["alert"]["tags"] == ["siem", "high"]


def test_show_unknown_job_fails_clearly(db_url: str) -> None:
    result = _run("show", "404", "--database-url", db_url)
    assert result.exit_code == 1
    assert "no job with id 404" in result.output


def test_replay_makes_dead_jobs_pending_again(engine: Engine, db_url: str) -> None:
    first, second = _dead_jobs(engine, 2)
    result = _run("replay", str(first), "--database-url", db_url)
    assert result.exit_code == 0, result.output
    assert f"Replayed 1 job(s): {first}" in result.output
    assert _state(engine, first) == JobState.PENDING
    assert _state(engine, second) == JobState.DEAD


def test_replay_with_an_unknown_id_changes_nothing(engine: Engine, db_url: str) -> None:
    [job_id] = _dead_jobs(engine, 1)
    result = _run("replay", str(job_id), "999", "--database-url", db_url)
    assert result.exit_code == 1
    assert "no job with id 999" in result.output
    assert "nothing changed" in result.output
    assert _state(engine, job_id) == JobState.DEAD


def test_replay_all_replays_every_dead_job(engine: Engine, db_url: str) -> None:
    job_ids = _dead_jobs(engine, 3)
    result = _run("replay", "--all", "--database-url", db_url)
    assert result.exit_code == 0, result.output
    assert "Replayed 3 job(s)" in result.output
    assert {_state(engine, job_id) for job_id in job_ids} == {JobState.PENDING}


def test_replay_needs_ids_or_all_but_not_both(db_url: str) -> None:
    assert _run("replay", "--database-url", db_url).exit_code == 2
    assert _run("replay", "1", "--all", "--database-url", db_url).exit_code == 2


def test_drop_retires_dead_jobs(engine: Engine, db_url: str) -> None:
    job_ids = _dead_jobs(engine, 2)
    result = _run("drop", *map(str, job_ids), "--database-url", db_url)
    assert result.exit_code == 0, result.output
    assert {_state(engine, job_id) for job_id in job_ids} == {JobState.DROPPED}


def test_drop_refuses_a_job_that_is_not_dead(engine: Engine, db_url: str) -> None:
    [job_id] = _dead_jobs(engine, 1)
    JobQueue(engine).replay(job_id)
    result = _run("drop", str(job_id), "--database-url", db_url)
    assert result.exit_code == 1
    assert f"job {job_id} is pending, not dead" in result.output


def test_database_url_is_read_from_the_config_file(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    _dead_jobs(engine, 1)
    config = tmp_path / "kraken.yaml"
    config.write_text(f"database:\n  url: {db_url}\nroutes: []\n", encoding="utf-8")
    result = _run("list", "--config", str(config))
    assert "alert-0" in result.output


def test_environment_beats_config_and_flag_beats_both(
    engine: Engine, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _dead_jobs(engine, 1)
    empty_url = f"sqlite:///{tmp_path / 'empty.db'}"
    config = tmp_path / "kraken.yaml"
    config.write_text(f"database:\n  url: {empty_url}\n", encoding="utf-8")
    monkeypatch.setenv(DATABASE_URL_ENV, db_url)
    assert "alert-0" in _run("list", "--config", str(config)).output
    flagged = _run("list", "--config", str(config), "--database-url", empty_url)
    assert "No dead-lettered jobs." in flagged.output


def test_unreadable_config_is_a_config_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "broken.yaml"
    config.write_text("database: [unclosed\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        main(["dlq", "list", "--config", str(config)])
    assert exit_info.value.code == 78
    assert "cannot read YAML" in capsys.readouterr().err


def test_unreachable_database_exits_75_without_the_password(
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = "postgresql://kraken:s3cret-pw@127.0.0.1:1/kraken"
    with pytest.raises(SystemExit) as exit_info:
        main(["dlq", "list", "--database-url", url])
    assert exit_info.value.code == 75
    err = capsys.readouterr().err
    assert "database unavailable" in err
    assert "s3cret-pw" not in err


def test_help_explains_each_command() -> None:
    for command in ("list", "show", "replay", "drop"):
        result = _run(command, "--help")
        assert result.exit_code == 0
        assert "--database-url" in result.output
        assert "--config" in result.output
