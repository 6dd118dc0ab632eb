"""What goes in and out of the comment service: the config, who asks, which thread, a new
comment, and the answers (a post's outcome, a page of a thread, one's own comment)."""

from __future__ import annotations

from dataclasses import dataclass

from rejoinder.core.anonymize import IPAddress
from rejoinder.core.records.comments import PublicComment, Sort, Status, Thread
from rejoinder.storage.sites import SiteRow


@dataclass(frozen=True, slots=True, kw_only=True)
class CommentConfig:
    max_length: int = 10_000
    edit_window_s: int = 900
    max_depth: int = 5
    page_size: int = 100
    commenter_days: int = 365  # how long a commenter token recognises a returning commenter
    keep_discarded: bool = True  # store discarded comments for moderators (retention applies)


@dataclass(frozen=True, slots=True)
class Client:
    """Who is asking, in memory only: the IP is hashed before anything is stored."""

    ip: IPAddress | None = None
    user_agent: str = ""
    referrer: str = ""


@dataclass(frozen=True, slots=True)
class ThreadRef:
    site: str  # site URL or numeric id
    thread: str = ""  # explicit thread id
    url: str = ""  # article URL (its path names the thread when no id is given)


@dataclass(frozen=True, slots=True)
class NewComment:
    ref: ThreadRef
    text: str
    author: str = ""
    email: str = ""
    website: str = ""
    parent: int | None = None
    title: str = ""
    honeypot: str = ""
    form_token: str = ""
    lang: str = ""
    notify: bool = False  # email me when someone replies (needs an email)
    commenter: str = ""  # the commenter token this browser holds, if any (D18)


@dataclass(frozen=True, slots=True)
class Posted:
    """The outcome of a submit: published (201) or held (202; also for spam and discard)."""

    status: Status
    comment: PublicComment | None  # None when discarded: answered as held, nothing shown
    token: str | None
    thread: Thread
    commenter_token: str | None = None  # keep it and send it with the next comment (D18)

    @property
    def published(self) -> bool:
        return self.status is Status.PUBLISHED


@dataclass(slots=True)
class ThreadPage:
    site: SiteRow
    key: str
    thread: Thread | None
    comments: list[PublicComment]
    next_after: int | None
    total: int
    form_token: str
    edit_window_s: int
    max_depth: int
    own_pending: bool = False
    sort: Sort = Sort.OLDEST
    voting: bool = True  # the site lets readers vote
    gravatar: bool = False  # the site shows Gravatar pictures


@dataclass(frozen=True, slots=True)
class OwnComment:
    """One's own comment as the edit and delete pages show it, while it can still be changed."""

    site: SiteRow
    key: str
    item: PublicComment  # with ``editable_until``
    source: str  # its Markdown
    form_token: str
