"""Adaptation, robustness, speed and memory of the engine with the content model.

1. Adaptation: a source is held out of training, then replayed as a stream to one site: each
   comment is checked, and when the verdict was wrong or held a moderator's correction is
   learned (``ContentModel.learn_one``, what a moderator's label does to the content model).
   The error rate per 100 comments must fall.
   Side effects: the same stream's corrections, and another site's verdicts before and after.
2. Robustness: the spam of each cross-validation test fold is obfuscated (zero-width
   characters, homoglyphs, spaced letters, leetspeak, URL shorteners) and scored by that
   fold's model; recall is printed next to the plain text's.
3. Speed and memory: the content signal per check (median, p99), a whole ``Engine.check``,
   ``learn_one``, and the resident memory of a process with the shipped model loaded.

Usage: .venv/bin/python bench/engine_quality.py [DATA_DIR] [--quick] [--smoke]
"""

from __future__ import annotations

import random
import re
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from smoke import TINY_TRAINING, tiny_data

from rejoinder.core.records.verdict import Action, Label, Thresholds
from rejoinder.spam.engine import Engine, EngineConfig
from rejoinder.spam.learning.artifact import load_bundle
from rejoinder.spam.signals.content import ContentModelSignal
from rejoinder.training.config import TrainConfig
from rejoinder.training.crossval import cross_validate
from rejoinder.training.dataset import Example, read_jsonl
from rejoinder.training.evaluation import offline_engine
from rejoinder.training.heldout import fold_bundle, source_out_bundle
from rejoinder.training.prepared import prepare
from rejoinder.training.thresholds import tune_thresholds

SITE = "https://stream.example"
STREAM_SOURCES = ("wordpress_blog_spam", "youtube_spam_collection", "tg_spam_samples")


# --- 1. adaptation --------------------------------------------------------------------------


def replay(engine: Engine, rows: list[Example], window: int = 100) -> list[float]:
    errors: list[int] = []
    for ex in rows:
        sub = ex.submission(site=SITE)
        verdict = engine.check(sub)
        wrong = verdict.is_spam != ex.is_spam
        errors.append(int(wrong))
        if wrong or verdict.action is Action.HOLD:  # a moderator looks at it and corrects it
            engine.bundle.content.learn_one(sub, Label.SPAM if ex.is_spam else Label.HAM)
    return per_window(errors, window)


def per_window(errors: list[int], window: int) -> list[float]:
    """Errors per 100 comments in each window of ``window`` comments (the last may be short)."""
    return [
        100 * sum(errors[i : i + window]) / len(errors[i : i + window])
        for i in range(0, len(errors), window)
    ]


def side_effects(prep, cv, config: TrainConfig) -> None:  # type: ignore[no-untyped-def]
    """What one site's corrections do to another site's verdicts (the global model is shared).

    Each cross-validation fold's model gets the fold's rows of one source as a site's stream
    (corrected as in the replay above); the fold's rows of every other source, posted to
    another site, are scored before and after. Summed over the folds: their legitimate
    comments filed as spam, and their spam filed, at the tuned thresholds.
    """
    thresholds = tune_thresholds(prep.labels, cv.probability, config)
    print("\nSide effects on another site: its ham / spam filed as spam, before → after the stream")
    for source in STREAM_SOURCES:
        totals = np.zeros(4, dtype=int)
        ham = 0
        for k, (_train, test) in enumerate(cv.folds):
            engine = offline_engine(fold_bundle(prep, cv, k, config), thresholds)
            stream = [prep.examples[i] for i in test if prep.sources[i] == source]
            others = [i for i in test if prep.sources[i] != source]
            spam = prep.labels[others]
            ham += int((~spam).sum())
            before = _filed(engine, [prep.examples[i] for i in others])
            replay(engine, stream)
            after = _filed(engine, [prep.examples[i] for i in others])
            totals += [(before & ~spam).sum(), (after & ~spam).sum(),
                       (before & spam).sum(), (after & spam).sum()]  # fmt: skip
        print(
            f"  stream {source:<26} ham filed {totals[0]} → {totals[1]} of {ham},"
            f" spam filed {totals[2]} → {totals[3]}"
        )


def _filed(engine: Engine, rows: list[Example]) -> np.ndarray:  # type: ignore[type-arg]
    other = "https://another-site.example"
    return np.array([engine.check(ex.submission(site=other)).is_spam for ex in rows])


# --- 2. robustness --------------------------------------------------------------------------

HOMOGLYPHS = str.maketrans({"a": "а", "e": "е", "o": "о", "c": "с", "p": "р", "i": "і"})
LEET = str.maketrans({"a": "4", "e": "3", "o": "0", "i": "1", "s": "5"})
URL_RE = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\"']+")


def _words(text: str, change: Callable[[str], str], share: float, rng: random.Random) -> str:
    return " ".join(
        change(w) if len(w) > 3 and rng.random() < share else w for w in text.split(" ")
    )


def obfuscations(rng: random.Random) -> dict[str, Callable[[str], str]]:
    return {
        "zero-width": lambda t: _words(t, "\u200b".join, 0.5, rng),
        "homoglyphs": lambda t: _words(t, lambda w: w.translate(HOMOGLYPHS), 0.5, rng),
        "spacing": lambda t: _words(t, " ".join, 0.3, rng),
        "leetspeak": lambda t: _words(t, lambda w: w.translate(LEET), 0.5, rng),
        "reference link": lambda t: f"{t} see https://en.wikipedia.org/wiki/Special:Random",
        "unseen ref. link": lambda t: f"{t} (https://www.britannica.com/topic/history)",
        "url shortener": lambda t: (
            URL_RE.sub(lambda _m: f"https://bit.ly/{rng.randrange(10**6):x}", t)
            if URL_RE.search(t)
            else t + f" https://bit.ly/{rng.randrange(10**6):x}"
        ),
    }


