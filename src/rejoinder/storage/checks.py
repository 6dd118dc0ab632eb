"""Akismet check records and the feedback (submit-spam/ham, moderator decisions) on them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, insert, select, update
from sqlalchemy.exc import IntegrityError

from rejoinder.core.records.verdict import HitRecord
from rejoinder.storage import stats as stats_store
from rejoinder.storage import thread_words
from rejoinder.storage import usage as usage_store
from rejoinder.storage.schema import checks, feedback


@dataclass(frozen=True, slots=True)
class CheckRecord:
    """Everything stored for one comment-check (no raw IP or user agent)."""

    guid: str
    key_id: int | None
    site_url: str
    created_at: datetime
    is_test: bool
    comment_type: str
    author: str
    email: str
    email_hash: str | None
    author_url: str
    content: str
    permalink: str
    ip_hash: str | None
    ip_prefix_hash: str | None
    ua_family: str
    referrer_host: str
    fingerprint: str
    probability: float
    action: str
    hits: list[HitRecord]
    extra: dict[str, str]


@dataclass(frozen=True, slots=True)
class StoredCheck(CheckRecord):
    """A check record as stored, with its row id (reports link their feedback to it)."""

    id: int


def insert_check(conn: Connection, record: CheckRecord) -> int:
    values = {f: getattr(record, f) for f in CheckRecord.__slots__}
    return int(conn.execute(insert(checks).values(**values).returning(checks.c.id)).scalar_one())


def insert_checks(conn: Connection, records: Sequence[CheckRecord]) -> None:
    """Many check records in one ``executemany``."""
    rows = [{f: getattr(r, f) for f in CheckRecord.__slots__} for r in records]
    conn.execute(insert(checks), rows)


@dataclass(frozen=True, slots=True)
class CheckWrite:
    """A writer job (``storage/writer.py``): one check record plus its monthly usage counters.

    Jobs waiting together are applied with one insert and one counter update per
    (key, site, month), in the same transaction.
    """

    record: CheckRecord
    month: str
    counters: dict[str, int] = field(default_factory=dict)
    # an accepted comment's word stems for its thread (``storage/thread_words.py``), kept to
    # at most ``words_keep`` rows per thread
    words: thread_words.ThreadWords | None = None
    words_keep: int = 30

    def run(self, conn: Connection) -> None:
        self.run_many(conn, [self])

    @classmethod
    def run_many(cls, conn: Connection, jobs: Sequence[CheckWrite]) -> None:
        insert_checks(conn, [job.record for job in jobs])
        words = [job.words for job in jobs if job.words is not None]
        if words:
            keep = min(job.words_keep for job in jobs)
            thread_words.add(conn, words, keep, replace=False)  # new records: nothing to replace
        totals: dict[tuple[int, str, str], Counter[str]] = {}
        for job in jobs:
            if job.record.key_id is None:
                continue
            slot = (job.record.key_id, job.record.site_url, job.month)
            totals.setdefault(slot, Counter()).update(job.counters)
        for (key_id, site_url, month), counts in totals.items():
            usage_store.bump(conn, key_id, site_url, month, **counts)
        days: dict[tuple[str, str], Counter[stats_store.Counter]] = {}
        for job in jobs:
            outcome = stats_store.ACTION_COUNTER.get(job.record.action)
            if outcome is not None and not job.record.is_test:
                slot2 = (job.record.site_url, stats_store.day_of(job.record.created_at))
                days.setdefault(slot2, Counter())[outcome] += 1
        for (site_url, day), outcomes in days.items():
            stats_store.bump(conn, site_url, day, dict(outcomes))


def check_by_guid(conn: Connection, guid: str) -> StoredCheck | None:
    row = conn.execute(select(checks).where(checks.c.guid == guid)).first()
    return StoredCheck(**row._mapping) if row else None


@dataclass(frozen=True, slots=True)
class CommentKey:
    """What identifies a comment when a report comes without a guid: its content (as the
    exact-duplicate fingerprint), author, keyed IP hash, and when its check may have been."""

    site_url: str
    fingerprint: str
    author: str
    ip_hash: str | None
    since: datetime
    until: datetime


def latest_matching_check(conn: Connection, key: CommentKey) -> StoredCheck | None:
    """The newest check of this comment (walks ``ix_checks_site_fingerprint``)."""
    ip_matches = (
        checks.c.ip_hash.is_(None) if key.ip_hash is None else checks.c.ip_hash == key.ip_hash
    )
    row = conn.execute(
        select(checks)
        .where(
            checks.c.site_url == key.site_url,
            checks.c.fingerprint == key.fingerprint,
            checks.c.author == key.author,
            ip_matches,
            checks.c.created_at >= key.since,
            checks.c.created_at <= key.until,
        )
        .order_by(checks.c.id.desc())
        .limit(1)
    ).first()
    return StoredCheck(**row._mapping) if row else None


@dataclass(frozen=True, slots=True)
class FeedbackRecord:
    label: str
    site_url: str
    fingerprint: str
    guid: str | None
    check_id: int | None
    key_id: int | None
    source: str
    created_at: datetime
    fields: dict[str, str]
    ip_hash: str | None
    ip_prefix_hash: str | None
    email_hash: str | None


def _same_label(record: FeedbackRecord) -> Any:
    return and_(
        feedback.c.site_url == record.site_url,
        feedback.c.fingerprint == record.fingerprint,
        feedback.c.label == record.label,
    )


def _repeated(conn: Connection, record: FeedbackRecord) -> None:
    """The same label given again: its time becomes the new decision's, so that the latest
    decision on a comment is the one with the latest ``created_at`` (a moderator may say
    spam, then not spam, then spam again; each label is stored once)."""
    conn.execute(update(feedback).where(_same_label(record)).values(created_at=record.created_at))


@dataclass(frozen=True, slots=True)
class NewFeedback:
    """A label just recorded: its row id, and whether it is the first row of its content and
    label on any site (``storage/feedback_log.py`` replays only those to the content model)."""

    id: int
    first: bool


def insert_feedback(
    conn: Connection, record: FeedbackRecord, *, renew: bool = True
) -> NewFeedback | None:
    """Record one label; None when the same label was already recorded on this site
    (``renew``: then it becomes the latest decision, see :func:`_repeated`)."""
    values = {f: getattr(record, f) for f in FeedbackRecord.__slots__}
    same = (feedback.c.fingerprint == record.fingerprint, feedback.c.label == record.label)
    sites = conn.execute(select(feedback.c.site_url).where(*same)).scalars().all()
    if record.site_url in sites:
        if renew:
            _repeated(conn, record)
        return None
    try:
        with conn.begin_nested():
            new_id = conn.execute(
                insert(feedback).values(**values).returning(feedback.c.id)
            ).scalar_one()
    except IntegrityError:
        return None
    return NewFeedback(int(new_id), first=not sites)


BATCH = 500


def insert_feedback_many(
    conn: Connection, records: list[FeedbackRecord], *, renew: bool = True
) -> list[NewFeedback | None]:
    """Record many labels at once (a moderator's bulk decision): one entry per record, in
    order, None where the same label for the same content on the same site is already known or
    repeats earlier in the batch. One lookup and one multi-row insert per 500 records."""
    existing: set[tuple[str, str, str]] = set()
    prints = sorted({r.fingerprint for r in records})
    for start in range(0, len(prints), BATCH):
        rows = conn.execute(
            select(feedback.c.site_url, feedback.c.fingerprint, feedback.c.label).where(
                feedback.c.fingerprint.in_(prints[start : start + BATCH])
            )
        )
        existing.update((r[0], r[1], r[2]) for r in rows)
    labelled = {(fp, label) for _site, fp, label in existing}  # content and label seen anywhere
    found: list[NewFeedback | None] = [None] * len(records)
    fresh: list[tuple[int, FeedbackRecord, bool]] = []
    known = set(existing)
    for position, record in enumerate(records):
        key = (record.site_url, record.fingerprint, record.label)
        if key in known and renew:
            _repeated(conn, record)
        if key not in existing:
            existing.add(key)
            first = (record.fingerprint, record.label) not in labelled
            labelled.add((record.fingerprint, record.label))
            fresh.append((position, record, first))
    for start in range(0, len(fresh), BATCH):
        part = fresh[start : start + BATCH]
        values = [{f: getattr(r, f) for f in FeedbackRecord.__slots__} for _, r, _f in part]
        try:
            with conn.begin_nested():
                result = conn.execute(
                    insert(feedback).returning(feedback.c.id, sort_by_parameter_order=True), values
                )
                for (position, _r, first), row in zip(part, result, strict=True):
                    found[position] = NewFeedback(int(row[0]), first)
        except IntegrityError:  # a concurrent writer got there first (PostgreSQL): one by one
            for position, record, _first in part:
                found[position] = insert_feedback(conn, record, renew=renew)
    return found


def count_feedback(conn: Connection) -> int:
    from sqlalchemy import func

    return int(conn.execute(select(func.count()).select_from(feedback)).scalar_one())


@dataclass(frozen=True, slots=True)
class HumanLabel:
    label: str
    fingerprint: str
    content: str  # '' when retention has cleared it
    decided_at: datetime


def _human_label(row: Any) -> HumanLabel:
    fields = row.fields or {}
    return HumanLabel(
        row.label, row.fingerprint, str(fields.get("comment_content", "")), row.created_at
    )


def latest_human_label(
    conn: Connection, site_url: str, fingerprint: str, sources: Sequence[str]
) -> HumanLabel | None:
    """The newest label people gave this exact content on this site."""
    row = conn.execute(
        select(feedback.c.label, feedback.c.fingerprint, feedback.c.fields, feedback.c.created_at)
        .where(
            feedback.c.site_url == site_url,
            feedback.c.fingerprint == fingerprint,
            feedback.c.source.in_(list(sources)),
        )
        .order_by(feedback.c.created_at.desc(), feedback.c.id.desc())
        .limit(1)
    ).first()
    return _human_label(row) if row else None


def recent_human_labels(
    conn: Connection, site_url: str, sources: Sequence[str], since: datetime, limit: int
) -> list[HumanLabel]:
    """Labels people gave on this site since a moment, newest first, content still kept."""
    rows = conn.execute(
        select(feedback.c.label, feedback.c.fingerprint, feedback.c.fields, feedback.c.created_at)
        .where(
            feedback.c.created_at >= since,
            feedback.c.site_url == site_url,
            feedback.c.source.in_(list(sources)),
            feedback.c.personal_cleared_at.is_(None),
        )
        .order_by(feedback.c.created_at.desc(), feedback.c.id.desc())
        .limit(limit)
    )
    return [_human_label(r) for r in rows]
