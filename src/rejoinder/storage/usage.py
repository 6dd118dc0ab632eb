"""Monthly per-key, per-site counters behind /1.2/usage-limit and /1.2/key-sites."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from rejoinder.storage.schema import api_key_sites, sites, usage

COUNTERS = ("api_calls", "spam", "ham", "missed_spam", "false_positives")
KEY_COLUMNS = ("key_id", "site_url", "month")


@dataclass(frozen=True, slots=True)
class SiteUsage:
    site: str
    api_calls: int
    spam: int
    ham: int
    missed_spam: int
    false_positives: int


_UPSERTS: dict[str, Any] = {}


def _upsert(dialect: str) -> Any:
    """INSERT … ON CONFLICT DO UPDATE adding to every counter, built once per dialect."""
    if dialect not in _UPSERTS:
        maker = pg_insert if dialect == "postgresql" else sqlite_insert
        stmt = maker(usage).values(
            {c.name: bindparam(c.name) for c in usage.c if c.name in (*KEY_COLUMNS, *COUNTERS)}
        )
        _UPSERTS[dialect] = stmt.on_conflict_do_update(
            index_elements=list(KEY_COLUMNS),
            set_={c: usage.c[c] + stmt.excluded[c] for c in COUNTERS},
        )
    return _UPSERTS[dialect]


def bump(conn: Connection, key_id: int, site_url: str, month: str, **deltas: int) -> None:
    """Add to counters atomically (INSERT … ON CONFLICT DO UPDATE, on both dialects)."""
    values = {c: deltas.get(c, 0) for c in COUNTERS}
    conn.execute(
        _upsert(conn.dialect.name),
        {"key_id": key_id, "site_url": site_url, "month": month, **values},
    )


def month_total(conn: Connection, key_id: int, month: str) -> int:
    total = conn.execute(
        select(func.coalesce(func.sum(usage.c.api_calls), 0)).where(
            usage.c.key_id == key_id, usage.c.month == month
        )
    ).scalar_one()
    return int(total)


def key_sites(conn: Connection, key_id: int, month: str) -> list[SiteUsage]:
    """Every site this key was used for in a month, plus its registered sites with zero use."""
    rows = conn.execute(
        select(usage.c.site_url, *(usage.c[c] for c in COUNTERS)).where(
            usage.c.key_id == key_id, usage.c.month == month
        )
    ).all()
    found = {r[0]: SiteUsage(r[0], *[int(v) for v in r[1:]]) for r in rows}
    registered = conn.execute(
        select(sites.c.url)
        .join(api_key_sites, api_key_sites.c.site_id == sites.c.id)
        .where(api_key_sites.c.key_id == key_id)
    ).scalars()
    for url in registered:
        found.setdefault(url, SiteUsage(url, 0, 0, 0, 0, 0))
    return list(found.values())


@dataclass(frozen=True, slots=True)
class MonthCounts:
    month: str
    spam: int
    ham: int
    missed_spam: int
    false_positives: int


def site_months(conn: Connection, site_url: str, first_month: str | None) -> list[MonthCounts]:
    """A site's counters per month (every key used for it added up), oldest first."""
    wanted = [usage.c.site_url == site_url]
    if first_month is not None:
        wanted.append(usage.c.month >= first_month)
    rows = conn.execute(
        select(
            usage.c.month,
            *(func.sum(usage.c[c]) for c in ("spam", "ham", "missed_spam", "false_positives")),
        )
        .where(*wanted)
        .group_by(usage.c.month)
        .order_by(usage.c.month)
    ).all()
    return [MonthCounts(r[0], *(int(v or 0) for v in r[1:])) for r in rows]
