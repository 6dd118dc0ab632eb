"""Learning from feedback: submit-spam / submit-ham and moderator decisions.

``learn`` updates, in ONE database transaction, the reputation sums, the near-duplicate index,
the ``learned`` row that makes learning idempotent (one label per content fingerprint) and the
feedback row's ``learned_at``. Only then are this process's in-memory caches updated and the
content model (any :class:`Learner`) told. A feedback row that was recorded but not learned (a
crash in between) is learned again at the next start by :meth:`FeedbackLearner.replay_pending`.

Rules: ``is_test`` never trains; the same content learned twice with the same label counts
once; the opposite label (a moderator's correction) first removes exactly what the earlier
label added; velocity is not learned.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from rejoinder.core.anonymize import Hasher
from rejoinder.core.records.verdict import Label
from rejoinder.errors import StorageUnavailable
from rejoinder.spam.learning import campaigns
from rejoinder.spam.learning.campaigns import NearDuplicateIndex
from rejoinder.spam.learning.reputation import KeyKind, RepKey, ReputationStore, keys_for
from rejoinder.spam.submission import Submission
from rejoinder.storage import learning as store
from rejoinder.storage.db import Database

log = logging.getLogger(__name__)
REPLAY_BATCH = 500


class Learner(Protocol):
    """Anything that learns one labelled submission at a time (the content model plugs in here)."""

    def learn_one(self, submission: Submission, label: Label) -> None: ...


class FeedbackLearner:
    def __init__(
        self,
        db: Database,
        hasher: Hasher,
        reputation: ReputationStore,
        index: NearDuplicateIndex,
        learners: Sequence[Learner] = (),
        now: Callable[[], float] = time.time,
    ):
        self.db = db
        self.hasher = hasher
        self.reputation = reputation
        self.index = index
        self.learners = list(learners)
        self.now = now

    def add_learner(self, learner: Learner) -> None:
        self.learners.append(learner)

    def learn(
        self,
        sub: Submission,
        label: Label,
        *,
        feedback_id: int | None = None,
        ip_hashes: tuple[str | None, str | None] = (None, None),
    ) -> bool:
        """Learn one labelled submission; False when there was nothing new to learn.

        Without an IP (a stored comment has only keyed hashes of it), the hashes come from
        ``ip_hashes``, else from the feedback row ``feedback_id``.
        """
        if sub.is_test:
            return False
        if sub.ip is None and ip_hashes == (None, None) and feedback_id is not None:
            ip_hashes = self._stored_ip_hashes(feedback_id)
        now_ts = self.now()
        keys = keys_for(sub, self.hasher, *ip_hashes)
        fingerprint = sub.fingerprint
        sig = campaigns.signature(sub.text)
        item: store.NearDupRow | None = None
        try:
            with self.db.begin() as conn:
                deltas = self._record(conn, fingerprint, label, keys, now_ts)
                if deltas is not None and sig is not None:
                    item = store.upsert_near_duplicate(
                        conn,
                        fingerprint,
                        sig.astype("<u4").tobytes(),
                        label.value,
                        sub.site,
                        now_ts,
                    )
                if feedback_id is not None:
                    store.mark_feedback_learned(
                        conn, feedback_id, datetime.fromtimestamp(now_ts, UTC)
                    )
        except IntegrityError:  # another worker learned the same content at the same moment
            return False
        except StorageUnavailable:  # recorded but not learned: replayed later (replay_pending)
            log.warning("learning deferred: storage unavailable")
            return False
        if deltas is None:
            return False
        self._apply(sub, label, deltas, item)
        return True

    def _apply(
        self, sub: Submission, label: Label, deltas: list[store.RepDelta],
        item: store.NearDupRow | None,
    ) -> None:  # fmt: skip
        """Bring the in-memory state up to what was just written durably."""
        self.reputation.apply(deltas)
        if item is not None:
            self.index.add_rows([item])
        for learner in self.learners:
            try:
                learner.learn_one(sub, label)
            except Exception:  # the durable part is done; a model failure must not undo it
                log.exception("content learner %s failed", type(learner).__name__)

    def _stored_ip_hashes(self, feedback_id: int) -> tuple[str | None, str | None]:
        try:
            with self.db.read() as conn:
                return store.feedback_ip_hashes(conn, feedback_id)
        except StorageUnavailable:  # learning goes on without them
            return (None, None)

    def _stored_ip_hashes_of(self, ids: list[int]) -> dict[int, tuple[str | None, str | None]]:
        if not ids:
            return {}
        try:
            with self.db.read() as conn:
                return store.feedback_ip_hashes_many(conn, ids)
        except StorageUnavailable:  # learning goes on without them
            return {}

    def learn_many(self, batch: Sequence[tuple[Submission, Label, int | None]]) -> int:
        """:meth:`learn` for many labels in one transaction (a moderator's bulk decision);
        returns how many were new. If the batch cannot be written at once (another worker
        learned one of them at the same moment), each is learned on its own."""
        now_ts = self.now()
        stored = self._stored_ip_hashes_of(
            [fid for sub, _label, fid in batch if sub.ip is None and fid is not None]
        )
        work = [
            (
                sub, label, feedback_id,
                keys_for(sub, self.hasher, *stored.get(feedback_id or 0, (None, None))),
                campaigns.signature(sub.text),
            )
            for sub, label, feedback_id in batch
            if not sub.is_test
        ]  # fmt: skip
        learned: list[tuple[Submission, Label, list[store.RepDelta], store.NearDupRow | None]] = []
        try:
            with self.db.begin() as conn:
                for sub, label, feedback_id, keys, sig in work:
                    deltas = self._record(conn, sub.fingerprint, label, keys, now_ts)
                    item = None
                    if deltas is not None and sig is not None:
                        item = store.upsert_near_duplicate(
                            conn, sub.fingerprint, sig.astype("<u4").tobytes(), label.value,
                            sub.site, now_ts,
                        )  # fmt: skip
                    if feedback_id is not None:
                        store.mark_feedback_learned(
                            conn, feedback_id, datetime.fromtimestamp(now_ts, UTC)
                        )
                    if deltas is not None:
                        learned.append((sub, label, deltas, item))
        except IntegrityError:
            return sum(self.learn(s, lab, feedback_id=f) for s, lab, f, _k, _g in work)
        except StorageUnavailable:  # recorded but not learned: replayed later (replay_pending)
            log.warning("learning deferred: storage unavailable")
            return 0
        for sub, label, deltas, item in learned:
            self._apply(sub, label, deltas, item)
        return len(learned)

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
        """Learn feedback rows recorded before a crash but never learned; returns how many."""
        done = 0
        while done < limit:
            with self.db.read() as conn:
                rows = store.pending_feedback(conn, min(REPLAY_BATCH, limit - done))
            if not rows:
                break
            for row in rows:
                self._replay(row)
                done += 1
            if len(rows) < REPLAY_BATCH:
                break
        return done

    def _replay(self, row: dict[str, Any]) -> None:
        fields = {k: str(v) for k, v in (row["fields"] or {}).items()}
        sub = Submission.from_fields(fields, site=row["site_url"])
        learned = self.learn(
            sub, Label(row["label"]), feedback_id=row["id"],
            ip_hashes=(row["ip_hash"], row["ip_prefix_hash"]),
        )  # fmt: skip
        if not learned:  # already learned (same label): still mark the row as done
            with self.db.begin() as conn:
                store.mark_feedback_learned(
                    conn, row["id"], datetime.fromtimestamp(self.now(), UTC)
                )
