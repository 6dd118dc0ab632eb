"""The retention rules: how long each kind of personal data is kept.

The registry :data:`RULES` is the one list of retention promises. Each rule names a table, which
of its rows it applies to (age, plus an optional status/label predicate), what happens to them
(the row is deleted, or its personal columns are cleared) and the setting that holds the number
of days. The purge (``retention.py``), the ``/privacy`` notice and ``docs/privacy.md`` all read
this list, so they cannot disagree.

Adding a rule for a new table: append a :class:`RetentionRule` below (and a setting in
``settings/`` if the period is new). A rule whose table is not in the schema is skipped (and
listed as such in a purge report); ``tests/privacy/test_retention.py`` checks that every rule
whose table exists resolves all its columns.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Table, Text, and_, cast, exists, or_, select, true

from rejoinder.core.records.notify import FINISHED
from rejoinder.settings import Settings

Predicate = Callable[[Table], ColumnElement[bool]]
Values = Callable[[datetime], Mapping[str, Any]]


class Purge(StrEnum):
    """What a rule does to a row that is old enough."""

    DELETE = "delete"  # the whole row goes
    CLEAR = "clear"  # personal columns are blanked; the rest stays


class Audience(StrEnum):
    """Who can read a kind of data (shown on the notice)."""

    OPERATOR = "the operator of this server (database access, command line)"
    MODERATORS = "the operator and the site's moderators"
    PUBLIC = "everyone who reads the page"
    NOBODY = "nobody: only the software compares it"


class CommentStatus(StrEnum):
    """Mirror of ``core.records.comments.Status`` (the platform's enum) used by the comment rules."""

    PUBLISHED = "published"
    SPAM = "spam"
    DELETED = "deleted"
    DISCARDED = "discarded"


@dataclass(frozen=True, slots=True)
class RetentionRule:
    name: str  # stable id shown in reports, e.g. "checks"
    table: str
    what: str  # plain words for the notice and reports
    action: Purge
    days_setting: str | None = None  # a Settings field holding the days
    fixed_days: int | None = None  # for periods that are not a setting
    age_column: str = "created_at"
    age_unix: bool = False  # the age column holds unix seconds (a float), not a timestamp
    only: Predicate | None = None  # which rows, besides age (status, label …)
    pending: Predicate | None = None  # CLEAR: rows still holding what is to be cleared
    clear: Values | None = None  # CLEAR: column -> value
    audience: Audience = Audience.OPERATOR

    def days(self, settings: Settings) -> int:
        if self.days_setting is not None:
            return int(getattr(settings, self.days_setting))
        assert self.fixed_days is not None, self.name
        return self.fixed_days

    def condition(self, table: Table, cutoff: datetime) -> ColumnElement[bool]:
        limit: datetime | float = cutoff.timestamp() if self.age_unix else cutoff
        parts = [table.c[self.age_column] < limit]
        if self.only is not None:
            parts.append(self.only(table))
        if self.pending is not None:
            parts.append(self.pending(table))
        return and_(true(), *parts)


def _any_not_null(*names: str) -> Predicate:
    return lambda t: or_(*(t.c[n].isnot(None) for n in names if n in t.c))


def _nulls(*names: str) -> Values:
    return lambda _now: dict.fromkeys(names)


def has_replies(t: Table) -> ColumnElement[bool]:
    """The comment has replies (its row then stays as a placeholder, or the thread breaks)."""
    child = t.alias("child")
    return exists(select(child.c.id).where(child.c.parent_id == t.c.id))


def _gone(t: Table) -> ColumnElement[bool]:
    return t.c.status.in_([CommentStatus.SPAM.value, CommentStatus.DELETED.value])


def _not_blank(t: Table) -> ColumnElement[bool]:
    return or_(
        t.c.text != "",
        t.c.author != "",
        t.c.email != "",
        t.c.website != "",
        t.c.email_hash.isnot(None),
        t.c.ip_hash.isnot(None),
        t.c.ip_prefix_hash.isnot(None),
    )


def comment_placeholder(_now: datetime) -> Mapping[str, Any]:
    """What stays of a removed comment that has replies: nothing about its author or text."""
    return {
        "text": "",
        "html": "",
        "author": "",
        "author_html": "",
        "email": "",
        "email_hash": None,
        "website": "",
        "ip_hash": None,
        "ip_prefix_hash": None,
        "ua_family": "",
        "ip_network": None,
        "notify_replies": False,
        "fingerprint": None,
        "avatar": None,
        "gravatar": None,
    }


def _comment_email_only(t: Table) -> ColumnElement[bool]:
    published = and_(t.c.status == CommentStatus.PUBLISHED.value, t.c.email != "")
    if "notify_replies" in t.c:  # the email is kept while reply notifications are on
        return and_(published, t.c.notify_replies.is_(False))
    return published


RULES: tuple[RetentionRule, ...] = (
    RetentionRule(
        name="checks",
        table="checks",
        what="Akismet check records: comment text, name, email, website, article URL, keyed "
        "hashes of the IP address and its network, browser family, referrer host and the verdict",
        action=Purge.DELETE,
        days_setting="retention_check_days",
    ),
    RetentionRule(
        name="feedback.personal",
        table="feedback",
        what="The personal part of spam/ham reports (text, name, email, website, referrer "
        "host); the label and a fingerprint of the text stay so a report is never learned twice",
        action=Purge.CLEAR,
        days_setting="retention_feedback_days",
        pending=lambda t: t.c.personal_cleared_at.is_(None),
        clear=lambda now: {"fields": {}, "personal_cleared_at": now},
    ),
    RetentionRule(
        name="feedback.hashes",
        table="feedback",
        what="Keyed hashes of the IP address, its network and the email on spam/ham reports",
        action=Purge.CLEAR,
        days_setting="retention_hash_days",
        pending=_any_not_null("ip_hash", "ip_prefix_hash", "email_hash"),
        clear=_nulls("ip_hash", "ip_prefix_hash", "email_hash"),
        audience=Audience.NOBODY,
    ),
    RetentionRule(
        name="comments.spam",
        table="comments",
        what="Comments filed as spam or deleted, with everything stored about them (one with "
        "replies stays as an empty placeholder so the replies keep their place)",
        action=Purge.DELETE,
        days_setting="retention_spam_days",
        only=lambda t: and_(_gone(t), ~has_replies(t)),
        audience=Audience.MODERATORS,
    ),
    RetentionRule(
        name="comments.spam.placeholder",
        table="comments",
        what="Text, author and hashes of spam or deleted comments that have replies",
        action=Purge.CLEAR,
        days_setting="retention_spam_days",
        only=lambda t: and_(_gone(t), has_replies(t)),
        pending=_not_blank,
        clear=comment_placeholder,
        audience=Audience.MODERATORS,
    ),
    RetentionRule(
        name="comments.discarded",
        table="comments",
        what="Comments the spam filter discarded, with everything stored about them (kept "
        "only so a moderator can restore a false discard; the reader was told it awaits "
        "moderation)",
        action=Purge.DELETE,
        days_setting="retention_discarded_days",
        only=lambda t: t.c.status == CommentStatus.DISCARDED.value,
        audience=Audience.MODERATORS,
    ),
    RetentionRule(
        name="comments.email",
        table="comments",
        what="A commenter's email on a published comment, unless reply notifications are on",
        action=Purge.CLEAR,
        days_setting="retention_email_days",
        only=_comment_email_only,
        clear=lambda _now: {"email": "", "gravatar": None},
        audience=Audience.MODERATORS,
    ),
    RetentionRule(
        name="comments.hashes",
        table="comments",
        what="The network (/24, /48) a comment came from, which moderators see, and keyed "
        "hashes of the commenter's IP address and network, which only the software compares",
        action=Purge.CLEAR,
        days_setting="retention_hash_days",
        pending=_any_not_null("ip_hash", "ip_prefix_hash", "ip_network"),
        clear=_nulls("ip_hash", "ip_prefix_hash", "ip_network"),
        audience=Audience.MODERATORS,
    ),
    RetentionRule(
        name="reputation",
        table="reputation",
        what="What the spam filter learned from spam/not-spam reports: counts kept under keyed "
        "hashes of IP addresses, networks, email addresses and domains (deleted once no report "
        "has added to them for this long)",
        action=Purge.DELETE,
        days_setting="retention_reputation_days",
        age_column="updated_ts",
        age_unix=True,
        audience=Audience.NOBODY,
    ),
    RetentionRule(
        name="near_duplicates",
        table="near_duplicates",
        what="Fingerprints of texts reported as spam or not spam (MinHash numbers from which "
        "the text cannot be read back), to recognise the same campaign on every site",
        action=Purge.DELETE,
        days_setting="near_duplicate_days",
        age_column="created_ts",
        age_unix=True,
        audience=Audience.NOBODY,
    ),
    RetentionRule(
        name="learned.keys",
        table="learned",
        what="Which reputation counts (keyed hashes) a learned report added to, kept so a "
        "moderator's correction can undo it",
        action=Purge.CLEAR,
        days_setting="retention_hash_days",
        age_column="learned_ts",
        age_unix=True,
        pending=lambda t: cast(t.c["keys"], Text) != "[]",
        clear=lambda _now: {"keys": []},
        audience=Audience.NOBODY,
    ),
    RetentionRule(
        name="thread_words",
        table="thread_words",
        what="What accepted comments on an article said, as keyed hashes of up to 24 word stems "
        "each (no text), to tell a comment that has nothing to do with the article: from an "
        "Akismet check as long as its check record; from a published comment while it stays "
        "published and unedited",
        action=Purge.DELETE,
        days_setting="retention_check_days",
        only=lambda t: t.c.check_guid.isnot(None),
        audience=Audience.NOBODY,
    ),
    RetentionRule(
        name="privacy_rate_limits",
        table="privacy_rate_limits",
        what="Counters of export/erase requests, keyed by hashes of the network and the email",
        action=Purge.DELETE,
        fixed_days=1,
        age_column="window_start",
        audience=Audience.NOBODY,
    ),
    RetentionRule(
        name="login_throttle",
        table="login_throttle",
        what="Counters of failed moderator sign-ins, keyed by hashes of the account and network",
        action=Purge.DELETE,
        fixed_days=1,
        age_column="window_start",
        audience=Audience.NOBODY,
    ),
    RetentionRule(
        name="moderator_sessions",
        table="moderator_sessions",
        what="Expired moderator sessions (hashed session ids)",
        action=Purge.DELETE,
        fixed_days=1,
        age_column="expires_at",
        audience=Audience.NOBODY,
    ),
    RetentionRule(
        name="notification_deliveries",
        table="notification_deliveries",
        what="The log of notification emails and webhooks sent (recipient address, what about)",
        action=Purge.DELETE,
        days_setting="notify_log_days",
        only=lambda t: t.c.state.in_([state.value for state in FINISHED]),
        audience=Audience.OPERATOR,
    ),
    RetentionRule(
        name="used_links",
        table="used_links",
        what="Hashes of one-click moderation links already used (so each acts once)",
        action=Purge.DELETE,
        fixed_days=1,
        age_column="expires_at",
        audience=Audience.NOBODY,
    ),
)
