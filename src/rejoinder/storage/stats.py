"""Per-site daily counters (``daily_stats``): what happened to comments, counted as it happens.

Every comment the platform stores or discards and every Akismet check adds one to its outcome;
a moderator's or a reporter's correction adds a missed spam or a false positive. The Stats page
and the daily digest read a few rows per site and day instead of scanning comments, and the
counts outlive the retention purge of the comments themselves.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, bindparam, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from rejoinder.storage.schema import daily_stats


class Counter(StrEnum):
    PUBLISHED = "published"
    HELD = "held"
    SPAM = "spam"
    DISCARDED = "discarded"
    MISSED_SPAM = "missed_spam"
    FALSE_POSITIVES = "false_positives"


COUNTERS = tuple(c.value for c in Counter)
# An Akismet check's action → the counter it adds to.
ACTION_COUNTER = {
    "accept": Counter.PUBLISHED,
    "hold": Counter.HELD,
    "spam": Counter.SPAM,
    "discard": Counter.DISCARDED,
}


def day_of(moment: datetime | date) -> str:
    return moment.strftime("%Y-%m-%d")


_UPSERTS: dict[str, Any] = {}


def _upsert(dialect: str) -> Any:
    if dialect not in _UPSERTS:
        maker = pg_insert if dialect == "postgresql" else sqlite_insert
        stmt = maker(daily_stats).values({c.name: bindparam(c.name) for c in daily_stats.c})
        _UPSERTS[dialect] = stmt.on_conflict_do_update(
            index_elements=["site_url", "day"],
            set_={c: daily_stats.c[c] + stmt.excluded[c] for c in COUNTERS},
        )
    return _UPSERTS[dialect]


def bump(conn: Connection, site_url: str, day: str, deltas: dict[Counter, int]) -> None:
    """Add to a site's counters for a day (INSERT … ON CONFLICT DO UPDATE on both dialects)."""
    if not any(deltas.values()):
        return
    values = {c.value: deltas.get(c, 0) for c in Counter}
    conn.execute(_upsert(conn.dialect.name), {"site_url": site_url, "day": day, **values})


@dataclass(frozen=True, slots=True)
class DayCounts:
    day: str
    published: int = 0
    held: int = 0
    spam: int = 0
    discarded: int = 0
    missed_spam: int = 0
    false_positives: int = 0

    @property
    def total(self) -> int:
        return self.published + self.held + self.spam + self.discarded

    @property
    def errors(self) -> int:
        return self.missed_spam + self.false_positives

    @property
    def accuracy(self) -> float | None:
        """The share the engine got right (misses and false positives are what people
        corrected); None on a day without comments."""
        if not self.total:
            return None
        return max(0.0, 1.0 - self.errors / self.total)

    def as_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {"day": self.day, **{c: getattr(self, c) for c in COUNTERS}}
        found["accuracy"] = None if self.accuracy is None else round(self.accuracy, 4)
        return found


def days(conn: Connection, site_urls: Collection[str], first: str, last: str) -> list[DayCounts]:
    """The counters per day from ``first`` to ``last`` (inclusive), the sites added up; only
    days with a row (the caller fills the gaps)."""
    if not site_urls:
        return []
    rows = conn.execute(
        select(daily_stats.c.day, *(func.sum(daily_stats.c[c]) for c in COUNTERS))
        .where(
            daily_stats.c.site_url.in_(list(site_urls)),
            daily_stats.c.day >= first,
            daily_stats.c.day <= last,
        )
        .group_by(daily_stats.c.day)
        .order_by(daily_stats.c.day)
    ).all()
    return [DayCounts(r[0], *(int(v or 0) for v in r[1:])) for r in rows]
