"""Everything the engine has learned, in one place: built once per process, loaded at start.

It subscribes to new labels (``spam/labels.py``; wired in ``app.py``): the reputation sums and
the near-duplicate index (the campaigns signal's) learn them; velocity and site rules are not
learned from labels."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import anyio

from rejoinder.core.anonymize import Hasher
from rejoinder.spam.labels import RecordedLabel
from rejoinder.spam.learning.campaigns import NearDuplicateIndex
from rejoinder.spam.learning.feedback import FeedbackLearner
from rejoinder.spam.learning.profiles import ThreadProfiles
from rejoinder.spam.learning.reputation import ReputationStore
from rejoinder.spam.learning.velocity import VelocityTracker
from rejoinder.spam.rules import RuleCache
from rejoinder.storage.db import Database

log = logging.getLogger(__name__)
REPLAY_SECONDS = 60.0  # how often feedback left unlearned (storage was down) is retried


@dataclass(frozen=True, slots=True, kw_only=True)
class StateConfig:
    sync_seconds: float = 2.0
    velocity_window_seconds: float = 600.0
    near_duplicate_days: float = 90.0
    reputation_days: float | None = 90.0  # keys not updated for this long are forgotten


@dataclass
class LearnedState:
    hasher: Hasher
    reputation: ReputationStore
    index: NearDuplicateIndex
    velocity: VelocityTracker
    rules: RuleCache
    learner: FeedbackLearner
    now: Callable[[], float] = time.time
    profiles: ThreadProfiles | None = None  # what accepted comments per thread said
    _loaded: bool = False
    _load_lock: threading.Lock = field(default_factory=threading.Lock)
    _replayed_at: float = 0.0

    @classmethod
    def build(
        cls,
        db: Database,
        hasher: Hasher,
        config: StateConfig = StateConfig(),
        now: Callable[[], float] = time.time,
    ) -> LearnedState:
        reputation = ReputationStore(db, now, config.sync_seconds, config.reputation_days)
        index = NearDuplicateIndex(db, now, config.near_duplicate_days, config.sync_seconds)
        velocity = VelocityTracker(
            db, hasher, now, config.velocity_window_seconds, min(config.sync_seconds, 0.5)
        )
        rules = RuleCache(db, config.sync_seconds)
        learner = FeedbackLearner(db, hasher, reputation, index, now=now)
        profiles = ThreadProfiles(db, hasher, now, cache_seconds=config.sync_seconds)
        return cls(hasher, reputation, index, velocity, rules, learner, now, profiles)

    def load(self) -> None:
        """Fill the caches from the database (reads only: a check may run inside a caller's
        write transaction, so nothing on the check path ever writes)."""
        self.reputation.load()
        self.index.load()
        self.velocity.load()

    def ensure_loaded(self) -> None:
        """Load once per process (the schema must exist by then)."""
        if self._loaded:
            return
        with self._load_lock:
            if not self._loaded:
                self.load()
                self._loaded = True

    def on_labels(self, labels: Sequence[RecordedLabel]) -> None:
        """New labels (a subscriber of ``Labels``): the reputation sums and the near-duplicate
        index learn them in one transaction (``learning/feedback.py``), after any replay due."""
        self.ensure_loaded()
        self.maintain()
        self.learner.learn_many(labels)

    def refresh(self) -> None:
        """Pull what other workers learned (each store at most every few seconds; never waits)."""
        self.ensure_loaded()
        self.reputation.refresh_if_due()
        self.index.refresh_if_due()
        self.velocity.refresh_if_due()

    def wait_for_reloads(self, timeout: float = 30.0) -> bool:
        """Wait until no background reload is running (tests; shutdown)."""
        return self.reputation.reloader.wait(timeout) and self.index.reloader.wait(timeout)

    def maintain(self, force: bool = False) -> int:
        """Learn feedback left unlearned (a crash, storage down) and purge expired index items.

        Writes, so it runs at start (``Engine.warm_up``) and before learning new labels, never
        on the check path; at most every ``REPLAY_SECONDS`` unless forced. Returns rows
        replayed.
        """
        if not force and self.now() - self._replayed_at < REPLAY_SECONDS:
            return 0
        if not self._load_lock.acquire(False):
            return 0
        try:
            self._replayed_at = self.now()
            self.index.purge()
            return self.learner.replay_pending(limit=10_000 if force else 100)
        except Exception as exc:  # retried at the next interval
            log.warning("learning maintenance failed: %s", type(exc).__name__)
            return 0
        finally:
            self._load_lock.release()


async def sync_on_schedule(state: LearnedState, every_seconds: float) -> None:
    """Keep a worker's caches in step with the database even while it serves no checks, so
    that what an erase deleted is forgotten within seconds everywhere. Never raises."""
    while True:
        try:
            await anyio.to_thread.run_sync(state.refresh)
        except Exception as exc:  # retried at the next interval
            log.warning("learned-state sync failed: %s", type(exc).__name__)
        await anyio.sleep(every_seconds)
