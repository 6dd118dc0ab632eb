"""The spam filter's learned state under retention and erase: on disk and in every worker's memory.

Real services on a real SQLite file, a clock the test moves (the learned state runs on the same
clock), and a second ``LearnedState`` on the same database standing in for another worker.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from rejoinder.core.records.verdict import Label
from rejoinder.services import unix_clock
from rejoinder.spam.learning.campaigns import signature
from rejoinder.spam.learning.reputation import KeyKind, RepKey, key_int, keys_for
from rejoinder.spam.learning.state import LearnedState, StateConfig
from rejoinder.spam.submission import Submission, fingerprint
from rejoinder.storage.schema import learned, near_duplicates, reputation
from tests.privacy.support import BLOG, World, make_world

ERASE = "erase.me@example.org"
KEEP = "keep.me@example.org"
ERASE_TEXT = (
    "Cheap replica watches and designer handbags at the lowest prices, order today from our "
    "online shop and get free shipping on every order"
)
KEEP_TEXT = (
    "Earn money from home with this one simple trick that banks hate, join thousands of "
    "happy members and start your new career tonight"
)
DAY = 86_400.0


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = make_world(tmp_path)
    yield w
    w.services.db.dispose()


def state_of(world: World) -> LearnedState:
    state = world.services.engine.state
    assert state is not None
    state.ensure_loaded()
    return state


def other_worker(world: World) -> LearnedState:
    """Another process's caches on the same database (same clock, same sync interval)."""
    other = LearnedState.build(
        world.services.db, world.services.hasher, StateConfig(), unix_clock(world.clock)
    )
    other.ensure_loaded()
    return other


def refreshed(*states: LearnedState, world: World) -> None:
    """Let ``learning_sync_seconds`` pass, refresh every worker, wait for background reloads."""
    world.clock.advance(seconds=3)
    for state in states:
        state.refresh()
    for state in states:
        assert state.wait_for_reloads()
        state.refresh()  # a reload resets the sync time: the next refresh is incremental


def submission(email: str, text: str, ip: str) -> Submission:
    fields = {"comment_author_email": email, "comment_content": text, "user_ip": ip}
    return Submission.from_fields(fields, site=BLOG)


def email_key(world: World, email: str) -> RepKey:
    digest = world.services.hasher.email(email)
    assert digest is not None
    return RepKey(KeyKind.EMAIL, key_int(digest), "")


def spam_count(state: LearnedState, key: RepKey) -> float:
    return state.reputation.counts([key])[0].spam


def table_rows(world: World, table: Any) -> list[Any]:
    with world.services.db.read() as conn:
        return list(conn.execute(select(table)))


def learned_keys(world: World) -> dict[str, list[tuple[str, int]]]:
    return {r.fingerprint: [(k, int(v)) for k, v in r.keys] for r in table_rows(world, learned)}


# --- retention --------------------------------------------------------------------------------


def test_learned_state_is_purged_by_age_on_disk_and_in_memory(world: World) -> None:
    state = state_of(world)
    world.report(ERASE, ERASE_TEXT, Label.SPAM, ip="198.51.100.7")
    old_keys = keys_for(submission(ERASE, ERASE_TEXT, "198.51.100.7"), world.services.hasher)
    world.clock.advance(days=60)  # a second report shares the email domain and is newer
    world.report(KEEP, KEEP_TEXT, Label.SPAM, ip="203.0.113.50")
    domain = next(k for k in old_keys if k.kind is KeyKind.EMAIL_DOMAIN)
    mine = email_key(world, ERASE)
    assert spam_count(state, mine) > 0.5 and len(table_rows(world, near_duplicates)) == 2

    world.clock.advance(days=29, hours=23)  # day 89.96 since the first report: nothing yet
    report = {r.name: r.count for r in world.services.retention.purge().results}
    assert (report["reputation"], report["near_duplicates"], report["learned.keys"]) == (0, 0, 0)

    world.clock.advance(hours=2)  # day 90.04
    report = {r.name: r.count for r in world.services.retention.purge().results}
    first_only = {k.key for k in old_keys} - {domain.key}
    assert report["reputation"] == len(first_only)  # the shared domain was updated on day 60
    assert {r.key for r in table_rows(world, reputation)}.isdisjoint(first_only)
    assert report["near_duplicates"] == 1
    assert [r.fingerprint for r in table_rows(world, near_duplicates)] == [fingerprint(KEEP_TEXT)]
    assert report["learned.keys"] == 1
    keys = learned_keys(world)
    assert keys[fingerprint(ERASE_TEXT)] == [] and keys[fingerprint(KEEP_TEXT)]

    refreshed(state, world=world)  # the mirror applies the same rule by itself
    assert spam_count(state, mine) == 0.0
    assert spam_count(state, email_key(world, KEEP)) > 0.5
    assert spam_count(state, domain) > 0.5
    assert world.services.retention.purge().total == 0  # idempotent


def test_a_correction_after_the_keys_expired_leaves_no_negative_counts(world: World) -> None:
    world.report(ERASE, ERASE_TEXT, Label.SPAM)
    world.clock.advance(days=91)
    world.services.retention.purge()
    world.report("", ERASE_TEXT, Label.HAM)  # a moderator's late correction
    assert all(r.spam >= -1e-9 and r.ham >= -1e-9 for r in table_rows(world, reputation))


# --- erase ------------------------------------------------------------------------------------


