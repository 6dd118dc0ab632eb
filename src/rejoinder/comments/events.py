"""Lifecycle events of comments (after Isso): notifications subscribe to them.

Listeners run after the comment's transaction committed, in the request's thread; they must be
quick (the notifier only records deliveries) and a failing listener is logged, never raised.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

log = logging.getLogger(__name__)


class EventKind(StrEnum):
    HELD = "held"  # stored as pending: a moderator should look at it
    PUBLISHED = "published"  # visible now (posted, or approved by a moderator)


@dataclass(frozen=True, slots=True)
class CommentEvent:
    kind: EventKind
    comment_id: int
    site_id: int


Listener = Callable[[CommentEvent], None]


class Events:
    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def emit(self, event: CommentEvent) -> None:
        for listener in self._listeners:
            try:
                listener(event)
            except Exception:
                log.exception("comment event listener failed")
