"""The moderation service: queues, decisions (one or many), edits, history.

Every decision is one transaction: the status change (through ``storage.comments``, which
bumps the thread version that keys the read cache), the audit row, and — for approve, spam and
not-spam — the label (``spam/labels.py:Labels.record_many``: a feedback row, unique per site,
content and label). After the commit the new labels go to every learner once
(``Labels.publish``), exactly as an Akismet submit-spam/submit-ham's do. Two moderators deciding
at once: the last decision wins, and a label already recorded is not learned again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from rejoinder.comments import sanitize
from rejoinder.comments.events import CommentEvent, EventKind, Events
from rejoinder.core.anonymize import Hasher
from rejoinder.core.clock import Clock, utcnow
from rejoinder.core.records.comments import Status
from rejoinder.core.records.moderation import (
    Actor,
    Decision,
    LogEntry,
    Moderator,
    ParentPreview,
    Queue,
    QueueItem,
)
from rejoinder.core.records.verdict import Label
from rejoinder.errors import Conflict, Forbidden, NotFound, ValidationFailed
from rejoinder.spam.labels import FeedbackSource, Labelled, Labels, RecordedLabel
from rejoinder.spam.submission import Submission
from rejoinder.storage import comments as comment_store
from rejoinder.storage import moderation as log_store
from rejoinder.storage import queue as store
from rejoinder.storage import sites as site_store
from rejoinder.storage import stats as stats_store
from rejoinder.storage.db import Database
from rejoinder.storage.sites import SiteRow

COUNT_CAP = 1000  # queue sizes are counted up to this ("1000+")
LABELS = {
    Decision.APPROVE: Label.HAM,
    Decision.NOT_SPAM: Label.HAM,
    Decision.SPAM: Label.SPAM,
    Decision.RESTORE: Label.HAM,
}
FILED = (Status.SPAM, Status.DISCARDED)  # the engine's "spam" outcomes
RESTORABLE = (Status.SPAM, Status.DISCARDED)
WAITING = (Queue.PENDING, Queue.SPAM, Queue.DISCARDED)  # counted in the navigation


@dataclass(frozen=True, slots=True, kw_only=True)
class ModerationConfig:
    page_size: int = 50
    bulk_max: int = 1000
    max_length: int = 10_000


@dataclass(frozen=True, slots=True)
class Filters:
    text: str = ""
    author: str = ""
    email: str = ""
    thread: str = ""
    since: datetime | None = None
    until: datetime | None = None
    symbol: str = ""
    site_id: int | None = None
    before: int | None = None


@dataclass(slots=True)
class QueuePage:
    queue: Queue
    items: list[QueueItem]
    next_before: int | None
    counts: dict[Queue, int] = field(default_factory=dict)


@dataclass(slots=True)
class Outcome:
    decision: Decision
    changed: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)  # already so, or cannot be restored
    missing: list[int] = field(default_factory=list)
    learned: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "decision": self.decision.value,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "missing": self.missing,
            "learned": self.learned,
        }


def parse_day(value: str | None) -> datetime | None:
    """A YYYY-MM-DD search date (UTC midnight); '' or None for none."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        return datetime.strptime(text[:10], "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError as exc:
        raise ValidationFailed("Dates are written YYYY-MM-DD.") from exc


def submission_of(item: QueueItem) -> Submission:
    """The comment as the engine learns it (no IP: its keyed hashes go along separately)."""
    return Submission(
        site=item.site_url,
        content=item.text,
        author=item.author,
        email=item.email,
        author_url=item.website,
        permalink=item.thread_url,
        comment_type="reply" if item.parent_id else "comment",
        created_at=item.created_at,
    )


