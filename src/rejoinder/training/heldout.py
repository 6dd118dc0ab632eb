"""Models and scores on rows a model never saw: leave-one-source-out, and the engine model of one
cross-validation fold or of all sources but one (for the benches)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from rejoinder.core.records.verdict import Thresholds
from rejoinder.spam.learning.artifact import ModelBundle
from rejoinder.spam.learning.calibration import Blends
from rejoinder.spam.learning.combiner import Combiner
from rejoinder.spam.learning.features import FeatureExtractor
from rejoinder.training.config import MODEL_SERIES, ProgressHook, TrainConfig
from rejoinder.training.crossval import CrossValidation, fit_on
from rejoinder.training.fitting import FittedParts, assemble, blended
from rejoinder.training.prepared import FloatVector, Prepared
from rejoinder.training.stacking import combined, fit_engine_combiner, fit_kind_blends
from rejoinder.training.thresholds import threshold_metrics, tune_thresholds


def leave_one_source_out(
    prep: Prepared, cv: CrossValidation, config: TrainConfig, progress: ProgressHook | None = None
) -> dict[str, dict[str, float | int]]:
    """Train on every other source, score the held-out one with thresholds tuned without it."""
    progress = progress or ProgressHook()
    sources = sorted(set(prep.sources))
    progress.stage("leave one source out", len(sources))
    out: dict[str, dict[str, float | int]] = {}
    for source in sources:
        held = np.flatnonzero(prep.sources == source)
        fit = _without_source(prep, cv, source, config)
        probability = combined(prep, fit.content, held, fit.combiner)
        out[source] = threshold_metrics(prep.labels[held], probability, fit.thresholds).as_dict()
        progress.advance()
    return out


@dataclass
class _SourceOut:
    parts: FittedParts
    blend: Blends
    combiner: Combiner
    thresholds: Thresholds
    content: FloatVector  # out-of-fold content log-odds, the held-out source from ``parts``
    rest: np.ndarray[Any, Any]


def _without_source(
    prep: Prepared, cv: CrossValidation, source: str, config: TrainConfig
) -> _SourceOut:
    rest = np.flatnonzero(prep.sources != source)
    held = np.flatnonzero(prep.sources == source)
    parts = fit_on(prep, rest, config, config.seed + 100)
    blend = fit_kind_blends(prep, config, cv.logistic, cv.bayes, rest)
    content = blended(blend, cv.logistic, cv.bayes, prep.kinds, prep.sizes)
    lr, nb = parts.predict([prep.vectors[i] for i in held])
    content[held] = blended(blend, lr, nb, prep.kinds[held], prep.sizes[held])
    combiner = fit_engine_combiner(prep, content, rest, config.combiner_prior)
    thresholds = tune_thresholds(prep.labels[rest], combined(prep, content, rest, combiner), config)
    return _SourceOut(parts, blend, combiner, thresholds, content, rest)


def fold_bundle(prep: Prepared, cv: CrossValidation, k: int, config: TrainConfig) -> ModelBundle:
    """The engine model of cross-validation fold ``k`` (never saw that fold's rows)."""
    n = len(prep.examples)
    test = cv.folds[k][1]
    others = np.setdiff1d(np.arange(n), test)
    blend = fit_kind_blends(prep, config, cv.logistic, cv.bayes, others)
    combiner = fit_engine_combiner(
        prep,
        blended(blend, cv.logistic, cv.bayes, prep.kinds, prep.sizes),
        others,
        config.combiner_prior,
    )
    train_rows = cv.folds[k][0]
    content = assemble(
        cv.fold_models[k].copy(),
        blend,
        FeatureExtractor(config.features),
        [bool(prep.labels[i]) for i in train_rows],
        f"{MODEL_SERIES}.fold{k}",
    )
    return ModelBundle(content, combiner)


def source_out_bundle(
    prep: Prepared, cv: CrossValidation, source: str, config: TrainConfig
) -> tuple[ModelBundle, Thresholds]:
    """A model trained without ``source`` and thresholds tuned without it."""
    fit = _without_source(prep, cv, source, config)
    model = assemble(
        fit.parts,
        fit.blend,
        FeatureExtractor(config.features),
        [bool(prep.labels[i]) for i in fit.rest],
        f"{MODEL_SERIES}.without-{source}",
    )
    return ModelBundle(model, fit.combiner), fit.thresholds
