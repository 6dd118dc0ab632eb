"""Adaptation through the real API: a held-out source replayed to a running `rejoinder serve`.

The issue's adaptation bar, measured the way a site lives it: a source is held out of
training, the model trained without it is loaded by a real server process (fresh SQLite data
dir, one site and key, 127.0.0.1 only), and the source is replayed to it as a stream of
Akismet `comment-check` calls. When the answer was wrong or the comment was held, a moderator
corrects it with `submit-spam` / `submit-ham` (with the check's guid). So every signal takes
part: the content model and its per-site adjustment, reputation of IP prefixes, e-mail and
link domains, velocity, and the near-duplicate campaign index.

Printed per source, errors per 100 comments (a spam comment accepted or held counts only when
it was accepted; a legitimate one held or filed counts when it was filed), for:
  * offline: the same model and thresholds in an in-process engine without history
    (`bench/engine_quality.py`'s replay: only the content model learns) — the baseline;
  * live: the server, everything learning.
It also prints the hold rate and the symbols that fired most on the live run's errors.

Rows carry no user agent or referrer: a browser user agent and the post as referrer are sent
(a WordPress form always sends both). Rows without an IP get a random public address of their
own, so no two rows share an IP by accident. The replay is faster than life: velocity windows
see a day's comments in seconds (read the velocity hits with that in mind).

With ``--mixed`` it replays instead the stream of ``bench/mixed_stream.py --unseen
wordpress_blog_spam`` — Fox News comments (never trained on) with the blog spam interleaved at
15 %, to a model trained without the blog spam — through the real server: the way a blog
that installs rejoinder lives its first weeks, with every learner taking part. Printed per
window of 100: errors, the false-positive rate, recall and the hold rate, and the symbols on
the legitimate comments filed.

Usage: .venv/bin/python bench/adaptation_live.py [DATA_DIR] [--sources a,b] [--window 100]
       .venv/bin/python bench/adaptation_live.py [DATA_DIR] --mixed [--length 1500]
"""

from __future__ import annotations

import argparse
import ipaddress
import random
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # bench scripts share the process helpers of tests/support

from engine_quality import STREAM_SOURCES, per_window, replay  # noqa: E402
from mixed_stream import (  # noqa: E402
    DEFAULT_THRESHOLDS,
    EVAL_ONLY,
    SPAM_RATE,
    STREAM_SEED,
    TRAIN_SOURCES,
    Replay,
    Window,
    build_stream,
    count_verdict,
    load,
    print_replay,
    unseen_parts,
)
from smoke import TINY_TRAINING, tiny_data  # noqa: E402
from tests.support.server import LiveServer, start_server  # noqa: E402

from rejoinder.core.records.verdict import Action, Thresholds  # noqa: E402
from rejoinder.spam.learning.artifact import save_bundle  # noqa: E402
from rejoinder.training.config import TrainConfig  # noqa: E402
from rejoinder.training.crossval import cross_validate  # noqa: E402
from rejoinder.training.dataset import Example, read_jsonl  # noqa: E402
from rejoinder.training.evaluation import offline_engine  # noqa: E402
from rejoinder.training.heldout import source_out_bundle  # noqa: E402
from rejoinder.training.prepared import prepare  # noqa: E402

BLOG = "https://stream.example.org"
BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
AKISMET_EXTRA = ("user_ip", "user_agent", "referrer", "permalink")
SPAM_ANSWER = "true"
LEARNED = ("REPUTATION_", "NEAR_DUPLICATE_", "VELOCITY_", "CONTENT_MODEL_PERSONAL")


@dataclass
class LiveRun:
    errors: list[int] = field(default_factory=list)
    held: int = 0
    corrections: int = 0
    error_symbols: Counter[str] = field(default_factory=Counter)
    false_positive_symbols: Counter[str] = field(default_factory=Counter)
    outcomes: list[tuple[bool, str]] = field(default_factory=list)  # (is spam, action)
    learned_symbols: Counter[str] = field(default_factory=Counter)  # on every check
    seconds: float = 0.0


