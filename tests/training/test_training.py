import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from rejoinder.cli import app
from rejoinder.spam.learning.artifact import load_bundle, read_metadata
from rejoinder.spam.learning.features import FeatureConfig, SparseVector
from rejoinder.spam.submission import Submission
from rejoinder.training.config import TrainConfig
from rejoinder.training.crossval import source_weights
from rejoinder.training.dataset import DatasetError, read_jsonl
from rejoinder.training.evaluation import METRIC_NAMES, compute_metrics
from rejoinder.training.fitting import FitConfig, fit_parts
from rejoinder.training.promotion import ModelNotBetter, write_model
from rejoinder.training.thresholds import tune_thresholds
from rejoinder.training.train import train
from tests.spam.support import write_labelled

runner = CliRunner()
TINY = TrainConfig(
    folds=3, features=FeatureConfig(bits=14), fit=FitConfig(epochs=3), leave_one_source_out=True
)


@pytest.fixture
def data(tmp_path: Path) -> list[Path]:
    return [
        write_labelled(tmp_path / "alpha.jsonl", "alpha", 48),
        write_labelled(tmp_path / "beta.jsonl", "beta", 36, offset=500),
    ]


def test_train_reports_metrics_and_writes_a_loadable_artifact(
    data: list[Path], tmp_path: Path
) -> None:
    result = train(data, TINY)
    out = tmp_path / "model" / "m.json"
    write_model(result, out)
    meta = read_metadata(out)
    assert meta["version"].startswith("content-1.")
    assert set(meta["data"]) == {"alpha.jsonl", "beta.jsonl"}
    assert meta["seed"] == TINY.seed
    assert set(meta["metrics"]["cv"]["engine"]) >= set(METRIC_NAMES)
    assert set(meta["metrics"]["leave_one_source_out"]) == {"alpha", "beta"}
    t = meta["thresholds"]
    assert 0 < t["hold"] <= t["spam"] <= t["discard"] < 1
    bundle = load_bundle(out)
    spam = bundle.content.score(Submission(content="WINNER! You have won a 7 prize, call now"))
    ham = bundle.content.score(Submission(content="thanks for the article about chapter 9"))
    assert spam.probability > 0.5 > ham.probability


def test_training_is_reproducible(data: list[Path], tmp_path: Path) -> None:
    first, second = train(data, TINY), train(data, TINY)
    assert first.bundle.version == second.bundle.version
    assert np.array_equal(first.bundle.content.model.weights, second.bundle.content.model.weights)
    assert first.metrics == second.metrics