def robustness(prep, cv, config: TrainConfig) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(7)
    tricks = obfuscations(rng)
    caught = {name: 0 for name in ("plain", *tricks)}
    total = 0
    for k, (_train, test) in enumerate(cv.folds):
        bundle = fold_bundle(prep, cv, k, config)
        thresholds = tune_thresholds(prep.labels, cv.probability, config)
        engine = offline_engine(bundle, thresholds)
        for i in test:
            ex = prep.examples[i]
            if not ex.is_spam:
                continue
            total += 1
            caught["plain"] += engine.check(ex.submission()).is_spam
            for name, trick in tricks.items():
                fields = dict(
                    ex.fields, comment_content=trick(ex.fields.get("comment_content", ""))
                )
                caught[name] += engine.check(
                    Example(ex.id, ex.source, ex.label, fields).submission()
                ).is_spam
    print(f"\nRobustness: recall on {total} out-of-fold spam comments (tuned thresholds)")
    for name, count in caught.items():
        print(f"  {name:<17} {count / total:.4f}")


# --- 3. speed and memory --------------------------------------------------------------------


def timings(examples: list[Example]) -> None:
    bundle = load_bundle()
    signal = ContentModelSignal(bundle.content)
    engine = Engine(EngineConfig(Thresholds(0.2, 0.89, 0.9999)), bundle=bundle)
    sample = random.Random(1).sample(examples, min(2000, len(examples)))
    subs = [ex.submission() for ex in sample]
    for sub in subs[:200]:
        signal.evaluate(sub)

    def measure(fn: Callable[[object], object]) -> list[float]:
        out = []
        for sub in subs:
            started = time.perf_counter()
            fn(sub)
            out.append((time.perf_counter() - started) * 1e6)
        return sorted(out)

    content = measure(signal.evaluate)  # type: ignore[arg-type]
    checks = measure(engine.check)  # type: ignore[arg-type]
    learn = measure(lambda s: bundle.content.learn_one(s, Label.SPAM))  # type: ignore[arg-type]
    lengths = [len(s.content) for s in subs]
    print(
        f"\nSpeed over {len(subs)} real comments (median length {statistics.median(lengths):.0f} chars), one core:"
    )
    for name, values in (
        ("content signal", content),
        ("Engine.check (all signals)", checks),
        ("learn_one", learn),
    ):
        print(
            f"  {name:<28} median {values[len(values) // 2]:7.1f} µs   p99 {values[int(len(values) * 0.99)]:7.1f} µs"
        )
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"  peak resident memory of this process (model, data, numpy, sklearn): {rss_kb / 1024:.0f} MB"
    )


WORKER_PROBE = """
import tempfile
from rejoinder.app import create_app
from rejoinder.services import build_services
from rejoinder.settings import load_settings
from rejoinder.spam.submission import Submission
settings = load_settings({"REJOINDER_DATA_DIR": tempfile.mkdtemp()})
services = build_services(settings)
services.db.upgrade()
services.engine.warm_up()
app = create_app(settings, services)
for i in range(500):
    services.engine.check(Submission(site="https://a.example", content=f"comment {i} http://x{i}.example"))
for line in open("/proc/self/status"):
    if line.startswith(("VmRSS", "VmHWM")):
        print(line.strip())
"""


def worker_memory() -> None:
    import subprocess

    result = subprocess.run(
        [sys.executable, "-c", WORKER_PROBE], capture_output=True, text=True, check=True
    )
    print("  serving worker (create_app + 500 checks): " + ", ".join(result.stdout.split("\n")[:2]))


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if "--smoke" in sys.argv:  # tiny data and model: does it still run? (make test)
        with tempfile.TemporaryDirectory(prefix="rejoinder-smoke-") as tmp:
            run(tiny_data(Path(tmp), STREAM_SOURCES), TINY_TRAINING)
        return
    run(Path(args[0]) if args else Path("../shared/data"), TrainConfig())


def run(data_dir: Path, config: TrainConfig) -> None:
    examples = read_jsonl(sorted(data_dir.glob("*.jsonl")))
    prep = prepare(examples, config)
    cv = cross_validate(prep, config)
    print(
        "Adaptation: a source held out of training, replayed to one site; errors per 100 comments"
    )
    for source in STREAM_SOURCES:
        bundle, thresholds = source_out_bundle(prep, cv, source, config)
        engine = offline_engine(bundle, thresholds)
        rows = [ex for ex in examples if ex.source == source]
        random.Random(3).shuffle(rows)
        rates = replay(engine, rows)
        shown = " ".join(f"{r:.0f}" for r in rates[:12])
        more = " …" if len(rates) > 12 else ""
        print(
            f"  {source:<26} {shown}{more}  (first {rates[0]:.0f} → last {rates[-1]:.0f}; mean of last three {np.mean(rates[-3:]):.1f})"
        )
    if "--quick" not in sys.argv:
        side_effects(prep, cv, config)
        robustness(prep, cv, config)
    timings(examples)
    worker_memory()


if __name__ == "__main__":
    main()
