"""What readers see: a thread's page of top-level comments, their replies, a feed, counts.

Listing is keyset-paginated on top-level comments (``id > after``) with their replies fetched by
``root_id``: both walk an index, so a page of a 10 000-comment thread costs the same as the first
page of a small one."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select

from rejoinder.core.records.comments import Comment, Sort, Status, Thread
from rejoinder.storage.comments import LIST_COLUMNS, comment_of_row
from rejoinder.storage.schema import comments, threads
from rejoinder.storage.times import aware

VISIBLE = (Status.PUBLISHED.value, Status.DELETED.value)


def _visible(own_ids: Collection[int]) -> Any:
    shown = comments.c.status.in_(VISIBLE)
    return or_(shown, comments.c.id.in_(list(own_ids))) if own_ids else shown


def page_roots(
    conn: Connection,
    thread_id: int,
    after: int,
    limit: int,
    own_ids: Collection[int],
    sort: Sort = Sort.OLDEST,
) -> list[Comment]:
    """Top-level comments after the cursor (a comment id) in ``sort`` order: at most
    ``limit`` + 1 (to see more). Keyset on id, or on (score, id) for top."""
    query = select(*LIST_COLUMNS).where(
        comments.c.thread_id == thread_id, comments.c.parent_id.is_(None), _visible(own_ids)
    )
    score = comments.c.votes_up - comments.c.votes_down
    if sort is Sort.NEWEST:
        query = query.where(comments.c.id < after) if after else query
        query = query.order_by(comments.c.id.desc())
    elif sort is Sort.TOP:
        if after:
            at = select(score).where(comments.c.id == after).scalar_subquery()
            query = query.where(or_(score < at, and_(score == at, comments.c.id > after)))
        query = query.order_by(score.desc(), comments.c.id)
    else:
        query = query.where(comments.c.id > after).order_by(comments.c.id)
    return [comment_of_row(r) for r in conn.execute(query.limit(limit + 1))]


def replies_of(
    conn: Connection, root_ids: Iterable[int], own_ids: Collection[int]
) -> list[Comment]:
    ids = list(root_ids)
    if not ids:
        return []
    rows = conn.execute(
        select(*LIST_COLUMNS)
        .where(comments.c.root_id.in_(ids), _visible(own_ids))
        .order_by(comments.c.id)
    )
    return [comment_of_row(r) for r in rows]


@dataclass(frozen=True, slots=True)
class FeedItem:
    comment: Comment
    thread: Thread


def recent_published(
    conn: Connection, site_id: int, thread_id: int | None, limit: int
) -> list[FeedItem]:
    """The newest published comments of a site (or of one thread), newest first: a feed."""
    query = (
        select(*LIST_COLUMNS, *(c.label(f"t_{c.name}") for c in threads.c))
        .join(threads, threads.c.id == comments.c.thread_id)
        .where(threads.c.site_id == site_id, comments.c.status == Status.PUBLISHED.value)
        .order_by(comments.c.created_at.desc(), comments.c.id.desc())
        .limit(limit)
    )
    if thread_id is not None:
        query = query.where(comments.c.thread_id == thread_id)
    found = []
    for row in conn.execute(query):
        m = row._mapping
        thread = Thread(
            m["t_id"],
            m["t_site_id"],
            m["t_key"],
            m["t_url"],
            m["t_title"],
            aware(m["t_created_at"]),
            m["t_version"],
        )
        found.append(FeedItem(comment_of_row(row), thread))
    return found


def count_published(conn: Connection, thread_ids: Collection[int]) -> dict[int, int]:
    if not thread_ids:
        return {}
    rows = conn.execute(
        select(comments.c.thread_id, func.count())
        .where(
            comments.c.thread_id.in_(list(thread_ids)),
            comments.c.status == Status.PUBLISHED.value,
        )
        .group_by(comments.c.thread_id)
    )
    return {int(r[0]): int(r[1]) for r in rows}
