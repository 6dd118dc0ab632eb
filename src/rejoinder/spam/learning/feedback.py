"""Learning the reputation sums and the near-duplicate index from recorded labels.

A subscriber of ``spam/labels.py`` (through ``LearnedState.on_labels``): :meth:`learn_many`
updates, in ONE database transaction, the reputation sums, the near-duplicate index, the
``learned`` row that makes learning idempotent (one label per content fingerprint) and each
feedback row's ``learned_at``. Only then are this process's in-memory caches updated. A label
recorded but not learned (a crash in between, storage down) is learned again at the next start,
or by the periodic replay, from the feedback log (:meth:`FeedbackLearner.replay_pending`).

Rules: ``is_test`` never trains (it is never recorded); the same content learned twice with the
same label counts once; the opposite label (a moderator's correction) first removes exactly what
the earlier label added; velocity is not learned.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from rejoinder.core.anonymize import Hasher
from rejoinder.core.records.verdict import Label
from rejoinder.errors import StorageUnavailable
from rejoinder.spam.labels import RecordedLabel
from rejoinder.spam.learning import campaigns
from rejoinder.spam.learning.campaigns import NearDuplicateIndex
from rejoinder.spam.learning.reputation import KeyKind, RepKey, ReputationStore, keys_for
from rejoinder.storage import learning as store
from rejoinder.storage.db import Database

log = logging.getLogger(__name__)
REPLAY_BATCH = 500

# What one label changed, to bring the in-memory caches up to the database after the commit.
Changed = tuple[list[store.RepDelta], store.NearDupRow | None]


class FeedbackLearner:
    def __init__(
        self,
        db: Database,
        hasher: Hasher,
        reputation: ReputationStore,
        index: NearDuplicateIndex,
        now: Callable[[], float] = time.time,
    ):
        self.db = db
        self.hasher = hasher
        self.reputation = reputation
        self.index = index
        self.now = now

    def learn(self, label: RecordedLabel) -> bool:
        """Learn one recorded label; False when there was nothing new to learn."""
        return self.learn_many([label]) == 1

    def learn_many(self, labels: Sequence[RecordedLabel]) -> int:
        """Learn recorded labels in one transaction; returns how many were new. If storage is
        unavailable nothing is learned now: the rows stay unlearned and are replayed later."""
        try:
            return self._learn_all(labels)
        except StorageUnavailable:
            log.warning("learning deferred: storage unavailable")
            return 0

    def _learn_all(self, labels: Sequence[RecordedLabel]) -> int:
        """:meth:`learn_many`, raising StorageUnavailable. If the batch cannot be written at
        once (another worker learned one of them at the same moment), each is learned alone."""
        now_ts = self.now()
        changed: list[Changed] = []
        try:
            with self.db.begin() as conn:
                for label in labels:
                    change = self._write(conn, label, now_ts)
                    if change is not None:
                        changed.append(change)
        except IntegrityError:  # another worker learned the same content at the same moment
            return 0 if len(labels) == 1 else sum(self._learn_all([one]) for one in labels)
        for deltas, item in changed:
            self.reputation.apply(deltas)
            if item is not None:
                self.index.add_rows([item])
        return len(changed)

    def _write(self, conn: Connection, label: RecordedLabel, now_ts: float) -> Changed | None:
        """One label's rows, marked learned; what changed, or None when it was known."""
        sub = label.submission
        keys = keys_for(sub, self.hasher, *label.ip_hashes)
        deltas = self._record(conn, sub.fingerprint, label.label, keys, now_ts)
        store.mark_feedback_learned(conn, label.feedback_id, datetime.fromtimestamp(now_ts, UTC))
        if deltas is None:
            return None
        sig = campaigns.signature(sub.text)
        item = None
        if sig is not None:
            item = store.upsert_near_duplicate(
                conn,
                sub.fingerprint,
                sig.astype("<u4").tobytes(),
                label.label.value,
                sub.site,
                now_ts,
            )
        return deltas, item

    def _record(
        self, conn: Connection, fingerprint: str, label: Label, keys: list[RepKey], now_ts: float
    ) -> list[store.RepDelta] | None:
        """Write the learned row and reputation deltas; the deltas, or None when already known."""
        previous = store.learned_row(conn, fingerprint)
        if previous is not None and previous.label == label.value:
            return None
        deltas = ReputationStore.deltas(keys, label, now_ts)
        row = store.LearnedRow(
            fingerprint, label.value, now_ts, [(k.kind.value, k.key) for k in keys]
        )
        if previous is None:
            store.insert_learned(conn, row)
        else:
            old_label = Label(previous.label)
            unlearned = [RepKey(KeyKind(kind), key, "") for kind, key in previous.keys]
            deltas += ReputationStore.deltas(unlearned, old_label, previous.learned_ts, sign=-1.0)
            store.replace_learned(conn, row)
        store.add_reputation(conn, deltas, now_ts)
        return deltas

    def replay_pending(self, limit: int = 10_000) -> int:
        """Learn feedback rows recorded but never learned (a crash, storage down), oldest first;
        returns how many rows were replayed. Rows already known are marked learned too."""
        done = 0
        while done < limit:
            with self.db.read() as conn:
                rows = store.pending_feedback(conn, min(REPLAY_BATCH, limit - done))
            if not rows:
                break
            self._learn_all([RecordedLabel.of_row(row) for row in rows])  # raises if down
            done += len(rows)
            if len(rows) < REPLAY_BATCH:
                break
        return done
