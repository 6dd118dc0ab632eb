"""Lifecycle events of comments (after Isso): notifications subscribe to them.

Listeners run inside the transaction that stores the comment (or the moderator's decision): what
they record (the notifier's delivery rows) is committed together with the comment, in the same
group commit, never in a second transaction of its own. They must be quick and write with at
most one statement (the notifier: one insert of delivery rows). A failing listener is logged,
never raised, so it never costs the comment: on SQLite a failed statement undoes itself and the
transaction goes on; elsewhere (PostgreSQL aborts the whole transaction on a failed statement)
the listeners run together in one savepoint, and only when one of them fails, each again in a
savepoint of its own, so that it costs neither the comment nor the other listeners' rows. (A
savepoint per listener every time was two more round trips per listener for every post, on the
writer thread that every request's write waits for.)
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Connection

from rejoinder.storage.thread_words import PublishedText

log = logging.getLogger(__name__)


class EventKind(StrEnum):
    HELD = "held"  # stored as pending: a moderator should look at it
    PUBLISHED = "published"  # visible now (posted, or approved by a moderator)


@dataclass(frozen=True, slots=True)
class CommentEvent:
    """What happened to a comment, with what its listeners need of it, so that none reads
    back the row just written (each statement on the group commit's loop costs every request
    waiting on that loop; docs/performance.md)."""

    kind: EventKind
    comment_id: int
    site_id: int
    parent_id: int | None  # the notifier looks for a parent to tell only when there is one
    site_url: str
    permalink: str  # the thread's article URL ('' when the thread has none)
    text: str  # the comment's Markdown
    new: bool = False  # stored in this very transaction (a post), not an earlier comment


Listener = Callable[[Connection, CommentEvent], None]


class Events:
    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def emit(self, conn: Connection, event: CommentEvent) -> None:
        """Tell every listener, inside the caller's transaction ``conn``."""
        if conn.dialect.name == "sqlite":
            self._each(conn, event, isolate=False)
            return
        try:
            with conn.begin_nested():
                for listener in self._listeners:
                    listener(conn, event)
        except Exception:  # rolled back to the savepoint: again, each in its own
            self._each(conn, event, isolate=True)

    def _each(self, conn: Connection, event: CommentEvent, *, isolate: bool) -> None:
        for listener in self._listeners:
            try:
                with conn.begin_nested() if isolate else nullcontext():
                    listener(conn, event)
            except Exception:
                log.exception("comment event listener failed")


def on_published(handler: Callable[[Connection, int, PublishedText], None]) -> Listener:
    """A listener calling ``handler(conn, comment_id, what)`` for each comment that became
    public (``what``: its site, article URL and text)."""

    def listener(conn: Connection, event: CommentEvent) -> None:
        if event.kind is EventKind.PUBLISHED:
            what = PublishedText(event.site_url, event.permalink, event.text, event.new)
            handler(conn, event.comment_id, what)

    return listener
