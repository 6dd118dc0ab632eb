"""What ``rejoinder train`` and ``rejoinder evaluate`` do; ``cli/model.py`` only parses the flags."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from rejoinder.core.records.verdict import Thresholds
from rejoinder.errors import RejoinderError
from rejoinder.settings import Settings
from rejoinder.spam.learning.artifact import ModelBundle, load_bundle, shipped_path
from rejoinder.training.config import ProgressHook, TrainConfig
from rejoinder.training.dataset import read_jsonl
from rejoinder.training.evaluation import (
    METRIC_NAMES,
    Evaluation,
    Scored,
    offline_engine,
    score_examples,
    summarise,
    worst_cases,
    write_report,
)
from rejoinder.training.promotion import Comparison, write_model
from rejoinder.training.train import train

TABLE_COLUMNS = ("n", *METRIC_NAMES, "hold_rate")


class RichProgress(ProgressHook):
    """One bar per stage on the given console."""

    def __init__(self, progress: Progress):
        self.progress = progress
        self.task: Any = None

    def stage(self, name: str, total: int) -> None:
        if self.task is not None:
            self.progress.update(self.task, completed=self.progress.tasks[self.task].total)
        self.task = self.progress.add_task(name, total=total)

    def advance(self, steps: int = 1) -> None:
        if self.task is not None:
            self.progress.advance(self.task, steps)


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("{task.description:<22}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


def run_train(
    files: Sequence[Path],
    out: Path | None,
    *,
    force: bool,
    seed: int,
    validate: Sequence[Path],
    leave_one_source_out: bool,
    console: Console,
    measure: Sequence[Path] = (),
) -> None:
    if not files:
        raise RejoinderError("give the labelled files: --data FILE.jsonl …")
    config = TrainConfig(seed=seed, leave_one_source_out=leave_one_source_out)
    target = out or shipped_path()
    with _progress(console) as bar:
        result = train(files, config, RichProgress(bar))
    console.print(metrics_table("Cross-validation (engine, out-of-fold)", result.metrics["cv"]))
    if "leave_one_source_out" in result.metrics:
        console.print(sources_table("Leave one source out", result.metrics["leave_one_source_out"]))
    if measure:
        measured = measure_files(result.bundle, result.thresholds, measure)
        result.metrics["measured"] = measured  # recorded with the model
        console.print(sources_table("Measured only (never trained on)", measured))
    t = result.thresholds
    console.print(
        f"thresholds tuned on out-of-fold probabilities: hold {t.hold} · spam {t.spam} · "
        f"discard {t.discard}",
        highlight=False,
    )
    write_model(result, target, force=force, validate=validate, on_compare=_say(console))
    size = target.stat().st_size + target.with_suffix(".npz").stat().st_size
    console.print(
        f"wrote {result.bundle.version} to {target} ({size / 1_000_000:.1f} MB)", highlight=False
    )


def measure_files(
    bundle: ModelBundle, thresholds: Thresholds, files: Sequence[Path]
) -> dict[str, dict[str, Any]]:
    """Per-source metrics of labelled files the model was not trained on (e.g. a data set whose
    licence allows measuring but not training), scored by the new model."""
    scored = score_examples(offline_engine(bundle, thresholds), read_jsonl(files))
    return {name: m.as_dict() for name, m in summarise(scored).sources.items()}


def _say(console: Console) -> Any:
    def show(comparison: Comparison) -> None:
        cand = comparison.candidate
        if comparison.active is None:
            console.print(f"no active model to compare with ({comparison.basis})", highlight=False)
            return
        act = comparison.active
        console.print(
            f"{comparison.basis}: new F1 {cand['f1']:.4f} FPR {cand['fpr']:.4f} · "
            f"active F1 {act['f1']:.4f} FPR {act['fpr']:.4f}",
            highlight=False,
        )

    return show


def metrics_table(title: str, cv: dict[str, Any]) -> Table:
    table = Table(title=title)
    table.add_column("source")
    for column in TABLE_COLUMNS:
        table.add_column(column, justify="right")
    rows = [("overall", cv["engine"]), *sorted(cv["engine_sources"].items())]
    for name, m in rows:
        table.add_row(name, *(_fmt(m[c]) for c in TABLE_COLUMNS))
    return table


def sources_table(title: str, sources: dict[str, dict[str, Any]]) -> Table:
    table = Table(title=title)
    table.add_column("held-out source")
    for column in TABLE_COLUMNS:
        table.add_column(column, justify="right")
    for name, m in sorted(sources.items()):
        table.add_row(name, *(_fmt(m[c]) for c in TABLE_COLUMNS))
    return table


def cases_table(title: str, cases: Sequence[Scored]) -> Table:
    table = Table(title=title)
    for column in ("p", "action", "id", "text", "why"):
        table.add_column(column, overflow="fold")
    for case in cases:
        table.add_row(
            f"{case.probability:.3f}", case.action.value, case.id, case.text, "\n".join(case.hits)
        )
    if not cases:
        table.add_row("", "", "", "none", "")
    return table


def _fmt(value: Any) -> str:
    return f"{value:.4f}" if isinstance(value, float) else str(value)


def run_evaluate(
    files: Sequence[Path],
    settings: Settings,
    *,
    as_json: bool,
    report: Path | None,
    out: Console,
    err: Console,
    worst: int = 10,
) -> Evaluation:
    examples = read_jsonl(files)
    bundle = load_bundle(settings.model_path)
    thresholds = Thresholds(
        settings.threshold_hold, settings.threshold_spam, settings.threshold_discard
    )
    engine = offline_engine(bundle, thresholds)
    with _progress(err) as bar:
        task = bar.add_task("scoring", total=len(examples))
        scored = score_examples(engine, examples, lambda: bar.advance(task))
    evaluation = summarise(scored)
    cases = worst_cases(scored, worst)
    if as_json:
        shown = {kind: [c.as_case() for c in rows] for kind, rows in cases.items()}
        print(json.dumps({**evaluation.as_dict(), "worst": shown}), flush=True)
    else:
        cv: dict[str, Any] = {
            "engine": evaluation.overall.as_dict(),
            "engine_sources": {k: m.as_dict() for k, m in evaluation.sources.items()},
        }
        out.print(metrics_table(f"Evaluation of {bundle.version}", cv))
        out.print(
            cases_table(
                "Legitimate comments that scored highest (action: what happened)",
                cases["false_positives"],
            )
        )
        out.print(cases_table("Spam that scored lowest (action: what happened)", cases["missed"]))
    if report is not None:
        page = write_report(scored, evaluation, report)
        err.print(f"report written to {page}", highlight=False)
    return evaluation
