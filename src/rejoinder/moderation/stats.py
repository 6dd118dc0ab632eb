"""A site's numbers for its owner (the admin's Stats page and ``GET …/sites/{id}/stats``): per
UTC day, what the engine did with comments and Akismet checks and what people corrected.

Read from ``daily_stats`` (``storage/stats.py``): one row per site and day, written as things
happen, so a page of 90 days reads at most 90 rows. Accuracy per day is the share of that day's
comments the engine got right: 1 − (missed spam + false positives) / comments. A correction is
counted on the day it is made, as Akismet counts reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from rejoinder.core.clock import Clock, utcnow
from rejoinder.core.records.moderation import Moderator
from rejoinder.errors import Forbidden, NotFound, ValidationFailed
from rejoinder.storage import sites as site_store
from rejoinder.storage import stats as store
from rejoinder.storage.db import Database
from rejoinder.storage.sites import SiteRow
from rejoinder.storage.stats import DayCounts

PERIODS = (7, 30, 90, 365)
DEFAULT_DAYS = 30


@dataclass(frozen=True, slots=True)
class SiteStats:
    site: SiteRow
    days: list[DayCounts]  # every day of the period, oldest first (zeros where nothing happened)
    totals: DayCounts

    def as_dict(self) -> dict[str, Any]:
        return {
            "site": {"id": self.site.id, "url": self.site.url},
            "first_day": self.days[0].day,
            "last_day": self.days[-1].day,
            "totals": {k: v for k, v in self.totals.as_dict().items() if k != "day"},
            "days": [d.as_dict() for d in self.days],
        }


def add_up(days: list[DayCounts], label: str) -> DayCounts:
    sums = [sum(getattr(d, c) for d in days) for c in store.COUNTERS]
    return DayCounts(label, *sums)


def period_days(raw: str | int | None) -> int:
    """7, 30, 90 or 365 (the default 30); anything else is a 422."""
    if raw in (None, ""):
        return DEFAULT_DAYS
    try:
        days = int(raw)
    except ValueError:
        days = 0
    if days not in PERIODS:
        raise ValidationFailed("Show 7, 30, 90 or 365 days.")
    return days


class StatsService:
    def __init__(self, db: Database, clock: Clock = utcnow):
        self.db = db
        self.clock = clock

    def site_stats(self, moderator: Moderator, site_id: int, days: int = DEFAULT_DAYS) -> SiteStats:
        if moderator.role_on(site_id) is None:
            raise Forbidden("You do not moderate that site.")
        today = self.clock().date()
        wanted = [store.day_of(today - timedelta(days=n)) for n in range(days - 1, -1, -1)]
        with self.db.read() as conn:
            site = site_store.site_by_id(conn, site_id)
            if site is None:
                raise NotFound("No such site.")
            found = {d.day: d for d in store.days(conn, [site.url], wanted[0], wanted[-1])}
        series = [found.get(day, DayCounts(day)) for day in wanted]
        return SiteStats(site, series, add_up(series, "total"))
