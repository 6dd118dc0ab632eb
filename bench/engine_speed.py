"""Engine time per check with every signal on, on one core, with a realistic learned state.

Fills a fresh SQLite database with 1 000 000 reputation keys, 100 000 near-duplicate items,
10 000 recent checks and the thread words of ten accepted comments on each of 500 posts per
site (every check carries a plain ``?p=N`` permalink, so an off-site link costs the topicality
signal one profile read), loads the engine as a worker would, then times ``Engine.check`` over real
comments (../shared/data/*.jsonl when present, synthetic ones otherwise) next to two baselines
measured in the same run: building the ``Submission`` alone, and an engine with no signals.
Also times learning one feedback (recorded, then learned by every learner) and reports the resident memory of the process.

    .venv/bin/python bench/engine_speed.py [--keys 1000000] [--items 100000] [--checks 3000] [--posts 500] [--smoke]

Goals (issue #3): median <= 0.5 ms, p99 <= 3 ms per check; learning <= 5 ms; RSS <= 300 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import insert

from rejoinder.core.records.verdict import Label
from rejoinder.services import Services, build_services
from rejoinder.settings import load_settings
from rejoinder.spam.engine import Engine
from rejoinder.spam.labels import FeedbackSource, Labelled
from rejoinder.spam.learning import campaigns
from rejoinder.spam.learning.reputation import KeyKind
from rejoinder.spam.submission import Submission
from rejoinder.storage import learning as store
from rejoinder.storage.schema import checks, near_duplicates, reputation, thread_words

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
SITES = [f"https://site{i}.example" for i in range(20)]
UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"


def rss_mb() -> tuple[float, float]:
    status = Path("/proc/self/status").read_text()
    value = {line.split(":")[0]: [*line.split(), "0", "0"][1] for line in status.splitlines()}
    return int(value["VmRSS"]) / 1024, int(value["VmHWM"]) / 1024


def texts(limit: int) -> list[str]:
    found: list[str] = []
    for path in sorted(DATA.glob("*.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            found.append(json.loads(line)["comment_content"])
    if not found:  # no shared data next to the repo: synthetic comments
        rng = random.Random(7)
        vocab = [f"word{i}" for i in range(3000)]
        found = [" ".join(rng.choices(vocab, k=rng.randint(5, 60))) for _ in range(limit)]
    random.Random(1).shuffle(found)
    return found[:limit]


def fields_for(text: str, rng: random.Random, posts: int = 0) -> dict[str, str]:
    """``posts``: with a plain permalink to one of that many posts (0: none, as
    ``bench/engine_outputs.py`` pins)."""
    ip = f"{rng.randint(1, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    fields = {
        "blog": rng.choice(SITES), "user_ip": ip, "user_agent": UA,
        "referrer": "https://site.example/post", "comment_author": rng.choice(["Ann", "Bob Li", "cheap seo"]),
        "comment_author_email": f"user{rng.randint(1, 10**6)}@{rng.choice(['gmail.com', 'example.org', 'mailinator.com'])}",
        "comment_content": text, "comment_type": "comment",
        "comment_post_modified_gmt": "2024-01-01 00:00:00", "form_age_seconds": f"{rng.uniform(1, 90):.1f}",
    }  # fmt: skip
    if rng.random() < 0.5:
        fields["comment_author_url"] = f"https://blog{rng.randint(1, 5000)}.example.com/"
    if rng.random() < 0.5:
        fields["blog_lang"] = "en_US"
    if posts:  # a plain permalink names nothing: the topicality signal reads the thread's profile
        fields["permalink"] = f"{fields['blog']}/?p={rng.randrange(posts)}"
    return fields


def fill(db_engine: object, keys: int, items: int, recent_checks: int, corpus: list[str]) -> None:
    rng = np.random.default_rng(3)
    now = time.time()
    kinds = [k.value for k in KeyKind]
    with db_engine.begin() as conn:  # type: ignore[attr-defined]
        step = 100_000
        for start in range(0, keys, step):
            n = min(step, keys - start)
            values = rng.integers(-(2**63), 2**63 - 1, n, dtype=np.int64)
            spam = rng.exponential(2.0, n) * 1e3
            ham = rng.exponential(2.0, n) * 1e3
            conn.execute(insert(reputation), [
                {"key": int(values[i]), "kind": kinds[i % len(kinds)], "spam": float(spam[i]),
                 "ham": float(ham[i]), "updated_ts": now - 86_400}
                for i in range(n)
            ])  # fmt: skip
        words = " ".join(corpus).split() or ["x"]
        pyrng = random.Random(5)
        rows = []
        for i in range(items):
            text = " ".join(pyrng.choices(words, k=pyrng.randint(10, 50)))
            sig = campaigns.signature(text)
            if sig is None:
                continue
            rows.append({
                "fingerprint": f"{i:032x}", "signature": sig.astype("<u4").tobytes(),
                "label": "spam" if i % 3 else "ham", "site_url": SITES[i % len(SITES)],
                "created_ts": now - 3600, "updated_ts": now - 3600,
            })  # fmt: skip
            if len(rows) >= 10_000:
                conn.execute(insert(near_duplicates), rows)
                rows = []
        if rows:
            conn.execute(insert(near_duplicates), rows)
        moment = datetime.now(UTC) - timedelta(seconds=60)
        conn.execute(insert(checks), [
            {"guid": f"{i:032x}", "site_url": SITES[i % len(SITES)], "created_at": moment,
             "is_test": False, "comment_type": "comment", "author": "", "email": "", "author_url": "",
             "content": "", "permalink": "", "ip_prefix_hash": f"{i % 500:032x}", "ua_family": "",
             "referrer_host": "", "fingerprint": f"{i % 2000:032x}", "probability": 0.1,
             "action": "accept", "hits": [], "extra": {}}
            for i in range(recent_checks)
        ])  # fmt: skip


CPU: list[float] = []  # CPU time of the same calls, in ms: shows what contention adds


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        cpu = time.thread_time_ns()
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
        CPU.append((time.thread_time_ns() - cpu) / 1e6)
    return out


def measured(
    samples_of: Callable[[], list[float]],
) -> tuple[tuple[float, float], tuple[float, float]]:
    """(wall median, wall p99), (cpu median, cpu p99) of one series of timed calls."""
    CPU.clear()
    wall = samples_of()
    return summary(wall), summary(list(CPU))


def summary(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=1_000_000)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--checks", type=int, default=3000)
    parser.add_argument("--learn", type=int, default=300)
    parser.add_argument("--recent", type=int, default=4000,
                        help="near-duplicate items added after loading (not yet merged)")  # fmt: skip
    parser.add_argument("--posts", type=int, default=500,
                        help="posts per site with ten accepted comments' thread words")  # fmt: skip
    parser.add_argument("--measure", metavar="DATA_DIR", help=argparse.SUPPRESS)
    parser.add_argument("--smoke", action="store_true", help="tiny state (make test)")
    args = parser.parse_args()
    if args.smoke:
        args.keys, args.items, args.checks, args.learn, args.recent = 2000, 200, 50, 10, 50
        args.posts = 5
    if args.measure:
        return measure(Path(args.measure), args)
    with tempfile.TemporaryDirectory() as tmp:
        services = build_services(load_settings({"REJOINDER_DATA_DIR": tmp}))
        services.db.upgrade()
        t0 = time.perf_counter()
        corpus = texts(args.checks + args.learn)
        fill(services.db.engine, args.keys, args.items, 10_000, corpus)
        fill_threads(services, args.posts, 10, corpus)
        services.db.dispose()
        print(f"filled a fresh database in {time.perf_counter() - t0:.0f} s")
        # Measure in a fresh process, as a worker starting on this database would be.
        child = [sys.executable, __file__, "--measure", tmp, "--checks", str(args.checks),
                 "--learn", str(args.learn), "--recent", str(args.recent),
                 "--posts", str(args.posts)]  # fmt: skip
        return subprocess.run(child, check=False).returncode


def fill_threads(services: Services, posts: int, per_post: int, corpus: list[str]) -> None:
    """What ``per_post`` accepted comments said on each of ``posts`` posts of every site (the
    topicality signal's thread profiles)."""
    profiles = services.engine.state.profiles if services.engine.state is not None else None
    assert profiles is not None
    rng = random.Random(9)
    with services.db.begin() as conn:
        for site in SITES:
            rows = [
                profiles.words(site, f"{site}/?p={post}", rng.choice(corpus))
                for post in range(posts) for _ in range(per_post)
            ]  # fmt: skip
            conn.execute(insert(thread_words), [r.values() for r in rows if r is not None])


def add_recent(index: campaigns.NearDuplicateIndex, count: int) -> None:
    """Items learned since the worker loaded: a worker between two merges holds up to
    ``MERGE_AT`` of them outside the sorted base."""
    rng = np.random.default_rng(5)
    sigs = rng.integers(0, 2**32, (count, 48), dtype=np.uint64).astype("<u4")
    start = 10**9
    index.add_rows(
        store.NearDupRow(start + i, f"{start + i:032x}", sigs[i].tobytes(), "spam",
                         "https://recent.example", time.time())
        for i in range(count)
    )  # fmt: skip


def measure(data_dir: Path, args: argparse.Namespace) -> int:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    rng = random.Random(11)
    corpus = texts(args.checks + args.learn)
    services = build_services(load_settings({"REJOINDER_DATA_DIR": str(data_dir)}))
    rss_before, _ = rss_mb()
    t0 = time.perf_counter()
    services.engine.warm_up()
    load_s = time.perf_counter() - t0
    state = services.engine.state
    assert state is not None
    add_recent(state.index, args.recent)
    print(f"state: {len(state.reputation):,} reputation keys, {len(state.index):,} near-duplicate "
          f"items ({args.recent:,} of them added since loading, not yet merged), loaded in "
          f"{load_s:.1f} s")  # fmt: skip
    inputs = [fields_for(t, rng, args.posts) for t in corpus[: args.checks]]
    subs = [Submission.from_fields(f, site=f["blog"]) for f in inputs]
    bare = Engine(services.engine.config, signals=[])
    for sub in subs[:200]:  # warm caches as a running worker would have them
        services.engine.check(sub)
    base_ms = measured(
        lambda: [t for f in inputs for t in timed(lambda f=f: Submission.from_fields(f), 1)]
    )
    empty_ms = measured(lambda: [t for s in subs for t in timed(lambda s=s: bare.check(s), 1)])
    engine_ms = measured(
        lambda: [t for s in subs for t in timed(lambda s=s: services.engine.check(s), 1)]
    )
    per_signal: dict[str, list[float]] = {}
    for sub in subs[:1000]:
        for signal in services.engine.signals:
            started = time.thread_time_ns()
            signal.evaluate(sub)
            per_signal.setdefault(signal.name, []).append((time.thread_time_ns() - started) / 1e6)
    learn_subs = [
        Submission.from_fields(f, site=f["blog"])
        for f in (fields_for(t, rng, args.posts) for t in corpus[args.checks :])
    ]
    learn_ms = measured(lambda: [
        t for i, sub in enumerate(learn_subs)
        for t in timed(lambda sub=sub, i=i: services.labels.teach(Labelled(sub, Label.SPAM if i % 2 else Label.HAM), FeedbackSource.MODERATOR), 1)
    ])  # fmt: skip
    rss, peak = rss_mb()
    services.db.dispose()
    load = os.getloadavg()[0]
    print(
        f"machine load average {load:.1f} on {os.cpu_count()} cores (wall times include waiting for a core)"
    )
    print(f"{'measure':<42}{'wall med':>9}{'wall p99':>9}{'cpu med':>9}{'cpu p99':>9}   goal (ms)")
    rows = [
        ("baseline: Submission.from_fields alone", base_ms, ""),
        ("baseline: engine with no signals", empty_ms, ""),
        ("engine.check, all signals", engine_ms, "<= 0.5 / <= 3.0"),
        ("learn one feedback (DB write included)", learn_ms, "<= 5.0 (p99)"),
    ]
    for name, ((med, p99), (cmed, cp99)), goal in rows:
        print(f"{name:<42}{med:>9.3f}{p99:>9.3f}{cmed:>9.3f}{cp99:>9.3f}   {goal}")
    print(f"engine / bare Submission median ratio: {engine_ms[0][0] / base_ms[0][0]:.1f}x (wall), "
          f"{engine_ms[1][0] / base_ms[1][0]:.1f}x (cpu)")  # fmt: skip
    print("per signal, cpu (median / p99 ms): " + ", ".join(
        f"{name} {summary(v)[0]:.3f}/{summary(v)[1]:.3f}" for name, v in per_signal.items()))  # fmt: skip
    print(f"resident memory: {rss:.0f} MB now, {peak:.0f} MB peak (process before loading the state: "
          f"{rss_before:.0f} MB); goal <= 300 MB")  # fmt: skip
    wall_ok = engine_ms[0][0] <= 0.5 and engine_ms[0][1] <= 3.0 and learn_ms[0][1] <= 5.0
    cpu_ok = engine_ms[1][0] <= 0.5 and engine_ms[1][1] <= 3.0 and learn_ms[1][1] <= 5.0
    print(f"goals met: wall clock {'yes' if wall_ok else 'NO'}, cpu time {'yes' if cpu_ok else 'NO'}, "
          f"memory {'yes' if peak <= 300 else 'NO'}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
