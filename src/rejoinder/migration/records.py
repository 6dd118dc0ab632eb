"""What every format reader yields: threads and comments in one neutral shape.

Readers turn a source's own fields into these, and nothing else: the raw IP address a source
may hold lives only in memory (``ImportedComment.ip``) until ``staging`` hashes it, exactly as
for a live comment (``privacy.anonymize``). ``where`` names the comment in the file, for error
messages (an element and its ids, or a line number).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TypedDict

from rejoinder.core.records.comments import Status
from rejoinder.core.records.verdict import HitRecord
from rejoinder.errors import ValidationFailed


class Format(StrEnum):
    """The formats ``rejoinder import`` reads."""

    WXR = "wxr"  # WordPress eXtended RSS (Tools → Export)
    DISQUS = "disqus"  # Disqus XML export
    ISSO = "isso"  # an Isso SQLite database
    REMARK42 = "remark42"  # a Remark42 backup (JSON lines, gzip or not)
    JSON = "json"  # rejoinder's own export (JSON lines)


class ExportFormat(StrEnum):
    """The formats ``rejoinder export`` writes."""

    JSON = "json"
    WXR = "wxr"


class SourceState(StrEnum):
    """A comment's state in the system it comes from."""

    APPROVED = "approved"
    PENDING = "pending"
    SPAM = "spam"
    TRASH = "trash"  # removed by a moderator; the text is kept (rejoinder: deleted)
    DELETED = "deleted"  # removed, the text gone: a placeholder for its replies
    SKIPPED = "skipped"  # not a comment (a pingback or trackback): not imported

    @property
    def status(self) -> Status | None:
        return _STATUS[self]


_STATUS: dict[SourceState, Status | None] = {
    SourceState.APPROVED: Status.PUBLISHED,
    SourceState.PENDING: Status.PENDING,
    SourceState.SPAM: Status.SPAM,
    SourceState.TRASH: Status.DELETED,
    SourceState.DELETED: Status.DELETED,
    SourceState.SKIPPED: None,
}


class ImportFailed(ValidationFailed):
    """A file that cannot be imported; the message names the line or element."""


class Kept(TypedDict, total=False):
    """What rejoinder's own export carries over verbatim (keyed hashes, never raw values), each
    checked for its shape by the reader (``jsonfmt.py``)."""

    ip_hash: str | None
    ip_prefix_hash: str | None
    ip_network: str
    ua_family: str
    probability: float | None
    hits: list[HitRecord]
    notify_replies: bool


@dataclass(frozen=True, slots=True)
class ImportedThread:
    key: str  # the thread id in rejoinder (``p-<hash>`` of the article path, or explicit)
    url: str  # the article URL, '' when unknown
    title: str
    created_at: datetime | None = None


@dataclass(slots=True)
class ImportedComment:
    source_id: str  # unique in the file
    thread_key: str
    parent_id: str | None  # source id of the comment replied to
    state: SourceState
    text: str  # rejoinder Markdown
    created_at: datetime
    where: str  # "line 12" or "<wp:comment> 7 of <item> 'Hello' (wp:post_id 3)"
    author: str = ""
    email: str = ""
    website: str = ""
    ip: str = ""  # raw, in memory only; hashed by staging
    edited_at: datetime | None = None
    # carried over verbatim from rejoinder's own export (keyed hashes, never raw values)
    kept: Kept = field(default_factory=Kept)
