"""Cross-validation: folds stratified by (source, label) over near-duplicate groups; the
logistic and Bayes parts fitted on four folds and predicting the fifth; the blend and the
combiner fitted on out-of-fold predictions of the *other* folds, so every number is
out-of-sample."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.model_selection import StratifiedGroupKFold

from rejoinder.training.config import ProgressHook, TrainConfig
from rejoinder.training.fitting import FittedParts, blended, fit_parts
from rejoinder.training.prepared import FloatVector, Prepared, Rows
from rejoinder.training.stacking import combined, fit_engine_combiner, fit_kind_blends


@dataclass
class CrossValidation:
    folds: list[tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]]
    logistic: FloatVector
    bayes: FloatVector
    content: FloatVector  # blended log-odds, blend cross-fitted
    probability: FloatVector  # combiner output, combiner cross-fitted
    fold_models: list[FittedParts]


def make_folds(prep: Prepared, config: TrainConfig) -> list[tuple[Any, Any]]:
    strata = np.array([f"{s}:{int(y)}" for s, y in zip(prep.sources, prep.labels, strict=True)])
    splitter = StratifiedGroupKFold(config.folds, shuffle=True, random_state=config.seed)
    return list(splitter.split(np.zeros(len(strata)), strata, prep.groups))


def fit_on(prep: Prepared, rows: Rows, config: TrainConfig, seed: int) -> FittedParts:
    """Fit on the given rows; each augmented row is added as a second copy (same weight)."""
    chosen = [int(i) for i in rows]
    augmented = [i for i in chosen if i in prep.extra]
    weights = source_weights(prep.sources[chosen], config.source_balance)
    by_row = dict(zip(chosen, weights.tolist(), strict=True))
    return fit_parts(
        [prep.vectors[i] for i in chosen] + [prep.extra[i] for i in augmented],
        [bool(prep.labels[i]) for i in chosen] + [i in prep.extra_spam for i in augmented],
        1 << config.features.bits,
        config.fit,
        seed,
        weights=[by_row[i] for i in chosen] + [by_row[i] for i in augmented],
    )


def source_weights(sources: np.ndarray[Any, Any], exponent: float) -> FloatVector:
    """Each row's training weight: ``(mean source size / its source's size) ** exponent``,
    scaled to a mean of 1. With 0.3 a source's total weight grows as its size ** 0.7 (the
    sampling exponent of multilingual language models): the 4,136 SMS rows no longer teach
    eight times what the 490 Telegram rows do, only about four times."""
    _names, inverse, counts = np.unique(sources, return_inverse=True, return_counts=True)
    per_source = (counts.mean() / counts) ** exponent
    weights = per_source[inverse]
    return np.asarray(weights / weights.mean(), dtype=np.float64)


def cross_validate(
    prep: Prepared, config: TrainConfig, progress: ProgressHook | None = None
) -> CrossValidation:
    progress = progress or ProgressHook()
    folds = make_folds(prep, config)
    n = len(prep.examples)
    logistic, bayes = np.zeros(n), np.zeros(n)
    models: list[FittedParts] = []
    progress.stage("cross-validation", len(folds))
    for k, (train, test) in enumerate(folds):
        parts = fit_on(prep, train, config, config.seed + k)
        lr, nb = parts.predict([prep.vectors[i] for i in test])
        logistic[test], bayes[test] = lr, nb
        models.append(parts)
        progress.advance()
    content, probability = np.zeros(n), np.zeros(n)
    for _train, test in folds:
        others = np.setdiff1d(np.arange(n), test)
        blends = fit_kind_blends(prep, config, logistic, bayes, others)
        local = blended(blends, logistic, bayes, prep.kinds, prep.sizes)
        content[test] = local[test]
        combiner = fit_engine_combiner(prep, local, others, config.combiner_prior)
        probability[test] = combined(prep, local, test, combiner)
    return CrossValidation(folds, logistic, bayes, content, probability, models)
