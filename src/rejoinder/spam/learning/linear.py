"""Logistic regression over hashed sparse vectors, trained one example at a time (AdaGrad)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from rejoinder.spam.learning.features import SparseVector

FloatArray = npt.NDArray[np.float32]
LOGIT_LIMIT = 15.0
_EPS = 1e-6


def sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-min(x, 700.0)))
    z = math.exp(max(x, -700.0))
    return z / (1.0 + z)


def clip_logit(x: float) -> float:
    return max(-LOGIT_LIMIT, min(LOGIT_LIMIT, x))


@dataclass(slots=True)
class LinearModel:
    """Weights, bias and AdaGrad accumulators of one logistic regression."""

    weights: FloatArray
    accum: FloatArray
    bias: float = 0.0
    bias_accum: float = 1.0
    rate: float = 0.5

    @classmethod
    def zeros(cls, dim: int, rate: float = 0.5, prior_accum: float = 1.0) -> LinearModel:
        return cls(
            np.zeros(dim, dtype=np.float32),
            np.full(dim, prior_accum, dtype=np.float32),
            rate=rate,
        )

    @property
    def dim(self) -> int:
        return int(self.weights.shape[0])

    def decision(self, x: SparseVector, mask: int | None = None) -> float:
        idx = x.indices if mask is None else x.indices & mask
        return float(np.dot(self.weights[idx], x.values)) + self.bias

    def step(
        self,
        x: SparseVector,
        gradient: float,
        scale: float,
        mask: int | None = None,
        *,
        learn_bias: bool = True,
    ) -> None:
        """One AdaGrad step on the log loss; ``gradient`` is p − y. Without ``learn_bias`` the
        bias stays: one site's corrections must not shift every comment's score."""
        idx = x.indices if mask is None else x.indices & mask
        g = (gradient * x.values).astype(np.float32)
        np.add.at(self.accum, idx, g * g)
        update = np.float32(self.rate * scale) * g / np.sqrt(self.accum[idx] + np.float32(_EPS))
        np.subtract.at(self.weights, idx, update)
        if not learn_bias:
            return
        self.bias_accum += gradient * gradient
        self.bias -= self.rate * scale * gradient / math.sqrt(self.bias_accum)

    def copy(self) -> LinearModel:
        return LinearModel(
            self.weights.copy(), self.accum.copy(), self.bias, self.bias_accum, self.rate
        )
