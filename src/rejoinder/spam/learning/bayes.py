"""Multinomial naive Bayes over the same hashed features, with binary counts.

It complements the logistic model: Bayes adds up many weak clues, logistic regression weighs a
few strong ones, and their blend is markedly better than either alone on the labelled data
(see docs/spam-engine.md). Learning one example is adding one to a count per feature.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from rejoinder.spam.learning.features import SparseVector

FloatArray = npt.NDArray[np.float32]
NB_LIMIT = 60.0


@dataclass(slots=True)
class NaiveBayes:
    """Per-feature document counts for spam and ham; log-odds without the class prior."""

    spam_counts: FloatArray
    ham_counts: FloatArray
    spam_total: float = 0.0  # Σ spam_counts (kept, not recomputed)
    ham_total: float = 0.0
    alpha: float = 0.1

    @classmethod
    def zeros(cls, dim: int, alpha: float = 0.1) -> NaiveBayes:
        return cls(np.zeros(dim, dtype=np.float32), np.zeros(dim, dtype=np.float32), alpha=alpha)

    @property
    def dim(self) -> int:
        return int(self.spam_counts.shape[0])

    def log_odds(self, x: SparseVector) -> float:
        """Σ over present features of log P(f|spam) − log P(f|ham), clipped to ±NB_LIMIT."""
        idx = np.unique(x.indices)
        if idx.shape[0] == 0:
            return 0.0
        a = self.alpha
        spam = np.log(self.spam_counts[idx] + np.float32(a)).sum()
        ham = np.log(self.ham_counts[idx] + np.float32(a)).sum()
        norm = idx.shape[0] * (
            np.log(self.spam_total + a * self.dim) - np.log(self.ham_total + a * self.dim)
        )
        return float(np.clip(spam - ham - norm, -NB_LIMIT, NB_LIMIT))

    def learn(self, x: SparseVector, spam: bool, weight: float = 1.0) -> None:
        idx = np.unique(x.indices)
        counts = self.spam_counts if spam else self.ham_counts
        counts[idx] += np.float32(weight)
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
