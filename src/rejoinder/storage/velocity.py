"""Recent posts for the velocity signal: Akismet check records and comments from the widget.

Both sources are read the same way: rows with an id above a cursor and a time inside the
window, in id order (the primary key), and where the window starts through a time index
(``ix_checks_created_at``, ``ix_comments_created_at``). A widget comment has no check record
(the comment service asks the engine directly), so nothing is counted twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Select, func, select

from rejoinder.storage.schema import checks, comments, sites, threads


class Source(StrEnum):
    CHECKS = "checks"
    COMMENTS = "comments"


@dataclass(frozen=True, slots=True)
class PostEvent:
    id: int  # within its source
    site_url: str
    ip_prefix_hash: str | None
    fingerprint: str | None  # None for comments stored before fingerprints were
    at_ts: float


def _recent(source: Source) -> Select[Any]:
    if source is Source.CHECKS:
        c = checks.c
        return select(c.id, c.site_url, c.ip_prefix_hash, c.fingerprint, c.created_at)
    m = comments.c
    return (
        select(m.id, sites.c.url, m.ip_prefix_hash, m.fingerprint, m.created_at)
        .join(threads, threads.c.id == m.thread_id)
        .join(sites, sites.c.id == threads.c.site_id)
    )


def _table(source: Source) -> Any:
    return checks if source is Source.CHECKS else comments


def posts_since(
    conn: Connection, source: Source, *, after_id: int, since: datetime, limit: int
) -> list[PostEvent]:
    """Posts with ``id > after_id`` made at or after ``since``, oldest id first."""
    table = _table(source)
    rows = conn.execute(
        _recent(source)
        .where(table.c.id > after_id, table.c.created_at >= since)
        .order_by(table.c.id)
        .limit(limit)
    )
    return [PostEvent(int(r[0]), r[1], r[2], r[3], _ts(r[4])) for r in rows]


def first_id_since(conn: Connection, source: Source, since: datetime) -> int:
    """The id just before the first post made at or after ``since`` (uses the time index)."""
    table = _table(source)
    # ``id + 0``: otherwise SQLite answers min(id) by walking the table in id order from the
    # oldest row, instead of the few rows the time index finds
    first = select(func.min(table.c.id + 0)).where(table.c.created_at >= since)
    found = conn.execute(first).scalar()
    if found is None:
        last = conn.execute(select(func.max(table.c.id))).scalar()
        return int(last or 0)
    return int(found) - 1


def _ts(value: Any) -> float:
    if value.tzinfo is None:  # SQLite returns naive datetimes for timezone-aware columns
        value = value.replace(tzinfo=UTC)
    return float(value.timestamp())
