"""Velocity: how many recent posts came from one IP network, or carried one text.

Counted per site and across all sites in a sliding window of ``window_seconds`` (buckets of
``BUCKET_SECONDS``). Nothing here is learned and nothing new is written: the counts are read
from what every worker already stores — Akismet check records (``checks``) and comments posted
through the widget or the no-JS form (``comments``): keyed hash of the /24 or /48 network,
content fingerprint, site, time — so several workers see each other's traffic. Each process
pulls new rows of both at most every ``sync_seconds`` and never waits for a lock.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection

from rejoinder.core.anonymize import Hasher
from rejoinder.spam.learning.mirror import refresh_once
from rejoinder.spam.submission import Submission
from rejoinder.storage import velocity as store
from rejoinder.storage.db import Database
from rejoinder.storage.velocity import PostEvent, Source

log = logging.getLogger(__name__)

BUCKET_SECONDS = 30.0
SYNC_BATCH = 10_000
SYNC_ROUNDS = 5


@dataclass(frozen=True, slots=True)
class Rates:
    """Earlier posts in the window (the one being checked is not counted)."""

    net_site: int = 0
    net_all: int = 0
    text_site: int = 0
    text_all: int = 0


def _keys(site: str, prefix_hash: str | None, fingerprint: str) -> tuple[str, str, str, str]:
    net = prefix_hash or ""
    return (f"n|{site}|{net}", f"N|{net}", f"f|{site}|{fingerprint}", f"F|{fingerprint}")


def _event_keys(event: PostEvent) -> tuple[str, ...]:
    keys = _keys(event.site_url, event.ip_prefix_hash, event.fingerprint or "")
    return keys if event.fingerprint else keys[:2]


class VelocityTracker:
    def __init__(
        self,
        db: Database,
        hasher: Hasher,
        now: Callable[[], float] = time.time,
        window_seconds: float = 600.0,
        sync_seconds: float = 0.5,
    ):
        self.db = db
        self.hasher = hasher
        self.now = now
        self.window = window_seconds
        self.sync_seconds = sync_seconds
        self._buckets: deque[tuple[int, Counter[str]]] = deque()
        self._last_id = dict.fromkeys(Source, -1)  # cursor per source
        self._synced_at = 0.0
        self._lock = threading.Lock()

    def load(self) -> None:
        self._synced_at = 0.0
        self.refresh_if_due()

    def refresh_if_due(self) -> None:
        started = self.now()
        if started - self._synced_at >= self.sync_seconds:
            refresh_once(self._lock, log, "velocity", lambda: self._refresh(started))

    def _refresh(self, started: float) -> None:
        since = datetime.fromtimestamp(started - self.window, UTC)
        with self.db.read() as conn:
            for source in Source:
                self._pull(conn, source, since)
        self._expire(started)
        self._synced_at = started

    def _pull(self, conn: Connection, source: Source, since: datetime) -> None:
        if self._last_id[source] < 0:
            self._last_id[source] = store.first_id_since(conn, source, since)
        for _ in range(SYNC_ROUNDS):
            events = store.posts_since(
                conn, source, after_id=self._last_id[source], since=since, limit=SYNC_BATCH
            )
            for event in events:
                self._add(event)
            if events:
                self._last_id[source] = events[-1].id
            if len(events) < SYNC_BATCH:
                break

    def _add(self, event: PostEvent) -> None:
        bucket = int(event.at_ts // BUCKET_SECONDS)
        if not self._buckets or self._buckets[-1][0] < bucket:
            self._buckets.append((bucket, Counter()))
        target = self._buckets[-1][1]
        for b, counter in reversed(self._buckets):  # late rows land in their own bucket
            if b <= bucket:
                target = counter
                break
        for key in _event_keys(event):
            target[key] += 1

    def _expire(self, now: float) -> None:
        oldest = int((now - self.window) // BUCKET_SECONDS)
        while self._buckets and self._buckets[0][0] < oldest:
            self._buckets.popleft()

    def rates(self, sub: Submission) -> Rates:
        prefix = self.hasher.ip_prefix(sub.ip)
        keys = _keys(sub.site, prefix, sub.fingerprint)
        oldest = int((self.now() - self.window) // BUCKET_SECONDS)
        live = [counter for bucket, counter in list(self._buckets) if bucket >= oldest]
        totals = [sum([counter.get(key, 0) for counter in live]) for key in keys]
        if prefix is None:
            totals[0] = totals[1] = 0
        return Rates(*totals)
