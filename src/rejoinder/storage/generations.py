"""Generations of tables that every worker process mirrors in memory.

Workers pull rows that were *added or changed* since their last refresh (by an ``updated_ts``
column), which cannot show a row that was *deleted*. So whoever deletes rows from a mirrored
table (an erase request) bumps its generation in the same transaction; a worker that reads a
generation different from the one it loaded reloads the table from scratch. The row holds a
counter only, never what was deleted.
"""

from __future__ import annotations

import time
from enum import StrEnum

from sqlalchemy import Connection, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from rejoinder.storage.schema import cache_generations as table


class Cached(StrEnum):
    """The mirrored tables."""

    REPUTATION = "reputation"
    NEAR_DUPLICATES = "near_duplicates"


def current(conn: Connection, name: Cached) -> int:
    """The generation of one table (0 before the first deletion)."""
    found = conn.execute(select(table.c.generation).where(table.c.name == name.value)).scalar()
    return int(found or 0)


def bump(conn: Connection, name: Cached) -> int:
    """Count one deletion round, in the caller's transaction; returns the new generation."""
    now = time.time()
    maker = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    stmt = maker(table).values(name=name.value, generation=1, changed_ts=now)
    stmt = stmt.on_conflict_do_update(
        index_elements=["name"],
        set_={"generation": table.c.generation + 1, "changed_ts": now},
    )
    conn.execute(stmt)
    return current(conn, name)
