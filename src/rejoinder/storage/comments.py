"""Comments: every comment write goes through :func:`insert_comment`, :func:`update_comment` or
:func:`set_status` (many at once), which bump the thread's ``version``: readers cache a rendered
thread under it (moderation must use them too).

Threads are in ``threads.py``, listing in ``listing.py``, policies in ``policies.py``.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from rejoinder.core.records.comments import Comment, Status, fallback_avatar
from rejoinder.core.records.verdict import HitRecord
from rejoinder.storage import thread_words
from rejoinder.storage.schema import comments, threads
from rejoinder.storage.times import aware

LIST_COLUMNS = (
    comments.c.id,
    comments.c.thread_id,
    comments.c.parent_id,
    comments.c.root_id,
    comments.c.depth,
    comments.c.status,
    comments.c.author,
    comments.c.website,
    comments.c.author_html,
    comments.c.text,
    comments.c.html,
    comments.c.created_at,
    comments.c.edited_at,
    comments.c.votes_up,
    comments.c.votes_down,
    comments.c.avatar,
    comments.c.gravatar,
)

# Statements on the posting path are built once: building and keying a statement costs more
# than running it (they run on the event loop inside the group commit).
_INSERT_COMMENT = insert(comments).returning(comments.c.id)
_BUMP_VERSION = (
    update(threads).where(threads.c.id == bindparam("thread")).values(version=threads.c.version + 1)
)
_COMMENT_BY_ID = select(*LIST_COLUMNS, comments.c.email, comments.c.email_hash).where(
    comments.c.id == bindparam("comment")
)


@dataclass(frozen=True, slots=True)
class CommentRecord:
    thread_id: int
    parent_id: int | None
    root_id: int | None
    depth: int
    status: Status
    author: str
    email: str
    email_hash: str | None
    website: str
    author_html: str
    text: str
    html: str
    created_at: datetime
    probability: float | None
    hits: list[HitRecord]
    ip_hash: str | None
    ip_prefix_hash: str | None
    ua_family: str
    ip_network: str | None = None  # the truncated /24 or /48, for moderators
    notify_replies: bool = False
    fingerprint: str | None = None  # exact-duplicate key of the text (velocity, erase)
    avatar: str | None = None  # identicon seed (comments.avatars)
    gravatar: str | None = None  # SHA-256 of the email, only where the site shows Gravatar


@dataclass(frozen=True, slots=True)
class StoredComment:
    """A comment with what the service needs to authorise and re-check it."""

    comment: Comment
    email: str
    email_hash: str | None


def insert_comment(conn: Connection, new: CommentRecord) -> int:
    """Store a new comment and bump its thread's version (cached pages refresh)."""
    values = {f: getattr(new, f) for f in CommentRecord.__slots__}
    values["status"] = new.status.value
    comment_id = int(conn.execute(_INSERT_COMMENT, values).scalar_one())
    conn.execute(_BUMP_VERSION, {"thread": new.thread_id})
    return comment_id


def stored_as(new: CommentRecord, comment_id: int) -> StoredComment:
    """The comment :func:`insert_comment` just stored, as :func:`comment_by_id` reads it."""
    comment = Comment(
        comment_id,
        new.thread_id,
        new.parent_id,
        new.root_id,
        new.depth,
        new.status,
        new.author,
        new.website,
        new.author_html,
        new.text,
        new.html,
        aware(new.created_at),
        None,
        0,
        0,
        new.avatar or fallback_avatar(new.author),
        new.gravatar,
    )
    return StoredComment(comment, new.email, new.email_hash)


def comment_of_row(row: Any) -> Comment:
    m = row._mapping
    edited = m["edited_at"]
    return Comment(
        m["id"],
        m["thread_id"],
        m["parent_id"],
        m["root_id"],
        m["depth"],
        Status(m["status"]),
        m["author"],
        m["website"],
        m["author_html"],
        m["text"],
        m["html"],
        aware(m["created_at"]),
        aware(edited) if edited is not None else None,
        m["votes_up"],
        m["votes_down"],
        m["avatar"] or fallback_avatar(m["author"]),
        m["gravatar"],
    )


def comment_by_id(conn: Connection, comment_id: int) -> StoredComment | None:
    row = conn.execute(_COMMENT_BY_ID, {"comment": comment_id}).first()
    if row is None:
        return None
    return StoredComment(comment_of_row(row), row._mapping["email"], row._mapping["email_hash"])


def update_comment(conn: Connection, comment_id: int, **values: Any) -> None:
    if isinstance(values.get("status"), Status):
        values["status"] = values["status"].value
    if "text" in values or values.get("status", Status.PUBLISHED.value) != Status.PUBLISHED.value:
        thread_words.forget_comments(conn, [comment_id])  # what it said no longer counts
    conn.execute(update(comments).where(comments.c.id == comment_id).values(**values))
    owner = select(comments.c.thread_id).where(comments.c.id == comment_id).scalar_subquery()
    conn.execute(update(threads).where(threads.c.id == owner).values(version=threads.c.version + 1))


def set_status(conn: Connection, comment_ids: Collection[int], status: Status) -> None:
    """``update_comment(status=…)`` for many comments (a bulk moderation decision): one
    statement per 500 comments, and each affected thread's version bumped once."""
    ids = list(comment_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        conn.execute(update(comments).where(comments.c.id.in_(chunk)).values(status=status.value))
        if status is not Status.PUBLISHED:
            thread_words.forget_comments(conn, chunk)
        owners = select(comments.c.thread_id).where(comments.c.id.in_(chunk)).distinct()
        conn.execute(
            update(threads).where(threads.c.id.in_(owners)).values(version=threads.c.version + 1)
        )
