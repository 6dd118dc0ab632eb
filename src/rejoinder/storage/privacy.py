"""Queries behind privacy requests: request counters and reading a person's rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Table, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from rejoinder.storage.schema import privacy_rate_limits as limits


def bump_requests(conn: Connection, buckets: Sequence[str], window: datetime) -> dict[str, int]:
    """Count one request against each bucket in this window; returns the new counts."""
    maker = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    for bucket in buckets:
        stmt = maker(limits).values(bucket=bucket, window_start=window, count=1)
        stmt = stmt.on_conflict_do_update(
            index_elements=["bucket", "window_start"], set_={"count": limits.c.count + 1}
        )
        conn.execute(stmt)
    rows = conn.execute(
        select(limits.c.bucket, limits.c.count).where(
            limits.c.bucket.in_(list(buckets)), limits.c.window_start == window
        )
    )
    return {str(b): int(c) for b, c in rows}


def rows_where(
    conn: Connection, table: Table, where: ColumnElement[bool], limit: int
) -> list[dict[str, Any]]:
    pk = list(table.primary_key.columns)
    result = conn.execute(select(table).where(where).order_by(*pk).limit(limit))
    return [dict(r._mapping) for r in result]
