"""Score labelled data with an engine (never learning from it) and measure how well it did.

A verdict counts as *spam* when its action is ``spam`` or ``discard``; ``hold`` is not spam
(a moderator still sees the comment), and the share of held comments is reported as the hold
rate. Metrics are given overall and per source, because the pooled figure hides a lot: read
recall on a spam-only source and the false-positive rate on a ham-only one.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rejoinder.core.records.verdict import Action, Thresholds
from rejoinder.spam.engine import Engine, EngineConfig
from rejoinder.spam.learning.artifact import ModelBundle
from rejoinder.training.dataset import Example

Flags = Sequence[bool] | np.ndarray[Any, Any]
METRIC_NAMES = ("accuracy", "precision", "recall", "f1", "fpr", "mcc")


@dataclass(frozen=True, slots=True)
class Metrics:
    n: int
    tp: int
    fp: int
    tn: int
    fn: int
    held: int
    accuracy: float
    precision: float
    recall: float
    f1: float
    fpr: float
    mcc: float
    hold_rate: float

    def as_dict(self) -> dict[str, float | int]:
        return {k: (round(v, 5) if isinstance(v, float) else v) for k, v in asdict(self).items()}


def _ratio(a: float, b: float) -> float:
    return a / b if b else 0.0


def compute_metrics(spam: Flags, flagged: Flags, held: int = 0) -> Metrics:
    """Confusion counts and the usual rates (0.0 where a rate is undefined)."""
    y = np.asarray(spam, dtype=bool)
    p = np.asarray(flagged, dtype=bool)
    tp, fp = int((p & y).sum()), int((p & ~y).sum())
    tn, fn = int((~p & ~y).sum()), int((~p & y).sum())
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    f1 = _ratio(2 * precision * recall, precision + recall)
    denom = math.sqrt(float((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn)))
    mcc = _ratio(tp * tn - fp * fn, denom)
    n = len(y)
    return Metrics(
        n,
        tp,
        fp,
        tn,
        fn,
        held,
        _ratio(tp + tn, n),
        precision,
        recall,
        f1,
        _ratio(fp, fp + tn),
        mcc,
        _ratio(held, n),
    )


@dataclass(frozen=True, slots=True)
class Scored:
    """One example's verdict."""

    source: str
    spam: bool
    probability: float
    action: Action
    id: str = ""
    text: str = ""  # the start of the comment, for the worst cases
    hits: tuple[str, ...] = ()  # "SYMBOL +1.23", strongest first

    @property
    def flagged(self) -> bool:
        return self.action.is_spam

    def as_case(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source,
            "probability": round(self.probability, 4),
            "action": self.action.value,
            "text": self.text,
            "hits": list(self.hits),
        }


CASE_TEXT_CHARS = 160
CASE_HITS = 4


def worst_cases(scored: Sequence[Scored], n: int) -> dict[str, list[Scored]]:
    """The ``n`` legitimate comments that scored highest and the ``n`` spam comments that
    scored lowest — the false positives and misses first, then the closest calls: where an
    operator looks to see why the engine erred, or nearly did."""
    ham = sorted((s for s in scored if not s.spam), key=lambda s: -s.probability)
    spam = sorted((s for s in scored if s.spam), key=lambda s: s.probability)
    return {"false_positives": ham[:n], "missed": spam[:n]}


@dataclass(frozen=True, slots=True)
class Evaluation:
    overall: Metrics
    sources: dict[str, Metrics]

    def as_dict(self) -> dict[str, Any]:
        return {
            "overall": self.overall.as_dict(),
            "sources": {name: m.as_dict() for name, m in sorted(self.sources.items())},
        }


def score_examples(
    engine: Engine,
    examples: Sequence[Example],
    on_each: Callable[[], None] | None = None,
) -> list[Scored]:
    """Check every example with the engine. Nothing is learned."""
    scored: list[Scored] = []
    for ex in examples:
        verdict = engine.check(ex.submission())
        strongest = sorted(verdict.hits, key=lambda h: -abs(h.score))[:CASE_HITS]
        scored.append(
            Scored(
                ex.source,
                ex.is_spam,
                verdict.probability,
                verdict.action,
                ex.id,
                " ".join(ex.fields.get("comment_content", "").split())[:CASE_TEXT_CHARS],
                tuple(f"{h.symbol} {h.score:+.2f}" for h in strongest),
            )
        )
        if on_each is not None:
            on_each()
    return scored


# Labelled files carry no user agent, referrer or blog language: the signals that read them
# would fire on every row ("user agent missing") and teach the combiner a false prior.
OFFLINE_EXCLUDED = frozenset({"client"})


