"""Each format's sample (tests/migration/samples.py) imports with its threads, nesting,
authors, dates and states; addresses become keyed hashes; labels teach the engine."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from rejoinder.comments.sanitize import thread_key_for_url
from rejoinder.migration.records import Format
from rejoinder.spam.submission import parse_ip
from tests.migration.conftest import World
from tests.migration.samples import (
    HELLO,
    HISTORY,
    SEAN_IP,
    SECOND,
    SITE,
    write_disqus,
    write_isso,
    write_remark42,
    write_wxr,
    wxr_comment,
    wxr_document,
    wxr_item,
)
from tests.support.bytescan import files_under, find, ip_encodings

SEAN_FROM_HTML = "I don't \\*agree\\*.\n\nHere's **why**: [read this](https://example.org/why)."
SEAN_MARKDOWN = "I don't *agree*.\n\nHere's **why**: [read this](https://example.org/why)."


def when(day: int, hour: int) -> datetime:
    return datetime(2024, 1, day, hour, tzinfo=UTC)


def aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def test_wordpress_export(world: World, tmp_path: Path) -> None:
    summary = world.migration.import_file(Format.WXR, str(write_wxr(tmp_path / "wp.xml")), SITE)
    rows = world.by_author()
    assert set(rows) == {"Seán O'Brien", "Ann", "Bob", "Cheap Pills", "Dora", "Eve"}  # no pingback
    sean, ann, bob = rows["Seán O'Brien"], rows["Ann"], rows["Bob"]
    assert sean["text"] == SEAN_FROM_HTML  # WordPress shows *agree* as typed: escaped here
    assert (
        '<a href="https://example.org/why"' in sean["html"]
        and "<strong>why</strong>" in sean["html"]
    )
    assert (sean["email"], sean["website"]) == ("sean@example.org", "https://sean.example.org/")
    assert aware(sean["created_at"]) == when(2, 10)
    assert (ann["parent_id"], ann["depth"], ann["status"]) == (sean["id"], 1, "pending")
    assert (bob["parent_id"], bob["root_id"], bob["depth"]) == (ann["id"], sean["id"], 2)
    assert rows["Cheap Pills"]["status"] == "spam"
    assert (rows["Dora"]["status"], rows["Dora"]["text"]) == (
        "deleted",
        "Something the moderator removed.",
    )
    assert rows["Eve"]["status"] == "published"
    assert (
        sean["thread_key"] == thread_key_for_url(HELLO) and sean["thread_title"] == "Hello world!"
    )
    assert rows["Eve"]["thread_key"] == thread_key_for_url(SECOND)
    assert summary.threads_new == 2  # the page without comments is not a thread
    assert summary.notes["pingbacks, trackbacks and other non-comments skipped"] == 1
    # An address becomes the keyed hashes a live comment gets, and its network for moderators.
    hasher = world.services.hasher
    assert sean["ip_hash"] == hasher.ip(parse_ip(SEAN_IP))
    assert sean["ip_prefix_hash"] == hasher.ip_prefix(parse_ip(SEAN_IP))
    assert sean["ip_network"] == "203.0.113.0/24" and ann["ip_network"] == "2001:db8::/48"
    assert sean["email_hash"] == hasher.email("sean@example.org")
    needles = set().union(*(ip_encodings(s.ip) for s in HISTORY))
    assert find(needles, files_under(world.data_dir)) == []
    # Approved comments teach ham, spam teaches spam; held and removed ones teach nothing.
    assert sorted(world.labels()) == [("ham", "import")] * 3 + [("spam", "import")]
    assert summary.learned["ham"] == 3 and summary.learned["spam"] == 1


def test_importing_twice_adds_nothing(world: World, tmp_path: Path) -> None:
    path = str(write_wxr(tmp_path / "wp.xml"))
    first = world.migration.import_file(Format.WXR, path, SITE)
    before = world.snapshot()
    again = world.migration.import_file(Format.WXR, path, SITE)
    assert world.snapshot() == before
    assert (again.comments, again.already_there, again.threads_known) == (0, first.comments, 2)
    assert sum(again.learned.values()) == 0


def test_no_learn_records_no_labels(world: World, tmp_path: Path) -> None:
    world.migration.import_file(Format.WXR, str(write_wxr(tmp_path / "wp.xml")), SITE, learn=False)
    assert len(world.rows()) == 6 and world.labels() == []


def test_plain_permalinks_name_threads_by_post_id(world: World, tmp_path: Path) -> None:
    items = "".join(
        wxr_item(n, f"{SITE}/?p={n}", f"Post {n}", wxr_comment(replace(HISTORY[5], id=n)))
        for n in (11, 12)
    )  # every link's path is "/": the post id names the thread
    (tmp_path / "plain.xml").write_text(wxr_document(items), encoding="utf-8")
    world.migration.import_file(Format.WXR, str(tmp_path / "plain.xml"), SITE)
    assert {r["thread_key"] for r in world.rows()} == {"wp-11", "wp-12"}


def test_disqus_export(world: World, tmp_path: Path) -> None:
    world.migration.import_file(Format.DISQUS, str(write_disqus(tmp_path / "d.xml")), SITE)
    rows = world.by_author()
    sean, ann, bob = rows["Seán O'Brien"], rows["Ann"], rows["Bob"]
    assert sean["text"] == SEAN_FROM_HTML
    assert ann["status"] == "published"  # Disqus has no pending state
    assert (bob["parent_id"], bob["depth"]) == (ann["id"], 2)
    assert rows["Cheap Pills"]["status"] == "spam" and rows["Dora"]["status"] == "deleted"
    assert sean["ip_hash"] == world.services.hasher.ip(parse_ip(SEAN_IP))
    assert sean["thread_title"] == "Hello world!" and aware(bob["created_at"]) == when(3, 9)


def test_isso_database(world: World, tmp_path: Path) -> None:
    world.migration.import_file(Format.ISSO, str(write_isso(tmp_path / "comments.db")), SITE)
    rows = world.by_author()
    # Isso removes a deleted comment without replies, and keeps replies one level deep.
    assert set(rows) == {"Seán O'Brien", "Ann", "Bob", "Eve"}
    sean, ann, bob = rows["Seán O'Brien"], rows["Ann"], rows["Bob"]
    assert sean["text"] == SEAN_MARKDOWN  # Isso stores Markdown: kept as typed
    assert ann["status"] == "pending" and ann["parent_id"] == sean["id"]
    assert bob["parent_id"] == sean["id"]
    assert sean["thread_url"] == HELLO  # Isso's uri is a path on the site
    assert sean["ip_network"] == "203.0.113.0/24"  # Isso keeps the network only
    assert aware(sean["created_at"]) == when(2, 10)


def test_remark42_backup(world: World, tmp_path: Path) -> None:
    world.migration.import_file(Format.REMARK42, str(write_remark42(tmp_path / "b.gz")), SITE)
    rows = world.by_author()
    sean, bob = rows["Seán O'Brien"], rows["Bob"]
    assert sean["text"] == SEAN_MARKDOWN  # the Markdown typed ("orig")
    assert bob["depth"] == 2 and sean["ip_hash"] is None  # Remark42 keeps no address
    deleted = [r for r in world.rows() if r["status"] == "deleted"]
    assert len(deleted) == 2 and all(r["text"] == "" for r in deleted)
    assert {r["thread_key"] for r in world.rows()} == {thread_key_for_url(HELLO),
                                                      thread_key_for_url(SECOND)}  # fmt: skip
