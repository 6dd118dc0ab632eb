"""Sites and API keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from rejoinder.storage.schema import (
    api_key_sites,
    api_keys,
    checks,
    comments,
    daily_stats,
    moderator_roles,
    site_rules,
    sites,
    threads,
    usage,
    webhooks,
)


@dataclass(frozen=True, slots=True)
class SiteRow:
    id: int
    url: str
    name: str
    threshold_hold: float | None
    threshold_spam: float | None
    threshold_discard: float | None


@dataclass(frozen=True, slots=True)
class KeyRow:
    id: int
    hint: str
    label: str
    created_at: datetime
    revoked_at: datetime | None
    site_urls: tuple[str, ...]

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def _site(row: object) -> SiteRow:
    m = row._mapping  # type: ignore[attr-defined]
    return SiteRow(
        m["id"],
        m["url"],
        m["name"],
        m["threshold_hold"],
        m["threshold_spam"],
        m["threshold_discard"],
    )


def site_by_url(conn: Connection, url: str) -> SiteRow | None:
    row = conn.execute(select(sites).where(sites.c.url == url)).first()
    return _site(row) if row else None


def site_by_id(conn: Connection, site_id: int) -> SiteRow | None:
    row = conn.execute(select(sites).where(sites.c.id == site_id)).first()
    return _site(row) if row else None


def list_sites(conn: Connection) -> list[SiteRow]:
    return [_site(r) for r in conn.execute(select(sites).order_by(sites.c.id))]


def add_site(conn: Connection, url: str, name: str, now: datetime) -> SiteRow:
    conn.execute(insert(sites).values(url=url, name=name, created_at=now))
    found = site_by_url(conn, url)
    assert found is not None
    return found


def set_thresholds(
    conn: Connection, site_id: int, hold: float | None, spam: float | None, discard: float | None
) -> None:
    """Store a site's own thresholds; None means "use the global setting"."""
    conn.execute(
        update(sites)
        .where(sites.c.id == site_id)
        .values(threshold_hold=hold, threshold_spam=spam, threshold_discard=discard)
    )


def key_exists(conn: Connection, key_hash: str) -> bool:
    return (
        conn.execute(select(api_keys.c.id).where(api_keys.c.key_hash == key_hash)).first()
        is not None
    )


def add_key(
    conn: Connection, key_hash: str, hint: str, label: str, site_ids: list[int], now: datetime
) -> int:
    key_id = conn.execute(
        insert(api_keys)
        .values(key_hash=key_hash, hint=hint, label=label, created_at=now)
        .returning(api_keys.c.id)
    ).scalar_one()
    for site_id in site_ids:
        conn.execute(insert(api_key_sites).values(key_id=key_id, site_id=site_id))
    return int(key_id)


def _key_sites(conn: Connection, key_id: int) -> tuple[str, ...]:
    rows = conn.execute(
        select(sites.c.url)
        .join(api_key_sites, api_key_sites.c.site_id == sites.c.id)
        .where(api_key_sites.c.key_id == key_id)
    )
    return tuple(sorted(r[0] for r in rows))


def key_by_hash(conn: Connection, key_hash: str) -> KeyRow | None:
    row = conn.execute(select(api_keys).where(api_keys.c.key_hash == key_hash)).first()
    if row is None:
        return None
    m = row._mapping
    return KeyRow(
        m["id"], m["hint"], m["label"], m["created_at"], m["revoked_at"], _key_sites(conn, m["id"])
    )


def list_keys(conn: Connection) -> list[KeyRow]:
    rows = conn.execute(select(api_keys).order_by(api_keys.c.id)).all()
    return [
        KeyRow(r.id, r.hint, r.label, r.created_at, r.revoked_at, _key_sites(conn, r.id))
        for r in rows
    ]


def revoke_key(conn: Connection, key_hash: str, now: datetime) -> bool:
    result = conn.execute(
        update(api_keys)
        .where(api_keys.c.key_hash == key_hash, api_keys.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return result.rowcount > 0


# --- removing a site --------------------------------------------------------------------------
LABELS = {
    "checks": "Akismet check records",
    "usage": "monthly usage counters",
    "site_rules": "site rules",
    "daily_stats": "days of statistics",
}


def _by_url_tables() -> list[Any]:
    """Tables that name a site by URL, not by a foreign key (so no cascade reaches them)."""
    return [checks, usage, site_rules, daily_stats]


def _only_this_site_keys(conn: Connection, site_id: int) -> list[int]:
    """Active keys limited to this one site: without it they would be valid for every site."""
    mine = select(api_key_sites.c.key_id).where(api_key_sites.c.site_id == site_id)
    others = select(api_key_sites.c.key_id).where(api_key_sites.c.site_id != site_id)
    rows = conn.execute(
        select(api_keys.c.id).where(
            api_keys.c.id.in_(mine), api_keys.c.id.not_in(others), api_keys.c.revoked_at.is_(None)
        )
    )
    return [int(r[0]) for r in rows]


def footprint(conn: Connection, site: SiteRow) -> dict[str, int]:
    """What removing the site deletes, counted: the confirmation prompt shows it."""

    def count(table: Any, where: Any) -> int:
        return int(conn.execute(select(func.count()).select_from(table).where(where)).scalar_one())

    own_threads = select(threads.c.id).where(threads.c.site_id == site.id)
    found = {
        "threads": count(threads, threads.c.site_id == site.id),
        "comments": count(comments, comments.c.thread_id.in_(own_threads)),
        "moderator roles": count(moderator_roles, moderator_roles.c.site_id == site.id),
        "webhooks": count(webhooks, webhooks.c.site_id == site.id),
    }
    for table in _by_url_tables():
        found[LABELS[table.name]] = count(table, table.c.site_url == site.url)
    found["API keys limited to it (revoked, not deleted)"] = len(
        _only_this_site_keys(conn, site.id)
    )
    return found


def remove_site(conn: Connection, site: SiteRow, now: datetime) -> dict[str, int]:
    """Delete a site and everything kept for it; keys limited to it alone are revoked.

    Threads, comments, the policy, roles, webhooks and their deliveries and the moderation log
    go by ``ON DELETE CASCADE``; rows that name the site by URL are deleted here."""
    found = footprint(conn, site)
    revoke = _only_this_site_keys(conn, site.id)
    if revoke:
        conn.execute(update(api_keys).where(api_keys.c.id.in_(revoke)).values(revoked_at=now))
    for table in _by_url_tables():
        conn.execute(delete(table).where(table.c.site_url == site.url))
    conn.execute(delete(sites).where(sites.c.id == site.id))
    return found
