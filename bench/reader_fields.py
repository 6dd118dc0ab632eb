"""Readers who fill in the whole form: does an e-mail address or a web address make a reader spam?

A WordPress comment form asks for a name, an e-mail address and a web site, and many readers
give all three — most often the home page of their own blog, the root of a .com, which is also
the shape of most blog spam's addresses. The labelled sets have real author fields only on
spam, so a model can learn "has a web address, so spam" (issue 15: adding the names the site
recorded doubled the false positives on a real blog).

This bench takes the Fox News comments (legitimate, never trained on), with their real display
names, and scores each three times through the engine as WordPress sends them (browser user
agent, the article as referrer): as they are; with an e-mail address; with an e-mail address
and a web address from a fixed list of real blogs' home pages and profiles (none of them the
shapes the training augmentation generates). Printed per mode: held and filed rates and the
probability's percentiles. The goal is the issue's bar for legitimate sets: at most 0.2 %
filed and 1 % held in every mode.

Usage: .venv/bin/python bench/reader_fields.py [DATA_DIR] [--model PATH] [--smoke]
"""

from __future__ import annotations

import argparse
import random
import tempfile
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import numpy as np
from smoke import TINY_TRAINING, tiny_data

from rejoinder.core.records.verdict import Action, Thresholds
from rejoinder.spam.engine import Engine, EngineConfig
from rejoinder.spam.learning.artifact import ModelBundle, load_bundle
from rejoinder.spam.submission import Submission
from rejoinder.training.dataset import Example, read_jsonl
from rejoinder.training.train import train

SOURCE = "fox_news_comments"
THRESHOLDS = Thresholds(0.8, 0.9, 0.999999)
USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/120.0 Safari/537.36"
)
# Real blogs' home pages and profiles, as readers type them into the web site field.
WEB_ADDRESSES = (
    "https://danluu.com/", "https://jvns.ca", "http://www.paulgraham.com",
    "https://martinfowler.com/", "https://simonwillison.net/", "https://www.joelonsoftware.com",
    "https://blog.codinghorror.com/", "https://kottke.org/", "https://daringfireball.net",
    "https://www.hanselman.com/blog/", "https://rachelbythebay.com/w/", "https://lemire.me/blog/",
    "https://www.johndcook.com/blog/", "http://www.aaronsw.com", "https://gwern.net/",
    "https://waitbutwhy.com", "https://nomadicmatt.com", "https://pinchofyum.com/",
    "https://smittenkitchen.com", "http://www.marginalrevolution.com", "https://seths.blog/",
    "https://austinkleon.com/", "https://www.slowboring.com", "https://www.econlib.org",
    "http://hotair.com", "https://www.powerlineblog.com/", "http://www.instapundit.com",
    "https://stratechery.com", "https://www.troyhunt.com/", "https://krebsonsecurity.com/",
    "https://www.schneier.com/", "http://www.mikesblog.net", "https://github.com/tjholowaychuk",
    "https://twitter.com/dhh", "https://www.linkedin.com/in/reidhoffman", "https://medium.com/@ev",
)  # fmt: skip
EMAIL_SHAPES = (
    "{f}.{l}@gmail.com", "{f}{l}{d}@gmail.com", "{f}{d}@yahoo.com", "{i}{l}@hotmail.com",
    "{f}@{l}.com", "{f}.{l}@outlook.com",
)  # fmt: skip


class Mode(StrEnum):
    AS_IS = "as is"
    EMAIL = "+ e-mail"
    EMAIL_URL = "+ e-mail + web site"


@dataclass
class Tally:
    probabilities: list[float]
    held: int = 0
    filed: int = 0

    def line(self, mode: Mode) -> str:
        n = len(self.probabilities)
        p50, p90, p99 = np.percentile(self.probabilities, [50, 90, 99]) if n else (0, 0, 0)
        return (
            f"{mode.value:<20} {n:>5} {100 * self.held / max(n, 1):>6.2f} % "
            f"{100 * self.filed / max(n, 1):>6.2f} %   {p50:.3f} {p90:.3f} {p99:.3f}"
        )


def fields_for(example: Example, mode: Mode, rng: random.Random) -> dict[str, str]:
    fields = dict(example.fields)
    article = fields.get("permalink", "https://news.example.com/story")
    fields.update(user_agent=USER_AGENT, referrer=article, user_ip="203.0.113.9")
    names = [*(fields.get("comment_author", "") or "jane doe").lower().split(), "doe"]
    first, last = names[0][:12] or "jane", names[1][:12]
    if mode is not Mode.AS_IS:
        shape = rng.choice(EMAIL_SHAPES)
        fields["comment_author_email"] = shape.format(
            f=first, l=last, i=first[0], d=rng.randint(1, 1999)
        )
    if mode is Mode.EMAIL_URL:
        fields["comment_author_url"] = rng.choice(WEB_ADDRESSES)
    return fields


def measure(engine: Engine, examples: list[Example], mode: Mode) -> Tally:
    rng = random.Random(20261207)
    tally = Tally([])
    for example in examples:
        verdict = engine.check(Submission.from_fields(fields_for(example, mode, rng)))
        tally.probabilities.append(verdict.probability)
        tally.held += verdict.action is Action.HOLD
        tally.filed += verdict.action.is_spam
    return tally


def run(examples: list[Example], bundle: ModelBundle | None) -> None:
    engine = Engine(EngineConfig(THRESHOLDS), bundle=bundle)
    print(f"{SOURCE}: legitimate, never trained on; hold {THRESHOLDS.hold}, spam {THRESHOLDS.spam}")
    print(f"{'mode':<20} {'n':>5} {'held':>8} {'filed':>8}   p50   p90   p99")
    for mode in Mode:
        print(measure(engine, examples, mode).line(mode))


def smoke() -> None:
    with tempfile.TemporaryDirectory(prefix="rejoinder-smoke-") as tmp:
        data = tiny_data(Path(tmp), ("youtube_spam_collection", "wordpress_blog_spam", SOURCE))
        paths = [data / "youtube_spam_collection.jsonl", data / "wordpress_blog_spam.jsonl"]
        run(read_jsonl([data / f"{SOURCE}.jsonl"]), train(paths, TINY_TRAINING).bundle)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("data_dir", nargs="?", default="../shared/data", type=Path)
    parser.add_argument("--model", type=Path, default=None, help="default: the shipped model")
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    if args.smoke:
        smoke()
        return
    bundle = load_bundle(args.model) if args.model else None
    run(read_jsonl([args.data_dir / f"{SOURCE}.jsonl"]), bundle)


if __name__ == "__main__":
    main()
