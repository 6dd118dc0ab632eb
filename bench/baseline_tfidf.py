"""Our engine against a TF-IDF + logistic regression baseline, same folds, same run.

The baseline is the classic text-only recipe: word 1–2-grams + character 3–5-grams, sublinear
TF-IDF, logistic regression (liblinear, C=10), on ``comment_content`` only. Both are scored on
the same five grouped folds (``rejoinder.training.crossval.make_folds``) and, for transfer, with
each source held out entirely. Two operating points are printed: the default decision
(probability ≥ 0.5 for the baseline, the tuned spam threshold for the engine) and the best F1
at a false-positive rate of at most 0.5 %.

With ``--learners`` it also fits other linear learners (scikit-learn's LinearSVC and batch
logistic regression) on exactly the content model's hashed features and augmented copies, on
the same folds: a check that the content model's learner is not what limits it.

Usage: .venv/bin/python bench/baseline_tfidf.py [DATA_DIR] [--learners] [--smoke]   (default ../shared/data)
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_union
from sklearn.svm import LinearSVC
from smoke import TINY_TRAINING, tiny_data

from rejoinder.spam.learning.features import SparseVector
from rejoinder.training.config import TrainConfig
from rejoinder.training.crossval import CrossValidation, cross_validate
from rejoinder.training.dataset import read_jsonl
from rejoinder.training.evaluation import compute_metrics
from rejoinder.training.heldout import leave_one_source_out
from rejoinder.training.prepared import Prepared, prepare
from rejoinder.training.thresholds import threshold_metrics, tune_thresholds

MAX_FPR = 0.005


def baseline_scores(
    texts: list[str], y: np.ndarray, train: np.ndarray, test: np.ndarray
) -> np.ndarray:
    vectorizer = make_union(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
        TfidfVectorizer(analyzer="char", ngram_range=(3, 5), sublinear_tf=True),
    )
    x_train = vectorizer.fit_transform([texts[i] for i in train])
    model = LogisticRegression(C=10, max_iter=2000, solver="liblinear").fit(x_train, y[train])
    scores = model.predict_proba(vectorizer.transform([texts[i] for i in test]))[:, 1]
    return np.asarray(scores)


def best_at_fpr(y: np.ndarray, score: np.ndarray, max_fpr: float = MAX_FPR) -> tuple[float, object]:
    best_t, best = 1.0, compute_metrics(y, np.zeros_like(y))
    hams = max(int((~y).sum()), 1)
    for t in np.unique(np.round(score, 5)):
        flagged = score >= t
        if (flagged & ~y).sum() / hams <= max_fpr:
            m = compute_metrics(y, flagged)
            if m.f1 > best.f1:
                best_t, best = float(t), m
    return best_t, best


HAM_FILED = (16, 25, 32, 40, 50, 64, 100)


def by_ham_filed(y: np.ndarray, score: np.ndarray) -> list[tuple[int, int, float]]:
    """For each count ``n`` of legitimate rows filed as spam (the threshold just above the
    ``n + 1``-th highest ham score): ham filed, spam missed, F1."""
    ham = np.sort(score[~y])[::-1]
    spam = int(y.sum())
    out = []
    for n in HAM_FILED:
        flagged = score > (ham[n] if n < len(ham) else -np.inf)
        caught, filed = int((flagged & y).sum()), int((flagged & ~y).sum())
        out.append((filed, spam - caught, 2 * caught / max(2 * caught + filed + spam - caught, 1)))
    return out


def hashed_matrix(vectors: list[SparseVector], dim: int) -> sp.csr_matrix:
    rows = np.concatenate([np.full(v.nnz, i) for i, v in enumerate(vectors)])
    cols = np.concatenate([v.indices for v in vectors])
    vals = np.concatenate([v.values for v in vectors])
    matrix = sp.csr_matrix((vals, (rows, cols)), shape=(len(vectors), dim))
    matrix.sum_duplicates()
    return matrix


def other_learners(prep: Prepared, cv: CrossValidation, dim: int) -> None:
    """Other linear learners on the content model's own features, folds and augmented copies."""
    learners: dict[str, Callable[[], Any]] = {
        "LinearSVC C=1": lambda: LinearSVC(C=1.0),
        "LinearSVC C=10": lambda: LinearSVC(C=10.0),
        "LogisticRegression C=100": lambda: LogisticRegression(
            C=100, max_iter=3000, solver="liblinear"
        ),
    }
    x = hashed_matrix(prep.vectors, dim)
    y = prep.labels
    print("\nOther learners on the content model's hashed features (content text and fields only)")
    _, ours = best_at_fpr(y, cv.content)
    print(line("content model (ours) best @ FPR<=0.5%", ours))
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    for name, make in learners.items():
        score = np.zeros(len(y))
        for train, test in cv.folds:
            extra = [int(i) for i in train if int(i) in prep.extra]
            x_train = sp.vstack([x[train], hashed_matrix([prep.extra[i] for i in extra], dim)])
            y_train = np.concatenate([y[train], [i in prep.extra_spam for i in extra]])
            score[test] = make().fit(x_train, y_train).decision_function(x[test])
        _, m = best_at_fpr(y, score)
        print(line(f"{name} best @ FPR<=0.5%", m))


