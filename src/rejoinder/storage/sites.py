"""Sites and API keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from rejoinder.storage.schema import api_key_sites, api_keys, sites


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