def test_refuses_to_replace_a_better_model_unless_forced(data: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "m.json"
    write_model(train(data, TINY), out)
    meta = json.loads(out.read_text())
    meta["metrics"]["cv"]["engine"]["f1"] = 1.0  # the active model claims perfection
    meta["version"] = "content-1.active"
    out.write_text(json.dumps(meta))
    with pytest.raises(ModelNotBetter, match="scores worse"):
        write_model(train(data, TINY), out)
    assert read_metadata(out)["version"] == "content-1.active"
    write_model(train(data, TINY), out, force=True)
    assert read_metadata(out)["version"] != "content-1.active"


def test_train_command_refuses_then_forces(data: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "cli.json"
    args = ["train", "--data", str(data[0]), str(data[1]), "--out", str(out), "--no-loso"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "Cross-validation" in first.output and "wrote content-1." in first.output
    meta = json.loads(out.read_text())
    meta["metrics"]["cv"]["engine"]["f1"] = 1.0
    out.write_text(json.dumps(meta))
    refused = runner.invoke(app, args)
    assert refused.exit_code == 1
    assert "scores worse" in refused.output
    forced = runner.invoke(app, [*args, "--force"])
    assert forced.exit_code == 0, forced.output


def test_measured_files_are_scored_and_recorded_but_never_trained_on(
    data: list[Path], tmp_path: Path
) -> None:
    out = tmp_path / "measured.json"
    gamma = write_labelled(tmp_path / "gamma.jsonl", "gamma", 20, offset=900)
    args = [
        "train",
        "--data",
        str(data[0]),
        "--out",
        str(out),
        "--no-loso",
        "--measure",
        str(gamma),
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Measured only" in result.output
    meta = json.loads(out.read_text())
    assert meta["metrics"]["measured"]["gamma"]["n"] == 20
    assert meta["rows"]["total"] == 48  # alpha only: gamma was not trained on
    assert "gamma.jsonl" not in meta["data"]


def test_train_command_without_files_is_a_clear_error() -> None:
    result = runner.invoke(app, ["train"])
    assert result.exit_code == 1
    assert "--data" in result.output


def test_evaluate_json_has_overall_and_per_source_metrics(data: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "m.json"
    write_model(train(data, TINY), out)
    held_out = write_labelled(tmp_path / "gamma.jsonl", "gamma", 20, offset=900)
    result = runner.invoke(
        app, ["evaluate", str(held_out), str(data[0]), "--json", "--model", str(out)]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(report) == {"overall", "sources", "worst"}
    assert set(report["sources"]) == {"gamma", "alpha"}
    for metrics in [report["overall"], *report["sources"].values()]:
        assert set(METRIC_NAMES) <= set(metrics)
    assert report["overall"]["n"] == 68
    # the worst cases are the errors, each with its id, text and the hits that decided it
    overall = report["overall"]
    assert len(report["worst"]["missed"]) == min(overall["tp"] + overall["fn"], 10)
    missed = [c for c in report["worst"]["missed"] if c["action"] in ("accept", "hold")]
    assert len(missed) == min(overall["fn"], 10)  # the misses come first
    for case in report["worst"]["false_positives"] + report["worst"]["missed"]:
        assert set(case) == {"id", "source", "probability", "action", "text", "hits"}
        assert case["id"] and case["text"]
    probabilities = [c["probability"] for c in report["worst"]["missed"]]
    assert probabilities == sorted(probabilities)


def test_evaluate_prints_the_worst_cases_of_the_sample_file() -> None:
    sample = Path(__file__).resolve().parents[2] / "docs" / "examples" / "evaluate-sample.jsonl"
    result = runner.invoke(app, ["evaluate", str(sample), "--worst", "3", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(report["sources"]) == {"my_blog", "news_site"}
    assert [len(report["worst"][k]) for k in ("false_positives", "missed")] == [3, 3]
    assert all(c["id"].startswith("sample:") for c in report["worst"]["missed"])
    shown = runner.invoke(app, ["evaluate", str(sample), "--worst", "2"])
    assert shown.exit_code == 0, shown.output
    assert "scored highest" in shown.output and "scored lowest" in shown.output


def test_evaluate_report_writes_charts_and_page(data: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "m.json"
    write_model(train(data, TINY), out)
    report_dir = tmp_path / "report"
    result = runner.invoke(
        app, ["evaluate", str(data[1]), "--model", str(out), "--report", str(report_dir)]
    )
    assert result.exit_code == 0, result.output
    for name in ("pr_curve.png", "confusion_matrix.png"):
        assert (report_dir / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = (report_dir / "index.html").read_text()
    assert "pr_curve.png" in page and "beta" in page


def test_evaluate_report_without_matplotlib_names_the_train_extra(
    data: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as when the train extra is missing
    report_dir = tmp_path / "report"
    result = runner.invoke(app, ["evaluate", str(data[1]), "--report", str(report_dir)])
    assert result.exit_code == 1, result.output
    assert "needs matplotlib" in result.output
    assert "pip install 'rejoinder[train]'" in result.output
    assert not report_dir.exists()


def test_the_runtime_imports_neither_training_nor_its_extra() -> None:
    probe = (
        "import sys, rejoinder.app, rejoinder.cli; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sklearn', 'matplotlib') "
        "or m.startswith('rejoinder.training')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "[]"


def test_bad_jsonl_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"label": "spam", "comment_content": "x"}\n{"label": "maybe"}\n')
    with pytest.raises(DatasetError, match=r"bad.jsonl:2: label"):
        read_jsonl([bad])
    result = runner.invoke(app, ["evaluate", str(bad)])
    assert result.exit_code == 1 and "bad.jsonl:2" in result.output


def test_sources_count_by_a_power_of_their_size() -> None:
    sources = np.array(["sms"] * 4136 + ["tg"] * 490)
    weights = source_weights(sources, 0.3)
    assert abs(weights.mean() - 1.0) < 1e-9
    sms, tg = weights[sources == "sms"].sum(), weights[sources == "tg"].sum()
    assert abs(sms / tg - (4136 / 490) ** 0.7) < 1e-6  # was 8.4 : 1, now about 4.4 : 1
    assert np.all(source_weights(sources, 0.0) == 1.0)


def test_metrics_are_the_textbook_ones() -> None:
    m = compute_metrics([True, True, False, False, False], [True, False, True, False, False])
    assert (m.tp, m.fn, m.fp, m.tn) == (1, 1, 1, 2)
    assert m.precision == 0.5 and m.recall == 0.5 and m.fpr == pytest.approx(1 / 3)
    assert m.mcc == pytest.approx((1 * 2 - 1 * 1) / np.sqrt(2 * 2 * 3 * 3))


def test_discard_threshold_keeps_a_margin_above_every_ham() -> None:
    """A ham that came within a hair of a discard step pushes discard one step further."""
    spam = np.array([True] * 50 + [False] * 50)
    near_miss = np.concatenate([np.full(50, 0.9999999), np.linspace(0.01, 0.5, 49), [0.999986]])
    t = tune_thresholds(spam, near_miss, TrainConfig())
    assert t.discard == 0.999999  # 0.99999 is above that ham, but too close
    clear = np.concatenate([np.full(50, 0.9999999), np.linspace(0.01, 0.5, 49), [0.9999]])
    assert tune_thresholds(spam, clear, TrainConfig()).discard == 0.99999


def _separable() -> tuple[list[SparseVector], list[bool]]:
    """Feature 1 alone separates the classes; feature 0 is on every row."""
    values = np.array([1.0, 1.0], dtype=np.float32)
    rows = [
        SparseVector(np.array([0, 1 if i % 2 else 2], dtype=np.int64), values) for i in range(200)
    ]
    return rows, [bool(i % 2) for i in range(200)]


def test_no_feature_weighs_more_than_the_bound() -> None:
    rows, labels = _separable()
    bounded = fit_parts(rows, labels, 4, FitConfig(epochs=20, max_weight=1.5), seed=1)
    unbounded = fit_parts(rows, labels, 4, FitConfig(epochs=20, max_weight=0.0), seed=1)
    assert float(np.abs(bounded.logistic.weights).max()) <= 1.5
    assert float(np.abs(unbounded.logistic.weights).max()) > 3.0
    assert bounded.logistic.decision(rows[1]) > 0 > bounded.logistic.decision(rows[0])
