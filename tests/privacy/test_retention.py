"""Retention: with the clock moved forward, the purge removes exactly what the settings say."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    insert,
    select,
)

from rejoinder.core.records.verdict import Label
from rejoinder.privacy.retention import Retention, resolve
from rejoinder.privacy.rules import RULES
from rejoinder.storage.db import Database
from rejoinder.storage.schema import checks, feedback, metadata, usage
from tests.privacy.support import START, FakeClock, World, make_world


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = make_world(tmp_path)
    yield w
    w.services.db.dispose()


def rows(world: World, table: Table) -> list[dict[str, Any]]:
    with world.services.db.read() as conn:
        order = list(table.primary_key.columns)
        return [dict(r._mapping) for r in conn.execute(select(table).order_by(*order))]


def untouched_tables(world: World) -> dict[str, list[tuple[Any, ...]]]:
    """Every table no rule names (sites, keys, usage, and learned state as it lands)."""
    ruled = {r.table for r in RULES}
    with world.services.db.read() as conn:
        return {
            name: [tuple(r) for r in conn.execute(select(t))]
            for name, t in metadata.tables.items()
            if name not in ruled and name != "task_locks"
        }


def counts(report: Any) -> dict[str, int]:
    return {r.name: r.count for r in report.results}


def test_every_rule_with_a_table_resolves_its_columns() -> None:
    from rejoinder.settings import load_settings

    active, skipped = resolve(RULES, load_settings({}), metadata)
    cutoff = START
    for item in active:
        item.rule.condition(item.table, cutoff)  # raises KeyError on a missing column
        if item.rule.clear is not None:
            assert set(item.rule.clear(cutoff)) <= set(item.table.c.keys()), item.rule.name
    names = {r.name for r in RULES}
    assert {a.rule.name for a in active} | set(skipped) == names
    assert {"checks", "feedback.personal", "feedback.hashes"} <= {a.rule.name for a in active}


def test_purge_follows_the_clock_and_the_settings(world: World) -> None:
    world.check("old@example.org", "first comment")
    world.report("old@example.org", "buy cheap pills", Label.SPAM)
    world.clock.advance(days=10)
    world.check("newer@example.org", "second comment")
    before_other = untouched_tables(world)
    retention = world.services.retention

    world.clock.advance(days=3, hours=23)  # day 13.96: nothing is old enough
    assert retention.purge().total == 0

    world.clock.advance(hours=2)  # day 14.04: the first check record goes, nothing else
    report = retention.purge()
    assert counts(report)["checks"] == 1
    assert report.total == 1
    assert [r["email"] for r in rows(world, checks)] == ["newer@example.org"]
    fb = rows(world, feedback)
    assert len(fb) == 1 and fb[0]["fields"]["comment_author_email"] == "old@example.org"
    assert fb[0]["check_id"] is None  # its check record is gone; the report stays

    world.clock.advance(days=16)  # day 30.04: feedback personal fields, and the second check
    report = retention.purge()
    assert counts(report)["checks"] == 1 and counts(report)["feedback.personal"] == 1
    assert report.total == 2
    fb = rows(world, feedback)[0]
    assert fb["fields"] == {} and fb["personal_cleared_at"] is not None
    assert fb["label"] == "spam" and fb["fingerprint"] and fb["source"] == "akismet"
    assert fb["ip_hash"] and fb["email_hash"]  # hashes live 90 days

    world.clock.advance(days=60)  # day 90.04: hashes on the report
    report = retention.purge()
    assert counts(report)["feedback.hashes"] == 1
    fb = rows(world, feedback)[0]
    assert (fb["ip_hash"], fb["ip_prefix_hash"], fb["email_hash"]) == (None, None, None)
    assert fb["label"] == "spam" and fb["fingerprint"]

    assert retention.purge().total == 0  # idempotent
    assert untouched_tables(world) == before_other  # sites, keys, usage: never purged
    assert rows(world, usage)[0]["api_calls"] >= 3


def test_shorter_setting_purges_sooner(tmp_path: Path) -> None:
    w = make_world(tmp_path, rejoinder_retention_check_days="2")
    w.check("a@example.org", "hello")
    w.clock.advance(days=2, minutes=1)
    assert counts(w.services.retention.purge())["checks"] == 1
    w.services.db.dispose()


def test_dry_run_counts_without_removing(world: World) -> None:
    for i in range(3):
        world.check(f"p{i}@example.org", f"comment {i}")
    world.clock.advance(days=15)
    report = world.services.retention.purge(dry_run=True)
    assert report.dry_run and counts(report)["checks"] == 3
    assert len(rows(world, checks)) == 3


def test_interrupted_purge_keeps_finished_batches_and_resumes(tmp_path: Path) -> None:
    w = make_world(tmp_path, rejoinder_purge_batch_size="2")
    for i in range(5):
        w.check(f"b{i}@example.org", f"comment {i}")
    w.clock.advance(days=15)
    first = w.services.retention.purge(max_batches=1)  # stops after one batch per rule
    assert counts(first)["checks"] == 2
    assert len(rows(w, checks)) == 3
    second = w.services.retention.purge()
    assert counts(second)["checks"] == 3 and rows(w, checks) == []
    w.services.db.dispose()


def test_scheduled_purge_runs_once_per_interval_across_workers(world: World) -> None:
    world.check("s@example.org", "x")
    world.clock.advance(days=15)
    every = timedelta(minutes=54)
    results: list[object] = []
    barrier = threading.Barrier(4)

    def worker() -> None:
        other = Retention(world.services.db, world.settings, world.clock)
        barrier.wait()
        results.append(other.purge_if_due(every))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    ran = [r for r in results if r is not None]
    assert len(results) == 4 and len(ran) == 1
    assert world.services.retention.purge_if_due(every) is None  # ran recently
    world.clock.advance(minutes=55)
    assert world.services.retention.purge_if_due(every) is not None
    assert world.services.retention.last_run() == world.clock.now


def test_live_lease_of_another_holder_blocks(world: World) -> None:
    from rejoinder.storage import maintenance

    now = world.clock.now
    held = maintenance.try_lock(
        world.services.db, "privacy-purge", "other", now,
        ttl=timedelta(minutes=30), every=timedelta(0),
    )  # fmt: skip
    assert held
    assert world.services.retention.purge_if_due(timedelta(0), holder="me") is None
    world.clock.advance(minutes=31)  # the other holder died: its lease ran out
    assert world.services.retention.purge_if_due(timedelta(0), holder="me") is not None


# --- comment rules, on a table shaped like the platform's ---------------------------------


def comment_table(meta: MetaData, *, notify: bool) -> Table:
    cols = [
        Column("id", Integer, primary_key=True),
        Column("parent_id", Integer, nullable=True),
        Column("status", String(16), nullable=False),
        Column("author", String(100), nullable=False, default=""),
        Column("author_html", String(100), nullable=False, default=""),
        Column("website", String(100), nullable=False, default=""),
        Column("text", String(100), nullable=False, default=""),
        Column("html", String(100), nullable=False, default=""),
        Column("ua_family", String(100), nullable=False, default=""),
        Column("email", String(254), nullable=False, default=""),
        Column("email_hash", String(32), nullable=True),
        Column("ip_hash", String(32), nullable=True),
        Column("ip_prefix_hash", String(32), nullable=True),
        Column("hits", JSON, nullable=False, default=list),
        Column("created_at", DateTime(timezone=True), nullable=False),
    ]
    if notify:
        cols.append(Column("notify_replies", Boolean, nullable=False, default=False))
    return Table("comments", meta, *cols)


def test_comment_rules_when_the_comments_table_exists(tmp_path: Path) -> None:
    from rejoinder.settings import load_settings

    meta = MetaData()
    table = comment_table(meta, notify=True)
    db = Database(f"sqlite:///{tmp_path / 'c.db'}")
    meta.create_all(db.engine)
    clock = FakeClock()
    base = {"author": "A", "email_hash": "e" * 32, "ip_hash": "i" * 32, "ip_prefix_hash": "n" * 32}
    with db.begin() as conn:
        for status, notify in [("published", False), ("published", True), ("spam", False),
                               ("deleted", False), ("pending", False),
                               ("discarded", False)]:  # fmt: skip
            conn.execute(
                insert(table).values(
                    status=status, email=f"{status}-{notify}@example.org",
                    notify_replies=notify, created_at=START, **base,
                )
            )  # fmt: skip
    settings = load_settings({"REJOINDER_RETENTION_EMAIL_DAYS": "20"})
    retention = Retention(db, settings, clock, metadata=meta)
    assert retention.active()[1] == ["checks", "feedback.personal", "feedback.hashes",
                                     "reputation", "near_duplicates", "learned.keys",
                                     "thread_words", "privacy_rate_limits", "login_throttle",
                                     "moderator_sessions", "notification_deliveries",
                                     "used_links"]  # fmt: skip

    def state() -> list[tuple[str, str, str | None]]:
        with db.read() as conn:
            return [(r.status, r.email, r.ip_hash) for r in conn.execute(select(table))]

    clock.advance(days=20, minutes=1)  # the email on published comments without notifications
    assert counts(retention.purge()) == {"comments.spam": 0, "comments.spam.placeholder": 0,
                                         "comments.discarded": 1,  # after 7 days
                                         "comments.email": 1, "comments.hashes": 0}  # fmt: skip
    assert ("published", "", "i" * 32) in state()
    assert ("published", "published-True@example.org", "i" * 32) in state()

    clock.advance(days=10)  # day 30: spam and deleted comments go; published and pending stay
    assert counts(retention.purge())["comments.spam"] == 2
    assert sorted(s for s, _e, _i in state()) == ["pending", "published", "published"]

    clock.advance(days=60)  # day 90: IP hashes go, email hashes stay for export/erase
    assert counts(retention.purge())["comments.hashes"] == 3
    with db.read() as conn:
        left = conn.execute(select(table.c.ip_hash, table.c.email_hash)).all()
    assert all(ip is None and email == "e" * 32 for ip, email in left)
    db.dispose()


def test_a_rule_that_never_stops_matching_fails_instead_of_looping(tmp_path: Path) -> None:
    from rejoinder.privacy.rules import Purge, RetentionRule

    world = make_world(tmp_path, rejoinder_purge_batch_size="1")
    world.check("loop@example.org", "x")
    world.clock.advance(days=15)
    broken = RetentionRule(
        name="broken", table="checks", what="x", action=Purge.CLEAR, fixed_days=1,
        clear=lambda _now: {"author": "still matching"},
    )  # fmt: skip
    retention = Retention(world.services.db, world.settings, world.clock, rules=(broken,))
    with pytest.raises(RuntimeError, match="still match"):
        retention.purge()
    world.services.db.dispose()


def test_removed_comments_with_replies_stay_as_empty_placeholders(world: World) -> None:
    """On the real schema: spam/deleted comments with replies are blanked, not deleted, so the
    thread keeps its shape; the erase of a commenter does the same."""
    from rejoinder.storage.schema import comments, sites, threads

    db = world.services.db
    with db.begin() as conn:
        site_id = conn.execute(select(sites.c.id)).scalar_one()
        thread_id = conn.execute(
            insert(threads).values(site_id=site_id, key="t", url="", title="", created_at=START)
        ).inserted_primary_key[0]

        def add(status: str, email: str, parent: int | None = None) -> int:
            return int(conn.execute(insert(comments).values(
                thread_id=thread_id, parent_id=parent, status=status, author="Who", email=email,
                email_hash=world.services.hasher.email(email), text=f"text by {email}",
                html="<p>x</p>", hits=[], ip_hash="i" * 32, created_at=START,
            )).inserted_primary_key[0])  # fmt: skip

        spam_parent = add("spam", "s@example.org")
        add("published", "reply@example.org", spam_parent)
        lone_spam = add("spam", "s@example.org")
        erased_parent = add("published", "gone@example.org")
        add("published", "reply@example.org", erased_parent)
        add("published", "gone@example.org")

    world.clock.advance(days=31)
    report = counts(world.services.retention.purge())
    assert report["comments.spam"] == 1 and report["comments.spam.placeholder"] == 1

    erased = world.services.privacy.erase(world.services.privacy.key_for("gone@example.org"))
    assert erased.counts["comments"] == 2
    with db.read() as conn:
        left = {r.id: r for r in conn.execute(select(comments))}
    assert lone_spam not in left
    for placeholder in (spam_parent, erased_parent):
        row = left[placeholder]
        assert (row.text, row.author, row.email, row.email_hash, row.ip_hash) == (
            "",
            "",
            "",
            None,
            None,
        )
    assert left[erased_parent].status == "deleted"
    assert len(left) == 4  # two placeholders and their two replies
    assert all(r.text == "text by reply@example.org" for r in left.values() if r.parent_id)
