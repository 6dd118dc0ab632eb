"""Akismet check records and the feedback (submit-spam/ham, moderator decisions) on them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import IntegrityError

from rejoinder.storage.schema import checks, feedback


@dataclass(frozen=True, slots=True)
class CheckRecord:
    """Everything stored for one comment-check (no raw IP or user agent)."""

    guid: str
    key_id: int | None
    site_url: str
    created_at: datetime
    is_test: bool
    comment_type: str
    author: str
    email: str
    email_hash: str | None
    author_url: str
    content: str
    permalink: str
    ip_hash: str | None
    ip_prefix_hash: str | None
    ua_family: str
    referrer_host: str
    fingerprint: str
    probability: float
    action: str
    hits: list[dict[str, Any]]
    extra: dict[str, str]


def insert_check(conn: Connection, record: CheckRecord) -> int:
    values = {f: getattr(record, f) for f in CheckRecord.__slots__}
    return int(conn.execute(insert(checks).values(**values).returning(checks.c.id)).scalar_one())


def check_by_guid(conn: Connection, guid: str) -> dict[str, Any] | None:
    row = conn.execute(select(checks).where(checks.c.guid == guid)).first()
    return dict(row._mapping) if row else None


def latest_check_by_fingerprint(conn: Connection, site_url: str, fp: str) -> dict[str, Any] | None:
    row = conn.execute(
        select(checks)
        .where(checks.c.site_url == site_url, checks.c.fingerprint == fp)
        .order_by(checks.c.id.desc())
        .limit(1)
    ).first()
    return dict(row._mapping) if row else None


@dataclass(frozen=True, slots=True)
class FeedbackRecord:
    label: str
    site_url: str
    fingerprint: str
    guid: str | None
    check_id: int | None
    key_id: int | None
    source: str
    created_at: datetime
    fields: dict[str, str]
    ip_hash: str | None
    ip_prefix_hash: str | None
    email_hash: str | None


def insert_feedback(conn: Connection, record: FeedbackRecord) -> int | None:
    """Record one label; returns its id, or None when the same label was already recorded."""
    values = {f: getattr(record, f) for f in FeedbackRecord.__slots__}
    exists = conn.execute(
        select(feedback.c.id).where(
            feedback.c.site_url == record.site_url,
            feedback.c.fingerprint == record.fingerprint,
            feedback.c.label == record.label,
        )
    ).first()
    if exists is not None:
        return None
    try:
        with conn.begin_nested():
            return int(
                conn.execute(
                    insert(feedback).values(**values).returning(feedback.c.id)
                ).scalar_one()
            )
    except IntegrityError:
        return None


def count_feedback(conn: Connection) -> int:
    from sqlalchemy import func

    return int(conn.execute(select(func.count()).select_from(feedback)).scalar_one())
