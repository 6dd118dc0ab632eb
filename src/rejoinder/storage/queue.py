"""What the moderation queues read: comments with their thread and site, filtered and searched.

Queues are keyset-paginated newest first (``id < before``) on ``ix_comments_status_id``.
Text search uses the full-text index made by migration 0005 (FTS5 on SQLite, a GIN index over
``to_tsvector('simple', …)`` on PostgreSQL); author search is a prefix match in the same index;
email search is an exact match on the keyed email hash; the signal filter matches the stored
hits JSON.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, Text, cast, func, literal_column, or_, select, text

from rejoinder.core.records.comments import Status
from rejoinder.core.records.moderation import QueueItem
from rejoinder.storage.schema import comments, sites, threads
from rejoinder.storage.times import aware

_WORD_RE = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 8


@dataclass(frozen=True, slots=True)
class QueueQuery:
    statuses: tuple[Status, ...]
    site_ids: Collection[int] | None  # None: every site
    text: str = ""
    author: str = ""
    email_hash: str | None = None
    thread: str = ""  # thread key, or words of its title
    since: datetime | None = None
    until: datetime | None = None
    symbol: str = ""
    before: int | None = None
    limit: int = 50


COLUMNS = (
    comments.c.id,
    comments.c.thread_id,
    comments.c.parent_id,
    comments.c.status,
    comments.c.author,
    comments.c.email,
    comments.c.email_hash,
    comments.c.website,
    comments.c.text,
    comments.c.html,
    comments.c.created_at,
    comments.c.edited_at,
    comments.c.probability,
    comments.c.hits,
    comments.c.ip_network,
    comments.c.ua_family,
    threads.c.site_id,
    threads.c.key,
    threads.c.title,
    threads.c.url,
    sites.c.url.label("site_url"),
)


def _terms(value: str) -> list[str]:
    return _WORD_RE.findall(value.casefold())[:MAX_TERMS]


def _fts(conn: Connection, words: list[str], *, column: str = "", prefix: bool = False) -> Any:
    """A WHERE clause: comments whose text (or author) has every word."""
    if conn.dialect.name == "sqlite":
        scope = f"{{{column}}} : " if column else ""
        star = "*" if prefix else ""
        match = " ".join(f'{scope}"{w}"{star}' for w in words)
        ids: Select[Any] = select(literal_column("rowid")).select_from(text("comments_fts"))
        return comments.c.id.in_(
            ids.where(text("comments_fts MATCH :match").bindparams(match=match))
        )
    query = " & ".join(f"{w}:*" if prefix else w for w in words)
    vector = func.to_tsvector(
        literal_column("'simple'"),
        func.coalesce(comments.c.text, "") + " " + func.coalesce(comments.c.author, ""),
    )
    return vector.op("@@")(func.to_tsquery(literal_column("'simple'"), query))


def _filtered(conn: Connection, q: QueueQuery) -> Select[Any]:
    query = (
        select(*COLUMNS)
        .join(threads, threads.c.id == comments.c.thread_id)
        .join(sites, sites.c.id == threads.c.site_id)
        .where(comments.c.status.in_([s.value for s in q.statuses]))
    )
    if q.site_ids is not None:
        query = query.where(threads.c.site_id.in_(list(q.site_ids)))
    words = _terms(q.text)
    if words:
        query = query.where(_fts(conn, words))
    author = _terms(q.author)
    if author:
        query = query.where(_fts(conn, author, column="author", prefix=True))
    if q.email_hash:
        query = query.where(comments.c.email_hash == q.email_hash)
    if q.thread.strip():
        wanted = q.thread.strip()
        matching = select(threads.c.id).where(
            or_(
                threads.c.key == wanted,
                func.lower(threads.c.title).contains(wanted.lower(), autoescape=True),
            )
        )
        query = query.where(comments.c.thread_id.in_(matching))
    if q.since is not None:
        query = query.where(comments.c.created_at >= q.since)
    if q.until is not None:
        query = query.where(comments.c.created_at < q.until)
    if q.symbol:
        needle = f'"symbol": "{q.symbol}"'
        query = query.where(cast(comments.c.hits, Text).contains(needle, autoescape=True))
    if q.before is not None:
        query = query.where(comments.c.id < q.before)
    return query


def find(conn: Connection, q: QueueQuery) -> list[QueueItem]:
    """At most ``limit`` + 1 comments (to tell whether there is a next page), newest first.

    With a date range the walk follows ``ix_comments_status_created`` (ids grow with time, so
    the order and the ``before`` cursor stay the same)."""
    order = [comments.c.id.desc()]
    if q.since is not None or q.until is not None:
        order.insert(0, comments.c.created_at.desc())
    rows = conn.execute(_filtered(conn, q).order_by(*order).limit(q.limit + 1))
    return [_item(r) for r in rows]


def count(conn: Connection, status: Status, site_ids: Collection[int] | None, cap: int) -> int:
    """How many comments have a status, counted up to ``cap`` (a queue shows "1000+")."""
    query = (
        select(comments.c.id)
        .select_from(comments.join(threads, threads.c.id == comments.c.thread_id))
        .where(comments.c.status == status.value)
    )
    if site_ids is not None:
        query = query.where(threads.c.site_id.in_(list(site_ids)))
    capped = query.limit(cap).subquery()
    return int(conn.execute(select(func.count()).select_from(capped)).scalar_one())


def items_by_ids(conn: Connection, ids: Collection[int]) -> list[QueueItem]:
    if not ids:
        return []
    rows = conn.execute(
        select(*COLUMNS, comments.c.ip_hash, comments.c.ip_prefix_hash)
        .join(threads, threads.c.id == comments.c.thread_id)
        .join(sites, sites.c.id == threads.c.site_id)
        .where(comments.c.id.in_(list(ids)))
    )
    return [_item(r) for r in rows]


def ip_hashes(conn: Connection, ids: Collection[int]) -> dict[int, tuple[str | None, str | None]]:
    if not ids:
        return {}
    rows = conn.execute(
        select(comments.c.id, comments.c.ip_hash, comments.c.ip_prefix_hash).where(
            comments.c.id.in_(list(ids))
        )
    )
    return {int(r[0]): (r[1], r[2]) for r in rows}


def author_history(conn: Connection, site_id: int, email_hash: str) -> dict[str, int]:
    rows = conn.execute(
        select(comments.c.status, func.count())
        .join(threads, threads.c.id == comments.c.thread_id)
        .where(comments.c.email_hash == email_hash, threads.c.site_id == site_id)
        .group_by(comments.c.status)
    )
    return {str(r[0]): int(r[1]) for r in rows}


def recent_probabilities(conn: Connection, site_id: int, limit: int) -> list[float]:
    """The engine's probabilities of the site's latest comments (for threshold previews)."""
    rows = conn.execute(
        select(comments.c.probability)
        .join(threads, threads.c.id == comments.c.thread_id)
        .where(threads.c.site_id == site_id, comments.c.probability.is_not(None))
        .order_by(comments.c.id.desc())
        .limit(limit)
    )
    return [float(r[0]) for r in rows]


def _item(row: Any) -> QueueItem:
    m = row._mapping
    edited = m["edited_at"]
    return QueueItem(
        id=m["id"],
        site_id=m["site_id"],
        site_url=m["site_url"],
        thread_id=m["thread_id"],
        thread_key=m["key"],
        thread_title=m["title"],
        thread_url=m["url"],
        parent_id=m["parent_id"],
        status=Status(m["status"]),
        author=m["author"],
        email=m["email"],
        website=m["website"],
        text=m["text"],
        html=m["html"],
        created_at=aware(m["created_at"]),
        edited_at=aware(edited) if edited else None,
        probability=m["probability"],
        hits=list(m["hits"] or []),
        ip_network=m["ip_network"] or "",
        ua_family=m["ua_family"],
        email_hash=m["email_hash"],
    )
