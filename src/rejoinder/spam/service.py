"""The Akismet-facing service: check, record reports (``spam/labels.py``), report usage.

``web/akismet.py`` parses HTTP and calls exactly one method here. Everything stored goes through
``core.anonymize`` first: no raw IP, user agent or referrer reaches storage.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from rejoinder.core.anonymize import Hasher, referrer_host, ua_family
from rejoinder.core.clock import Clock, utcnow
from rejoinder.core.records.verdict import Action, Label, Thresholds, Verdict
from rejoinder.errors import NotFound
from rejoinder.sites.service import KeyInfo, SiteService, try_normalise
from rejoinder.spam import decisions
from rejoinder.spam.engine import Engine
from rejoinder.spam.labels import HUMAN_SOURCES, FeedbackSource, Labelled, Labels, RecordedLabel
from rejoinder.spam.learning import profiles
from rejoinder.spam.stats import StatsPeriod, akismet_stats
from rejoinder.spam.submission import Submission
from rejoinder.storage import checks as check_store
from rejoinder.storage import stats as stats_store
from rejoinder.storage import thread_words
from rejoinder.storage import usage as usage_store
from rejoinder.storage.db import Database

# Extra Akismet fields worth keeping with a check record. Everything else a client sends
# (WordPress forwards all HTTP_* headers, REMOTE_ADDR, comment_author_IP, …) is dropped.
KEPT_EXTRA_FIELDS = frozenset(
    {"comment_context", "comment_parent", "comment_post_ID", "recheck_reason", "blog_charset",
     "honeypot_field_name", "comment_check_response", "reporter"}
)  # fmt: skip
MAX_EXTRA_VALUE = 500
REPORT_WINDOW = timedelta(days=1)  # a report's comment date against its check's time
UNDATED_REPORT_DAYS = 30


@dataclass(frozen=True, slots=True)
class CheckResult:
    guid: str
    verdict: Verdict


@dataclass(frozen=True, slots=True)
class PendingCheck:
    """A decided check and what must be stored before anyone is told about it.

    ``write`` is the check record plus usage counters; None when nothing is stored
    (``is_test``). Pass it to :meth:`CheckService.store` and answer only after that returned.
    """

    result: CheckResult
    write: check_store.CheckWrite | None


@dataclass(frozen=True, slots=True)
class SubmitResult:
    recorded: bool  # False when the same label for the same content was already known
    linked_guid: str | None


def month_of(moment: datetime) -> str:
    return f"{moment.year:04d}-{moment.month:02d}"


class CheckService:
    def __init__(
        self,
        db: Database,
        engine: Engine,
        hasher: Hasher,
        sites: SiteService,
        labels: Labels,
        clock: Clock = utcnow,
    ):
        self.db = db
        self.engine = engine
        self.hasher = hasher
        self.sites = sites  # owns the thresholds (``SiteService.thresholds_for``)
        self.labels = labels  # records a report once and tells the learners (``spam/labels.py``)
        self.clock = clock

    async def store(self, pending: PendingCheck) -> None:
        """Store a decided check; returns once it is committed (StorageUnavailable if not)."""
        if pending.write is not None:
            await self.db.write_async(pending.write)

    def decide(self, key: KeyInfo, fields: dict[str, str]) -> PendingCheck:
        """The verdict and the record to store (may read the site's thresholds first)."""
        site_url = _site_url(fields)
        submission = Submission.from_fields(fields, site=site_url)
        return self._decide(key, submission, self.sites.thresholds_for(site_url))

    def decide_cached(self, key: KeyInfo, fields: dict[str, str]) -> PendingCheck | None:
        """As decide, for the event loop: None when the thresholds are not cached, when the
        topicality signal would read a thread profile that is not cached, or when the
        database is not a local SQLite file (the engine's learned state refreshes itself from
        the database every few seconds, and a network round trip must not stall the loop)."""
        if not self.db.is_sqlite or fields.get("recheck_reason", "").strip():
            return None  # a recheck reads the decisions people made (``_human_final``)
        site_url = _site_url(fields)
        thresholds = self.sites.cached_thresholds(site_url)
        if thresholds is None:
            return None
        submission = Submission.from_fields(fields, site=site_url)
        threads = self.engine.state.profiles if self.engine.state is not None else None
        if threads is not None and submission.urls and not threads.is_cached(submission):
            return None  # a read: in the thread pool, as for a key not cached
        return self._decide(key, submission, thresholds)

    def _decide(self, key: KeyInfo, submission: Submission, thresholds: Thresholds) -> PendingCheck:
        verdict = self.engine.check(submission, thresholds)
        if submission.is_recheck:
            verdict = self._human_final(submission, verdict)
        guid = uuid.uuid4().hex
        write = None
        if not submission.is_test:
            write = self._check_write(key, submission, verdict, guid)
        return PendingCheck(CheckResult(guid, verdict), write)

    def _human_final(self, submission: Submission, verdict: Verdict) -> Verdict:
        """On a recheck, a person's decision on this comment stands (``spam/decisions.py``)."""
        with self.db.read() as conn:
            decided = decisions.human_decision(conn, submission, HUMAN_SOURCES, self.clock())
        return verdict if decided is None else decisions.final(verdict, decided)

    def evaluate(self, fields: dict[str, str]) -> Verdict:
        """Score fields without recording anything (``rejoinder explain``)."""
        site_url = try_normalise(fields.get("blog", "")) or fields.get("blog", "")[:500]
        submission = Submission.from_fields(fields, site=site_url)
        return self.engine.check(submission, self.sites.thresholds_for(site_url))

    def stored_check(self, key: KeyInfo, guid: str) -> check_store.StoredCheck:
        """A check record this key may read: one it made, or one on a site it is limited to."""
        with self.db.read() as conn:
            record = check_store.check_by_guid(conn, guid.strip().lower()[:64])
        if record is None or not (
            record.key_id == key.id or (key.site_urls and record.site_url in key.site_urls)
        ):
            raise NotFound("no such verdict for this key")
        return record

    def _check_write(
        self, key: KeyInfo, sub: Submission, verdict: Verdict, guid: str
    ) -> check_store.CheckWrite:
        now = self.clock()
        record = check_store.CheckRecord(
            guid=guid,
            key_id=key.id,
            site_url=sub.site,
            created_at=now,
            is_test=sub.is_test,
            comment_type=sub.comment_type[:50],
            author=sub.author,
            email=sub.email,
            email_hash=self.hasher.email(sub.email),
            author_url=sub.author_url,
            content=sub.content,
            permalink=sub.permalink,
            ip_hash=self.hasher.ip(sub.ip),
            ip_prefix_hash=self.hasher.ip_prefix(sub.ip),
            ua_family=ua_family(sub.user_agent),
            referrer_host=referrer_host(sub.referrer),
            fingerprint=sub.fingerprint,
            probability=verdict.probability,
            action=verdict.action.value,
            hits=[h.as_dict() for h in verdict.hits],
            extra=_kept_extra(sub.extra),
        )
        counter = "spam" if verdict.is_spam else "ham"
        words = self._thread_words(sub, verdict, guid)
        return check_store.CheckWrite(
            record, month_of(now), {"api_calls": 1, counter: 1}, words, profiles.KEEP
        )

    def _thread_words(
        self, sub: Submission, verdict: Verdict, guid: str
    ) -> thread_words.ThreadWords | None:
        """An accepted comment's stems for its thread's profile (not a recheck's: the first
        check of that comment counted already)."""
        threads = self.engine.state.profiles if self.engine.state is not None else None
        if threads is None or verdict.action is not Action.ACCEPT or sub.is_recheck:
            return None
        row = threads.words(sub.site, sub.permalink, sub.content, check_guid=guid)
        if row is not None:
            threads.forget(row.thread)
        return row

    def submit(self, key: KeyInfo, fields: dict[str, str], label: Label) -> SubmitResult:
        """Record a submit-spam / submit-ham durably, linked to its check, then publish it to
        the learners (``Labels``), as a moderator's decision is."""
        site_url = _site_url(fields)
        submission = Submission.from_fields(fields, site=site_url)
        now = self.clock()

        def record(conn: Connection) -> tuple[SubmitResult, RecordedLabel | None]:
            check = self._find_check(conn, fields.get("guid", ""), self._comment_key(submission))
            linked = check.guid if check else None
            recorded = self.labels.record(
                conn,
                Labelled(submission, label),
                FeedbackSource.AKISMET,
                key_id=key.id,
                check=check,
            )
            threads = self.engine.state.profiles if self.engine.state is not None else None
            if check is not None and threads is not None:  # the thread's profile follows
                threads.on_report(conn, check, label)
            delta = {"api_calls": 1}
            if check is not None and recorded is not None:  # a repeated label counts once
                was_spam = check.action in ("spam", "discard")
                if label is Label.SPAM and not was_spam:
                    delta["missed_spam"] = 1
                elif label is Label.HAM and was_spam:
                    delta["false_positives"] = 1
            usage_store.bump(conn, key.id, site_url, month_of(now), **delta)
            corrected = {stats_store.Counter(k): v for k, v in delta.items() if k != "api_calls"}
            stats_store.bump(conn, site_url, stats_store.day_of(now), corrected)
            return SubmitResult(recorded is not None, linked), recorded

        result, recorded = self.db.write(record)
        self.labels.publish([recorded])
        return result

    def _comment_key(self, submission: Submission) -> check_store.CommentKey:
        """How a report without a (known) guid finds its check: the same content, author and
        IP on the same site, checked within a day of the comment's date (``comment_date_gmt``,
        which WordPress sends) or, undated, within ``UNDATED_REPORT_DAYS`` before now."""
        now = self.clock()
        dated = submission.created_at
        since, until = (
            (dated - REPORT_WINDOW, dated + REPORT_WINDOW)
            if dated is not None
            else (now - timedelta(days=UNDATED_REPORT_DAYS), now + REPORT_WINDOW)
        )
        return check_store.CommentKey(
            submission.site,
            submission.fingerprint,
            submission.author,
            self.hasher.ip(submission.ip),
            since,
            until,
        )

    @staticmethod
    def _find_check(
        conn: Connection, guid: str, comment: check_store.CommentKey
    ) -> check_store.StoredCheck | None:
        guid = guid.strip().lower()
        if guid:
            found = check_store.check_by_guid(conn, guid)
            if found is not None and found.site_url == comment.site_url:
                return found
        return check_store.latest_matching_check(conn, comment)

    def usage(self, key: KeyInfo, limit: int) -> dict[str, object]:
        with self.db.read() as conn:
            used = usage_store.month_total(conn, key.id, month_of(self.clock()))
        percentage = f"{(100.0 * used / limit):.2f}" if limit else "0.00"
        return {
            "limit": limit or "none",
            "usage": used,
            "percentage": percentage,
            "throttled": False,
        }

    def stats(self, site_url: str, period: StatsPeriod) -> dict[str, Any]:
        """``get-stats``: the site's counters over the period, as the WordPress plugin reads
        them (``spam/stats.py``)."""
        now = self.clock()
        with self.db.read() as conn:
            months = usage_store.site_months(conn, site_url, period.first_month(now))
        return akismet_stats(months, month_of(now))

    def key_sites(self, key: KeyInfo, month: str | None) -> tuple[str, list[usage_store.SiteUsage]]:
        month = month or month_of(self.clock())
        with self.db.read() as conn:
            return month, usage_store.key_sites(conn, key.id, month)


def _site_url(fields: dict[str, str]) -> str:
    return try_normalise(fields.get("blog", "")) or fields.get("blog", "")[:500]


def _kept_extra(extra: dict[str, str]) -> dict[str, str]:
    return {k: v[:MAX_EXTRA_VALUE] for k, v in extra.items() if k in KEPT_EXTRA_FIELDS}
