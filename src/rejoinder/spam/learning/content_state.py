"""Keep the learned content model across restarts: snapshots plus a replay of the feedback log.

Every label is recorded once in the ``feedback`` table (``spam/labels.py``) and handed to the
content model, a subscriber (:meth:`ContentState.on_labels`), after the commit. The model learns
in id order and remembers the last id it learned; the rows other workers recorded in between
are read from the log (``storage/feedback_log.py``: each content and label once), the rows it
was given are not read back. Every ``snapshot_every`` rows (and after a replay) its state —
global weights, Bayes counts, per-site models and that id — is written atomically to
``<data_dir>/model/state.npz``. On start the snapshot is loaded (if it was made from the same
shipped model) and every newer row is learned again, so a crash between snapshots loses
nothing. Workers also pull rows other workers recorded every few seconds on the check path
(reads only), so all of them converge on the same state.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy.exc import SQLAlchemyError

from rejoinder.core.records.verdict import Label
from rejoinder.errors import StorageUnavailable
from rejoinder.spam.labels import RecordedLabel
from rejoinder.spam.learning.classifier import ContentModel
from rejoinder.spam.learning.linear import LinearModel
from rejoinder.spam.learning.personal import SiteModel
from rejoinder.spam.submission import Submission
from rejoinder.storage.db import Database
from rejoinder.storage.feedback_log import LearnableFeedback, learnable_feedback_after

log = logging.getLogger(__name__)

STATE_FILE = "state.npz"
STATE_FORMAT = 1
REPLAY_BATCH = 500


class ContentState:
    """The content model's position in the feedback log, and its snapshots."""

    def __init__(
        self,
        db: Database,
        model: ContentModel,
        directory: Path,
        snapshot_every: int = 50,
        sync_seconds: float = 2.0,
        now: Callable[[], float] = time.monotonic,
    ):
        self.db = db
        self.model = model
        self.directory = directory
        self.snapshot_every = max(1, snapshot_every)
        self.sync_seconds = sync_seconds
        self.now = now
        self.last_id = 0
        self._since_snapshot = 0
        self._synced_at = now()
        self._lock = threading.Lock()
        self._restored = False

    @property
    def path(self) -> Path:
        return self.directory / STATE_FILE

    def restore(self) -> int:
        """Load the snapshot if it fits the model, then learn newer feedback. Rows learned."""
        with self._lock:
            self._restored = True
            self._load_snapshot()
            learned = self._catch_up()
            if learned:
                self._save()
        return learned

    def ensure_restored(self) -> None:
        """Restore once per process, before anything is learned on top."""
        if not self._restored:
            self.restore()

    def on_labels(self, labels: Sequence[RecordedLabel]) -> None:
        """Learn new labels (a subscriber of ``Labels``) in id order, with the rows other workers
        recorded before them; snapshot when due. If the log cannot be read now, nothing is
        learned: the next catch-up reads these rows too (they are after ``last_id``)."""
        self.ensure_restored()
        with self._lock:
            mine = sorted(
                (r for r in labels if r.first and r.feedback_id > self.last_id),
                key=lambda r: r.feedback_id,
            )
            if not mine:
                return
            others = self._others_before(mine, {r.feedback_id for r in labels})
            if others is None:
                return
            learned = self._learn_in_order(mine, others)
            self._since_snapshot += learned
            if self._since_snapshot >= self.snapshot_every:
                self._save()

    def refresh_if_due(self) -> None:
        """On the check path: pull rows other workers recorded (reads only, never waits)."""
        if self.now() - self._synced_at < self.sync_seconds:
            return
        if not self._lock.acquire(blocking=False):
            return
        try:
            self._synced_at = self.now()
            self._since_snapshot += self._catch_up()
        finally:
            self._lock.release()

    def save(self) -> None:
        with self._lock:
            self._save()

    # --- internals (called with the lock held) ---------------------------------------------

    def _catch_up(self) -> int:
        learned = 0
        while True:
            try:
                with self.db.read() as conn:
                    rows = learnable_feedback_after(conn, self.last_id, REPLAY_BATCH)
            except (SQLAlchemyError, StorageUnavailable) as exc:
                log.warning("cannot read feedback to learn from: %s", type(exc).__name__)
                return learned
            for row in rows:
                self._learn(row)
                self.last_id = row.id
                learned += 1
            if len(rows) < REPLAY_BATCH:
                return learned

    def _others_before(
        self, mine: list[RecordedLabel], given: set[int]
    ) -> list[LearnableFeedback] | None:
        """Rows other workers recorded after ``last_id`` and before the newest of ``mine``
        (without ``mine``); None when the log cannot be read. No read at all when every id in
        between was given (one worker, or nobody else recorded a label meanwhile)."""
        skip = [r.feedback_id for r in mine]
        between = range(self.last_id + 1, skip[-1])
        if len(between) <= len(given) and all(i in given for i in between):
            return []
        found: list[LearnableFeedback] = []
        try:
            with self.db.read() as conn:
                while True:
                    after = found[-1].id if found else self.last_id
                    rows = learnable_feedback_after(
                        conn, after, REPLAY_BATCH, before_id=skip[-1], skip=skip
                    )
                    found += rows
                    if len(rows) < REPLAY_BATCH:
                        return found
        except (SQLAlchemyError, StorageUnavailable) as exc:
            log.warning("cannot read feedback to learn from: %s", type(exc).__name__)
            return None

    def _learn_in_order(self, mine: list[RecordedLabel], others: list[LearnableFeedback]) -> int:
        pending = list(reversed(mine))  # popped oldest first
        for row in [*others, None]:
            while pending and (row is None or pending[-1].feedback_id < row.id):
                label = pending.pop()
                self.model.learn_one(label.submission, label.label)
                self.last_id = label.feedback_id
            if row is not None:
                self._learn(row)
                self.last_id = row.id
        return len(mine) + len(others)

    def _learn(self, row: LearnableFeedback) -> None:
        try:
            label = Label(row.label)
        except ValueError:
            return
        fields = {k: str(v) for k, v in row.fields.items() if isinstance(v, str)}
        self.model.learn_one(Submission.from_fields(fields, site=row.site_url), label)

    def _save(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        arrays, meta = _state_arrays(self.model)
        meta.update(format=STATE_FORMAT, base_version=self.model.version, last_id=self.last_id)
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".state.", suffix=".npz")
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, meta=np.array(json.dumps(meta)), **arrays)
            os.replace(tmp, self.path)
        except OSError as exc:
            Path(tmp).unlink(missing_ok=True)
            log.warning("cannot write model snapshot %s: %s", self.path, exc)
            return
        self._since_snapshot = 0

    def _load_snapshot(self) -> None:
        if not self.path.is_file():
            return
        try:
            with np.load(self.path) as data:
                meta = json.loads(str(data["meta"]))
                if (
                    meta.get("format") != STATE_FORMAT
                    or meta.get("base_version") != self.model.version
                ):
                    log.info("model snapshot is from another model; replaying all feedback")
                    return
                _apply_state(self.model, data, meta)
        except (OSError, ValueError, KeyError) as exc:
            log.warning("ignoring unreadable model snapshot %s: %s", self.path, exc)
            return
        self.last_id = int(meta["last_id"])


