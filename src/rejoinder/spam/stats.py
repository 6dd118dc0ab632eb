"""A site's statistics in the shape the WordPress plugin's settings page reads (``get-stats``).

The plugin (5.0.2, ``views/config.php`` and ``wp akismet stats``) reads ``spam``,
``missed_spam``, ``false_positives``, ``accuracy`` and ``time_saved`` of the answer for
``from=all`` and ``from=6-months``, and a ``breakdown`` of periods whose rows all have the
same keys. The counts are the monthly usage counters (``storage/usage.py``), summed over every
key used for the site, so a period is whole months: the months that overlap it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from rejoinder.storage.usage import MonthCounts

SECONDS_SAVED_PER_SPAM = 5  # a moderator's time to recognise and delete one spam comment


class StatsPeriod(StrEnum):
    """The ``from`` values the plugin sends."""

    ALL = "all"
    SIX_MONTHS = "6-months"
    SIXTY_DAYS = "60-days"

    @classmethod
    def parse(cls, value: str) -> StatsPeriod:
        try:
            return cls(value.strip().lower())
        except ValueError:
            return cls.ALL

    def first_month(self, now: datetime) -> str | None:
        """The oldest month (``YYYY-MM``) the period overlaps; None for all of them."""
        if self is StatsPeriod.ALL:
            return None
        if self is StatsPeriod.SIXTY_DAYS:
            start = now - timedelta(days=60)
            return f"{start.year:04d}-{start.month:02d}"
        index = now.year * 12 + now.month - 1 - 5  # this month and the five before it
        return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _row(counts: MonthCounts) -> dict[str, Any]:
    return {
        "spam": counts.spam,
        "ham": counts.ham,
        "missed_spam": counts.missed_spam,
        "false_positives": counts.false_positives,
        "da": counts.month,
    }


def accuracy(spam: int, ham: int, missed_spam: int, false_positives: int) -> float:
    """Per cent of checked comments whose verdict nobody reported as wrong."""
    checked = spam + ham
    if checked == 0:
        return 100.0
    wrong = min(checked, missed_spam + false_positives)
    return round(100.0 * (checked - wrong) / checked, 2)


def akismet_stats(months: Sequence[MonthCounts], current_month: str) -> dict[str, Any]:
    """The ``get-stats`` answer for these months (oldest first)."""
    rows = list(months) or [MonthCounts(current_month, 0, 0, 0, 0)]
    spam = sum(r.spam for r in rows)
    ham = sum(r.ham for r in rows)
    missed = sum(r.missed_spam for r in rows)
    false_positives = sum(r.false_positives for r in rows)
    return {
        "spam": spam,
        "ham": ham,
        "missed_spam": missed,
        "false_positives": false_positives,
        "accuracy": accuracy(spam, ham, missed, false_positives),
        "time_saved": spam * SECONDS_SAVED_PER_SPAM,
        "breakdown": {r.month: _row(r) for r in rows},
    }
