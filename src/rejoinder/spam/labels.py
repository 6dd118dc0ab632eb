"""A label, recorded once and handed to every learner: the one path from a decision to the model.

Every label — an Akismet submit-spam/submit-ham, a moderator's approve/spam/not-spam, a status
carried over by an import — becomes one ``feedback`` row through :meth:`Labels.record_many`, in
the caller's transaction (unique per site, content and label: the same label again records
nothing). That row is what makes an acknowledged label durable. After the commit the caller
hands the new labels to :meth:`Labels.publish`, which gives them to every subscriber in order;
``app.py`` subscribes the learners (the reputation sums and the near-duplicate index, then the
content model with its per-site models). A learner never calls back up and never reads back the
row it was given: each keeps its own place in the feedback log and catches up from it on start
(the learned state: rows not marked learned; the content model: rows after its snapshot).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import Connection

from rejoinder.core.anonymize import Hasher, referrer_host, ua_family
from rejoinder.core.clock import Clock, utcnow
from rejoinder.core.records.verdict import Label
from rejoinder.spam.submission import Submission
from rejoinder.storage import checks as check_store
from rejoinder.storage.db import Database

log = logging.getLogger(__name__)

IpHashes = tuple[str | None, str | None]  # keyed hashes of an IP and of its network


class FeedbackSource(StrEnum):
    AKISMET = "akismet"  # submit-spam / submit-ham: a person's report through a client
    MODERATOR = "moderator"
    IMPORT = "import"  # a status carried over from another comment system (``migration/``)


# Labels a person gave: final on a recheck. Imported ones may be another filter's verdicts.
HUMAN_SOURCES = (FeedbackSource.AKISMET.value, FeedbackSource.MODERATOR.value)


@dataclass(frozen=True, slots=True)
class Labelled:
    """A label to record; ``ip_hashes`` stand in for ``submission.ip`` when only they were
    stored (a comment a moderator decides on later)."""

    submission: Submission
    label: Label
    ip_hashes: IpHashes | None = None


@dataclass(frozen=True, slots=True)
class RecordedLabel:
    """A label as recorded: what every learner learns, live or when it catches up.

    ``submission`` is rebuilt from the row's privacy-safe fields (no raw IP, user agent or
    referrer), so a label learned now and the same row replayed after a restart teach the same.
    ``first``: no earlier row holds this content with this label (on any site); the content
    model learns only those.
    """

    feedback_id: int
    submission: Submission
    label: Label
    ip_hashes: IpHashes
    first: bool = True

    @classmethod
    def of_row(cls, row: Any, first: bool = True) -> RecordedLabel:
        """A stored feedback row (a mapping with the table's columns) as a recorded label."""
        fields = {k: v for k, v in (row["fields"] or {}).items() if isinstance(v, str)}
        return cls(
            int(row["id"]),
            Submission.from_fields(fields, site=row["site_url"]),
            Label(row["label"]),
            (row["ip_hash"], row["ip_prefix_hash"]),
            first,
        )


class LabelListener(Protocol):
    """A learner: told every new label once, after the commit that recorded it."""

    def on_labels(self, labels: Sequence[RecordedLabel]) -> None: ...


class Labels:
    """The one owner of a label: records it, then tells every subscribed learner."""

    def __init__(self, db: Database, hasher: Hasher, clock: Clock = utcnow):
        self.db = db
        self.hasher = hasher
        self.clock = clock
        self._listeners: list[LabelListener] = []

    def subscribe(self, listener: LabelListener) -> None:
        """Add a learner (``app.py``); learners are told in the order they subscribed."""
        self._listeners.append(listener)

    def record(
        self,
        conn: Connection,
        labelled: Labelled,
        source: FeedbackSource,
        *,
        key_id: int | None = None,
        check: check_store.StoredCheck | None = None,
    ) -> RecordedLabel | None:
        """:meth:`record_many` for one label (an Akismet report links its key and check)."""
        return self.record_many(conn, [labelled], source, key_id=key_id, check=check)[0]

    def record_many(
        self,
        conn: Connection,
        labelled: Sequence[Labelled],
        source: FeedbackSource,
        *,
        key_id: int | None = None,
        check: check_store.StoredCheck | None = None,
    ) -> list[RecordedLabel | None]:
        """Record labels durably in the caller's transaction; one entry per label, in order:
        the recorded label, or None when this label for this content on this site is already
        recorded (a person's repeated label becomes the latest decision) or for ``is_test``.
        After the commit, hand the recorded ones to :meth:`publish`."""
        wanted = [(i, item) for i, item in enumerate(labelled) if not item.submission.is_test]
        records = [self._record_of(item, source, key_id, check) for _i, item in wanted]
        renew = source.value in HUMAN_SOURCES  # an imported label is no new decision
        stored = check_store.insert_feedback_many(conn, records, renew=renew)
        found: list[RecordedLabel | None] = [None] * len(labelled)
        for (position, item), record, new in zip(wanted, records, stored, strict=True):
            if new is not None:
                found[position] = _recorded(new, record, item.label)
        return found

    def publish(self, labels: Sequence[RecordedLabel | None]) -> int:
        """After the commit: tell every learner the new labels (Nones skipped). A learner that
        fails learns them when it next catches up from the log; the labels stay recorded.
        Returns how many labels were handed on."""
        fresh = [label for label in labels if label is not None]
        if not fresh:
            return 0
        for listener in self._listeners:
            try:
                listener.on_labels(fresh)
            except Exception:  # the label is durable; this learner catches up later
                log.exception("learner %s failed", type(listener).__name__)
        return len(fresh)

    def teach(self, labelled: Labelled, source: FeedbackSource) -> RecordedLabel | None:
        """Record one label in its own transaction and publish it (tools, tests, benches)."""
        with self.db.begin() as conn:
            recorded = self.record(conn, labelled, source)
        self.publish([recorded])
        return recorded

    def _record_of(
        self,
        item: Labelled,
        source: FeedbackSource,
        key_id: int | None,
        check: check_store.StoredCheck | None,
    ) -> check_store.FeedbackRecord:
        """The one place a label becomes a feedback row (no raw IP, user agent or referrer)."""
        sub = item.submission
        ip_hash, prefix_hash = item.ip_hashes or (
            self.hasher.ip(sub.ip),
            self.hasher.ip_prefix(sub.ip),
        )
        return check_store.FeedbackRecord(
            label=item.label.value,
            site_url=sub.site,
            fingerprint=sub.fingerprint,
            guid=check.guid if check else None,
            check_id=check.id if check else None,
            key_id=key_id,
            source=source.value,
            created_at=self.clock(),
            fields=learnable_fields(sub),
            ip_hash=ip_hash,
            ip_prefix_hash=prefix_hash,
            email_hash=self.hasher.email(sub.email),
        )


def _recorded(
    new: check_store.NewFeedback, record: check_store.FeedbackRecord, label: Label
) -> RecordedLabel:
    submission = Submission.from_fields(record.fields, site=record.site_url)
    hashes = (record.ip_hash, record.ip_prefix_hash)
    return RecordedLabel(new.id, submission, label, hashes, new.first)


def learnable_fields(sub: Submission) -> dict[str, str]:
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
