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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.model_selection import StratifiedGroupKFold

from rejoinder.core.records.verdict import Hit, Thresholds
from rejoinder.spam.learning.artifact import ModelBundle
from rejoinder.spam.learning.calibration import (
    KIND_KEY,
    Blends,
    LengthTerms,
    TextContext,
)
from rejoinder.spam.learning.combiner import Combiner, HitTable, fit_combiner
from rejoinder.spam.learning.features import FeatureConfig, FeatureExtractor, SparseVector
from rejoinder.spam.signals.content import CONTENT_SYMBOL
from rejoinder.spam.signals.testvalues import TEST_ADMIN_SYMBOL, TEST_SPAM_SYMBOL
from rejoinder.training.augment import AugmentConfig, augment
from rejoinder.training.dataset import Example, file_digest, near_duplicate_groups, read_jsonl
from rejoinder.training.evaluation import Metrics, compute_metrics, offline_engine
from rejoinder.training.fitting import (
    KIND_BIAS_PULL,
    FitConfig,
    FittedParts,
    assemble,
    blended,
    fit_blends,
    fit_parts,
)

MODEL_SERIES = "content-1"
# Rules that carry knowledge the labelled data lacks (trades it never sells, call-centre
# numbers, the sites and numbers on SmokeDetector's blocklists): their hand-set scores count in
# full, a few look-alike rows cannot talk them down.
PRIOR_KNOWLEDGE = {
    "SPAM_TOPIC_SALE": 1.0,
    "PHONE_SUPPORT": 1.0,
    "LINK_SPAM_TOPIC": 1.0,
    "BLOCKLISTED_SITE": 1.0,
    "BLOCKLISTED_NUMBER": 1.0,
    # Fire on one spam-only source's names (the blog spam): learned, their weight would grow
    # toward the combiner's maximum on that source alone.
    "AUTHOR_NAME_LINK_TEXT": 1.0,
    "AUTHOR_NAME_TOPIC": 1.0,
    "SPAM_TEMPLATE": 1.0,
}
FloatVector = np.ndarray[Any, np.dtype[np.float64]]
Rows = Sequence[int] | np.ndarray[Any, Any]


@dataclass(frozen=True, slots=True)
class TrainConfig:
    seed: int = 20240611
    folds: int = 5
    features: FeatureConfig = field(default_factory=lambda: FeatureConfig(bits=18))
    fit: FitConfig = field(default_factory=FitConfig)
    augment: AugmentConfig = field(default_factory=AugmentConfig)
    max_fpr: float = (
        0.002  # the spam threshold keeps out-of-fold FPR at or under this (goal 0.25 %)
    )
    hold_probability: float = 0.8  # hold what is fairly likely spam (see docs/spam-engine.md)
    combiner_prior: float = 20.0  # pull of every symbol weight toward 1.0 (hand-set scores)
    kind_blends: bool = True  # one content blend per kind of text (learning/calibration.py)
    kind_bias_pull: float = KIND_BIAS_PULL  # … whose bias stays near the overall one
    length_terms: LengthTerms = LengthTerms.SLOPES  # trust in each learner varies with length
    source_balance: float = 0.3  # a source's rows weigh (mean source size / its size) ** this
    leave_one_source_out: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "folds": self.folds,
            "features": self.features.as_dict(),
            "fit": self.fit.as_dict(),
            "augment": self.augment.as_dict(),
            "max_fpr": self.max_fpr,
            "hold_probability": self.hold_probability,
            "combiner_prior": self.combiner_prior,
            "kind_blends": self.kind_blends,
            "kind_key": KIND_KEY,
            "kind_bias_pull": self.kind_bias_pull,
            "length_terms": str(self.length_terms),
            "source_balance": self.source_balance,
        }


class ProgressHook:
    """Receives progress; the CLI shows a bar, tests pass the silent default."""

    def stage(self, name: str, total: int) -> None:
        """A new stage with ``total`` steps begins."""

    def advance(self, steps: int = 1) -> None:
        """Steps of the current stage are done."""


@dataclass
class Prepared:
    """Everything derived from the rows once: labels, groups, features, signal hits."""

    examples: list[Example]
    labels: np.ndarray[Any, np.dtype[np.bool_]]
    sources: np.ndarray[Any, np.dtype[np.str_]]
    groups: list[int]
    vectors: list[SparseVector]
    extra: dict[int, SparseVector]  # row → an augmented copy of it (see augment.py)
    extra_spam: set[int]  # rows whose augmented copy is spam (the others' copies are ham)
    hits: list[list[Hit]]  # every non-content signal's hits
    kinds: np.ndarray[Any, np.dtype[np.str_]]  # each row's kind of text (its content blend)
    sizes: FloatVector  # each row's length term (calibration.length_term)


@dataclass
class CrossValidation:
    folds: list[tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]]
    logistic: FloatVector
    bayes: FloatVector
    content: FloatVector  # blended log-odds, blend cross-fitted
    probability: FloatVector  # combiner output, combiner cross-fitted
    fold_models: list[FittedParts]