def test_erase_reaches_learned_state_and_every_workers_memory(world: World) -> None:
    here, there = state_of(world), other_worker(world)
    world.report(ERASE, ERASE_TEXT, Label.SPAM, ip="198.51.100.7")
    world.report(KEEP, KEEP_TEXT, Label.SPAM, ip="203.0.113.50")
    refreshed(here, there, world=world)
    mine, theirs = email_key(world, ERASE), email_key(world, KEEP)
    domain = next(
        k
        for k in keys_for(submission(ERASE, ERASE_TEXT, "198.51.100.7"), world.services.hasher)
        if k.kind is KeyKind.EMAIL_DOMAIN
    )
    sig = signature(ERASE_TEXT)
    assert sig is not None
    for state in (here, there):
        assert spam_count(state, mine) > 0.5 and spam_count(state, theirs) > 0.5
        assert [m.label for m in state.index.query(sig)] == [Label.SPAM]
    assert (KeyKind.EMAIL.value, mine.key) in learned_keys(world)[fingerprint(ERASE_TEXT)]

    privacy = world.services.privacy
    erased = privacy.erase(privacy.key_for(ERASE))
    assert erased.counts["spam_filter"] == 2  # the reputation row and one learned row
    assert erased.counts["near_duplicates"] == 1

    # on disk: the email's row and every mention of its key are gone; nothing else
    stored = {r.key: r.kind for r in table_rows(world, reputation)}
    assert mine.key not in stored
    assert stored[theirs.key] == "email" and stored[domain.key] == "email_domain"
    keys = learned_keys(world)
    assert all(key != mine.key for listed in keys.values() for _kind, key in listed)
    assert len(keys[fingerprint(ERASE_TEXT)]) >= 3  # the label and its other keys stay
    assert [r.fingerprint for r in table_rows(world, near_duplicates)] == [fingerprint(KEEP_TEXT)]

    # in memory: both workers forget after their next refresh; the rest is unchanged
    refreshed(here, there, world=world)
    for state in (here, there):
        assert spam_count(state, mine) == 0.0
        assert spam_count(state, theirs) > 0.5 and spam_count(state, domain) > 0.5
        assert state.index.query(sig) == []
        keep_sig = signature(KEEP_TEXT)
        assert keep_sig is not None and state.index.query(keep_sig)
    fields = {"blog": BLOG, "comment_author_email": ERASE, "comment_content": "hello there"}
    assert "REPUTATION_EMAIL_SPAM" not in world.services.checks.evaluate(fields).symbols()

    # a correction of the erased report afterwards does not bring the key back (not even as a
    # negative count): it only undoes what the remaining keys hold
    world.report("", ERASE_TEXT, Label.HAM, ip="198.51.100.7")
    assert mine.key not in {r.key for r in table_rows(world, reputation)}
    assert privacy.export(privacy.key_for(ERASE))["records"]["spam_filter"] == []


def test_anonymise_mode_keeps_the_fingerprints_but_not_the_key(tmp_path: Path) -> None:
    world = make_world(tmp_path, rejoinder_privacy_erase_mode="anonymise")
    try:
        world.report(ERASE, ERASE_TEXT, Label.SPAM)
        privacy = world.services.privacy
        erased = privacy.erase(privacy.key_for(ERASE))
        assert erased.counts["spam_filter"] == 2 and "near_duplicates" not in erased.counts
        assert email_key(world, ERASE).key not in {r.key for r in table_rows(world, reputation)}
        assert len(table_rows(world, near_duplicates)) == 1  # the text itself stays too
    finally:
        world.services.db.dispose()


def test_export_describes_the_learned_counts_in_words(world: World) -> None:
    world.report(KEEP, KEEP_TEXT, Label.SPAM)
    world.report(
        KEEP, "Another message entirely, long enough to be indexed by the filter", Label.HAM
    )
    privacy = world.services.privacy
    data = privacy.export(privacy.key_for(KEEP))
    (learned_here,) = data["records"]["spam_filter"]
    assert learned_here["spam_reports"] == 1.0 and learned_here["not_spam_reports"] == 1.0
    assert learned_here["reports_learned"] == 2
    assert "reported as spam about 1.00 times" in learned_here["description"]
    assert "keyed hash" in learned_here["description"] and KEEP not in learned_here["description"]
    assert "spam filter" in data["about"]["spam_filter"]
    fingerprints = {r["fingerprint"] for r in data["records"]["near_duplicates"]}
    assert fingerprint(KEEP_TEXT) in fingerprints
    assert privacy.export(privacy.key_for("nobody@example.org"))["records"]["spam_filter"] == []


def test_a_worker_reloads_only_after_a_deletion(world: World) -> None:
    here, there = state_of(world), other_worker(world)
    world.report(KEEP, KEEP_TEXT, Label.SPAM)
    started: list[str] = []
    for state in (here, there):
        for reloader in (state.reputation.reloader, state.index.reloader):
            original = reloader.start
            reloader.start = lambda o=original, n=reloader.name: started.append(n) or o()  # type: ignore[method-assign]
    refreshed(here, there, world=world)
    assert started == []  # new rows arrive incrementally
    world.services.privacy.erase(world.services.privacy.key_for(KEEP))
    refreshed(here, there, world=world)
    assert sorted(started) == ["near-duplicate index"] * 2 + ["reputation"] * 2
