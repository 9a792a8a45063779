"""Where each poller left off, so a restart resumes instead of re-reading.

Set the cursor in the same transaction that accepts the polled events: then a
crash either keeps both or neither, and nothing is skipped.
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kraken.store.schema import poll_cursors
from kraken.store.upsert import dialect_insert


def get_cursor(conn: Connection, name: str) -> str | None:
    """The saved cursor for poller `name`, or None before its first poll."""
    query = sa.select(poll_cursors.c.value).where(poll_cursors.c.name == name)
    value: str | None = conn.execute(query).scalar_one_or_none()
    return value


def set_cursor(conn: Connection, name: str, value: str) -> None:
    """Save the cursor for poller `name`, replacing any earlier one."""
    now = time.time()
    insert = dialect_insert(conn, poll_cursors).values(
        name=name, value=value, updated_at=now
    )
    conn.execute(
        insert.on_conflict_do_update(
            index_elements=[poll_cursors.c.name],
            set_={"value": value, "updated_at": now},
        )
    )