def public_ip(rng: random.Random) -> str:
    while True:
        address = ipaddress.IPv4Address(rng.getrandbits(32))
        if address.is_global:
            return str(address)


def akismet_fields(ex: Example, key: str, rng: random.Random) -> dict[str, str]:
    fields = {k: v for k, v in ex.fields.items() if k.startswith("comment_") or k in AKISMET_EXTRA}
    fields.setdefault("user_ip", public_ip(rng))
    fields.setdefault("user_agent", BROWSER)
    fields.setdefault("referrer", f"{BLOG}/2024/05/a-post/")
    return {"api_key": key, "blog": BLOG, **fields}


def replay_live(server: LiveServer, rows: list[Example], seed: int) -> LiveRun:
    rng = random.Random(seed)
    run = LiveRun()
    auth = {"Authorization": f"Bearer {server.key}"}
    started = time.perf_counter()
    with httpx.Client(base_url=server.url, timeout=30) as client:
        for ex in rows:
            fields = akismet_fields(ex, server.key, rng)
            answer = client.post("/1.1/comment-check", data=fields)
            answer.raise_for_status()
            guid = answer.headers["x-akismet-guid"]
            verdict = client.get(f"/api/v1/verdicts/{guid}", headers=auth).json()
            wrong = (answer.text == SPAM_ANSWER) != ex.is_spam
            held = verdict["action"] == "hold"
            run.errors.append(int(wrong))
            run.outcomes.append((ex.is_spam, verdict["action"]))
            run.held += held
            run.learned_symbols.update(
                h["symbol"] for h in verdict["hits"] if h["symbol"].startswith(LEARNED)
            )
            if wrong:
                run.error_symbols.update(h["symbol"] for h in verdict["hits"])
                if not ex.is_spam:
                    run.false_positive_symbols.update(h["symbol"] for h in verdict["hits"])
            if wrong or held:  # a moderator looks at it and corrects it
                path = "/1.1/submit-spam" if ex.is_spam else "/1.1/submit-ham"
                client.post(path, data={**fields, "guid": guid}).raise_for_status()
                run.corrections += 1
    run.seconds = time.perf_counter() - started
    return run


def show(label: str, rates: list[float]) -> str:
    shown = " ".join(f"{r:.0f}" for r in rates[:12]) + (" …" if len(rates) > 12 else "")
    return (
        f"    {label:<8} {shown}  (first {rates[0]:.0f}; mean of last three "
        f"{np.mean(rates[-3:]):.1f}; overall {np.mean(rates):.1f})"
    )


