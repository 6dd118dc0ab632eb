"""What moderation works with: roles, queues, decisions, and the records it reads back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, TypedDict

from rejoinder.core.records.comments import Status
from rejoinder.core.records.verdict import HitRecord


class Role(StrEnum):
    """A moderator works the queues of a site; an admin also edits its policy and thresholds."""

    MODERATOR = "moderator"
    ADMIN = "admin"


class NotifyMode(StrEnum):
    """How a moderator hears about held comments."""

    OFF = "off"
    EACH = "each"  # one email per held comment (rate-limited per recipient)
    DIGEST = "digest"  # one email per digest interval listing what was held


class PolicyMode(StrEnum):
    """The three ways a site can hold comments."""

    ENGINE = "engine"  # follow the spam engine's verdict
    HOLD_FIRST_TIME = "hold_first_time"  # and hold commenters with nothing published yet
    HOLD_ALL = "hold_all"  # hold every comment for a moderator


class Queue(StrEnum):
    PENDING = "pending"
    SPAM = "spam"
    PUBLISHED = "published"
    DELETED = "deleted"
    DISCARDED = "discarded"  # kept for the retention window so a false discard can be restored

    @property
    def status(self) -> Status:
        return Status(self.value)


class Decision(StrEnum):
    """What a moderator can do to a comment (the audit log's ``action``)."""

    APPROVE = "approve"  # publish; teaches ham
    SPAM = "spam"  # file as spam; teaches spam
    NOT_SPAM = "not_spam"  # publish a comment the engine filed as spam; teaches ham
    DELETE = "delete"
    RESTORE = "restore"  # back to the pending queue; teaches ham (a false spam or discard)
    EDIT = "edit"
    BAN = "ban"
    UNBAN = "unban"
    POLICY = "policy"

    @property
    def target(self) -> Status | None:
        return _TARGET.get(self)


_TARGET = {
    Decision.APPROVE: Status.PUBLISHED,
    Decision.NOT_SPAM: Status.PUBLISHED,
    Decision.SPAM: Status.SPAM,
    Decision.DELETE: Status.DELETED,
    Decision.RESTORE: Status.PENDING,
}


@dataclass(frozen=True, slots=True)
class Moderator:
    id: int
    email: str
    notify: NotifyMode
    roles: dict[int | None, Role]  # site id (None: every site) → role

    def role_on(self, site_id: int) -> Role | None:
        return self.roles.get(site_id) or self.roles.get(None)

    @property
    def everywhere(self) -> bool:
        return None in self.roles


@dataclass(frozen=True, slots=True)
class Actor:
    """Who made a decision: a signed-in moderator or an API token."""

    moderator: Moderator
    via: str = "ui"  # "ui" or "api:<token hint>"

    @property
    def label(self) -> str:
        return self.moderator.email if self.via == "ui" else f"{self.moderator.email} ({self.via})"


class ParentPreview(TypedDict):
    """The comment a reply answers, as a moderator sees it beside the reply (the moderation
    API's JSON and the admin's comment page)."""

    id: int
    author: str
    text: str  # its first 500 characters
    status: str  # a Status value


@dataclass(slots=True)
class QueueItem:
    """One comment as a moderator sees it (never a raw IP: the truncated network at most)."""

    id: int
    site_id: int
    site_url: str
    thread_id: int
    thread_key: str
    thread_title: str
    thread_url: str
    parent_id: int | None
    status: Status
    author: str
    email: str
    website: str
    text: str
    html: str
    created_at: datetime
    edited_at: datetime | None
    probability: float | None
    hits: list[HitRecord]
    ip_network: str
    ua_family: str
    email_hash: str | None = None
    parent: ParentPreview | None = None
    history: dict[str, int] = field(default_factory=dict)  # author's comments by status

    def as_dict(self) -> dict[str, Any]:
        from rejoinder.core.records.comments import iso

        return {
            "id": self.id,
            "site_id": self.site_id,
            "site": self.site_url,
            "thread": {
                "id": self.thread_id,
                "key": self.thread_key,
                "title": self.thread_title,
                "url": self.thread_url,
            },
            "parent_id": self.parent_id,
            "parent": self.parent,
            "status": self.status.value,
            "author": self.author,
            "email": self.email,
            "website": self.website,
            "text": self.text,
            "html": self.html,
            "created": iso(self.created_at),
            "edited": iso(self.edited_at) if self.edited_at else None,
            "probability": self.probability,
            "hits": self.hits,
            "network": self.ip_network,
            "browser": self.ua_family,
            "author_history": self.history,
        }


@dataclass(frozen=True, slots=True)
class LogEntry:
    id: int
    comment_id: int | None
    actor: str
    action: str
    from_status: str
    to_status: str
    detail: dict[str, Any]
    created_at: datetime
