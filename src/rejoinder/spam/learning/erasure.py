"""What the spam filter learned under one email address: its export, and its erasure.

The filter keeps spam/ham counts under a keyed hash of each email address it learned from (a
``reputation`` row of kind ``email``) and, in each ``learned`` row, the list of reputation keys
that report added to. Both are personal data — a keyed hash stands for the address as long as
the instance secret exists — so an erase request (``privacy.requests``, as an
:class:`~rejoinder.privacy.requests.ErasureHook`) deletes the row, removes the key from every
``learned.keys`` list, and bumps the reputation table's generation so that every worker's
in-memory mirror reloads without it. Only the email key goes: the email *domain* is not
personal, and IP keys are shared with whoever else used the address.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from rejoinder.spam.learning.reputation import HALF_LIFE_DAYS, KeyKind, key_int, weight
from rejoinder.storage import generations
from rejoinder.storage import learning as store
from rejoinder.storage.db import Database
from rejoinder.storage.generations import Cached

EMAIL = KeyKind.EMAIL.value


class LearnedStateErasure:
    """Export and erase of the reputation stored under an email's keyed hash."""

    name = "spam_filter"
    what = (
        "what the spam filter learned from reports about comments sent with this address: "
        "counts of spam and not-spam reports, stored under a keyed hash of the address"
    )

    def __init__(self, db: Database, now: Callable[[], float] = time.time):
        self.db = db
        self.now = now

    def export(self, email_hash: str) -> list[dict[str, Any]]:
        key = key_int(email_hash)
        with self.db.read() as conn:
            row = store.reputation_row(conn, EMAIL, key)
            listed = len(store.learned_listing(conn, EMAIL, key))
        if row is None and not listed:
            return []
        scale = 1.0 / weight(KeyKind.EMAIL, self.now())
        spam = float(row["spam"]) * scale if row else 0.0
        ham = float(row["ham"]) * scale if row else 0.0
        half_life = round(HALF_LIFE_DAYS[KeyKind.EMAIL])
        return [
            {
                "description": (
                    f"Comments sent with this address were reported as spam about "
                    f"{spam:.2f} times and as not spam about {ham:.2f} times. Older reports "
                    f"count less: a report's weight halves every {half_life} days. The spam "
                    "filter stores these two numbers under a keyed hash of the address "
                    f"(64 bits: {key}), never the address itself."
                ),
                "spam_reports": round(spam, 2),
                "not_spam_reports": round(ham, 2),
                "last_report_at": (
                    datetime.fromtimestamp(float(row["updated_ts"]), UTC).isoformat()
                    if row
                    else None
                ),
                "reports_learned": listed,
            }
        ]

    def erase(self, email_hash: str) -> int:
        """Delete the counts and every mention of the key; returns rows changed."""
        key = key_int(email_hash)
        with self.db.begin() as conn:
            changed = store.delete_reputation(conn, EMAIL, key)
            for row in store.learned_listing(conn, EMAIL, key):
                kept = [k for k in row.keys if k != (EMAIL, key)]
                store.set_learned_keys(conn, row.fingerprint, kept)
                changed += 1
            if changed:
                generations.bump(conn, Cached.REPUTATION)
        return changed