def threshold_env(thresholds: Thresholds, model: Path) -> dict[str, str]:
    return {
        "REJOINDER_MODEL_PATH": str(model),
        "REJOINDER_THRESHOLD_HOLD": str(thresholds.hold),
        "REJOINDER_THRESHOLD_SPAM": str(thresholds.spam),
        "REJOINDER_THRESHOLD_DISCARD": str(thresholds.discard),
        "REJOINDER_LOG_LEVEL": "warning",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", default="../shared/data", type=Path)
    parser.add_argument("--sources", default=",".join(STREAM_SOURCES))
    parser.add_argument("--window", type=int, default=100)
    parser.add_argument("--mixed", action="store_true", help="a blog's mixed stream instead")
    parser.add_argument("--length", type=int, default=1500, help="comments in the mixed stream")
    parser.add_argument("--smoke", action="store_true", help="tiny data, one source (make test)")
    args = parser.parse_args()
    if args.smoke:
        with tempfile.TemporaryDirectory(prefix="rejoinder-smoke-") as tmp:
            args.data_dir = tiny_data(Path(tmp), (*TRAIN_SOURCES, *EVAL_ONLY))
            args.sources, args.window, args.length = STREAM_SOURCES[0], 12, 40
            run(args, TINY_TRAINING)
            run_mixed(args, TINY_TRAINING)
        return
    if args.mixed:
        run_mixed(args, TrainConfig(leave_one_source_out=False))
    else:
        run(args, TrainConfig())


UNSEEN = "wordpress_blog_spam"


def run_mixed(args: argparse.Namespace, config: TrainConfig) -> None:
    """The blog's stream (see the module) through a real server, everything learning."""
    examples = load(args.data_dir, TRAIN_SOURCES)
    prep = prepare(examples, config)
    cv = cross_validate(prep, config)
    bundle, _ = source_out_bundle(prep, cv, UNSEEN, config)
    ham, spam = unseen_parts(args.data_dir, examples, UNSEEN)
    stream = build_stream(ham, spam, SPAM_RATE, args.length, seed=STREAM_SEED)
    with tempfile.TemporaryDirectory(prefix="rejoinder-adapt-") as tmp:
        model = Path(tmp) / "model" / "model.json"
        model.parent.mkdir()
        save_bundle(bundle, model)
        env = threshold_env(DEFAULT_THRESHOLDS, model)
        server = start_server(Path(tmp) / "data", BLOG, env)
        try:
            live = replay_live(server, stream, seed=11)
        finally:
            server.stop()
    result = Replay(corrections=live.corrections)
    for i, (is_spam, action) in enumerate(live.outcomes):
        if i % args.window == 0:
            result.windows.append(Window())
        count_verdict(result.windows[-1], is_spam, Action(action))
    n_spam = sum(ex.is_spam for ex in stream)
    print(
        f"Mixed stream through the real server: {len(stream)} comments, {n_spam} spam, a model "
        f"trained without {UNSEEN}, thresholds {DEFAULT_THRESHOLDS}; {live.seconds:.0f} s"
    )
    print_replay("A moderator corrects every error and decides every held comment:", result)
    common = ", ".join(f"{s} {n}" for s, n in live.false_positive_symbols.most_common(8))
    print(f"  symbols on the legitimate comments filed: {common or 'none'}")
    learned = ", ".join(f"{s} {n}" for s, n in live.learned_symbols.most_common(8))
    print(f"  learned-state symbols on all checks: {learned or 'none'}")


def run(args: argparse.Namespace, config: TrainConfig) -> None:
    examples = read_jsonl(sorted(args.data_dir.glob("*.jsonl")))
    prep = prepare(examples, config)
    cv = cross_validate(prep, config)
    print("Adaptation, errors per 100 comments: offline engine (content model learns) vs the")
    print("real server through comment-check and submit-spam/submit-ham (everything learns)")
    for source in args.sources.split(","):
        bundle, thresholds = source_out_bundle(prep, cv, source, config)
        rows = [ex for ex in examples if ex.source == source]
        random.Random(3).shuffle(rows)
        with tempfile.TemporaryDirectory(prefix="rejoinder-adapt-") as tmp:
            model = Path(tmp) / "model" / "model.json"
            model.parent.mkdir()
            save_bundle(bundle, model)  # before the offline replay, which learns in place
            offline = replay(offline_engine(bundle, thresholds), rows, args.window)
            server = start_server(Path(tmp) / "data", BLOG, threshold_env(thresholds, model))
            try:
                live = replay_live(server, rows, seed=11)
            finally:
                server.stop()
        rates = per_window(live.errors, args.window)
        print(f"  {source} ({len(rows)} comments, spam ≥ {thresholds.spam:.3f})")
        print(show("offline", offline))
        print(show("live", rates))
        print(
            f"    live: {live.held} held, {live.corrections} corrections, "
            f"{live.seconds:.0f} s ({1000 * live.seconds / len(rows):.1f} ms per comment)"
        )
        common = ", ".join(f"{s} {n}" for s, n in live.error_symbols.most_common(6))
        print(f"    symbols on the live errors: {common or 'none'}")
        learned = ", ".join(f"{s} {n}" for s, n in live.learned_symbols.most_common(8))
        print(f"    learned-state symbols on all checks: {learned or 'none'}")


if __name__ == "__main__":
    main()