def offline_engine(bundle: ModelBundle, thresholds: Thresholds) -> Engine:
    """An engine for scoring files: no learned state (reputation, velocity, campaigns, site
    rules need history), no client or language checks, nothing learned."""
    engine = Engine(EngineConfig(thresholds, language_check=False), bundle=bundle)
    engine.signals = [s for s in engine.signals if s.name not in OFFLINE_EXCLUDED]
    return engine


def summarise(scored: Sequence[Scored]) -> Evaluation:
    def metrics(rows: Sequence[Scored]) -> Metrics:
        held = sum(1 for r in rows if r.action is Action.HOLD)
        return compute_metrics([r.spam for r in rows], [r.flagged for r in rows], held)

    sources: dict[str, list[Scored]] = {}
    for row in scored:
        sources.setdefault(row.source, []).append(row)
    return Evaluation(metrics(scored), {name: metrics(rows) for name, rows in sources.items()})


# --- report ------------------------------------------------------------------------------


def precision_recall_curve(
    spam: Sequence[bool], probability: Sequence[float]
) -> tuple[list[float], list[float], list[float]]:
    """(precision, recall, threshold) at every distinct probability, highest first."""
    y = np.asarray(spam, dtype=bool)
    p = np.asarray(probability, dtype=float)
    order = np.argsort(-p, kind="stable")
    y, p = y[order], p[order]
    tps = np.cumsum(y)
    fps = np.cumsum(~y)
    last = np.r_[np.flatnonzero(np.diff(p)), len(p) - 1]
    positives = max(int(y.sum()), 1)
    precision = (tps[last] / np.maximum(tps[last] + fps[last], 1)).tolist()
    recall = (tps[last] / positives).tolist()
    return precision, recall, p[last].tolist()


def write_report(scored: Sequence[Scored], evaluation: Evaluation, directory: Path) -> Path:
    """PR curve and confusion matrix as PNG, and an HTML page showing both with the tables."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    directory.mkdir(parents=True, exist_ok=True)
    precision, recall, _ = precision_recall_curve(
        [s.spam for s in scored], [s.probability for s in scored]
    )
    fig, ax = plt.subplots(figsize=(5, 4), dpi=100)
    ax.plot(recall, precision, lw=1.5)
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_xlim(0, 1.01)
    ax.set_ylim(0, 1.01)
    ax.set_title("Precision-recall (engine probability)")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(directory / "pr_curve.png")
    plt.close(fig)

    o = evaluation.overall
    matrix = np.array([[o.tn, o.fp], [o.fn, o.tp]])
    fig, ax = plt.subplots(figsize=(4, 3.6), dpi=100)
    ax.imshow(matrix, cmap="Blues")
    for (r, c), value in np.ndenumerate(matrix):
        ax.text(c, r, str(value), ha="center", va="center", fontsize=12)
    ax.set_xticks([0, 1], labels=["not spam", "spam"])
    ax.set_yticks([0, 1], labels=["ham", "spam"])
    ax.set_xlabel("verdict (hold counts as not spam)")
    ax.set_ylabel("label")
    ax.set_title("Confusion matrix")
    fig.tight_layout()
    fig.savefig(directory / "confusion_matrix.png")
    plt.close(fig)

    page = directory / "index.html"
    page.write_text(_html(evaluation), encoding="utf-8")
    return page


def _html(evaluation: Evaluation) -> str:
    columns = ("n", "tp", "fp", "tn", "fn", *METRIC_NAMES, "hold_rate")
    head = "".join(f"<th>{c}</th>" for c in ("source", *columns))
    rows = [("overall", evaluation.overall), *sorted(evaluation.sources.items())]
    body = "\n".join(
        "<tr><td>"
        + html.escape(name)
        + "</td>"
        + "".join(f"<td>{_cell(getattr(m, c))}</td>" for c in columns)
        + "</tr>"
        for name, m in rows
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>rejoinder evaluation</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:.3em .6em;text-align:right}}td:first-child{{text-align:left}}</style>
</head><body>
<h1>rejoinder evaluation</h1>
<p>A verdict counts as spam when its action is <code>spam</code> or <code>discard</code>;
<code>hold</code> is not spam. Read recall on a spam-only source and the false-positive rate on a
ham-only one.</p>
<table><thead><tr>{head}</tr></thead><tbody>
{body}
</tbody></table>
<p><img src="pr_curve.png" alt="Precision-recall curve">
<img src="confusion_matrix.png" alt="Confusion matrix"></p>
</body></html>
"""


def _cell(value: float | int) -> str:
    return f"{value:.4f}" if isinstance(value, float) else str(value)
