"""The training run's settings and its progress hook."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rejoinder.spam.learning.calibration import KIND_KEY, LengthTerms
from rejoinder.spam.learning.features import FeatureConfig
from rejoinder.training.augment import AugmentConfig
from rejoinder.training.fitting import KIND_BIAS_PULL, FitConfig

MODEL_SERIES = "content-1"


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
