"""Connect to the store: pick the URL, tune the engine, migrate, translate errors.

SQLite is the one-machine default; PostgreSQL is for many workers on many
machines. Everything above this module talks SQLAlchemy Core and never needs
to know which one it got, except for the two tuning choices made here.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, InterfaceError, OperationalError
from sqlalchemy.pool import ConnectionPoolEntry

from kraken.errors import ConfigError, StoreError
from kraken.logs import get_logger, redact, register_secret

DATABASE_URL_ENV: Final = "KRAKEN_DATABASE_URL"
DEFAULT_DATABASE_URL: Final = "sqlite:///kraken.db"

# Claim transactions hold the write lock for milliseconds; a generous wait
# turns a burst of contention into latency instead of "database is locked".
SQLITE_BUSY_TIMEOUT_MS: Final = 10_000

# Execution option that lets a read-only unit of work skip the up-front
# write lock on SQLite (WAL readers never block writers, so why queue them).
READ_ONLY: Final = "kraken_read_only"

# Any constant works; it only has to be the same in every Kraken process.
_MIGRATION_LOCK_KEY: Final = 0x4B52414B454E  # "KRAKEN"
_MIGRATIONS_DIR: Final = Path(__file__).resolve().parent / "migrations"

log = get_logger(__name__)


def resolve_database_url(configured: str | None) -> str:
    """The URL to use: the environment beats the config file beats the default.

    The environment wins so an operator can point a packaged config at another
    database (a systemd drop-in, a test run) without editing the file.
    """
    from_env = os.environ.get(DATABASE_URL_ENV, "").strip()
    if from_env:
        return from_env
    if configured and configured.strip():
        return configured.strip()
    return DEFAULT_DATABASE_URL


def create_engine_for(url: str) -> Engine:
    """An engine tuned for Kraken's workload on SQLite or PostgreSQL.

    `postgresql://` and `postgres://` are mapped to the psycopg 3 driver, the
    only PostgreSQL driver Kraken ships. Any other backend is a config error.
    """
    parsed = _parse_url(url)
    if parsed.password:
        register_secret(parsed.password)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(parsed)
    if backend in {"postgresql", "postgres"}:
        return _postgres_engine(parsed)
    raise ConfigError(
        [f"database.url: unsupported backend {backend!r}; use sqlite or postgresql"]
    )


def _parse_url(url: str) -> URL:
    try:
        return make_url(url)
    except ArgumentError:
        # The URL is never echoed back: it may carry a password.
        raise ConfigError(
            [
                "database.url: not a database URL (expected sqlite:///... "
                "or postgresql://...)"
            ]
        ) from None


def _sqlite_engine(url: URL) -> Engine:
    if url.drivername not in {"sqlite", "sqlite+pysqlite"}:
        raise ConfigError(
            [f"database.url: unsupported SQLite driver {url.drivername!r}"]
        )
    engine = sa.create_engine(url)
    event.listen(engine, "connect", _on_sqlite_connect)
    event.listen(engine, "begin", _on_sqlite_begin)
    return engine


def _on_sqlite_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # Hand transaction control to SQLAlchemy (the documented pysqlite recipe):
    # sqlite3 would otherwise start transactions lazily and DEFERRED, so two
    # claimers could both read, then both fail to upgrade to a write lock.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        # NORMAL is durable across application crashes in WAL mode; only an
        # OS crash or power loss can lose the last commits, and it costs one
        # fsync per checkpoint instead of one per commit.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def _on_sqlite_begin(conn: Connection) -> None:
    # Take the write lock up front so a transaction never has to upgrade a
    # read lock mid-way, which SQLite answers with SQLITE_BUSY and no wait.
    if conn.get_execution_options().get(READ_ONLY):
        conn.exec_driver_sql("BEGIN")
    else:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _postgres_engine(url: URL) -> Engine:
    if url.drivername in {"postgresql", "postgres", "postgresql+psycopg"}:
        url = url.set(drivername="postgresql+psycopg")
    else:
        raise ConfigError(
            [
                f"database.url: unsupported PostgreSQL driver {url.drivername!r}; "
                "use postgresql:// (psycopg 3)"
            ]
        )
    try:
        # pool_pre_ping: a failover or idle-timeout on the server must cost a
        # reconnect, not a failed job.
        return sa.create_engine(url, pool_pre_ping=True)
    except ImportError as exc:
        raise ConfigError(
            ["database.url: PostgreSQL needs psycopg; install kraken-soc[postgres]"]
        ) from exc


@contextmanager
def store_errors() -> Iterator[None]:
    """Turn the driver's "database unavailable" errors into `StoreError`.

    Only operational failures are translated (unreachable server, locked or
    unopenable file, dropped connection): they are what an operator can fix
    and what a worker may retry. Integrity and programming errors are bugs
    and keep their own type.
    """
    try:
        yield
    except DBAPIError as exc:
        if isinstance(exc, OperationalError | InterfaceError):
            raise StoreError(_describe(exc.orig or exc)) from exc
        raise
    except sqlite3.OperationalError as exc:
        raise StoreError(_describe(exc)) from exc
    except Exception as exc:
        if _is_psycopg_operational(exc):
            raise StoreError(_describe(exc)) from exc
        raise


def _is_psycopg_operational(exc: BaseException) -> bool:
    try:
        import psycopg
    except ImportError:  # optional dependency; no psycopg, no psycopg errors
        return False
    return isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError)


def _describe(exc: BaseException) -> str:
    # First line only: drivers append hints and SQL that help nobody at 3 a.m.
    # redact() masks any password registered by create_engine_for().
    lines = str(exc).strip().splitlines()
    text = lines[0] if lines else type(exc).__name__
    return redact(f"database unavailable: {text}")


@contextmanager
def transaction(engine: Engine, *, read_only: bool = False) -> Iterator[Connection]:
    """`engine.begin()` with driver errors translated to `StoreError`.

    `read_only=True` skips SQLite's up-front write lock; use it only for work
    that never writes.
    """
    with store_errors():
        conn = engine.connect()
        try:
            if read_only:
                conn = conn.execution_options(**{READ_ONLY: True})
            with conn.begin():
                yield conn
        finally:
            conn.close()


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration; safe to call at every start.

    The migration scripts ship inside the package, so no alembic.ini is
    needed. On PostgreSQL an advisory lock makes several processes starting
    together migrate one after another instead of racing; on SQLite the
    up-front write lock does the same.
    """
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    with transaction(engine) as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(
                sa.text("SELECT pg_advisory_xact_lock(:key)"),
                {"key": _MIGRATION_LOCK_KEY},
            )
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    log.info("store.migrated", backend=engine.dialect.name)
