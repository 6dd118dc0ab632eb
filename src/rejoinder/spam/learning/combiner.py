"""Turn the hits of every signal into one calibrated spam probability.

``p = sigmoid(bias + Σ weight[symbol] · score)``. Each hit's score is already a contribution in
log-odds chosen by its signal; the combiner learns how much to trust each symbol on labelled
data (a weight of 1.0 means "as the signal said") and the prior (the bias). A symbol never
seen in training keeps weight 1.0. Learning pulls every weight toward 1.0 (an L2 prior) and
keeps it within [``MIN_WEIGHT``, ``MAX_WEIGHT``], so a symbol that happens to fire only on one
spam-only data set cannot take over. Operators can override the bias and any weight in
settings (``combiner_bias``, ``combiner_weights``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rejoinder.core.records.verdict import Hit
from rejoinder.errors import ConfigError
from rejoinder.spam.learning.linear import sigmoid

DEFAULT_BIAS = -2.0
MIN_WEIGHT = 0.0
MAX_WEIGHT = 4.0


@dataclass(frozen=True, slots=True)
class Combiner:
    """Per-symbol weights and a bias; unknown symbols weigh 1.0."""

    bias: float = DEFAULT_BIAS
    weights: Mapping[str, float] = field(default_factory=dict)

    def weight(self, symbol: str) -> float:
        return self.weights.get(symbol, 1.0)

    def logit(self, hits: Iterable[Hit]) -> float:
        return self.bias + sum(self.weight(h.symbol) * h.score for h in hits)

    def probability(self, hits: Iterable[Hit]) -> float:
        return sigmoid(self.logit(hits))

    def weighted(self, hits: Iterable[Hit]) -> list[Hit]:
        """The hits with their effective contribution (weight × score) as the score, so a
        verdict and its explanation show what each symbol really added."""
        out: list[Hit] = []
        for h in hits:
            w = self.weight(h.symbol)
            out.append(h if w == 1.0 else Hit(h.symbol, w * h.score, h.detail))
        return out

    def with_overrides(self, bias: float | None, weights: Mapping[str, float]) -> Combiner:
        merged = {**self.weights, **weights}
        return Combiner(self.bias if bias is None else bias, merged)

    def as_dict(self) -> dict[str, Any]:
        return {"bias": self.bias, "weights": dict(sorted(self.weights.items()))}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Combiner:
        weights = {str(k): float(v) for k, v in dict(data.get("weights", {})).items()}
        return cls(float(data.get("bias", DEFAULT_BIAS)), weights)


def parse_weights(text: str) -> dict[str, float]:
    """``"CONTENT_MODEL=1.2, LINKS_MANY=0.5"`` → a dict; a bad item is a ConfigError."""
    weights: dict[str, float] = {}
    for raw in text.split(","):
        item = raw.strip()
        if not item:
            continue
        symbol, sep, value = item.partition("=")
        symbol = symbol.strip().upper()
        try:
            weight = float(value) if sep else math.nan
        except ValueError:
            weight = math.nan
        if not symbol or not math.isfinite(weight):
            raise ConfigError(f"combiner_weights: '{item}' is not SYMBOL=number")
        weights[symbol] = weight
    return weights


# --- fitting -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HitTable:
    """Labelled examples as a dense matrix of summed scores per symbol."""

    symbols: list[str]
    scores: np.ndarray[Any, np.dtype[np.float64]]  # (examples, symbols)
    labels: np.ndarray[Any, np.dtype[np.float64]]  # 1.0 spam, 0.0 ham

    @classmethod
    def build(cls, hit_lists: Sequence[Sequence[Hit]], labels: Sequence[bool]) -> HitTable:
        symbols = sorted({h.symbol for hits in hit_lists for h in hits})
        column = {s: i for i, s in enumerate(symbols)}
        scores = np.zeros((len(hit_lists), len(symbols)))
        for row, hits in enumerate(hit_lists):
            for h in hits:
                scores[row, column[h.symbol]] += h.score
        return cls(symbols, scores, np.asarray(labels, dtype=np.float64))


def fit_combiner(
    table: HitTable,
    *,
    prior_strength: float = 1.0,
    fixed: Mapping[str, float] | None = None,
    iterations: int = 200,
) -> Combiner:
    """Maximum a-posteriori weights: log loss + ``prior_strength``·Σ(w − 1)², by Newton steps.

    ``fixed`` symbols keep the given weight (e.g. forced test values). Symbols that never
    fire get no information from the data and stay at 1.0.
    """
    fixed = dict(fixed or {})
    free = [i for i, s in enumerate(table.symbols) if s not in fixed]
    x = table.scores[:, free]
    offset = np.zeros(len(table.labels))
    for i, s in enumerate(table.symbols):
        if s in fixed:
            offset += fixed[s] * table.scores[:, i]
    # parameters: [bias, w_free...]; the prior pulls w toward 1 and leaves the bias free
    design = np.hstack([np.ones((x.shape[0], 1)), x])
    prior_mean = np.concatenate([[0.0], np.ones(len(free))])
    penalty = np.concatenate([[1e-6], np.full(len(free), prior_strength)])
    theta = prior_mean.copy()
    theta[0] = DEFAULT_BIAS
    for _ in range(iterations):
        z = np.clip(design @ theta + offset, -35, 35)
        p = 1.0 / (1.0 + np.exp(-z))
        grad = design.T @ (p - table.labels) + penalty * (theta - prior_mean)
        hess = (design * (p * (1 - p))[:, None]).T @ design + np.diag(penalty)
        step = np.linalg.solve(hess, grad)
        theta -= step
        theta[1:] = np.clip(theta[1:], MIN_WEIGHT, MAX_WEIGHT)
        if float(np.max(np.abs(step))) < 1e-7:
            break
    weights = {table.symbols[i]: round(float(theta[1 + j]), 4) for j, i in enumerate(free)}
    weights.update(fixed)
    return Combiner(round(float(theta[0]), 4), weights)
