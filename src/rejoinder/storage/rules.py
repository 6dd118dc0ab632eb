"""Moderator-defined site rules (blocked and allowed e-mails, IP ranges, URL patterns, words)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, insert, select

from rejoinder.storage.schema import site_rules


@dataclass(frozen=True, slots=True)
class RuleRow:
    id: int
    site_url: str
    kind: str
    effect: str
    value: str
    note: str
    created_at: datetime


def _row(r: object) -> RuleRow:
    m = r._mapping  # type: ignore[attr-defined]
    return RuleRow(
        m["id"], m["site_url"], m["kind"], m["effect"], m["value"], m["note"], m["created_at"]
    )


def add_rule(
    conn: Connection, site_url: str, kind: str, effect: str, value: str, note: str, now: datetime
) -> int | None:
    """Insert a rule; None when the same rule already exists."""
    exists = conn.execute(
        select(site_rules.c.id).where(
            site_rules.c.site_url == site_url,
            site_rules.c.kind == kind,
            site_rules.c.effect == effect,
            site_rules.c.value == value,
        )
    ).first()
    if exists is not None:
        return None
    result = conn.execute(
        insert(site_rules)
        .values(site_url=site_url, kind=kind, effect=effect, value=value, note=note, created_at=now)
        .returning(site_rules.c.id)
    )
    return int(result.scalar_one())


def rules_for(conn: Connection, site_url: str | None) -> list[RuleRow]:
    query = select(site_rules).order_by(site_rules.c.id)
    if site_url is not None:
        query = query.where(site_rules.c.site_url == site_url)
    return [_row(r) for r in conn.execute(query)]


def remove_rule(conn: Connection, rule_id: int) -> bool:
    return bool(conn.execute(delete(site_rules).where(site_rules.c.id == rule_id)).rowcount)
