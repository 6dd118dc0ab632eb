"""The engine's fail-safe: a failing or slow signal is reported and holds the comment."""

from __future__ import annotations

import time

import pytest
from alembic import command
from sqlalchemy import inspect as sa_inspect

from rejoinder.core.records.verdict import Action, Hit, Thresholds
from rejoinder.services import Services
from rejoinder.spam.engine import NO_PAYLOAD, SIGNAL_ERROR, Engine, EngineConfig
from rejoinder.spam.signals.content import CONTENT_SYMBOL
from rejoinder.spam.submission import Submission
from rejoinder.storage.db import _alembic_config

CONFIG = EngineConfig(Thresholds(0.5, 0.85, 0.995), signal_budget_ms=20)


class Broken:
    name = "broken"

    def evaluate(self, submission: Submission) -> list[Hit]:
        raise RuntimeError("boom")


class Slow:
    name = "slow"

    def evaluate(self, submission: Submission) -> list[Hit]:
        time.sleep(0.05)
        return []


class Wording:
    """The content model's opinion, made confident: these words read like spam."""

    name = "content"

    def evaluate(self, submission: Submission) -> list[Hit]:
        return [Hit(CONTENT_SYMBOL, 12.0, "Reads like spam.")]


class Topic:
    name = "topics"

    def evaluate(self, submission: Submission) -> list[Hit]:
        return [Hit("SPAM_TOPIC", 3.0, "Names a spam trade.")]


def test_words_alone_without_a_payload_hold_instead_of_filing() -> None:
    """ "Please make a video on this topic" read like YouTube spam and was filed: nothing in it
    is anything a spammer gains from, so at most a moderator looks at it."""
    engine = Engine(CONFIG, signals=[Wording()])
    verdict = engine.check(Submission(content="Please make a video on this topic."))
    assert verdict.probability > 0.995
    assert verdict.action is Action.HOLD and not verdict.is_spam
    assert verdict.symbols() == [CONTENT_SYMBOL, NO_PAYLOAD]
    assert "held for a moderator" in verdict.hits[-1].detail


@pytest.mark.parametrize(
    "submission",
    [
        Submission(content="Please make a video on this topic.", author_url="https://x.example"),
        Submission(content="Please make a video, then visit https://x.example"),
        Submission(content="Please subscribe to my channel."),
        Submission(content="Call 1-800-555-0199 for a video."),
    ],
)
def test_words_with_a_payload_are_filed(submission: Submission) -> None:
    verdict = Engine(CONFIG, signals=[Wording()]).check(submission)
    assert verdict.is_spam and NO_PAYLOAD not in verdict.symbols()


class Sent:
    """How the comment was sent, not what it carries: no user agent, no referrer."""

    name = "client"

    def evaluate(self, submission: Submission) -> list[Hit]:
        return [Hit("UA_MISSING", 0.6, "No user agent."), Hit("REFERRER_MISSING", 0.3, "-")]


def test_how_a_comment_was_sent_is_no_payload() -> None:
    """The issue's demo reply sent without a user agent was filed: still words alone."""
    verdict = Engine(CONFIG, signals=[Wording(), Sent()]).check(Submission(content="Thanks!"))
    assert verdict.action is Action.HOLD and NO_PAYLOAD in verdict.symbols()


def test_words_with_other_evidence_are_filed() -> None:
    verdict = Engine(CONFIG, signals=[Wording(), Topic()]).check(Submission(content="Nice video"))
    assert verdict.is_spam and NO_PAYLOAD not in verdict.symbols()


def test_a_failing_signal_holds_instead_of_publishing() -> None:
    verdict = Engine(CONFIG, signals=[Broken()]).check(Submission(content="hello"))
    assert verdict.action is Action.HOLD
    assert verdict.symbols() == [SIGNAL_ERROR]
    assert "broken" in verdict.hits[0].detail


def test_a_slow_signal_is_reported() -> None:
    verdict = Engine(CONFIG, signals=[Slow()]).check(Submission(content="hello"))
    assert verdict.action is Action.HOLD and verdict.symbols() == [SIGNAL_ERROR]


def test_a_clean_comment_is_published(services: Services) -> None:
    sub = Submission.from_fields({
        "blog": "https://b.example", "user_ip": "192.0.2.1", "comment_author": "Ann",
        "comment_author_email": "ann@example.org", "referrer": "https://b.example/post",
        "user_agent": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
        "comment_content": "Thanks, the second example finally made closures click for me.",
        "blog_lang": "en_US",
    })  # fmt: skip
    verdict = services.engine.check(sub)
    assert verdict.action is Action.ACCEPT
    assert verdict.symbols() == ["CONTENT_MODEL"] and verdict.hits[0].score < 0


def test_migration_0002_downgrades_and_upgrades(services: Services) -> None:
    assert services.db.current_revision() == services.db.head_revision()
    with services.db.engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "0006")  # the revision 0002 builds on
    assert "reputation" not in sa_inspect(services.db.engine).get_table_names()
    services.db.upgrade()
    assert "reputation" in sa_inspect(services.db.engine).get_table_names()
    assert services.db.current_revision() == services.db.head_revision()
