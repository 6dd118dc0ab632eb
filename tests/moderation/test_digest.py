"""The daily digest in process on a real SQLite file and the development outbox: sent once a
day from the digest hour to moderators with mail on, with yesterday's counts, what waits, and
signed one-click links that act once, through the moderator's own role, and expire."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from rejoinder.core.records.comments import Disposition, Status
from rejoinder.core.records.moderation import Decision, NotifyMode
from rejoinder.errors import Forbidden, LinkExpired, LinkInvalid
from rejoinder.notify.digest_text import TEXT
from rejoinder.storage import comments as comment_store
from tests.moderation.conftest import SITE_A, World, make_world
from tests.support.world import Clock

LINK = re.compile(r"(Approve|Spam|Not spam \(publish\)): \S+/notify/act/(\S+)")


@pytest.fixture
def world(tmp_path: Path, clock: Clock) -> Iterator[World]:
    clock.now = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
    made = make_world(tmp_path, clock, daily_digest_hour="7")
    made.services.auth.set_notify("admin@a.example.com", NotifyMode.DIGEST)
    yield made
    made.services.db.dispose()


def mails(world: World) -> list[tuple[str, str, str]]:
    found = []
    for path in sorted((world.settings.data_dir / "outbox").glob("*.eml")):
        mail = message_from_bytes(path.read_bytes(), policy=policy.default)
        if "digest" in str(mail["Subject"]).lower():
            found.append((str(mail["To"]), str(mail["Subject"]), mail.get_content()))  # type: ignore[attr-defined]
    return found


def status(world: World, comment_id: int) -> Status:
    with world.services.db.read() as conn:
        stored = comment_store.comment_by_id(conn, comment_id)
    assert stored is not None
    return stored.comment.status


def test_sent_once_a_day_with_counts_and_links_that_act_once(world: World) -> None:
    held = world.held("Please look at this one, held by the policy")
    comments = world.services.comments
    policy_a = comments.policy(world.site_id(SITE_A))
    comments.set_policy(SITE_A, replace(policy_a, on_spam=Disposition.SPAM))
    world.post("cheap pills", author="akismet-guaranteed-spam")
    comments.set_policy(SITE_A, policy_a)
    notifier = world.services.notifier
    notifier.deliver_due()
    assert mails(world) == []  # before the digest hour
    world.clock.now += timedelta(days=1, minutes=70)  # 07:10 the next day
    notifier.deliver_due()
    notifier.deliver_due()  # a second round the same day sends nothing more
    (sent,) = mails(world)
    to, subject, body = sent
    assert to == "admin@a.example.com"  # the others have mail off
    assert subject == "[rejoinder] Daily digest for 2026-03-01: 1 waiting"
    assert f"{SITE_A}: 0 published, 1 held, 1 filed as spam, 0 discarded" in body
    links = {(kind, m) for kind, m in LINK.findall(body)}
    assert {kind for kind, _ in links} == {"Approve", "Spam", "Not spam (publish)"}
    approve = next(token for kind, token in links if kind == "Approve")
    assert approve.startswith(f"{held}-a-{world.admin.id}-")
    assert "Signals that fired most" in body

    actions = world.services.links
    _view, outcome = actions.act(approve)
    assert outcome.changed == [held] and status(world, held) is Status.PUBLISHED
    with pytest.raises(LinkExpired, match="already used"):
        actions.act(approve)  # once
    assert actions.view(approve).used
    spam_link = next(token for kind, token in links if kind == "Spam")
    with pytest.raises(LinkInvalid):
        actions.view(spam_link[:-3] + ("AAA" if not spam_link.endswith("AAA") else "BBB"))
    world.clock.now += timedelta(hours=49)
    with pytest.raises(LinkExpired, match="expired"):
        actions.act(spam_link)  # too late: nothing changes
    assert status(world, held) is Status.PUBLISHED


def test_a_link_stops_working_when_the_role_goes(world: World) -> None:
    held = world.held("Held, then the moderator leaves")
    when = world.clock() + timedelta(hours=1)
    token = world.services.digest.links.make(held, Decision.APPROVE, world.mod_b.id, when)
    with pytest.raises(Forbidden):
        world.services.links.act(token)  # a moderator of site B: not their comment
    assert status(world, held) is Status.PENDING


def test_digest_words_exist_in_every_language() -> None:
    for lang, table in TEXT.items():
        assert set(table) == set(TEXT["en"]), lang
