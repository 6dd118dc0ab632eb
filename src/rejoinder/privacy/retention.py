"""Retention: the purge that enforces the rules (``rules.py``: what is kept how long), on
demand or on a schedule shared by every worker process."""

from __future__ import annotations

import logging
import os
import secrets
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import MetaData, Table

from rejoinder.core.clock import Clock, utcnow
from rejoinder.privacy.rules import RULES, Audience, Purge, RetentionRule
from rejoinder.settings import Settings
from rejoinder.storage import maintenance
from rejoinder.storage.db import Database
from rejoinder.storage.schema import metadata as schema_metadata

log = logging.getLogger(__name__)

LOCK_NAME = "privacy-purge"
LOCK_TTL = timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class ExtraPurge:
    """Retention for something outside the database (e.g. the development mail outbox)."""

    name: str
    what: str
    days: int
    run: Callable[[datetime, bool], int]  # (cutoff, dry_run) -> items removed
    audience: Audience = Audience.OPERATOR


@dataclass(frozen=True, slots=True)
class ActiveRule:
    """A rule resolved against the schema: its table exists and its period is known."""

    rule: RetentionRule
    table: Table
    days: int


@dataclass(frozen=True, slots=True)
class RuleResult:
    name: str
    what: str
    days: int
    action: str
    count: int  # rows removed or cleared (or that would be, on a dry run)


@dataclass(slots=True)
class PurgeReport:
    dry_run: bool
    at: datetime
    results: list[RuleResult] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # rules whose table does not exist

    @property
    def total(self) -> int:
        return sum(r.count for r in self.results)

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "at": self.at.isoformat(),
            "total": self.total,
            "rules": [
                {"name": r.name, "action": r.action, "days": r.days, "count": r.count}
                for r in self.results
            ],
            "skipped": self.skipped,
        }


def resolve(
    rules: Sequence[RetentionRule], settings: Settings, metadata: MetaData
) -> tuple[list[ActiveRule], list[str]]:
    """Rules whose table exists (with their periods), and the names of those skipped."""
    active: list[ActiveRule] = []
    skipped: list[str] = []
    for rule in rules:
        table = metadata.tables.get(rule.table)
        if table is None:
            skipped.append(rule.name)
            continue
        active.append(ActiveRule(rule, table, rule.days(settings)))
    return active, skipped


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


class Retention:
    """Runs the purge, on demand or on a schedule shared by every worker process."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        clock: Clock = utcnow,
        *,
        rules: Sequence[RetentionRule] = RULES,
        metadata: MetaData = schema_metadata,
        extra: Sequence[ExtraPurge] = (),
    ):
        self.db = db
        self.settings = settings
        self.clock = clock
        self.rules = tuple(rules)
        self.metadata = metadata
        self.extra = tuple(extra)

    def active(self) -> tuple[list[ActiveRule], list[str]]:
        return resolve(self.rules, self.settings, self.metadata)

    def purge(self, *, dry_run: bool = False, max_batches: int | None = None) -> PurgeReport:
        """Apply every active rule; ``max_batches`` (per rule) bounds one run's work."""
        now = self.clock()
        active, skipped = self.active()
        report = PurgeReport(dry_run, now, skipped=skipped)
        for item in active:
            count = self._apply(item, now, dry_run, max_batches)
            report.results.append(
                RuleResult(item.rule.name, item.rule.what, item.days, item.rule.action, count)
            )
        for extra in self.extra:
            count = extra.run(now - timedelta(days=extra.days), dry_run)
            report.results.append(
                RuleResult(extra.name, extra.what, extra.days, Purge.DELETE, count)
            )
        if not dry_run and report.total:
            self.db.compact()
        return report

    def _apply(self, item: ActiveRule, now: datetime, dry_run: bool, limit: int | None) -> int:
        rule = item.rule
        where = rule.condition(item.table, now - timedelta(days=item.days))
        if dry_run:
            with self.db.read() as conn:
                return maintenance.count_matching(conn, item.table, where)
        change = maintenance.Change.DELETE
        if rule.action is Purge.CLEAR:
            change = maintenance.Change.UPDATE
        return maintenance.apply_in_batches(
            self.db,
            item.table,
            where,
            change,
            values=rule.clear,
            now=now,
            batch_size=self.settings.purge_batch_size,
            max_batches=limit,
        )

    def purge_if_due(self, every: timedelta, holder: str | None = None) -> PurgeReport | None:
        """Purge unless another process holds the lock or purged less than ``every`` ago."""
        holder = holder or default_holder()
        if not maintenance.try_lock(
            self.db, LOCK_NAME, holder, self.clock(), ttl=LOCK_TTL, every=every
        ):
            return None
        finished = False
        try:
            report = self.purge()
            finished = True
        finally:
            maintenance.release_lock(self.db, LOCK_NAME, holder, self.clock(), finished=finished)
        if report.total:
            counts = ", ".join(f"{r.name}={r.count}" for r in report.results if r.count)
            log.info("privacy purge: %d removed or cleared (%s)", report.total, counts)
        return report

    def last_run(self) -> datetime | None:
        found = maintenance.last_finished(self.db, LOCK_NAME)
        return _as_utc(found) if found is not None else None


def default_holder() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{secrets.token_hex(4)}"
