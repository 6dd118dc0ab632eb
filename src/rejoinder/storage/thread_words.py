"""What accepted comments on one article said, as keyed hashes of word stems (``thread_words``).

One row per accepted comment, tied to the record it came from: an Akismet check that accepted
the comment (``check_guid``) or a published widget comment (``comment_id``). Deleting that record
deletes the row (foreign keys with ``ON DELETE CASCADE``); a comment that stops being published,
or is edited, loses its row here (:func:`forget_comments`, called by ``storage/comments.py``).
The spam engine reads the newest rows of one thread (``spam/learning/profiles.py``).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Connection, bindparam, delete, insert, or_, select

from rejoinder.core.records.comments import Status
from rejoinder.storage.schema import comments, thread_words

IN_LIST = 500


@dataclass(frozen=True, slots=True)
class ThreadWords:
    """One accepted comment's contribution. Exactly one of ``check_guid``, ``comment_id``."""

    site_url: str
    thread: str
    stems: bytes
    created_at: datetime
    check_guid: str | None = None
    comment_id: int | None = None

    def values(self) -> dict[str, object]:
        return {f: getattr(self, f) for f in ThreadWords.__slots__}


def add(conn: Connection, rows: Sequence[ThreadWords], keep: int, *, replace: bool = True) -> None:
    """Store rows and keep the newest ``keep`` rows of each thread touched: the oldest go out.
    ``replace``: a source already stored is replaced (False for new records: a check, a post)."""
    if not rows:
        return
    guids = [r.check_guid for r in rows if r.check_guid is not None]
    ids = [r.comment_id for r in rows if r.comment_id is not None]
    if replace and guids:
        forget_checks(conn, guids)
    if replace and ids:
        forget_comments(conn, ids)
    conn.execute(_INSERT, [r.values() for r in rows])
    # one executemany for every thread touched: the statement's Python overhead once per batch
    conn.execute(_TRIM, [{"thread": t, "skip": keep - 1} for t in sorted({r.thread for r in rows})])


# Built once, as every statement on a writing path: a published comment's group commit runs
# them on the event loop, where building and keying a statement costs more than running it.
_INSERT = insert(thread_words)
_TRIM = delete(thread_words).where(  # a thread's rows older than its newest ``keep``
    thread_words.c.thread == bindparam("thread"),
    thread_words.c.id
    < (
        select(thread_words.c.id)
        .where(thread_words.c.thread == bindparam("thread"))
        .order_by(thread_words.c.id.desc())
        .offset(bindparam("skip"))
        .limit(1)
        .scalar_subquery()
    ),
)  # walks ``ix_thread_words_thread_id``


def forget_checks(conn: Connection, guids: Collection[str]) -> int:
    """Delete what these check records contributed (a submit-spam on an accepted check)."""
    return _forget(conn, thread_words.c.check_guid, list(guids))


def forget_comments(conn: Connection, comment_ids: Collection[int]) -> int:
    """Delete what these comments contributed (no longer published, or edited)."""
    return _forget(conn, thread_words.c.comment_id, list(comment_ids))


def _forget(conn: Connection, column: Column[Any], keys: Sequence[object]) -> int:
    removed = 0
    for start in range(0, len(keys), IN_LIST):
        part = keys[start : start + IN_LIST]
        result = conn.execute(delete(thread_words).where(column.in_(part)))
        removed += result.rowcount or 0
    return removed


_NEWEST = (  # built once: the check path runs it
    select(thread_words.c.stems)
    .select_from(thread_words.outerjoin(comments, comments.c.id == thread_words.c.comment_id))
    .where(
        thread_words.c.thread == bindparam("thread"),
        or_(thread_words.c.comment_id.is_(None), comments.c.status == Status.PUBLISHED.value),
    )
    .order_by(thread_words.c.id.desc())
    .limit(bindparam("limit"))
)


def newest(conn: Connection, thread: str, limit: int) -> list[bytes]:
    """The stems of a thread's newest ``limit`` rows: from checks, and from comments that are
    still published (a row a missed hook left behind never counts)."""
    rows = conn.execute(_NEWEST, {"thread": thread, "limit": limit})
    return [bytes(stems) for (stems,) in rows]


@dataclass(frozen=True, slots=True)
class PublishedText:
    """A comment that became public, as the thread profiles take it (``comments/events.py``)."""

    site_url: str
    permalink: str
    text: str
    new: bool = False  # stored in this very transaction: none of its rows to replace
