"""The writes of a new comment, as jobs for the group commit (``storage/writer.py``), and the
draft a checked comment becomes before its write."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from rejoinder.comments.events import CommentEvent, EventKind, Events
from rejoinder.comments.records import NewComment, Posted
from rejoinder.core.records.comments import Comment, Policy, Status, Thread
from rejoinder.errors import ValidationFailed
from rejoinder.storage import comments as store
from rejoinder.storage import stats as stats_store
from rejoinder.storage import threads as thread_store
from rejoinder.storage.sites import SiteRow

OUTCOME = {
    Status.PUBLISHED: stats_store.Counter.PUBLISHED,
    Status.PENDING: stats_store.Counter.HELD,
    Status.SPAM: stats_store.Counter.SPAM,
    Status.DISCARDED: stats_store.Counter.DISCARDED,
}


@dataclass(frozen=True, slots=True)
class CommentWrite:
    """The one write of a new comment: a job for the group commit (``storage/writer.py``).

    The thread is created on first use, the parent checked again (a moderator may have taken
    it down since it was read), the comment stored with its thread's version bumped, and the
    comment's event recorded by its listeners — all in the batch's transaction.
    """

    site_id: int
    key: str
    url: str
    title: str
    parent_id: int | None
    record: store.CommentRecord
    events: Events
    thread: Thread | None = None  # as read before the check (threads are never deleted)
    site_url: str = ""  # the site's daily counters (``storage/stats.py``)

    def run(self, conn: Any) -> tuple[Thread, store.StoredComment]:
        record = self.record
        thread = self.thread
        if thread is None or (self.url and not thread.url) or (self.title and not thread.title):
            thread = thread_store.ensure_thread(
                conn, self.site_id, self.key, self.url, self.title, record.created_at
            )
        parent = _parent(conn, thread, self.parent_id)
        record = replace(
            record,
            thread_id=thread.id,
            parent_id=parent.id if parent else None,
            root_id=(parent.root_id or parent.id) if parent else None,
            depth=parent.depth + 1 if parent else 0,
        )
        stored = store.stored_as(record, store.insert_comment(conn, record))
        outcome = {OUTCOME[record.status]: 1}
        stats_store.bump(conn, self.site_url, stats_store.day_of(record.created_at), outcome)
        if record.status not in (Status.SPAM, Status.DISCARDED):
            kind = EventKind.PUBLISHED if record.status is Status.PUBLISHED else EventKind.HELD
            event = CommentEvent(
                kind,
                stored.comment.id,
                self.site_id,
                parent_id=record.parent_id,
                site_url=self.site_url,
                permalink=thread.url,
                text=record.text,
                new=True,
            )
            self.events.emit(conn, event)
        return thread, stored


@dataclass(frozen=True, slots=True)
class Tally:
    """The write of a discarded comment a site does not keep: one more on its daily count."""

    site_url: str
    day: str

    def run(self, conn: Any) -> None:
        stats_store.bump(conn, self.site_url, self.day, {stats_store.Counter.DISCARDED: 1})


@dataclass(frozen=True, slots=True)
class Draft:
    """A checked comment and the write left to do (None: the policy discards it)."""

    site: SiteRow
    key: str
    new: NewComment
    now: datetime
    policy: Policy
    earlier: Status | None  # the status of the comment the commenter token names
    thread: Thread | None  # as read before the check
    write: CommentWrite | None
    tally: Tally | None = None  # counted though not kept (``retention_discarded_days`` 0)

    def discarded(self) -> Posted:
        """A discarded comment is answered as held; nothing is stored."""
        placeholder = Thread(0, self.site.id, self.key, self.new.ref.url, "", self.now)
        return Posted(Status.PENDING, None, None, self.thread or placeholder)


def _parent(conn: Any, thread: Thread | None, parent_id: int | None) -> Comment | None:
    """The published comment a reply answers, in the same thread (422 otherwise)."""
    found = store.comment_by_id(conn, parent_id) if parent_id is not None else None
    return reply_to(found, thread, parent_id)


def reply_to(
    found: store.StoredComment | None, thread: Thread | None, parent_id: int | None
) -> Comment | None:
    """:func:`_parent` with the parent already read (``found``)."""
    if parent_id is None:
        return None
    if (
        thread is None
        or found is None
        or found.comment.thread_id != thread.id
        or found.comment.status is not Status.PUBLISHED
    ):
        raise ValidationFailed("The comment you are replying to is not in this thread.")
    return found.comment
