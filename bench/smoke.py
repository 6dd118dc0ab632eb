"""What the bench scripts' ``--smoke`` modes share: tiny labelled data and a tiny training set-up.

``make test`` runs every script in bench/ with ``--smoke`` (tests/test_bench_smoke.py), in a few
seconds each, so a script that no longer runs fails the suite instead of rotting. The numbers a
smoke run prints mean nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # the tests' labelled-data templates

from tests.spam.support import write_labelled  # noqa: E402

from rejoinder.spam.learning.features import FeatureConfig  # noqa: E402
from rejoinder.training.config import TrainConfig  # noqa: E402
from rejoinder.training.fitting import FitConfig  # noqa: E402

TINY_TRAINING = TrainConfig(folds=3, features=FeatureConfig(bits=14), fit=FitConfig(epochs=3))


def tiny_data(directory: Path, sources: Iterable[str], rows: int = 36) -> Path:
    """One small labelled JSONL file per source (the tests' templates), in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    for k, source in enumerate(sources):
        write_labelled(directory / f"{source}.jsonl", source, rows, offset=1000 * k)
    return directory
