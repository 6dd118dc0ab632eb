"""Lifecycle events of comments (after Isso): notifications subscribe to them.

Listeners run inside the transaction that stores the comment (or the moderator's decision): what
they record (the notifier's delivery rows) is committed together with the comment, in the same
group commit, never in a second transaction of its own. They must be quick and write with at
most one statement (the notifier: one insert of delivery rows). A failing listener is logged,
never raised, so it never costs the comment: on SQLite a failed statement undoes itself and the
transaction goes on; elsewhere (PostgreSQL aborts the whole transaction on a failed statement)
each listener runs in a savepoint.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Connection

log = logging.getLogger(__name__)


class EventKind(StrEnum):
    HELD = "held"  # stored as pending: a moderator should look at it
    PUBLISHED = "published"  # visible now (posted, or approved by a moderator)


@dataclass(frozen=True, slots=True)
class CommentEvent:
    kind: EventKind
    comment_id: int
    site_id: int


Listener = Callable[[Connection, CommentEvent], None]


class Events:
    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def emit(self, conn: Connection, event: CommentEvent) -> None:
        """Tell every listener, inside the caller's transaction ``conn``."""
        isolate = conn.dialect.name != "sqlite"
        for listener in self._listeners:
            try:
                with conn.begin_nested() if isolate else nullcontext():
                    listener(conn, event)
            except Exception:
                log.exception("comment event listener failed")


def on_published(handler: Callable[[Connection, int], None]) -> Listener:
    """A listener calling ``handler(conn, comment_id)`` for each comment that became public."""

    def listener(conn: Connection, event: CommentEvent) -> None:
        if event.kind is EventKind.PUBLISHED:
            handler(conn, event.comment_id)

    return listener
