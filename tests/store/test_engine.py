from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Engine

from kraken.errors import ConfigError, StoreError
from kraken.store import (
    DATABASE_URL_ENV,
    create_engine_for,
    resolve_database_url,
    store_errors,
    transaction,
    upgrade,
)
from kraken.store.schema import metadata


def test_environment_url_beats_configured_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DATABASE_URL_ENV, "sqlite:///from-env.db")
    assert resolve_database_url("sqlite:///from-config.db") == "sqlite:///from-env.db"


def test_configured_url_used_when_environment_unset(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
    assert resolve_database_url("sqlite:///cfg.db") == "sqlite:///cfg.db"


def test_default_url_is_local_sqlite(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DATABASE_URL_ENV, "  ")
    assert resolve_database_url(None) == "sqlite:///kraken.db"
    assert resolve_database_url("") == "sqlite:///kraken.db"


def test_plain_postgresql_url_uses_psycopg_driver() -> None:
    engine = create_engine_for("postgresql://kraken@127.0.0.1:5432/kraken")
    assert engine.url.drivername == "postgresql+psycopg"
    engine.dispose()


def test_unsupported_backend_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unsupported backend 'mysql'"):
        create_engine_for("mysql://root:hunter22@db/kraken")


def test_malformed_url_error_does_not_echo_the_url() -> None:
    with pytest.raises(ConfigError) as info:
        create_engine_for("not a url with hunter22")
    assert "hunter22" not in str(info.value)


def test_sqlite_connections_use_wal_and_foreign_keys(sqlite_engine: Engine) -> None:
    with sqlite_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_sqlite_transaction_takes_write_lock_up_front(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    other = sqlite3.connect(tmp_path / "kraken.db", timeout=0, isolation_level=None)
    try:
        # Nothing is executed inside begin(), and still no other writer may start.
        with (
            sqlite_engine.begin(),
            pytest.raises(sqlite3.OperationalError, match="locked"),
        ):
            other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
    finally:
        other.close()


def test_sqlite_read_only_transaction_leaves_writers_free(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    other = sqlite3.connect(tmp_path / "kraken.db", timeout=0, isolation_level=None)
    try:
        with transaction(sqlite_engine, read_only=True) as conn:
            conn.execute(sa.text("SELECT count(*) FROM jobs")).scalar()
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
    finally:
        other.close()


def test_upgrade_twice_on_sqlite_is_harmless(sqlite_engine: Engine) -> None:
    upgrade(sqlite_engine)
    _assert_schema_matches_metadata(sqlite_engine)


@pytest.mark.postgres
def test_upgrade_twice_on_postgres_is_harmless(postgres_engine: Engine) -> None:
    upgrade(postgres_engine)
    _assert_schema_matches_metadata(postgres_engine)


def _assert_schema_matches_metadata(engine: Engine) -> None:
    with engine.connect() as conn:
        version = conn.execute(sa.text("SELECT version_num FROM alembic_version"))
        assert version.scalars().all() == ["0001"]
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []


def test_unreachable_postgres_raises_store_error_without_password() -> None:
    engine = create_engine_for("postgresql://kraken:s3cret-pw@127.0.0.1:1/kraken")
    try:
        with pytest.raises(StoreError) as info:
            upgrade(engine)
    finally:
        engine.dispose()
    assert "database unavailable" in str(info.value)
    assert "s3cret-pw" not in str(info.value)
    assert info.value.exit_code == 75


def test_unopenable_sqlite_file_raises_store_error(tmp_path: Path) -> None:
    engine = create_engine_for(f"sqlite:///{tmp_path / 'missing-dir' / 'k.db'}")
    with pytest.raises(StoreError, match="unable to open database file"):
        upgrade(engine)
    engine.dispose()


def test_store_errors_keeps_integrity_errors_as_they_are(
    sqlite_engine: Engine,
) -> None:
    insert = sa.text(
        "INSERT INTO poll_cursors (name, value, updated_at) VALUES ('a', 'b', 0)"
    )
    with (
        pytest.raises(sa.exc.IntegrityError),
        store_errors(),
        sqlite_engine.begin() as conn,
    ):
        conn.execute(insert)
        conn.execute(insert)
