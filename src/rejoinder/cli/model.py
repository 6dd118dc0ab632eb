"""`rejoinder train` and `evaluate`: offline model building (the `train` extra);
registered in cli/__init__.py."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from rejoinder.cli.common import (
    DataDir,
    err,
    one_line_errors,
    out,
    settings_for,
)
from rejoinder.errors import ConfigError

EXTRA_MODULES = frozenset({"matplotlib", "sklearn", "scipy"})
INSTALL_HINT = "pip install 'rejoinder[train]'"


@contextmanager
def train_extra(purpose: str) -> Iterator[None]:
    """A module of the `train` extra that is not installed becomes one error naming the extra."""
    try:
        yield
    except ModuleNotFoundError as exc:
        name = (exc.name or "").partition(".")[0]
        if name not in EXTRA_MODULES:
            raise
        raise ConfigError(
            f"{purpose} needs {name}, which comes with the train extra: {INSTALL_HINT}"
        ) from exc


@one_line_errors
def train_model(
    files: Annotated[list[Path] | None, typer.Argument(help="Labelled JSONL files.")] = None,
    data: Annotated[
        list[Path] | None, typer.Option("--data", help="Labelled JSONL file (repeatable).")
    ] = None,
    out_path: Annotated[
        Path | None, typer.Option("--out", help="Model JSON to write (default: the shipped one).")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the active model even if it scores better.")
    ] = False,
    seed: Annotated[int, typer.Option(help="Random seed (folds, shuffles, augmentation).")] = (
        20240611
    ),
    validate: Annotated[
        list[Path] | None,
        typer.Option("--validate", help="Held-out JSONL to compare new and active model on."),
    ] = None,
    no_loso: Annotated[
        bool, typer.Option("--no-loso", help="Skip the leave-one-source-out report.")
    ] = False,
    measure: Annotated[
        list[Path] | None,
        typer.Option("--measure", help="Labelled JSONL to score but never train on (repeatable)."),
    ] = None,
) -> None:
    """Train the content model and combiner; report cross-validated metrics; write the model."""
    with train_extra("rejoinder train"):
        from rejoinder.training.commands import run_train

        run_train(
            [*(data or []), *(files or [])],
            out_path,
            force=force,
            seed=seed,
            validate=validate or [],
            leave_one_source_out=not no_loso,
            console=out,
            measure=measure or [],
        )


@one_line_errors
def evaluate_model(
    files: Annotated[list[Path], typer.Argument(help="Labelled JSONL files.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    report: Annotated[
        Path | None, typer.Option("--report", help="Write PNG charts and an HTML page here.")
    ] = None,
    model: Annotated[
        Path | None, typer.Option("--model", help="Model JSON (default: model_path setting).")
    ] = None,
    worst: Annotated[
        int, typer.Option("--worst", min=0, help="Show this many worst false positives and misses.")
    ] = 10,
    data_dir: DataDir = None,
) -> None:
    """Score labelled JSONL with the active model (nothing is learned) and print the metrics
    and the worst cases (see docs/spam-engine.md for the file format)."""
    with train_extra("rejoinder evaluate --report" if report else "rejoinder evaluate"):
        if report is not None:  # before scoring: the charts need matplotlib
            importlib.import_module("matplotlib")
        from rejoinder.training.commands import run_evaluate

        settings = settings_for(data_dir, None, model_path=model)
        run_evaluate(files, settings, as_json=as_json, report=report, out=out, err=err, worst=worst)
