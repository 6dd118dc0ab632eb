"""Multinomial naive Bayes over the same hashed features, with binary counts.

It complements the logistic model: Bayes adds up many weak clues, logistic regression weighs a
few strong ones, and their blend is markedly better than either alone on the labelled data
(see docs/spam-engine.md). Learning one example is adding one to a count per feature.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from rejoinder.spam.learning.features import SparseVector

FloatArray = npt.NDArray[np.float32]
NB_LIMIT = 60.0
_scratch = threading.local()


def distinct(indices: npt.NDArray[np.int64], dim: int) -> npt.NDArray[np.int64]:
    """Each index once (order not kept), without sorting: every position writes its number
    into a per-thread scratch array, and the positions whose number survived are kept."""
    n = indices.shape[0]
    marks: npt.NDArray[np.int32] | None = getattr(_scratch, "marks", None)
    if marks is None or marks.shape[0] != dim:
        marks = np.zeros(dim, dtype=np.int32)
        _scratch.marks = marks
    positions = np.arange(n, dtype=np.int32)
    marks[indices] = positions
    kept: npt.NDArray[np.int64] = indices[marks[indices] == positions]
    return kept


@dataclass(slots=True)
class NaiveBayes:
    """Per-feature document counts for spam and ham; log-odds without the class prior.

    ``log_ratio[i] = log(spam_i + α) − log(ham_i + α)`` is kept up to date on every learn, so
    scoring is one gather and a sum.
    """

    spam_counts: FloatArray
    ham_counts: FloatArray
    spam_total: float = 0.0  # Σ spam_counts (kept, not recomputed)
    ham_total: float = 0.0
    alpha: float = 0.1
    log_ratio: FloatArray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))

    def __post_init__(self) -> None:
        if self.log_ratio.shape != self.spam_counts.shape:
            self.log_ratio = self._ratio(slice(None))

    def _ratio(self, idx: Any) -> FloatArray:
        a = np.float32(self.alpha)
        ratio: FloatArray = np.log(self.spam_counts[idx] + a) - np.log(self.ham_counts[idx] + a)
        return ratio

    def refresh(self) -> None:
        """Recompute the log ratios after the counts were replaced wholesale."""
        self.log_ratio = self._ratio(slice(None))

    @classmethod
    def zeros(cls, dim: int, alpha: float = 0.1) -> NaiveBayes:
        return cls(np.zeros(dim, dtype=np.float32), np.zeros(dim, dtype=np.float32), alpha=alpha)

    @property
    def dim(self) -> int:
        return int(self.spam_counts.shape[0])

    def log_odds(self, x: SparseVector) -> float:
        """Σ over present features of log P(f|spam) − log P(f|ham), clipped to ±NB_LIMIT."""
        idx = distinct(x.indices, self.dim)
        if idx.shape[0] == 0:
            return 0.0
        a = self.alpha
        norm = math.log(self.spam_total + a * self.dim) - math.log(self.ham_total + a * self.dim)
        total = float(self.log_ratio[idx].sum()) - int(idx.shape[0]) * norm
        return max(-NB_LIMIT, min(NB_LIMIT, total))

    def learn(self, x: SparseVector, spam: bool, weight: float = 1.0) -> None:
        idx = distinct(x.indices, self.dim)
        counts = self.spam_counts if spam else self.ham_counts
        counts[idx] += np.float32(weight)
        self.log_ratio[idx] = self._ratio(idx)
        if spam:
            self.spam_total += weight * idx.shape[0]
        else:
            self.ham_total += weight * idx.shape[0]

    def copy(self) -> NaiveBayes:
        return NaiveBayes(
            self.spam_counts.copy(),
            self.ham_counts.copy(),
            self.spam_total,
            self.ham_total,
            self.alpha,
        )