@dataclass
class TrainResult:
    bundle: ModelBundle
    thresholds: Thresholds
    metrics: dict[str, Any]
    cv: CrossValidation
    prepared: Prepared


def prepare(
    examples: list[Example], config: TrainConfig, progress: ProgressHook | None = None
) -> Prepared:
    progress = progress or ProgressHook()
    extractor = FeatureExtractor(config.features)
    augmented = augment(examples, config.augment, config.seed)
    signals = offline_signals()
    progress.stage("features", len(examples))
    vectors: list[SparseVector] = []
    extra: dict[int, SparseVector] = {}
    extra_spam: set[int] = set()
    hits: list[list[Hit]] = []
    kinds: list[str] = []
    sizes: list[float] = []
    for i, (ex, aug) in enumerate(zip(examples, augmented, strict=True)):
        sub = ex.submission()
        context = TextContext.of(sub)  # as the serving model derives it
        kinds.append(context.kind)
        sizes.append(context.size)
        vectors.append(extractor.extract(sub))
        if aug.fields != ex.fields:
            extra[i] = extractor.extract(aug.submission())
            if aug.is_spam:
                extra_spam.add(i)
        hits.append([h for s in signals for h in s.evaluate(sub)])
        progress.advance()
    return Prepared(
        examples,
        np.array([ex.is_spam for ex in examples], dtype=bool),
        np.array([ex.source for ex in examples]),
        near_duplicate_groups(examples),
        vectors,
        extra,
        extra_spam,
        hits,
        np.array(kinds),
        np.array(sizes),
    )


def offline_signals() -> list[Any]:
    """The signals an offline engine runs (see ``evaluation.offline_engine``), minus the
    content model, whose score comes from out-of-fold predictions instead."""
    engine = offline_engine(_placeholder_bundle(), Thresholds(0.5, 0.9, 0.99))
    return [s for s in engine.signals if s.name != "content_model"]


def _placeholder_bundle() -> ModelBundle:
    from rejoinder.spam.learning.classifier import ContentModel

    return ModelBundle(ContentModel.empty(FeatureExtractor(FeatureConfig(bits=4))), Combiner())


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


def fit_kind_blends(
    prep: Prepared, config: TrainConfig, logistic: FloatVector, bayes: FloatVector, rows: Rows
) -> Blends:
    """The content blends fitted on the given rows' out-of-fold log-odds."""
    rows = np.asarray(rows)
    kinds = prep.kinds[rows] if config.kind_blends else np.full(len(rows), "")
    labels = prep.labels[rows].astype(float)
    return fit_blends(
        logistic[rows],
        bayes[rows],
        labels,
        kinds,
        prep.sizes[rows],
        length_terms=config.length_terms,
        bias_pull=config.kind_bias_pull,
    )


def content_hit(logit: float) -> Hit:
    return Hit(CONTENT_SYMBOL, float(np.clip(logit, -15, 15)), "")


def fit_engine_combiner(
    prep: Prepared, content: FloatVector, rows: Rows, prior: float = 20.0
) -> Combiner:
    table = HitTable.build(
        [[content_hit(content[i]), *prep.hits[i]] for i in rows],
        [bool(prep.labels[i]) for i in rows],
    )
    fixed = {TEST_ADMIN_SYMBOL: 1.0, TEST_SPAM_SYMBOL: 1.0, **PRIOR_KNOWLEDGE}
    return fit_combiner(table, prior_strength=prior, fixed=fixed)


def combined(prep: Prepared, content: FloatVector, rows: Rows, combiner: Combiner) -> FloatVector:
    return np.array([combiner.probability([content_hit(content[i]), *prep.hits[i]]) for i in rows])


# --- thresholds and metrics ----------------------------------------------------------------


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


# --- the whole run -----------------------------------------------------------------------


def train(
    paths: Sequence[Path], config: TrainConfig | None = None, progress: ProgressHook | None = None
) -> TrainResult:
    config = config or TrainConfig()
    progress = progress or ProgressHook()
    examples = read_jsonl(paths)
    prep = prepare(examples, config, progress)
    cv = cross_validate(prep, config, progress)
    thresholds = tune_thresholds(prep.labels, cv.probability, config)
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
    progress.stage("final model", 1)
    blend = fit_kind_blends(prep, config, cv.logistic, cv.bayes, np.arange(len(examples)))
    all_content = blended(blend, cv.logistic, cv.bayes, prep.kinds, prep.sizes)
    combiner = fit_engine_combiner(prep, all_content, range(len(examples)), config.combiner_prior)
    parts = fit_on(prep, range(len(examples)), config, config.seed)
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
        "rows": {"total": len(examples), "spam": int(prep.labels.sum())},
        "thresholds": {
            "hold": thresholds.hold,
            "spam": thresholds.spam,
            "discard": thresholds.discard,
        },
        "metrics": metrics,
        "signals": signals,
    }
    progress.advance()
    return TrainResult(ModelBundle(content, combiner, meta), thresholds, metrics, cv, prep)


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
