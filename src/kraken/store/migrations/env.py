"""Alembic's entry point: migrate over the connection `upgrade()` hands in.

Kraken never runs migrations from a URL in a config file: the caller already
holds a connection inside a transaction (and, on PostgreSQL, the migration
lock), so this script only has to use it.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from kraken.store.schema import metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds the table.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _main() -> None:
    connection = context.config.attributes.get("connection")
    if not isinstance(connection, Connection):
        raise RuntimeError(
            "run migrations with kraken.store.upgrade(engine), not the alembic CLI"
        )
    _run(connection)


_main()
