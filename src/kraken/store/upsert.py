"""The dialect-specific INSERT that knows ON CONFLICT.

SQLite and PostgreSQL spell ON CONFLICT the same way but SQLAlchemy keeps it in
each dialect's own insert construct; repositories pick it here and stay
backend-neutral.
"""

from __future__ import annotations

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection


def dialect_insert(conn: Connection, table: Table) -> postgresql.Insert | sqlite.Insert:
    """An INSERT into `table` for `conn`'s dialect, with ON CONFLICT support."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    if conn.dialect.name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"no upsert for dialect {conn.dialect.name}")
