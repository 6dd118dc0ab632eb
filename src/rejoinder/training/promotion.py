"""Promotion of a trained model: compare with the active one, then write it (or refuse).

"Worse" is judged on validation data: by default the cross-validated F1 the active model
recorded when it was trained (same protocol, same data digests shown), or — with
``--validate FILE…`` — both models scored by the engine on files neither was trained on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rejoinder.core.records.verdict import Thresholds
from rejoinder.errors import RejoinderError
from rejoinder.spam.learning.artifact import ModelBundle, load_bundle, read_metadata, save_bundle
from rejoinder.training.dataset import Example, read_jsonl
from rejoinder.training.evaluation import offline_engine, score_examples, summarise
from rejoinder.training.train import TrainResult


class ModelNotBetter(RejoinderError):
    """The new model scores worse than the one it would replace."""


@dataclass(frozen=True, slots=True)
class Comparison:
    basis: str  # "cross-validation" or "validation files"
    candidate: dict[str, float]
    active: dict[str, float] | None

    @property
    def worse(self) -> bool:
        if self.active is None:
            return False
        return self.candidate["f1"] < self.active["f1"] - 1e-4


def compare_with_active(
    result: TrainResult, out: Path, validate: Sequence[Path] = ()
) -> Comparison:
    if validate:
        examples = read_jsonl(validate)
        candidate = _validation_score(result.bundle, result.thresholds, examples)
        active = None
        if out.is_file():
            bundle = load_bundle(out)
            active = _validation_score(bundle, _recorded_thresholds(bundle.metadata), examples)
        return Comparison("validation files", candidate, active)
    cand = result.metrics["cv"]["engine"]
    candidate = {"f1": float(cand["f1"]), "fpr": float(cand["fpr"])}
    active = None
    if out.is_file():
        recorded = read_metadata(out).get("metrics", {}).get("cv", {}).get("engine")
        if recorded:
            active = {"f1": float(recorded["f1"]), "fpr": float(recorded["fpr"])}
    return Comparison("cross-validation", candidate, active)


def _recorded_thresholds(meta: dict[str, Any]) -> Thresholds:
    t = meta.get("thresholds") or {"hold": 0.5, "spam": 0.9, "discard": 0.99}
    return Thresholds(float(t["hold"]), float(t["spam"]), float(t["discard"]))


def _validation_score(
    bundle: ModelBundle, thresholds: Thresholds, examples: Sequence[Example]
) -> dict[str, float]:
    engine = offline_engine(bundle, thresholds)
    overall = summarise(score_examples(engine, examples)).overall
    return {"f1": overall.f1, "fpr": overall.fpr}


def write_model(
    result: TrainResult,
    out: Path,
    *,
    force: bool = False,
    validate: Sequence[Path] = (),
    on_compare: Callable[[Comparison], None] | None = None,
) -> Comparison:
    """Save the artifact unless it would replace a better one (then ModelNotBetter)."""
    comparison = compare_with_active(result, out, validate)
    if on_compare is not None:
        on_compare(comparison)
    if comparison.worse and not force:
        active = comparison.active or {}
        raise ModelNotBetter(
            f"the new model scores worse on {comparison.basis} "
            f"(F1 {comparison.candidate['f1']:.4f} < {active.get('f1', 0.0):.4f}); "
            "kept the active model (use --force to replace it)"
        )
    save_bundle(result.bundle, out)
    return comparison
