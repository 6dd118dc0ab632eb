"""How fast `rejoinder import wxr` reads and writes a large WordPress export, and in how much
memory.

Generates a WXR file with --comments comments (default 100,000) on 20 per post, a third of them
replies (up to three deep), 90 % approved, 5 % pending, 5 % spam, each with its own IPv4 or
IPv6 address and one to three paragraphs (one comment in ten with a bold word, one in ten with
a link: the rest is plain text, as most blog comments are); then imports it into
a fresh SQLite database in this process (the engine learning from the labels, as by default)
and prints the time of each stage, comments per second and the peak resident memory. The
goal: 100,000 comments in under a minute, memory flat (a streaming parse: the file is never
held whole). `--no-learn` leaves learning out; `--smoke` is a quick run of 200 comments (the
test suite runs it).

    python bench/import_speed.py [--comments 100000] [--no-learn] [--smoke]
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from rejoinder.migration.records import Format  # noqa: E402
from rejoinder.migration.service import MigrationService  # noqa: E402
from rejoinder.services import build_services  # noqa: E402
from rejoinder.settings import load_settings  # noqa: E402

SITE = "https://bench.example.com"
WORDS = ["the", "council", "vote", "was", "close", "and", "the", "new", "library", "will", "open", "next", "spring", "after", "two", "years", "of", "work", "on", "the", "old", "post", "office", "building", "which", "many", "readers", "remember", "fondly"]  # fmt: skip
SPAM = ("buy cheap replica watches online", "best casino bonus free spins today",
        "cheap pills without prescription fast delivery")  # fmt: skip
PER_POST = 20


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def sentence(rng: random.Random) -> str:
    return " ".join(rng.choices(WORDS, k=rng.randint(8, 30))).capitalize() + "."


def text(rng: random.Random) -> str:
    """One to three paragraphs; one comment in ten has a bold word, one in ten a link."""
    paragraphs = [sentence(rng) for _ in range(rng.randint(1, 3))]
    if rng.random() < 0.1:
        paragraphs[0] = paragraphs[0].replace(" the ", " <strong>the</strong> ", 1)
    if rng.random() < 0.1:
        paragraphs[-1] += f' <a href="https://example.org/{rng.randint(1, 999)}">See this</a>.'
    return "\n\n".join(paragraphs)


def comment_xml(rng: random.Random, cid: int, parent: int, day: int) -> str:
    roll = rng.random()
    state, body = "1", text(rng)
    if roll > 0.95:
        state, body = "spam", f"{rng.choice(SPAM)} https://deals{cid % 97}.example.net/"
    elif roll > 0.90:
        state = "0"
    ip = f"198.51.{cid // 250 % 250}.{cid % 250 + 1}" if cid % 5 else f"2001:db8:{cid:x}::1"
    when = f"2023-{1 + day // 28 % 12:02d}-{1 + day % 28:02d} {cid % 24:02d}:{cid % 60:02d}:00"
    return (
        f"<wp:comment><wp:comment_id>{cid}</wp:comment_id>"
        f"<wp:comment_author><![CDATA[Reader {cid % 5000}]]></wp:comment_author>"
        f"<wp:comment_author_email><![CDATA[reader{cid % 5000}@example.org]]></wp:comment_author_email>"
        f"<wp:comment_author_url></wp:comment_author_url>"
        f"<wp:comment_author_IP><![CDATA[{ip}]]></wp:comment_author_IP>"
        f"<wp:comment_date_gmt><![CDATA[{when}]]></wp:comment_date_gmt>"
        f"<wp:comment_content><![CDATA[{body}]]></wp:comment_content>"
        f"<wp:comment_approved><![CDATA[{state}]]></wp:comment_approved>"
        f"<wp:comment_type><![CDATA[comment]]></wp:comment_type>"
        f"<wp:comment_parent>{parent}</wp:comment_parent></wp:comment>\n"
    )


def write_wxr(path: Path, comments: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8" ?>\n<rss version="2.0" '
                  'xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>Bench</title>'
                  f"<link>{SITE}</link><wp:wxr_version>1.2</wp:wxr_version>\n")  # fmt: skip
        cid = 0
        for post in range(1, comments // PER_POST + 2):
            if cid >= comments:
                break
            out.write(f"<item><title>Post {post}</title><link>{SITE}/{post}/</link>"
                      f"<wp:post_id>{post}</wp:post_id><wp:post_type>post</wp:post_type>\n")  # fmt: skip
            chain: list[int] = []
            for _ in range(min(PER_POST, comments - cid)):
                cid += 1
                parent = rng.choice(chain) if chain and rng.random() < 0.33 else 0
                chain = [*(chain[-2:] if parent else []), cid]
                out.write(comment_xml(rng, cid, parent, post))
            out.write("</item>\n")
        out.write("</channel></rss>\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--no-learn", action="store_true")
    parser.add_argument("--smoke", action="store_true", help="200 comments, quickly")
    args = parser.parse_args()
    count = 200 if args.smoke else args.comments
    with tempfile.TemporaryDirectory(prefix="rejoinder-import-bench-") as tmp:
        work = Path(tmp)
        started = time.perf_counter()
        write_wxr(work / "export.xml", count)
        size_mb = (work / "export.xml").stat().st_size / 1e6
        print(f"generated {count:,} comments: {size_mb:.1f} MB in "
              f"{time.perf_counter() - started:.1f} s")  # fmt: skip
        settings = load_settings({"REJOINDER_DATA_DIR": str(work / "data")})
        services = build_services(settings)
        services.db.upgrade()
        services.sites.add_site(SITE)
        services.engine.warm_up()
        rss_before = peak_rss_mb()
        migration = MigrationService(services.db, services.hasher, services.labels)
        cpu = time.process_time()
        summary = migration.import_file(
            Format.WXR, str(work / "export.xml"), SITE, learn=not args.no_learn
        )
        cpu = time.process_time() - cpu
        services.db.dispose()
    imported = summary.comments + summary.already_there
    rate = imported / summary.seconds
    print(f"imported {imported:,} comments in {summary.threads_new:,} threads in "
          f"{summary.seconds:.1f} s: {rate:,.0f} comments/s "
          f"(learned {sum(summary.learned.values()):,} labels); {cpu:.1f} s of CPU, "
          f"{imported / cpu:,.0f} comments per CPU second")  # fmt: skip
    print(f"peak RSS {peak_rss_mb():.0f} MB (before the import: {rss_before:.0f} MB)")
    if not args.smoke and count >= 100_000:
        verdict = "met" if summary.seconds < 60 else "NOT met"
        print(f"goal (100,000 comments under 60 s): {verdict}")


if __name__ == "__main__":
    main()
