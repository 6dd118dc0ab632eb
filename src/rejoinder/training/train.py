"""``rejoinder train``: build the default model from labelled JSON Lines, reproducibly.

1. Read the rows; group near-duplicates within each source so a template never straddles
   folds; compute the features once (ham rows also once more with synthetic author fields,
   see :mod:`.augment`).
2. Five-fold cross-validation, folds stratified by (source, label) over those groups: fit the
   logistic and Bayes parts on four folds, predict the fifth. The blend of the two and the
   combiner are fitted on out-of-fold predictions of the *other* folds, so every reported
   number is out-of-sample.
3. Leave-one-source-out: the same, with one source held out entirely.
4. Thresholds are tuned on the out-of-fold probabilities; the final model is fitted on all rows.
5. The artifact is written unless the model it would replace scores better on validation data
   (its own recorded cross-validation, or ``--validate`` files scored by both) — ``--force``
   overrides.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rejoinder.core.records.verdict import Thresholds
from rejoinder.spam.learning.artifact import ModelBundle
from rejoinder.spam.learning.features import FeatureExtractor
from rejoinder.training.config import MODEL_SERIES, ProgressHook, TrainConfig
from rejoinder.training.crossval import CrossValidation, cross_validate, fit_on
from rejoinder.training.dataset import file_digest, read_jsonl
from rejoinder.training.evaluation import compute_metrics
from rejoinder.training.fitting import assemble, blended
from rejoinder.training.heldout import leave_one_source_out
from rejoinder.training.prepared import Prepared, prepare
from rejoinder.training.stacking import fit_engine_combiner, fit_kind_blends
from rejoinder.training.thresholds import per_source, threshold_metrics, tune_thresholds


@dataclass
class TrainResult:
    bundle: ModelBundle
    thresholds: Thresholds
    metrics: dict[str, Any]
    cv: CrossValidation
    prepared: Prepared


def train(
    paths: Sequence[Path], config: TrainConfig | None = None, progress: ProgressHook | None = None
) -> TrainResult:
    config = config or TrainConfig()
    progress = progress or ProgressHook()
    prep = prepare(read_jsonl(paths), config, progress)
    cv = cross_validate(prep, config, progress)
    thresholds = tune_thresholds(prep.labels, cv.probability, config)
    metrics = out_of_sample_metrics(prep, cv, thresholds, config, progress)
    progress.stage("final model", 1)
    bundle = final_bundle(paths, prep, cv, config, thresholds, metrics)
    progress.advance()
    return TrainResult(bundle, thresholds, metrics, cv, prep)


def out_of_sample_metrics(
    prep: Prepared,
    cv: CrossValidation,
    thresholds: Thresholds,
    config: TrainConfig,
    progress: ProgressHook,
) -> dict[str, Any]:
    """Cross-validated metrics at the tuned thresholds, and leave-one-source-out's."""
    content_only = compute_metrics(prep.labels, cv.content >= 0.0)
    metrics: dict[str, Any] = {
        "cv": {
            "engine": threshold_metrics(prep.labels, cv.probability, thresholds).as_dict(),
            "engine_sources": per_source(prep, cv.probability, thresholds),
            "content_at_0.5": content_only.as_dict(),
        }
    }
    if config.leave_one_source_out:
        metrics["leave_one_source_out"] = leave_one_source_out(prep, cv, config, progress)
    return metrics


def final_bundle(
    paths: Sequence[Path],
    prep: Prepared,
    cv: CrossValidation,
    config: TrainConfig,
    thresholds: Thresholds,
    metrics: dict[str, Any],
) -> ModelBundle:
    """The model fitted on all rows, with what it was made of and how it scored."""
    rows = len(prep.examples)
    blend = fit_kind_blends(prep, config, cv.logistic, cv.bayes, np.arange(rows))
    all_content = blended(blend, cv.logistic, cv.bayes, prep.kinds, prep.sizes)
    combiner = fit_engine_combiner(prep, all_content, range(rows), config.combiner_prior)
    parts = fit_on(prep, range(rows), config, config.seed)
    data = {p.name: file_digest(p) for p in sorted(paths)}
    signals = sorted({h.symbol for hits in prep.hits for h in hits})
    fitted = {
        "combiner": combiner.as_dict(),
        "blends": [blend.default.as_dict(), {k: b.as_dict() for k, b in blend.by_kind.items()}],
        "weights": hashlib.sha256(parts.logistic.weights.tobytes()).hexdigest(),
    }
    version = model_version(config, data, signals, fitted)
    content = assemble(parts, blend, FeatureExtractor(config.features), list(prep.labels), version)
    meta = {
        "seed": config.seed,
        "training": config.as_dict(),
        "data": data,
        "rows": {"total": rows, "spam": int(prep.labels.sum())},
        "thresholds": {
            "hold": thresholds.hold,
            "spam": thresholds.spam,
            "discard": thresholds.discard,
        },
        "metrics": metrics,
        "signals": signals,
    }
    return ModelBundle(content, combiner, meta)


def model_version(
    config: TrainConfig, data: dict[str, str], signals: list[str], fitted: dict[str, Any]
) -> str:
    """Same configuration, data, signal set and fitted parameters: same version. The fitted
    part (combiner, blends, a digest of the weights) makes a change of code that changes the
    model change the version too, so a learned-state snapshot of another model is not reused."""
    digest = hashlib.sha256(
        json.dumps(
            {"config": config.as_dict(), "data": data, "signals": signals, "fitted": fitted},
            sort_keys=True,
        ).encode()
    ).hexdigest()
    return f"{MODEL_SERIES}.{digest[:10]}"
