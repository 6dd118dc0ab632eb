"""What a comment is: its status, what a site's policy does with a verdict, and plain records."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum, StrEnum
from typing import TypedDict

from rejoinder.core.records.verdict import Action


class Status(StrEnum):
    """Where a stored comment stands. Only ``published`` is ever shown to the public."""

    PUBLISHED = "published"
    PENDING = "pending"  # held for a moderator
    SPAM = "spam"
    DELETED = "deleted"
    # The engine was sure it is spam and the site discards such comments: the reader is told it
    # awaits moderation (a spammer learns nothing); moderators see it for
    # ``retention_discarded_days`` so a false discard can be restored, then the purge deletes it.
    DISCARDED = "discarded"


class Sort(StrEnum):
    """The order of a thread's top-level comments (replies stay oldest first under them)."""

    OLDEST = "oldest"
    NEWEST = "newest"
    TOP = "top"  # highest score (up minus down votes) first, then oldest


class Vote(IntEnum):
    """A reader's vote on a comment; NONE takes an earlier vote back."""

    DOWN = -1
    NONE = 0
    UP = 1


class Disposition(StrEnum):
    """What a site does with a comment, per engine action (the site's policy)."""

    PUBLISH = "publish"
    HOLD = "hold"
    SPAM = "spam"
    DISCARD = "discard"

    @property
    def status(self) -> Status | None:
        """The stored status; None means the comment is not stored at all."""
        return _DISPOSITION_STATUS[self]


_DISPOSITION_STATUS: dict[Disposition, Status | None] = {
    Disposition.PUBLISH: Status.PUBLISHED,
    Disposition.HOLD: Status.PENDING,
    Disposition.SPAM: Status.SPAM,
    Disposition.DISCARD: None,
}


@dataclass(frozen=True, slots=True)
class Policy:
    """A site's comment policy. The default publishes what the engine accepts and follows it
    for the rest; ``hold_all`` and ``hold_first_time`` turn a would-be publish into a hold."""

    on_accept: Disposition = Disposition.PUBLISH
    on_hold: Disposition = Disposition.HOLD
    on_spam: Disposition = Disposition.SPAM
    on_discard: Disposition = Disposition.DISCARD
    hold_all: bool = False
    hold_first_time: bool = False
    allowed_origins: tuple[str, ...] = ()  # extra origins besides the site's own
    close_after_days: int = 0  # threads older than this take no new comments; 0: never
    voting: bool = True  # readers may vote comments up and down
    gravatar: bool = False  # show Gravatar pictures (else only identicons made here)

    def decide(self, action: Action, *, first_time: bool) -> Disposition:
        chosen = {
            Action.ACCEPT: self.on_accept,
            Action.HOLD: self.on_hold,
            Action.SPAM: self.on_spam,
            Action.DISCARD: self.on_discard,
        }[action]
        if chosen is Disposition.PUBLISH and (
            self.hold_all or (self.hold_first_time and first_time)
        ):
            return Disposition.HOLD
        return chosen


@dataclass(frozen=True, slots=True)
class Thread:
    id: int
    site_id: int
    key: str
    url: str
    title: str
    created_at: datetime
    version: int = 0  # changes whenever a comment in the thread is written


class PublicComment(TypedDict):
    """A comment as readers see it: the JSON of the API and the embed, and what the no-JS pages
    render (no email, no hashes, no verdict). A dict, so the JSON is the dict as it is."""

    id: int
    parent: int | None
    depth: int
    status: str  # a Status value; spam is shown as pending
    author: str
    website: str
    author_html: str
    html: str
    created: str  # ISO 8601, UTC
    edited: str | None
    mine: bool  # the reader holds its owner token
    source: str | None  # its Markdown, for its author only
    editable_until: str | None
    score: int
    up: int
    down: int
    avatar: str  # identicon seed
    gravatar: str | None
    replies: list[PublicComment]


@dataclass(slots=True)
class Comment:
    """One stored comment, as the platform reads it back."""

    id: int
    thread_id: int
    parent_id: int | None
    root_id: int | None
    depth: int
    status: Status
    author: str
    website: str
    author_html: str
    text: str
    html: str
    created_at: datetime
    edited_at: datetime | None
    votes_up: int = 0
    votes_down: int = 0
    avatar: str = ""  # identicon seed (hex)
    gravatar: str | None = None  # SHA-256 of the email, on sites with Gravatar on
    replies: list[Comment] = field(default_factory=list)

    def public_dict(self, *, mine: bool, editable_until: datetime | None) -> PublicComment:
        """The JSON shape the API and the embed use (no email, no hashes, no verdict)."""
        deleted = self.status is Status.DELETED
        shown = Status.PENDING if self.status is Status.SPAM else self.status
        return {
            "id": self.id,
            "parent": self.parent_id,
            "depth": self.depth,
            "status": shown.value,
            "author": "" if deleted else self.author,
            "website": "" if deleted else self.website,
            "author_html": "" if deleted else self.author_html,
            "html": "" if deleted else self.html,
            "created": iso(self.created_at),
            "edited": iso(self.edited_at) if self.edited_at else None,
            "mine": mine,
            "source": self.text if mine and not deleted else None,
            "editable_until": iso(editable_until) if editable_until else None,
            "score": self.votes_up - self.votes_down,
            "up": self.votes_up,
            "down": self.votes_down,
            "avatar": "" if deleted else self.avatar,
            "gravatar": None if deleted else self.gravatar,
            "replies": [],
        }


def fallback_avatar(author: str) -> str:
    """The identicon seed of a comment stored without one (imported): from its public name."""
    return hashlib.sha256(f"name\x00{author.strip().lower()}".encode()).hexdigest()[:16]


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
