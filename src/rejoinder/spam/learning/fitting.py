"""Batch fitting of the content model's parts, used by ``rejoinder train`` and the benchmarks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from rejoinder.spam.learning.bayes import NaiveBayes
from rejoinder.spam.learning.calibration import Blend, Blends
from rejoinder.spam.learning.classifier import ClassBalance, ContentModel
from rejoinder.spam.learning.features import FeatureExtractor, SparseVector
from rejoinder.spam.learning.linear import LinearModel, clip_logit, sigmoid
from rejoinder.spam.learning.personal import PersonalModels

FloatVector = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class FitConfig:
    epochs: int = 8
    rate: float = 0.5
    l2: float = 1e-4
    bayes_alpha: float = 0.1
    online_rate: float = 0.5  # AdaGrad rate kept for learning from feedback

    def as_dict(self) -> dict[str, float]:
        return {
            "epochs": self.epochs,
            "rate": self.rate,
            "l2": self.l2,
            "bayes_alpha": self.bayes_alpha,
            "online_rate": self.online_rate,
        }


@dataclass
class FittedParts:
    logistic: LinearModel
    bayes: NaiveBayes

    def copy(self) -> FittedParts:
        return FittedParts(self.logistic.copy(), self.bayes.copy())

    def predict(self, vectors: Sequence[SparseVector]) -> tuple[FloatVector, FloatVector]:
        """(logistic log-odds, Bayes log-odds) for each vector."""
        lr = np.array([clip_logit(self.logistic.decision(x)) for x in vectors])
        nb = np.array([self.bayes.log_odds(x) for x in vectors])
        return lr, nb


def fit_parts(
    vectors: Sequence[SparseVector],
    labels: Sequence[bool],
    dim: int,
    config: FitConfig,
    seed: int,
) -> FittedParts:
    """Logistic regression by shuffled AdaGrad epochs, Bayes by counting."""
    rng = np.random.default_rng(seed)
    model = LinearModel.zeros(dim, rate=config.rate)
    y = np.asarray(labels, dtype=np.float64)
    order = np.arange(len(vectors))
    decay = np.float32(1.0 - config.l2)
    for _ in range(config.epochs):
        rng.shuffle(order)
        for i in order.tolist():
            x = vectors[i]
            model.step(x, sigmoid(model.decision(x)) - y[i], 1.0)
            if config.l2:
                model.weights[x.indices] *= decay
    # Online learning continues from here as if the data had been seen once.
    model.accum /= np.float32(max(config.epochs, 1))
    np.maximum(model.accum, np.float32(1.0), out=model.accum)
    model.bias_accum = max(1.0, model.bias_accum / max(config.epochs, 1))
    model.rate = config.online_rate
    bayes = NaiveBayes.zeros(dim, config.bayes_alpha)
    for x, spam in zip(vectors, labels, strict=True):
        bayes.learn(x, bool(spam))
    return FittedParts(model, bayes)


def fit_blend(
    logistic: FloatVector,
    bayes: FloatVector,
    labels: FloatVector,
    *,
    bias_mean: float = 0.0,
    bias_pull: float = 1e-6,
) -> Blend:
    """A two-input logistic regression (lightly regularised) on out-of-fold log-odds.

    The bias is pulled toward ``bias_mean`` with strength ``bias_pull`` (the weights toward
    0 with 1e-3). Newton steps, halved while they do not lower the loss: very confident
    inputs (log-odds of ±20) would otherwise overshoot and diverge.
    """
    design = np.column_stack([np.ones_like(logistic), logistic, bayes])
    penalty = np.array([bias_pull, 1e-3, 1e-3])
    mean = np.array([bias_mean, 0.0, 0.0])

    def loss(theta: FloatVector) -> float:
        z = design @ theta
        nll = np.logaddexp(0.0, z) - labels * z
        return float(nll.sum() + 0.5 * penalty @ ((theta - mean) ** 2))

    theta = np.array([bias_mean, 1.0, 0.0])
    current = loss(theta)
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-np.clip(design @ theta, -35, 35)))
        grad = design.T @ (p - labels) + penalty * (theta - mean)
        hess = (design * (p * (1 - p))[:, None]).T @ design + np.diag(penalty)
        step = np.linalg.solve(hess, grad)
        for _halving in range(40):
            trial = loss(theta - step)
            if trial <= current:
                break
            step = step / 2
        else:
            break  # no step lowers the loss any more
        theta, current = theta - step, trial
        if float(np.max(np.abs(step))) < 1e-8:
            break
    return Blend(
        logistic=round(float(theta[1]), 5),
        bayes=round(float(theta[2]), 5),
        bias=round(float(theta[0]), 5),
    )


MIN_KIND_ROWS = 200  # a kind of text gets its own blend only with this many rows
MIN_KIND_CLASS = 30  # … and this many of each class
# Pull of a kind's bias toward the overall one. A kind learns how far to trust each learner,
# but not its data set's spam rate: with a free bias, English comments (YouTube, blog spam
# and news comments here) took on the spam rate of whichever sets were in training, and a
# held-out news site saw 1.2 % of its comments filed as spam instead of 0.3 %.
KIND_BIAS_PULL = 300.0


def fit_blends(
    logistic: FloatVector, bayes: FloatVector, labels: FloatVector, kinds: npt.NDArray[np.str_]
) -> Blends:
    """The overall blend, and one per kind of text with enough rows of both classes."""
    overall = fit_blend(logistic, bayes, labels)
    by_kind: dict[str, Blend] = {}
    for kind in sorted(set(kinds.tolist())):
        rows = kinds == kind
        spam = int(labels[rows].sum())
        if rows.sum() >= MIN_KIND_ROWS and min(spam, int(rows.sum()) - spam) >= MIN_KIND_CLASS:
            by_kind[kind] = fit_blend(
                logistic[rows],
                bayes[rows],
                labels[rows],
                bias_mean=overall.bias,
                bias_pull=KIND_BIAS_PULL,
            )
    return Blends(overall, by_kind)


def blended(
    blends: Blends, logistic: FloatVector, bayes: FloatVector, kinds: npt.NDArray[np.str_]
) -> FloatVector:
    """Content log-odds of many rows, each blended as calibrated for its kind of text."""
    out = np.empty_like(logistic)
    for kind in set(kinds.tolist()):
        rows = kinds == kind
        blend = blends(kind)
        out[rows] = blend.logistic * logistic[rows] + blend.bayes * bayes[rows] + blend.bias
    return out


def assemble(
    parts: FittedParts,
    blend: Blends,
    extractor: FeatureExtractor,
    labels: Sequence[bool],
    version: str,
    personal: PersonalModels | None = None,
) -> ContentModel:
    spam = float(sum(bool(v) for v in labels))
    balance = ClassBalance(spam=spam, ham=float(len(labels)) - spam)
    return ContentModel(
        extractor,
        parts.logistic,
        parts.bayes,
        blend,
        personal or PersonalModels(),
        balance,
        version,
    )