class ModerationService:
    def __init__(
        self,
        db: Database,
        labels: Labels,
        hasher: Hasher,
        config: ModerationConfig = ModerationConfig(),
        events: Events | None = None,
        clock: Clock = utcnow,
    ):
        self.db = db
        self.labels = labels
        self.hasher = hasher
        self.config = config
        self.events = events or Events()
        self.clock = clock

    # --- who may see what -----------------------------------------------------------------------
    def sites_for(self, moderator: Moderator) -> list[SiteRow]:
        with self.db.read() as conn:
            every = site_store.list_sites(conn)
        if moderator.everywhere:
            return every
        return [s for s in every if s.id in moderator.roles]

    @staticmethod
    def site_scope(moderator: Moderator, site_id: int | None) -> list[int] | None:
        """The site ids a query may cover (None: every site); 403 for a site not theirs."""
        if site_id is not None:
            if moderator.role_on(site_id) is None:
                raise Forbidden("You do not moderate that site.")
            return [site_id]
        if moderator.everywhere:
            return None
        return [s for s in moderator.roles if s is not None]

    # --- reading ----------------------------------------------------------------------------------
    def queue(self, moderator: Moderator, queue: Queue, filters: Filters) -> QueuePage:
        scope = self.site_scope(moderator, filters.site_id)
        query = store.QueueQuery(
            statuses=(queue.status,),
            site_ids=scope,
            text=filters.text[:200],
            author=filters.author[:100],
            email_hash=self.hasher.email(filters.email[:254]),
            thread=filters.thread[:300],
            since=filters.since,
            until=filters.until,
            symbol=filters.symbol[:60],
            before=filters.before,
            limit=self.config.page_size,
        )
        with self.db.read() as conn:
            items = store.find(conn, query)
            counts = self._counts(conn, scope)
        more = len(items) > self.config.page_size
        items = items[: self.config.page_size]
        return QueuePage(queue, items, items[-1].id if more and items else None, counts)

    @staticmethod
    def _counts(conn: Any, scope: list[int] | None) -> dict[Queue, int]:
        return {q: store.count(conn, q.status, scope, COUNT_CAP) for q in WAITING}

    def nav_counts(self, moderator: Moderator) -> dict[str, int]:
        """What waits in Pending, Spam and Discarded on the moderator's sites (each counted up
        to 1000 on the status index: cheap enough for every admin page)."""
        with self.db.read() as conn:
            counts = self._counts(conn, self.site_scope(moderator, None))
        return {q.value: n for q, n in counts.items()}

    def comment(self, moderator: Moderator, comment_id: int) -> tuple[QueueItem, list[LogEntry]]:
        """One comment with its parent, the author's history on the site and its audit log."""
        with self.db.read() as conn:
            found = store.items_by_ids(conn, [comment_id])
            if not found:
                raise NotFound("No such comment.")
            item = found[0]
            self._allowed(moderator, item.site_id)
            if item.parent_id is not None:
                parents = store.items_by_ids(conn, [item.parent_id])
                if parents:
                    parent = parents[0]
                    item.parent = ParentPreview(
                        id=parent.id,
                        author=parent.author,
                        text=parent.text[:500],
                        status=parent.status.value,
                    )
            if item.email_hash:
                item.history = store.author_history(conn, item.site_id, item.email_hash)
            return item, log_store.history(conn, comment_id)

    @staticmethod
    def _allowed(moderator: Moderator, site_id: int) -> None:
        if moderator.role_on(site_id) is None:
            raise Forbidden("You do not moderate the site this comment is on.")

    # --- deciding ---------------------------------------------------------------------------------
    def _checked_ids(self, comment_ids: list[int], decision: Decision) -> list[int]:
        if decision.target is None:
            raise ValidationFailed(f"{decision.value} is not a queue decision.")
        ids = list(dict.fromkeys(comment_ids))
        if not ids:
            raise ValidationFailed("Select at least one comment.")
        if len(ids) > self.config.bulk_max:
            raise ValidationFailed(
                f"{len(ids)} comments selected; at most {self.config.bulk_max} at once."
            )
        return ids

    def decide(self, actor: Actor, comment_ids: list[int], decision: Decision) -> Outcome:
        """Approve, mark spam, mark not spam or delete one or many comments."""
        ids = self._checked_ids(comment_ids, decision)
        target = decision.target
        assert target is not None
        outcome = Outcome(decision)
        now = self.clock()
        with self.db.begin() as conn:
            items = store.items_by_ids(conn, ids)
            for item in items:
                self._allowed(actor.moderator, item.site_id)
            found = {i.id: i for i in items}
            outcome.missing = [i for i in ids if i not in found]
            decided = [item for item in items if self._sort(item, decision, outcome)]
            comment_store.set_status(conn, outcome.changed, target)
            self._count_corrections(conn, [found[i] for i in outcome.changed], target, now)
            log_store.log_many(
                conn, [self._log_row(actor, i, decision, target, now) for i in decided]
            )
            recorded = self._record(conn, decided, decision)
            if target is Status.PUBLISHED:
                for comment_id in outcome.changed:
                    self.events.emit(conn, _published(found[comment_id]))
        outcome.learned = self.labels.publish(recorded)
        return outcome

    @staticmethod
    def _sort(item: QueueItem, decision: Decision, outcome: Outcome) -> bool:
        """Note whether the comment changes (the last decision wins); False when it cannot take
        this decision at all."""
        target = decision.target
        if item.status is Status.DELETED and not item.text and target is not Status.DELETED:
            outcome.unchanged.append(item.id)  # erased by its author: nothing to restore
            return False
        if decision is Decision.RESTORE and item.status not in RESTORABLE:
            outcome.unchanged.append(item.id)  # only filed or discarded comments come back
            return False
        (outcome.unchanged if item.status is target else outcome.changed).append(item.id)
        return True

    def _count_corrections(
        self, conn: Any, changed: list[QueueItem], target: Status, now: datetime
    ) -> None:
        """A published comment filed as spam is a miss; a filed or discarded one brought back
        is a false positive (the Stats page's accuracy)."""
        per_site: dict[str, dict[stats_store.Counter, int]] = {}
        for item in changed:
            if item.status is Status.PUBLISHED and target is Status.SPAM:
                counter = stats_store.Counter.MISSED_SPAM
            elif item.status in FILED and target in (Status.PUBLISHED, Status.PENDING):
                counter = stats_store.Counter.FALSE_POSITIVES
            else:
                continue
            counts = per_site.setdefault(item.site_url, {})
            counts[counter] = counts.get(counter, 0) + 1
        for site_url, counts in per_site.items():
            stats_store.bump(conn, site_url, stats_store.day_of(now), counts)

    def _record(
        self, conn: Any, items: list[QueueItem], decision: Decision
    ) -> list[RecordedLabel | None]:
        """The labels this decision teaches, recorded once each (None where already known)."""
        label = LABELS.get(decision)
        if label is None or not items:
            return []
        hashes = store.ip_hashes(conn, [i.id for i in items])
        labelled = [Labelled(submission_of(i), label, hashes.get(i.id)) for i in items]
        return self.labels.record_many(conn, labelled, FeedbackSource.MODERATOR)

    @staticmethod
    def _log_row(
        actor: Actor,
        item: QueueItem,
        decision: Decision,
        target: Status | None,
        now: datetime,
        detail: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        return {
            "comment_id": item.id,
            "site_id": item.site_id,
            "moderator_id": actor.moderator.id,
            "actor": actor.label[:254],
            "action": decision.value,
            "from_status": item.status.value,
            "to_status": (target or item.status).value,
            "detail": detail or {},
            "created_at": now,
        }

    def edit(
        self, actor: Actor, comment_id: int, text: str, author: str, email: str, website: str
    ) -> QueueItem:
        """Change a comment's text and author fields, escaped and sanitized like a new one."""
        cleaned = sanitize.clean_text(text, self.config.max_length)
        fields = sanitize.clean_author_fields(author, email, website)
        now = self.clock()
        with self.db.begin() as conn:
            found = store.items_by_ids(conn, [comment_id])
            if not found:
                raise NotFound("No such comment.")
            item = found[0]
            self._allowed(actor.moderator, item.site_id)
            if item.status is Status.DELETED and not item.text:
                raise Conflict("Its author deleted this comment; there is nothing to edit.")
            changed = [
                name
                for name, old, new in (
                    ("text", item.text, cleaned),
                    ("author", item.author, fields.author),
                    ("email", item.email, fields.email),
                    ("website", item.website, fields.website),
                )
                if old != new
            ]
            comment_store.update_comment(
                conn,
                comment_id,
                text=cleaned,
                html=sanitize.render_markdown(cleaned),
                author=fields.author,
                email=fields.email,
                email_hash=self.hasher.email(fields.email),
                website=fields.website,
                author_html=fields.author_html,
                edited_at=now,
                fingerprint=Submission(content=cleaned).fingerprint,
            )
            row = self._log_row(actor, item, Decision.EDIT, None, now, {"changed": changed})
            log_store.log_many(conn, [row])
            updated = store.items_by_ids(conn, [comment_id])[0]
        return updated

    def recent_log(self, moderator: Moderator, limit: int = 50) -> list[LogEntry]:
        scope = self.site_scope(moderator, None)
        with self.db.read() as conn:
            return log_store.site_log(conn, scope, limit)

    def site(self, moderator: Moderator, site_id: int) -> SiteRow:
        self._allowed(moderator, site_id)
        with self.db.read() as conn:
            site = site_store.site_by_id(conn, site_id)
        if site is None:
            raise NotFound("No such site.")
        return site


def _published(item: QueueItem) -> CommentEvent:
    """The event of a comment a moderator published (its text as the decision found it)."""
    return CommentEvent(
        EventKind.PUBLISHED,
        item.id,
        item.site_id,
        parent_id=item.parent_id,
        site_url=item.site_url,
        permalink=item.thread_url,
        text=item.text,
    )
