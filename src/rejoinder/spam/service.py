"""The Akismet-facing service: check, learn from submissions, report usage.

``web/akismet.py`` parses HTTP and calls exactly one method here. Everything stored goes through
``privacy.anonymize`` first: no raw IP, user agent or referrer reaches storage.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection

from rejoinder.errors import NotFound
from rejoinder.privacy.anonymize import Hasher, referrer_host, ua_family
from rejoinder.sites.service import Clock, KeyInfo, try_normalise, utcnow
from rejoinder.spam.engine import Engine
from rejoinder.spam.submission import Submission
from rejoinder.spam.verdict import Label, Thresholds, Verdict
from rejoinder.storage import checks as check_store
from rejoinder.storage import sites as site_store
from rejoinder.storage import usage as usage_store
from rejoinder.storage.db import Database

# Extra Akismet fields worth keeping with a check record. Everything else a client sends
# (WordPress forwards all HTTP_* headers, REMOTE_ADDR, comment_author_IP, …) is dropped.
KEPT_EXTRA_FIELDS = frozenset(
    {"comment_context", "comment_parent", "comment_post_ID", "recheck_reason", "blog_charset",
     "honeypot_field_name", "comment_check_response", "reporter"}
)  # fmt: skip
MAX_EXTRA_VALUE = 500


class FeedbackSource(StrEnum):
    AKISMET = "akismet"
    MODERATOR = "moderator"


@dataclass(frozen=True, slots=True)
class CheckResult:
    guid: str
    verdict: Verdict


@dataclass(frozen=True, slots=True)
class SubmitResult:
    recorded: bool  # False when the same label for the same content was already known
    linked_guid: str | None


def month_of(moment: datetime) -> str:
    return moment.strftime("%Y-%m")


class CheckService:
    def __init__(
        self,
        db: Database,
        engine: Engine,
        hasher: Hasher,
        default: Thresholds,
        clock: Clock = utcnow,
    ):
        self.db = db
        self.engine = engine
        self.hasher = hasher
        self.default_thresholds = default
        self.clock = clock

    def thresholds_for(self, site_url: str) -> Thresholds:
        with self.db.read() as conn:
            site = site_store.site_by_url(conn, site_url)
        if site is None:
            return self.default_thresholds
        d = self.default_thresholds
        return Thresholds(
            site.threshold_hold if site.threshold_hold is not None else d.hold,
            site.threshold_spam if site.threshold_spam is not None else d.spam,
            site.threshold_discard if site.threshold_discard is not None else d.discard,
        )

    def check(self, key: KeyInfo, fields: dict[str, str]) -> CheckResult:
        site_url = try_normalise(fields.get("blog", "")) or fields.get("blog", "")[:500]
        submission = Submission.from_fields(fields, site=site_url)
        verdict = self.engine.check(submission, self.thresholds_for(site_url))
        guid = uuid.uuid4().hex
        if not submission.is_test:
            self._record_check(key, submission, verdict, guid)
        return CheckResult(guid, verdict)

    def evaluate(self, fields: dict[str, str]) -> Verdict:
        """Score fields without recording anything (``rejoinder explain``)."""
        site_url = try_normalise(fields.get("blog", "")) or fields.get("blog", "")[:500]
        submission = Submission.from_fields(fields, site=site_url)
        return self.engine.check(submission, self.thresholds_for(site_url))

    def stored_check(self, key: KeyInfo, guid: str) -> dict[str, Any]:
        """A check record this key may read: one it made, or one on a site it is limited to."""
        with self.db.read() as conn:
            record = check_store.check_by_guid(conn, guid.strip().lower()[:64])
        if record is None or not (
            record["key_id"] == key.id or (key.site_urls and record["site_url"] in key.site_urls)
        ):
            raise NotFound("no such verdict for this key")
        return record

    def _record_check(self, key: KeyInfo, sub: Submission, verdict: Verdict, guid: str) -> None:
        now = self.clock()
        record = check_store.CheckRecord(
            guid=guid, key_id=key.id, site_url=sub.site, created_at=now, is_test=sub.is_test,
            comment_type=sub.comment_type[:50], author=sub.author, email=sub.email,
            email_hash=self.hasher.email(sub.email), author_url=sub.author_url, content=sub.content, permalink=sub.permalink,
            ip_hash=self.hasher.ip(sub.ip), ip_prefix_hash=self.hasher.ip_prefix(sub.ip),
            ua_family=ua_family(sub.user_agent), referrer_host=referrer_host(sub.referrer),
            fingerprint=sub.fingerprint, probability=verdict.probability,
            action=verdict.action.value, hits=[h.as_dict() for h in verdict.hits],
            extra=_kept_extra(sub.extra),
        )  # fmt: skip
        counter = "spam" if verdict.is_spam else "ham"
        with self.db.begin() as conn:
            check_store.insert_check(conn, record)
            usage_store.bump(conn, key.id, sub.site, month_of(now), api_calls=1, **{counter: 1})

    def submit(self, key: KeyInfo, fields: dict[str, str], label: Label) -> SubmitResult:
        """Record a submit-spam / submit-ham durably, linked to its check, then learn from it."""
        site_url = try_normalise(fields.get("blog", "")) or fields.get("blog", "")[:500]
        submission = Submission.from_fields(fields, site=site_url)
        now = self.clock()
        with self.db.begin() as conn:
            check = self._find_check(conn, fields.get("guid", ""), site_url, submission.fingerprint)
            feedback_id = None
            if not submission.is_test:
                record = check_store.FeedbackRecord(
                    label=label.value, site_url=site_url, fingerprint=submission.fingerprint,
                    guid=check["guid"] if check else None, check_id=check["id"] if check else None,
                    key_id=key.id, source=FeedbackSource.AKISMET.value, created_at=now,
                    fields=_learnable_fields(submission),
                    ip_hash=self.hasher.ip(submission.ip), ip_prefix_hash=self.hasher.ip_prefix(submission.ip),
                    email_hash=self.hasher.email(submission.email),
                )  # fmt: skip
                feedback_id = check_store.insert_feedback(conn, record)
            delta = {"api_calls": 1}
            if check is not None and feedback_id is not None:  # a repeated label counts once
                was_spam = check["action"] in ("spam", "discard")
                if label is Label.SPAM and not was_spam:
                    delta["missed_spam"] = 1
                elif label is Label.HAM and was_spam:
                    delta["false_positives"] = 1
            usage_store.bump(conn, key.id, site_url, month_of(now), **delta)
        if feedback_id is not None:
            self.engine.learn(submission, label, feedback_id)
        return SubmitResult(feedback_id is not None, check["guid"] if check else None)

    @staticmethod
    def _find_check(conn: Connection, guid: str, site_url: str, fp: str) -> dict[str, Any] | None:
        guid = guid.strip().lower()
        if guid:
            found = check_store.check_by_guid(conn, guid)
            if found is not None:
                return found
        return check_store.latest_check_by_fingerprint(conn, site_url, fp)

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

    def key_sites(self, key: KeyInfo, month: str | None) -> tuple[str, list[usage_store.SiteUsage]]:
        month = month or month_of(self.clock())
        with self.db.read() as conn:
            return month, usage_store.key_sites(conn, key.id, month)


def _kept_extra(extra: dict[str, str]) -> dict[str, str]:
    return {k: v[:MAX_EXTRA_VALUE] for k, v in extra.items() if k in KEPT_EXTRA_FIELDS}


def _learnable_fields(sub: Submission) -> dict[str, str]:
    """What learning needs, without raw IP, user agent or referrer."""
    return {
        "comment_content": sub.content,
        "comment_author": sub.author,
        "comment_author_email": sub.email,
        "comment_author_url": sub.author_url,
        "permalink": sub.permalink,
        "comment_type": sub.comment_type,
        "blog_lang": sub.blog_lang,
        "ua_family": ua_family(sub.user_agent),
        "referrer_host": referrer_host(sub.referrer),
    }
