"""Readers' votes: one row per voter and comment, and the counts kept on the comment.

A vote changes the comment's ``votes_up``/``votes_down`` in the same transaction and bumps the
thread's version, so a listing reads the score with the comment (nothing is counted per read)
and cached pages of the thread render anew.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from rejoinder.core.records.comments import Vote
from rejoinder.storage.schema import comment_votes, comments, threads


def _delta(old: Vote, new: Vote) -> tuple[int, int]:
    """How up and down counts change when a voter's vote goes from ``old`` to ``new``."""
    up = (new is Vote.UP) - (old is Vote.UP)
    down = (new is Vote.DOWN) - (old is Vote.DOWN)
    return up, down


def cast_vote(
    conn: Connection, comment_id: int, voter_hash: str, value: Vote, now: datetime
) -> tuple[int, int]:
    """Record ``voter_hash``'s vote on a comment (NONE takes it back); the new (up, down)."""
    where = (comment_votes.c.comment_id == comment_id) & (comment_votes.c.voter_hash == voter_hash)
    found = conn.execute(select(comment_votes.c.value).where(where)).scalar_one_or_none()
    old = Vote(found) if found is not None else Vote.NONE
    if value is Vote.NONE:
        conn.execute(delete(comment_votes).where(where))
    elif found is None:
        try:
            with conn.begin_nested():  # the same voter's second click may have got here first
                conn.execute(
                    insert(comment_votes).values(
                        comment_id=comment_id,
                        voter_hash=voter_hash,
                        value=int(value),
                        created_at=now,
                    )
                )
        except IntegrityError:
            return cast_vote(conn, comment_id, voter_hash, value, now)
    elif old is not value:
        conn.execute(update(comment_votes).where(where).values(value=int(value), created_at=now))
    up, down = _delta(old, value)
    if up or down:
        conn.execute(
            update(comments)
            .where(comments.c.id == comment_id)
            .values(votes_up=comments.c.votes_up + up, votes_down=comments.c.votes_down + down)
        )
        owner = select(comments.c.thread_id).where(comments.c.id == comment_id).scalar_subquery()
        conn.execute(
            update(threads).where(threads.c.id == owner).values(version=threads.c.version + 1)
        )
    row = conn.execute(
        select(comments.c.votes_up, comments.c.votes_down).where(comments.c.id == comment_id)
    ).one()
    return int(row[0]), int(row[1])
