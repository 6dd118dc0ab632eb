"""Batch fitting of the content model's parts, used by ``rejoinder train`` and the benchmarks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import numpy.typing as npt

from rejoinder.spam.learning.bayes import NaiveBayes
from rejoinder.spam.learning.calibration import Blend, Blends, LengthTerms
from rejoinder.spam.learning.classifier import ClassBalance, ContentModel
from rejoinder.spam.learning.features import FeatureExtractor, SparseVector
from rejoinder.spam.learning.linear import LinearModel, clip_logit, sigmoid
from rejoinder.spam.learning.personal import PersonalModels

FloatVector = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class FitConfig:
    epochs: int = 12
    rate: float = 0.5
    l2: float = 1e-4
    bayes_alpha: float = 0.1
    online_rate: float = 0.5  # AdaGrad rate kept for learning from feedback
    # No single hashed feature may weigh more than this (0: unbounded). A word and its dozen
    # character n-grams share the evidence of one token; bounded, one word a source's spam
    # shares ("subscribe", "channel") cannot outvote the rest of a reader's sentence.
    max_weight: float = 2.0

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


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
    weights: Sequence[float] | None = None,
) -> FittedParts:
    """Logistic regression by shuffled AdaGrad epochs, Bayes by counting; each example counts
    with its weight (1 without)."""
    rng = np.random.default_rng(seed)
    model = LinearModel.zeros(dim, rate=config.rate)
    y = np.asarray(labels, dtype=np.float64)
    w = np.ones(len(vectors)) if weights is None else np.asarray(weights, dtype=np.float64)
    order = np.arange(len(vectors))
    decay = np.float32(1.0 - config.l2)
    for _ in range(config.epochs):
        rng.shuffle(order)
        for i in order.tolist():
            x = vectors[i]
            model.step(x, sigmoid(model.decision(x)) - y[i], float(w[i]))
            if config.l2:
                model.weights[x.indices] *= decay
            if config.max_weight:
                bound = np.float32(config.max_weight)
                model.weights[x.indices] = np.clip(model.weights[x.indices], -bound, bound)
    # Online learning continues from here as if the data had been seen once.
    model.accum /= np.float32(max(config.epochs, 1))
    np.maximum(model.accum, np.float32(1.0), out=model.accum)
    model.bias_accum = max(1.0, model.bias_accum / max(config.epochs, 1))
    model.rate = config.online_rate
    bayes = NaiveBayes.zeros(dim, config.bayes_alpha)
    for x, spam, weight in zip(vectors, labels, w.tolist(), strict=True):
        bayes.learn(x, bool(spam), weight)
    return FittedParts(model, bayes)


LENGTH_PULL = 1.0  # keeps length terms near 0 unless many rows ask for them


def fit_blend(
    logistic: FloatVector,
    bayes: FloatVector,
    labels: FloatVector,
    sizes: FloatVector | None = None,
    *,
    length_terms: LengthTerms = LengthTerms.NONE,
    bias_mean: float = 0.0,
    bias_pull: float = 1e-6,
) -> Blend:
    """A small logistic regression (lightly regularised) on out-of-fold log-odds.

    Inputs: the two log-odds, and with ``length_terms`` their products with the length term
    ``sizes`` (and the length term itself for ``FULL``). The bias is pulled toward
    ``bias_mean`` with strength ``bias_pull``, the two weights toward 0 with 1e-3 and the
    length terms with ``LENGTH_PULL``. Newton steps,
    halved while they do not lower the loss: very confident inputs (log-odds of ±20) would
    otherwise overshoot and diverge.
    """
    size = np.zeros_like(logistic) if sizes is None else sizes
    on = {
        LengthTerms.NONE: (0.0, 0.0),
        LengthTerms.SLOPES: (1.0, 0.0),
        LengthTerms.FULL: (1.0, 1.0),
    }[length_terms]
    design = np.column_stack(
        [
            np.ones_like(logistic),
            logistic,
            bayes,
            on[0] * logistic * size,
            on[0] * bayes * size,
            on[1] * size,
        ]
    )
    penalty = np.array([bias_pull, 1e-3, 1e-3, LENGTH_PULL, LENGTH_PULL, LENGTH_PULL])
    mean = np.array([bias_mean, 0.0, 0.0, 0.0, 0.0, 0.0])
    theta = _newton(design, labels, penalty, mean, np.array([bias_mean, 1.0, 0, 0, 0, 0]))
    value = [round(float(v), 5) for v in theta]
    return Blend(value[1], value[2], value[0], value[3], value[4], value[5])


def _newton(
    design: FloatVector,
    labels: FloatVector,
    penalty: FloatVector,
    mean: FloatVector,
    theta: FloatVector,
) -> FloatVector:
    def loss(t: FloatVector) -> float:
        z = design @ t
        nll = np.logaddexp(0.0, z) - labels * z
        return float(nll.sum() + 0.5 * penalty @ ((t - mean) ** 2))

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
    return theta


MIN_KIND_ROWS = 200  # a kind of text gets its own blend only with this many rows
MIN_KIND_CLASS = 30  # … and this many of each class
# Pull of a kind's bias toward the overall one. A kind learns how far to trust each learner,
# but not its data set's spam rate: with a free bias, English comments (YouTube, blog spam
# and news comments here) took on the spam rate of whichever sets were in training, and a
# held-out news site saw 1.2 % of its comments filed as spam instead of 0.3 %.
KIND_BIAS_PULL = 300.0


def fit_blends(
    logistic: FloatVector,
    bayes: FloatVector,
    labels: FloatVector,
    kinds: npt.NDArray[np.str_],
    sizes: FloatVector | None = None,
    *,
    length_terms: LengthTerms = LengthTerms.NONE,
    bias_pull: float = KIND_BIAS_PULL,
) -> Blends:
    """The overall blend, and one per kind of text with enough rows of both classes."""
    sizes = np.zeros_like(logistic) if sizes is None else sizes
    if not _enough(labels):
        length_terms = LengthTerms.NONE  # too few rows to learn how length matters
    overall = fit_blend(logistic, bayes, labels, sizes, length_terms=length_terms)
    by_kind: dict[str, Blend] = {}
    for kind in sorted(set(kinds.tolist())):
        rows = kinds == kind
        if _enough(labels[rows]):
            by_kind[kind] = fit_blend(
                logistic[rows],
                bayes[rows],
                labels[rows],
                sizes[rows],
                length_terms=length_terms,
                bias_mean=overall.bias,
                bias_pull=bias_pull,
            )
    return Blends(overall, by_kind)


def _enough(labels: FloatVector) -> bool:
    spam = int(labels.sum())
    return len(labels) >= MIN_KIND_ROWS and min(spam, len(labels) - spam) >= MIN_KIND_CLASS


def blended(
    blends: Blends,
    logistic: FloatVector,
    bayes: FloatVector,
    kinds: npt.NDArray[np.str_],
    sizes: FloatVector | None = None,
) -> FloatVector:
    """Content log-odds of many rows, each blended as calibrated for its kind and length."""
    size = np.zeros_like(logistic) if sizes is None else sizes
    out = np.empty_like(logistic)
    for kind in set(kinds.tolist()):
        rows = kinds == kind
        out[rows] = blends(kind)(logistic[rows], bayes[rows], size[rows])
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
