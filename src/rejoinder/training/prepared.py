"""Everything derived from the labelled rows once: labels, near-duplicate groups, features
(ham rows also once more with synthetic author fields, see :mod:`.augment`) and every
non-content signal's hits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from rejoinder.core.records.verdict import Hit, Thresholds
from rejoinder.spam.learning.artifact import ModelBundle
from rejoinder.spam.learning.calibration import TextContext
from rejoinder.spam.learning.combiner import Combiner
from rejoinder.spam.learning.features import FeatureConfig, FeatureExtractor, SparseVector
from rejoinder.training.augment import augment
from rejoinder.training.config import ProgressHook, TrainConfig
from rejoinder.training.dataset import Example, near_duplicate_groups
from rejoinder.training.evaluation import offline_engine

FloatVector = np.ndarray[Any, np.dtype[np.float64]]
Rows = Sequence[int] | np.ndarray[Any, Any]


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
