"""The signals that read learned state, each alone, on a real database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from rejoinder.core.anonymize import Hasher
from rejoinder.core.records.verdict import Action, Label
from rejoinder.services import Services
from rejoinder.spam.learning.campaigns import NearDuplicateIndex, signature
from rejoinder.spam.learning.mirror import KeyMirror
from rejoinder.spam.learning.reputation import ReputationStore, keys_for, weight
from rejoinder.spam.learning.velocity import VelocityTracker
from rejoinder.spam.rules import RuleCache, RuleEffect, RuleKind
from rejoinder.spam.signals import campaigns as campaigns_signal
from rejoinder.spam.signals.campaigns import CampaignSignal
from rejoinder.spam.signals.reputation import ReputationSignal
from rejoinder.spam.signals.site_rules import SiteRulesSignal
from rejoinder.spam.signals.velocity import VelocitySignal
from rejoinder.spam.submission import Submission, parse_ip
from rejoinder.storage import checks as check_store
from rejoinder.storage import learning as store
from tests.support.world import shown_id

SITE = "https://rules.example"
TEXT = (
    "Our agency offers the best search engine optimisation services for small businesses "
    "in your area, call us today for a free quote and a full website audit"
)


def sub(**fields: str) -> Submission:
    return Submission.from_fields({"user_ip": "203.0.113.9", **fields}, site=SITE)


def test_reputation_decays_and_is_smoothed(services: Services) -> None:
    clock = [2_000_000_000.0]
    rep = ReputationStore(services.db, now=lambda: clock[0])
    signal = ReputationSignal(rep, services.hasher)
    s = sub(comment_author_email="bad@spam.example")
    keys = [k for k in keys_for(s, services.hasher) if k.kind.value == "email"]
    with services.db.begin() as conn:
        store.add_reputation(conn, ReputationStore.deltas(keys, Label.SPAM, clock[0]) * 3, clock[0])
    rep.load()
    fresh = {h.symbol: h.score for h in signal.evaluate(s)}
    assert 1.0 < fresh["REPUTATION_EMAIL_SPAM"] <= 2.5
    clock[0] += 180 * 86_400  # one half-life of an e-mail key later
    older = {h.symbol: h.score for h in signal.evaluate(s)}
    assert older["REPUTATION_EMAIL_SPAM"] < fresh["REPUTATION_EMAIL_SPAM"]
    assert abs(rep.counts(keys)[0].spam - 1.5) < 1e-6
    assert weight(keys[0].kind, clock[0]) > 1


def test_reputation_mirror_merges_many_keys() -> None:
    mirror = KeyMirror()
    rows = [(i * 7919, float(i), 0.0, 1e9 + i) for i in range(25_000)]  # past the merge point
    mirror.put(rows)
    got = mirror.get([7919 * 5, 7919 * 24_999, 3])
    assert got == [(5.0, 0.0), (24_999.0, 0.0), (0.0, 0.0)]


def test_reputation_mirror_forgets_keys_past_their_retention() -> None:
    """The same rule as the purge (not updated for N days), applied in memory: base and overlay."""
    mirror = KeyMirror()
    day = 86_400.0
    mirror.load([[(1, 1.0, 0.0, 100 * day), (2, 2.0, 0.0, 10 * day), (3, 3.0, 0.0, 50 * day)]])
    mirror.put([(4, 4.0, 0.0, 5 * day), (5, 5.0, 0.0, 99 * day)])  # recent changes (overlay)
    assert mirror.expire(before_ts=40 * day) == 2
    assert mirror.get([1, 2, 3, 4, 5]) == [
        (1.0, 0.0),
        (0.0, 0.0),
        (3.0, 0.0),
        (0.0, 0.0),
        (5.0, 0.0),
    ]
    assert len(mirror) == 3
    assert mirror.expire(before_ts=40 * day) == 0


def test_velocity_counts_recent_checks_per_site_and_across_sites(services: Services) -> None:
    hasher: Hasher = services.hasher
    now = datetime.now(UTC)
    s = sub(comment_content="The very same text, posted again and again and again.")
    with services.db.begin() as conn:
        for i in range(8):
            site = SITE if i < 4 else f"https://other{i}.example"
            check_store.insert_check(conn, check_store.CheckRecord(
                guid=f"{i:032d}", key_id=None, site_url=site, created_at=now - timedelta(seconds=10 * i),
                is_test=False, comment_type="", author="", email="", author_url="", content="",
                permalink="", ip_hash=None, ip_prefix_hash=hasher.ip_prefix(s.ip), email_hash=None, ua_family="",
                referrer_host="", fingerprint=s.fingerprint, probability=0.1, action="accept",
                hits=[], extra={},
            ))  # fmt: skip
    tracker = VelocityTracker(services.db, hasher)
    tracker.load()
    rates = tracker.rates(s)
    assert (rates.net_site, rates.net_all, rates.text_site, rates.text_all) == (4, 8, 4, 8)
    found = {h.symbol: h.score for h in VelocitySignal(tracker).evaluate(s)}
    assert {"VELOCITY_TEXT_SITE", "VELOCITY_TEXT_ALL"} <= set(found)
    assert sum(found.values()) <= 3.0 + 1e-9
    quiet = tracker.rates(sub(comment_content="something else entirely", user_ip="192.0.2.1"))
    assert quiet.net_site == quiet.text_all == 0


def test_velocity_counts_widget_comments_and_checks_together(services: Services) -> None:
    """Comments posted through the widget or the no-JS form have no check record: velocity reads
    them from the comments table, next to the Akismet checks, in the same windows."""
    from sqlalchemy import update

    from rejoinder.comments.records import Client, NewComment, ThreadRef
    from rejoinder.storage.schema import comments

    services.sites.add_site(SITE)
    net = "203.0.113.9"
    same = "Thank you for this thoughtful article, it changed my mind on the topic."
    posts = [same, same, same, "A different remark, from the same network though."]
    for i, text in enumerate(posts):
        client = Client(parse_ip(f"203.0.113.{10 + i}"), "Mozilla/5.0 Firefox/130.0")
        services.comments.submit(NewComment(ThreadRef(SITE, "t1"), text, author="A"), client)
    s = sub(comment_content=same, user_ip=net)
    with services.db.begin() as conn:  # one Akismet check from the network, on another site
        check_store.insert_check(conn, check_store.CheckRecord(
            guid="c" * 32, key_id=None, site_url="https://other.example", created_at=datetime.now(UTC),
            is_test=False, comment_type="", author="", email="", author_url="", content="",
            permalink="", ip_hash=None, ip_prefix_hash=services.hasher.ip_prefix(s.ip), email_hash=None,
            ua_family="", referrer_host="", fingerprint=s.fingerprint, probability=0.1,
            action="accept", hits=[], extra={},
        ))  # fmt: skip
        # a comment stored before comments had fingerprints counts for its network only
        conn.execute(update(comments).where(comments.c.id == 4).values(fingerprint=None))
    tracker = VelocityTracker(services.db, services.hasher)
    tracker.load()
    rates = tracker.rates(s)
    assert (rates.net_site, rates.net_all, rates.text_site, rates.text_all) == (4, 5, 3, 4)
    found = {h.symbol for h in VelocitySignal(tracker).evaluate(s)}
    assert found == {"VELOCITY_TEXT_SITE"}  # 4 < 5 from the network; 1 elsewhere

    for i in range(2):  # later posts are pulled incrementally, by id, within the window
        client = Client(parse_ip(f"203.0.113.{20 + i}"))
        services.comments.submit(NewComment(ThreadRef(SITE, "t2"), f"Later note {i}."), client)
    tracker.sync_seconds = 0
    tracker.refresh_if_due()
    assert tracker.rates(s).net_site == 6
    assert "VELOCITY_NET_SITE" in {h.symbol for h in VelocitySignal(tracker).evaluate(s)}


def test_velocity_of_widget_comments_reaches_the_verdict(services: Services) -> None:
    """Through the engine: after a burst from one network, the next comment carries the hit."""
    import time

    from rejoinder.comments.records import Client, NewComment, ThreadRef

    services.sites.add_site(SITE)
    for i in range(5):
        client = Client(parse_ip(f"198.51.100.{i + 1}"))
        services.comments.submit(
            NewComment(ThreadRef(SITE, "t"), f"Short note number {i}."), client
        )
    time.sleep(0.6)  # the engine's tracker pulls new posts at most every 0.5 s
    posted = services.comments.submit(
        NewComment(ThreadRef(SITE, "t"), "And one more."), Client(parse_ip("198.51.100.99"))
    )
    with services.db.read() as conn:
        from sqlalchemy import select

        from rejoinder.storage.schema import comments

        hits = conn.execute(
            select(comments.c.hits).where(comments.c.id == shown_id(posted))
        ).scalar_one()
    assert "VELOCITY_NET_SITE" in {h["symbol"] for h in hits}


def test_near_duplicates_spam_and_ham(services: Services) -> None:
    index = NearDuplicateIndex(services.db)
    signal = CampaignSignal(index)
    reworded = TEXT.replace("best", "finest").replace("today", "now")
    sig = signature(TEXT)
    assert sig is not None
    with services.db.begin() as conn:
        store.upsert_near_duplicate(conn, "a" * 32, sig.astype("<u4").tobytes(), "spam", SITE, 1e10)
    index.load()  # created in the future: within the TTL
    hits = signal.evaluate(sub(comment_content=reworded))
    low, high = campaigns_signal.SPAM_SCORE
    assert [h.symbol for h in hits] == ["NEAR_DUPLICATE_SPAM"] and low <= hits[0].score <= high
    assert (
        signal.evaluate(
            sub(
                comment_content="A completely different remark about the weather in May and June here"
            )
        )
        == []
    )
    assert signal.evaluate(sub(comment_content="too short")) == []
    with services.db.begin() as conn:
        store.upsert_near_duplicate(conn, "a" * 32, b"", "ham", SITE, 1e10)  # relabelled
    index.load()
    assert [h.symbol for h in signal.evaluate(sub(comment_content=reworded))] == [
        "NEAR_DUPLICATE_HAM"
    ]


def random_spam_rows(rng: np.random.Generator, first: int, end: int) -> list[store.NearDupRow]:
    """Spam items with ids ``first``…``end - 1`` and random signatures (unlike any text)."""
    return [
        store.NearDupRow(i, f"{i:032d}", rng.integers(0, 2**32, 48, dtype=np.uint64).astype("<u4").tobytes(),
                         "spam", SITE, 1e10)
        for i in range(first, end)
    ]  # fmt: skip


def test_near_duplicate_index_finds_one_among_many(services: Services) -> None:
    index = NearDuplicateIndex(services.db)
    rows = random_spam_rows(np.random.default_rng(1), 1, 6000)
    sig = signature(TEXT)
    assert sig is not None
    rows.append(store.NearDupRow(6000, "x" * 32, sig.astype("<u4").tobytes(), "spam", SITE, 1e10))
    index.add_rows(rows)  # past the merge point: built into the banded arrays
    assert len(index) == 6000
    matches = index.query(sig)
    assert len(matches) == 1 and matches[0].similarity == 1.0


def test_recent_items_are_found_by_band_not_by_scanning(services: Services) -> None:
    """Items not yet merged are looked up like the base (shared band keys): the target among
    3000 recent random items is found, and its reworded near-duplicate too."""
    index = NearDuplicateIndex(services.db)
    noise = random_spam_rows(np.random.default_rng(2), 1, 3000)
    index.add_rows(noise)
    sig = signature(TEXT)
    assert sig is not None
    assert index.query(sig) == []
    index.add_rows(
        [store.NearDupRow(5000, "t" * 32, sig.astype("<u4").tobytes(), "ham", SITE, 1e10)]
    )
    assert len(index) == 3000  # still below the merge point: all recent
    (match,) = index.query(sig)
    assert match.label is Label.HAM and match.similarity == 1.0
    reworded = signature(TEXT.replace("today", "this week"))
    assert reworded is not None
    assert [m.label for m in index.query(reworded)] == [Label.HAM]


def test_site_rules_block_and_allow(services: Services) -> None:
    services.sites.add_site(SITE)
    for kind, value, effect in (
        (RuleKind.EMAIL, "@spam.example", RuleEffect.BLOCK),
        (RuleKind.EMAIL, "friend@mail.example", RuleEffect.ALLOW),
        (RuleKind.IP, "198.51.100.0/24", RuleEffect.BLOCK),
        (RuleKind.URL, "casino.example", RuleEffect.BLOCK),
        (RuleKind.URL, "docs.example/spam/*", RuleEffect.BLOCK),
        (RuleKind.WORD, "payday loan", RuleEffect.BLOCK),
    ):
        services.rules.add(SITE, kind, value, effect)
    signal = SiteRulesSignal(RuleCache(services.db, ttl_seconds=0))

    def run(**fields: str) -> list[str]:
        return [h.symbol for h in signal.evaluate(sub(**fields))]

    assert run(comment_content="hello") == []
    assert run(comment_author_email="x@mx.spam.example") == ["SITE_BLOCKED_EMAIL"]
    assert run(comment_author_email="friend@mail.example") == ["SITE_ALLOWED_EMAIL"]
    assert run(user_ip="198.51.100.77") == ["SITE_BLOCKED_IP"]
    assert run(user_ip="2001:db8::1") == []
    assert run(comment_content="see https://www.casino.example/x") == ["SITE_BLOCKED_URL"]
    assert run(comment_content="see https://docs.example/spam/page") == ["SITE_BLOCKED_URL"]
    assert run(comment_content="see https://docs.example/ham/page") == []
    assert run(comment_content="Get a PAYDAY  loan now") == ["SITE_BLOCKED_WORD"]
    assert run(comment_content="Get a pаyday loan now") == ["SITE_BLOCKED_WORD"]  # Cyrillic а
    assert run(comment_content="paydayloans") == []  # whole words only


def test_expired_near_duplicates_are_ignored_and_purged(services: Services) -> None:
    sig = signature(TEXT)
    assert sig is not None
    with services.db.begin() as conn:
        store.upsert_near_duplicate(
            conn, "b" * 32, sig.astype("<u4").tobytes(), "spam", SITE, 1000.0
        )
    index = NearDuplicateIndex(services.db, ttl_days=90)
    index.load()
    assert len(index) == 0  # ignored at once
    index.purge()  # and deleted by the maintenance that runs at start and before learning
    with services.db.read() as conn:
        assert list(store.iter_near_duplicates(conn, created_after=0.0)) == []


def test_site_rules_decide_the_action_whatever_the_scores(services: Services) -> None:
    """A moderator's block files even a model-approved text as spam; an allow accepts even
    blatant spam; a comment matching both waits for a moderator."""
    services.sites.add_site(SITE)
    services.rules.add(SITE, RuleKind.EMAIL, "@blocked.example", RuleEffect.BLOCK)
    services.rules.add(SITE, RuleKind.EMAIL, "friend@mail.example", RuleEffect.ALLOW)
    services.rules.add(SITE, RuleKind.WORD, "council", RuleEffect.ALLOW)
    polite = "An interesting take on the budget, though I think the numbers are off."
    spam = "WINNER!! You have won a cash prize, call 09061701461 now http://bit.ly/3xfree"
    check = services.engine.check
    assert check(sub(comment_content=polite)).action is Action.ACCEPT
    blocked = check(sub(comment_content=polite, comment_author_email="a@blocked.example"))
    assert blocked.action is Action.SPAM and "SITE_BLOCKED_EMAIL" in blocked.symbols()
    assert check(sub(comment_content=spam)).action in (Action.SPAM, Action.DISCARD)
    allowed = check(sub(comment_content=spam, comment_author_email="friend@mail.example"))
    assert allowed.action is Action.ACCEPT
    both = check(
        sub(comment_content="the council " + polite, comment_author_email="a@blocked.example")
    )
    assert both.action is Action.HOLD


def test_a_filled_honeypot_files_even_a_model_approved_text_as_spam(services: Services) -> None:
    """Only a bot fills the hidden field: the verdict must not depend on how the text scores
    (a bare "hi" scores far below any threshold). A moderator's allow makes it wait instead."""
    services.sites.add_site(SITE)
    services.rules.add(SITE, RuleKind.EMAIL, "friend@mail.example", RuleEffect.ALLOW)
    trap = {"honeypot_field_name": "hp_extra", "hp_extra": "http://bot.example"}
    check = services.engine.check
    for text in ("hi", "An interesting take on the budget, though I think the numbers are off."):
        assert check(sub(comment_content=text)).action is Action.ACCEPT
        caught = check(sub(comment_content=text, **trap))
        assert caught.action is Action.SPAM and "HONEYPOT_FILLED" in caught.symbols()
        wordpress = check(sub(comment_content=text, POST_ak_hp_textarea="x"))
        assert wordpress.action is Action.SPAM
        friend = check(
            sub(comment_content=text, comment_author_email="friend@mail.example", **trap)
        )
        assert friend.action is Action.HOLD