def line(name: str, m: object) -> str:
    d = m.as_dict()  # type: ignore[attr-defined]
    return (
        f"  {name:<34} F1 {d['f1']:.4f}  precision {d['precision']:.4f}  recall {d['recall']:.4f}"
        f"  FPR {100 * d['fpr']:.2f} %  MCC {d['mcc']:.4f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data_dir", nargs="?", type=Path, default=Path("../shared/data"))
    parser.add_argument("--learners", action="store_true", help="also fit other linear learners")
    parser.add_argument("--smoke", action="store_true", help="tiny data and model (make test)")
    args = parser.parse_args()
    if args.smoke:
        with tempfile.TemporaryDirectory(prefix="rejoinder-smoke-") as tmp:
            args.data_dir = tiny_data(Path(tmp), ("alpha", "beta", "gamma"))
            args.learners = True
            run(args, TINY_TRAINING)
        return
    run(args, TrainConfig())


def run(args: argparse.Namespace, config: TrainConfig) -> None:
    paths = sorted(args.data_dir.glob("*.jsonl"))
    started = time.perf_counter()
    examples = read_jsonl(paths)
    prep = prepare(examples, config)
    cv = cross_validate(prep, config)
    y = prep.labels
    texts = [ex.fields.get("comment_content", "") for ex in examples]
    base = np.zeros(len(examples))
    for train, test in cv.folds:
        base[test] = baseline_scores(texts, y, train, test)
    thresholds = tune_thresholds(y, cv.probability, config)
    print(f"{len(examples)} rows, 5 grouped folds, {time.perf_counter() - started:.0f} s")
    print("Cross-validation, pooled out-of-fold predictions")
    print(line("baseline TF-IDF+LR @ p>=0.5", compute_metrics(y, base >= 0.5)))
    print(
        line(
            f"engine @ tuned spam threshold {thresholds.spam}",
            threshold_metrics(y, cv.probability, thresholds),
        )
    )
    t_base, m_base = best_at_fpr(y, base)
    t_ours, m_ours = best_at_fpr(y, cv.probability)
    print(line(f"baseline best F1 @ FPR<=0.5% (t={t_base:.3f})", m_base))
    print(line(f"engine best F1 @ FPR<=0.5% (t={t_ours:.3f})", m_ours))
    print(line("content model alone @ p>=0.5", compute_metrics(y, cv.content >= 0)))
    print(
        f"\nEngine F1 by legitimate rows filed as spam ({int((~y).sum())} ham; 0.5 % is "
        f"{int(MAX_FPR * (~y).sum())})"
    )
    for filed, missed, f1 in by_ham_filed(y, cv.probability):
        print(f"  ham filed {filed:4d}   spam missed {missed:5d}   F1 {f1:.4f}")
    print("\nPer source (baseline @0.5 | engine @ tuned thresholds): recall / FPR")
    for source in sorted(set(prep.sources)):
        sel = prep.sources == source
        b = compute_metrics(y[sel], base[sel] >= 0.5)
        e = threshold_metrics(y[sel], cv.probability[sel], thresholds)
        print(
            f"  {source:<26} {b.recall:.4f} / {100 * b.fpr:.2f} %   |   {e.recall:.4f} / {100 * e.fpr:.2f} %"
        )
    print("\nLeave one source out (baseline @0.5 | engine @ thresholds tuned without the source)")
    ours = leave_one_source_out(prep, cv, config)
    for source in sorted(set(prep.sources)):
        held = prep.sources == source
        rest = np.flatnonzero(~held)
        b = compute_metrics(y[held], baseline_scores(texts, y, rest, np.flatnonzero(held)) >= 0.5)
        out = ours[source]
        print(
            f"  {source:<26} recall {b.recall:.4f} FPR {100 * b.fpr:.2f} %   |   "
            f"recall {out['recall']:.4f} FPR {100 * float(out['fpr']):.2f} %"
        )
    if args.learners:
        other_learners(prep, cv, 1 << config.features.bits)
    print(f"\ntotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
