"""Thresholds tuned on out-of-fold probabilities, and the metrics at them."""

from __future__ import annotations

from typing import Any

import numpy as np

from rejoinder.core.records.verdict import Thresholds
from rejoinder.training.config import TrainConfig
from rejoinder.training.evaluation import Metrics, compute_metrics
from rejoinder.training.prepared import FloatVector, Prepared, Rows

DISCARD_LADDER = (0.99, 0.999, 0.9999, 0.99999, 0.999999)


DISCARD_MARGIN = 3.0


def tune_thresholds(
    spam: np.ndarray[Any, Any], probability: FloatVector, config: TrainConfig
) -> Thresholds:
    """Spam: best F1 with FPR ≤ ``max_fpr``. Discard: the first step of ``DISCARD_LADDER``
    at least ``DISCARD_MARGIN`` times closer to 1 than every ham probability seen (a discarded
    comment is never seen again, so the highest ham must not be a near miss). Hold:
    ``hold_probability``."""
    y = np.asarray(spam, dtype=bool)
    hams = max(int((~y).sum()), 1)
    best_f1, spam_t = -1.0, 0.99
    for t in np.unique(np.round(probability, 4)):
        flagged = probability >= t
        if (flagged & ~y).sum() / hams <= config.max_fpr:
            f1 = compute_metrics(y, flagged).f1
            if f1 > best_f1:
                best_f1, spam_t = f1, float(t)
    spam_t = min(spam_t, 0.999)
    ham_max = float(probability[~y].max()) if (~y).any() else 0.0
    above = 1.0 - (1.0 - max(ham_max, spam_t)) / DISCARD_MARGIN
    discard_t = next((t for t in DISCARD_LADDER if t >= above), DISCARD_LADDER[-1])
    hold_t = min(config.hold_probability, spam_t)
    return Thresholds(round(hold_t, 4), round(spam_t, 4), discard_t)


def threshold_metrics(
    spam: np.ndarray[Any, Any], probability: FloatVector, thresholds: Thresholds
) -> Metrics:
    actions = [thresholds.action_for(float(p)) for p in probability]
    held = sum(1 for a in actions if a.value == "hold")
    return compute_metrics(spam, [a.is_spam for a in actions], held)


def per_source(
    prep: Prepared,
    probability: FloatVector,
    thresholds: Thresholds,
    rows: Rows | None = None,
) -> dict[str, dict[str, float | int]]:
    idx = np.arange(len(prep.examples)) if rows is None else np.asarray(rows)
    out: dict[str, dict[str, float | int]] = {}
    for source in sorted(set(prep.sources[idx])):
        sel = idx[prep.sources[idx] == source]
        out[source] = threshold_metrics(prep.labels[sel], probability[sel], thresholds).as_dict()
    return out