def _state_arrays(model: ContentModel) -> tuple[dict[str, Any], dict[str, Any]]:
    arrays: dict[str, Any] = {
        "weights": model.model.weights,
        "accum": model.model.accum,
        "bayes_spam": model.bayes.spam_counts,
        "bayes_ham": model.bayes.ham_counts,
    }
    sites = list(model.personal.sites.items())
    for i, (_site, site_model) in enumerate(sites):
        arrays[f"site{i}_weights"] = site_model.model.weights
        arrays[f"site{i}_accum"] = site_model.model.accum
    meta = {
        "bias": model.model.bias,
        "bias_accum": model.model.bias_accum,
        "bayes_totals": [model.bayes.spam_total, model.bayes.ham_total],
        "balance": [model.balance.spam, model.balance.ham],
        "learned": model.learned,
        "sites": [
            {
                "site": site,
                "spam": m.spam,
                "ham": m.ham,
                "bias": m.model.bias,
                "bias_accum": m.model.bias_accum,
            }
            for site, m in sites
        ],
    }
    return arrays, meta


def _apply_state(model: ContentModel, data: Any, meta: dict[str, Any]) -> None:
    model.model.weights[:] = data["weights"]
    model.model.accum[:] = data["accum"]
    model.model.bias = float(meta["bias"])
    model.model.bias_accum = float(meta["bias_accum"])
    model.bayes.spam_counts[:] = data["bayes_spam"]
    model.bayes.ham_counts[:] = data["bayes_ham"]
    model.bayes.spam_total, model.bayes.ham_total = (float(v) for v in meta["bayes_totals"])
    model.bayes.refresh()
    model.balance.spam, model.balance.ham = (float(v) for v in meta["balance"])
    model.learned = int(meta["learned"])
    model.personal.sites.clear()
    for i, site in enumerate(meta["sites"]):
        linear = LinearModel(
            np.array(data[f"site{i}_weights"], dtype=np.float32),
            np.array(data[f"site{i}_accum"], dtype=np.float32),
            float(site["bias"]),
            float(site["bias_accum"]),
            model.personal.rate,
        )
        model.personal.sites[str(site["site"])] = SiteModel(
            linear, int(site["spam"]), int(site["ham"])
        )
