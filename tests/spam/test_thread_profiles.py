"""What earlier accepted comments on an article said counts as the article's words for the
topicality signal (``spam/learning/profiles.py``), and goes with the records it came from.

Real services on a real SQLite file: Akismet checks through ``CheckService``, widget comments
through ``CommentService``, moderator decisions, retention and erase as they run in the server.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from rejoinder.comments.records import NewComment, Posted, ThreadRef
from rejoinder.core.records.moderation import Actor, Decision, Role
from rejoinder.core.records.verdict import Action, Label, Verdict
from rejoinder.services import Services
from rejoinder.settings.privacy import ErasureMode
from rejoinder.sites.service import KeyInfo
from rejoinder.spam.learning import profiles
from rejoinder.spam.learning.profiles import ThreadProfiles, thread_path
from rejoinder.spam.signals.topicality import OffTopicSignal
from rejoinder.spam.submission import Submission
from rejoinder.storage.db import Database
from rejoinder.storage.schema import thread_words
from tests.support.checks import check
from tests.support.timing import best_of
from tests.support.world import Clock, make_services, reader, shown_id

BLOG = "https://blog.example.com"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:130.0) Gecko/20100101 Firefox/130.0"
READERS = (  # what readers of a pandas post said
    "Your groupby example fails on pandas 2.1 when the column has missing values.",
    "Is there a way to do the same grouping with polars? The pandas version is slow for me.",
    "The aggregation part finally made sense to me, after three other attempts.",
)
OFF_TOPIC = "Thanks for sharing, very informative! <a href='https://www.cheapflights-deals.com/'>cheap flights</a>"
ON_TOPIC = "For big frames try polars instead: https://pola.rs/"


@dataclasses.dataclass
class World:
    services: Services
    key: KeyInfo
    clock: Clock

    def check(self, content: str, permalink: str, email: str = "") -> tuple[str, Verdict]:
        fields = {
            "blog": BLOG, "permalink": permalink, "comment_content": content,
            "comment_author": "A Reader", "comment_author_email": email,
            "user_ip": "198.51.100.7", "user_agent": BROWSER, "referrer": permalink,
        }  # fmt: skip
        result = check(self.services, self.key, fields)
        return result.guid, result.verdict

    def prime(self, permalink: str, count: int = 3, email: str = "") -> list[str]:
        guids = []
        for text in READERS[:count]:
            guid, verdict = self.check(text, permalink, email)
            assert verdict.action is Action.ACCEPT, (text, verdict)
            guids.append(guid)
        return guids

    def rows(self, **where: object) -> int:
        query = select(func.count()).select_from(thread_words)
        for column, value in where.items():
            query = query.where(thread_words.c[column] == value)
        with self.services.db.read() as conn:
            return int(conn.execute(query).scalar_one())


def post(services: Services, text: str, url: str, email: str = "") -> Posted:
    new = NewComment(ThreadRef(BLOG, url=url), text, author="A Reader", email=email)
    return services.comments.submit(new, reader("203.0.113.9", BROWSER))


def off_topic(verdict: Verdict) -> bool:
    return any(h.symbol == "OFF_TOPIC_LINK" for h in verdict.hits)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    clock = Clock()
    services = make_services(tmp_path, (BLOG,), clock, comment_rate_limit="0")
    key = services.sites.lookup(services.sites.create_key([BLOG]))
    assert key is not None
    yield World(services, key, clock)
    services.db.dispose()


def test_akismet_path_fires_only_off_the_threads_topic_and_follows_reports(world: World) -> None:
    post = BLOG + "/?p=42"  # a plain permalink and no title: the article's words are unknown
    assert not off_topic(world.check(OFF_TOPIC, BLOG + "/?p=41")[1])  # no profile: as before
    guids = world.prime(post)
    assert world.rows() == 3  # one row per accepted comment, no text
    _, verdict = world.check(OFF_TOPIC, post)
    (hit,) = [h for h in verdict.hits if h.symbol == "OFF_TOPIC_LINK"]
    assert "what readers said under it" in hit.detail
    assert not off_topic(world.check(ON_TOPIC, post)[1])  # "polars", as a reader said
    assert world.rows() == 4  # the accepted on-topic comment joined the profile
    # a submit-spam on an accepted check takes its words out of the thread
    fields = {"blog": BLOG, "guid": guids[0], "comment_content": READERS[0]}
    world.services.checks.submit(world.key, fields, Label.SPAM)
    assert world.rows(check_guid=guids[0]) == 0


def test_two_accepted_comments_are_not_a_profile_three_are(world: World) -> None:
    post = BLOG + "/?p=43"
    world.prime(post, count=2)
    assert not off_topic(world.check(OFF_TOPIC, post)[1])
    # the third accepted comment makes it one, at once (this process drops its cached answer)
    _, verdict = world.check(READERS[2], post)
    assert verdict.action is Action.ACCEPT
    assert off_topic(world.check(OFF_TOPIC, post)[1])


def test_a_thread_keeps_its_newest_comments_only(world: World) -> None:
    post = BLOG + "/archives/7"
    signal_state = world.services.engine.state
    assert signal_state is not None and signal_state.profiles is not None
    rows = [
        signal_state.profiles.words(BLOG, post, f"reader {i} mentions topic{i}")
        for i in range(profiles.KEEP + 5)
    ]
    from rejoinder.storage import thread_words as store

    with world.services.db.begin() as conn:
        for row in rows:
            assert row is not None
            store.add(conn, [dataclasses.replace(row, comment_id=None)], profiles.KEEP)
    assert world.rows() == profiles.KEEP


def test_widget_comments_count_while_published(world: World) -> None:
    services = world.services
    posted = [post(services, text, BLOG + "/?p=7") for text in READERS]
    assert all(p.published for p in posted), [p.status for p in posted]
    ids = [shown_id(p) for p in posted if p.comment is not None]
    assert world.rows() == 3
    # an Akismet check on the same article now reads what the widget's readers said
    assert off_topic(world.check(OFF_TOPIC, BLOG + "/?p=7")[1])
    boss, _ = services.auth.add("boss@example.com", "a long password 123", None, Role.ADMIN)
    services.moderation.decide(Actor(boss), [ids[0]], Decision.SPAM)
    assert world.rows(comment_id=ids[0]) == 0
    services.moderation.decide(Actor(boss), [ids[0]], Decision.NOT_SPAM)
    assert world.rows(comment_id=ids[0]) == 1  # published again by a moderator
    token = posted[1].token
    assert token is not None
    client = reader("203.0.113.9", BROWSER)
    services.comments.edit(ids[1], token, "Edited: now it says something else.", client)
    assert world.rows(comment_id=ids[1]) == 0  # an edited comment no longer counts


def test_retention_and_erase_remove_the_rows(world: World) -> None:
    services = world.services
    world.prime(BLOG + "/?p=50", email="ann@example.org")
    world.prime(BLOG + "/?p=51", email="bob@example.org")
    mine = post(services, READERS[0], BLOG + "/t", email="ann@example.org")
    theirs = post(services, READERS[1], BLOG + "/t")
    assert mine.published and theirs.published and world.rows() == 8
    ann = services.privacy.key_for("ann@example.org")
    exported = services.privacy.export(ann)["records"]["thread_words"]
    assert len(exported) == 4 and all("stems" in row for row in exported)
    # anonymise mode keeps the texts, but they stop counting for the topicality signal
    anonymise = dataclasses.replace(
        services.privacy,
        config=dataclasses.replace(services.privacy.config, erase_mode=ErasureMode.ANONYMISE),
    )
    report = anonymise.erase(ann)
    assert report.counts["thread_words"] == 4
    assert world.rows() == 4  # bob's three checks and the other reader's comment
    # retention: rows from checks go with the check records; published comments' rows stay
    world.clock.advance(timedelta(days=services.settings.retention_check_days + 1).total_seconds())
    services.retention.purge()
    assert world.rows() == 1 and world.rows(comment_id=shown_id(theirs)) == 1


def test_erase_in_delete_mode_removes_the_rows(world: World) -> None:
    world.prime(BLOG + "/?p=60", email="cat@example.org")
    world.prime(BLOG + "/?p=61", count=1, email="dan@example.org")
    report = world.services.privacy.erase(world.services.privacy.key_for("cat@example.org"))
    assert report.counts["thread_words"] == 3
    assert world.rows() == 1


BAD = [
    ("", "", OFF_TOPIC),
    (BLOG, "://", OFF_TOPIC),
    (BLOG, "https://" + "x" * 5_000 + "/p", OFF_TOPIC),
    (BLOG, BLOG + "/?p=9#\x00\ufffd", "🎉" * 1_000 + " https://elsewhere.example/"),
    (BLOG, BLOG + "/?p=9", " ".join(f"word{i:04d}x" for i in range(2_000)) + " https://a.example"),
]


def test_bad_input_never_raises_and_stays_fast(world: World) -> None:
    state = world.services.engine.state
    assert state is not None and state.profiles is not None
    signal = OffTopicSignal(state.profiles)
    world.prime(BLOG + "/?p=9")  # a profile to compare with
    for site, permalink, content in BAD:
        sub = Submission.from_fields(
            {"blog": site, "permalink": permalink, "comment_content": content}, site=site
        )
        run = best_of(lambda: signal.evaluate(sub), under_ms=50)
        assert isinstance(run.value, list)
        assert run.cpu_ms < 50, (permalink[:40], run.cpu_ms)
        assert state.profiles.words(site, permalink, "") is None  # nothing said: no row


def test_thread_path_names_one_article() -> None:
    same = {
        thread_path(u)
        for u in (BLOG + "/a/", "http://BLOG.example.com/a#c-3", "blog.example.com/a")
    }
    assert same == {"blog.example.com/a"}
    assert thread_path(BLOG + "/?p=1") != thread_path(BLOG + "/?p=2")
    assert thread_path("") == thread_path("   ") == ""


def test_a_database_failure_means_no_profile(tmp_path: Path) -> None:
    services = make_services(tmp_path, (BLOG,))
    state = services.engine.state
    assert state is not None
    empty = Database(f"sqlite:///{tmp_path / 'empty.db'}")  # no tables: every read fails
    try:
        broken = ThreadProfiles(empty, state.hasher, cache_seconds=0)
        sub = Submission.from_fields({"blog": BLOG, "permalink": BLOG + "/?p=1"}, site=BLOG)
        assert broken.profile(BLOG, BLOG + "/?p=1") == profiles.EMPTY
        assert broken.on_topic(sub, {"polar"}) is None
        hits = OffTopicSignal(broken).evaluate(sub)
        assert hits == []  # no article words, no profile: nothing to say
    finally:
        empty.dispose()
        services.db.dispose()


def test_the_event_loop_never_reads_a_profile(world: World) -> None:
    """``decide_cached`` (the event loop's path on SQLite) hands a link comment whose thread
    profile is not cached to the thread pool, as it does a key not cached."""
    fields = {"blog": BLOG, "permalink": BLOG + "/?p=70", "comment_content": OFF_TOPIC,
              "user_ip": "198.51.100.7", "user_agent": BROWSER}  # fmt: skip
    checks = world.services.checks
    checks.decide(world.key, fields)  # caches the site's thresholds and the thread's profile
    assert checks.decide_cached(world.key, fields) is not None
    other = fields | {"permalink": BLOG + "/?p=71"}
    assert checks.decide_cached(world.key, other) is None  # would read: not on the loop
    no_link = other | {"comment_content": "Plain words, no link."}
    assert checks.decide_cached(world.key, no_link) is not None
