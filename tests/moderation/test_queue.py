"""Queues, search, decisions and the learning loop, on a real SQLite file."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from rejoinder.core.records.comments import Status
from rejoinder.core.records.moderation import Actor, Decision, Queue
from rejoinder.core.records.verdict import Action, Label
from rejoinder.errors import Conflict, Forbidden, ValidationFailed
from rejoinder.moderation.queue import Filters
from rejoinder.spam.labels import RecordedLabel
from rejoinder.storage import comments as comment_store
from rejoinder.storage.schema import feedback, moderation_log, threads
from tests.moderation.conftest import SITE_A, SITE_B, World
from tests.support.world import shown_id


@pytest.fixture
def learned(world: World) -> list[tuple[str, Label, int]]:
    """Every label handed to the learners, recorded by one more subscriber."""
    calls: list[tuple[str, Label, int]] = []

    class Recorder:
        def on_labels(self, labels: Sequence[RecordedLabel]) -> None:
            calls.extend((r.submission.content, r.label, r.feedback_id) for r in labels)

    world.services.labels.subscribe(Recorder())
    return calls


def status_of(world: World, comment_id: int) -> Status:
    with world.services.db.read() as conn:
        found = comment_store.comment_by_id(conn, comment_id)
    assert found is not None
    return found.comment.status


def feedback_rows(world: World) -> list[tuple[str, str, str]]:
    with world.services.db.read() as conn:
        rows = conn.execute(select(feedback.c.label, feedback.c.source, feedback.c.site_url))
        return [tuple(r) for r in rows]  # type: ignore[misc]


def test_pending_queue_lists_held_comments_with_reasons_newest_first(world: World) -> None:
    first = world.held("First held one")
    second = world.held("Second held one with many links " + " ".join(
        f"http://l{i}.example" for i in range(6)))  # fmt: skip
    world.post("Published, not in the queue")
    page = world.services.moderation.queue(world.admin, Queue.PENDING, Filters())
    assert [i.id for i in page.items] == [second, first]
    assert page.counts[Queue.PENDING] == 2
    links = page.items[0]
    assert any(h["symbol"] == "LINKS_MANY" and "links" in h["detail"] for h in links.hits)
    assert links.probability is not None and links.ip_network == "203.0.113.0/24"


def test_search_by_text_author_email_thread_date_signal_and_site(world: World) -> None:
    m = world.services.moderation
    a = world.held("Cheap watches for sale", author="Watch Seller", email="seller@spam.example")
    b = world.held("A thoughtful reply about gardens", author="Gardener", thread="gardening")
    c = world.held("links " + " ".join(f"http://x{i}.example" for i in range(5)), author="Linker")
    world.clock.advance(3 * 86400)
    d = world.held("Later comment about watches", author="Someone")
    other = world.held("Cheap watches on site B", site=SITE_B)

    def ids(**kw: object) -> list[int]:
        return [i.id for i in m.queue(world.boss, Queue.PENDING, Filters(**kw)).items]  # type: ignore[arg-type]

    assert ids(text="watches") == [other, d, a]
    assert ids(text="cheap watches", site_id=world.site_id(SITE_A)) == [a]
    assert ids(text="WATCHES later") == [d]
    assert ids(author="watch") == [a]  # prefix of a word in the name
    assert ids(email="Seller@spam.example") == [a]
    assert ids(thread="gardening") == [b]
    day = world.clock.now.replace(hour=0, minute=0)
    assert ids(since=day) == [other, d]
    assert ids(until=day) == [c, b, a]
    assert ids(symbol="LINKS_MANY") == [c]
    assert ids(text="nothing-matches-this") == []
    assert ids(text='" OR 1=1 --') == []  # search syntax is never passed through


def test_queue_pages_with_a_cursor(world: World) -> None:
    made = [world.held(f"held number {i}") for i in range(7)]
    m = world.services.moderation
    m.config = type(m.config)(page_size=5, bulk_max=1000)
    first = m.queue(world.admin, Queue.PENDING, Filters())
    assert [i.id for i in first.items] == made[::-1][:5] and first.next_before == made[2]
    rest = m.queue(world.admin, Queue.PENDING, Filters(before=first.next_before))
    assert [i.id for i in rest.items] == made[::-1][5:] and rest.next_before is None


def test_approve_publishes_and_teaches_ham_once(world: World, learned: list) -> None:  # type: ignore[type-arg]
    cid = world.held("Please publish me")
    m = world.services.moderation
    outcome = m.decide(Actor(world.admin), [cid], Decision.APPROVE)
    assert outcome.changed == [cid] and outcome.learned == 1
    assert status_of(world, cid) is Status.PUBLISHED
    assert feedback_rows(world) == [("ham", "moderator", SITE_A)]
    assert learned == [("Please publish me", Label.HAM, learned[0][2])]
    again = m.decide(Actor(world.boss), [cid], Decision.APPROVE)  # nothing new to learn
    assert again.unchanged == [cid] and again.learned == 0 and len(learned) == 1


def test_spam_then_not_spam_teaches_each_label_once(world: World, learned: list) -> None:  # type: ignore[type-arg]
    cid = shown_id(world.post("A published comment"))
    m = world.services.moderation
    m.decide(Actor(world.admin), [cid], Decision.SPAM)
    assert status_of(world, cid) is Status.SPAM
    m.decide(Actor(world.admin), [cid], Decision.NOT_SPAM)
    assert status_of(world, cid) is Status.PUBLISHED
    m.decide(Actor(world.admin), [cid], Decision.SPAM)
    assert [c[1] for c in learned] == [Label.SPAM, Label.HAM]
    assert sorted(r[0] for r in feedback_rows(world)) == ["ham", "spam"]


def test_delete_teaches_nothing_and_the_author_erased_comment_stays_gone(
    world: World, learned: list
) -> None:  # type: ignore[type-arg]
    m = world.services.moderation
    cid = world.held("To delete")
    assert m.decide(Actor(world.admin), [cid], Decision.DELETE).changed == [cid]
    assert status_of(world, cid) is Status.DELETED and learned == []
    assert m.decide(Actor(world.admin), [cid], Decision.APPROVE).changed == [cid]  # restorable
    posted = world.post("Author deletes this")
    own = shown_id(posted)
    world.services.comments.delete(own, posted.token or "")
    outcome = m.decide(Actor(world.admin), [own], Decision.APPROVE)
    assert outcome.unchanged == [own] and status_of(world, own) is Status.DELETED


def test_every_decision_is_in_the_comment_history(world: World) -> None:
    m = world.services.moderation
    cid = world.held("Decide me")
    m.decide(Actor(world.admin), [cid], Decision.SPAM)
    world.clock.advance(60)
    m.decide(Actor(world.boss), [cid], Decision.NOT_SPAM)
    _item, log = m.comment(world.boss, cid)
    assert [(e.actor, e.action, e.from_status, e.to_status) for e in log] == [
        ("admin@a.example.com", "spam", "pending", "spam"),
        ("boss@example.com", "not_spam", "spam", "published"),
    ]
    assert log[1].created_at - log[0].created_at == timedelta(seconds=60)


def test_decisions_bump_the_thread_version_that_keys_the_read_cache(world: World) -> None:
    cid = world.held("Version bump")
    with world.services.db.read() as conn:
        before = conn.execute(select(threads.c.version)).scalar_one()
    world.services.moderation.decide(Actor(world.admin), [cid], Decision.APPROVE)
    with world.services.db.read() as conn:
        assert conn.execute(select(threads.c.version)).scalar_one() == before + 1


def test_a_moderator_of_site_b_cannot_touch_site_a(world: World) -> None:
    m = world.services.moderation
    on_a = world.held("On site A")
    on_b = world.held("On site B", site=SITE_B)
    with pytest.raises(Forbidden):
        m.decide(Actor(world.mod_b), [on_b, on_a], Decision.SPAM)
    assert status_of(world, on_b) is Status.PENDING  # the whole batch was refused
    with pytest.raises(Forbidden):
        m.comment(world.mod_b, on_a)
    with pytest.raises(Forbidden):
        m.queue(world.mod_b, Queue.PENDING, Filters(site_id=world.site_id(SITE_A)))
    with pytest.raises(Forbidden):
        m.edit(Actor(world.mod_b), on_a, "hijacked", "x", "", "")
    seen = m.queue(world.mod_b, Queue.PENDING, Filters())
    assert [i.id for i in seen.items] == [on_b]


def test_bulk_over_the_cap_is_refused_clearly(world: World) -> None:
    with pytest.raises(ValidationFailed, match="at most 1000"):
        world.services.moderation.decide(Actor(world.boss), list(range(1, 1002)), Decision.SPAM)
    with pytest.raises(ValidationFailed, match="at least one"):
        world.services.moderation.decide(Actor(world.boss), [], Decision.SPAM)
    with pytest.raises(ValidationFailed):
        world.services.moderation.decide(Actor(world.boss), [1], Decision.EDIT)


def test_bulk_reports_missing_ids(world: World) -> None:
    cid = world.held("exists")
    outcome = world.services.moderation.decide(Actor(world.boss), [cid, 999_999], Decision.SPAM)
    assert outcome.changed == [cid] and outcome.missing == [999_999]


def test_concurrent_moderators_last_decision_wins_nothing_learned_twice(
    world: World,
    learned: list,  # type: ignore[type-arg]
) -> None:
    m = world.services.moderation
    ids = [world.held(f"contested {i}") for i in range(20)]
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def act(actor: Actor, decision: Decision) -> None:
        barrier.wait()
        try:
            for _ in range(3):
                m.decide(actor, ids, decision)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    workers = [
        threading.Thread(target=act, args=(Actor(world.admin), Decision.SPAM)),
        threading.Thread(target=act, args=(Actor(world.boss), Decision.SPAM)),
        threading.Thread(target=act, args=(Actor(world.admin), Decision.APPROVE)),
        threading.Thread(target=act, args=(Actor(world.boss), Decision.APPROVE)),
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert errors == []
    with world.services.db.read() as conn:
        last = {
            r[0]: r[1]
            for r in conn.execute(
                select(moderation_log.c.comment_id, moderation_log.c.to_status).order_by(
                    moderation_log.c.id
                )
            )
        }
        per_label = dict(
            conn.execute(select(feedback.c.label, func.count()).group_by(feedback.c.label)).all()
        )
    for cid in ids:  # the state is what the last logged decision said
        assert status_of(world, cid).value == last[cid]
    assert per_label == {"spam": 20, "ham": 20}  # each label once per comment
    assert len(learned) == 40 and len({(c, lab) for c, lab, _ in learned}) == 40


def test_moderator_edit_is_sanitized_like_a_new_comment(world: World) -> None:
    cid = world.held("original")
    item = world.services.moderation.edit(
        Actor(world.admin), cid, "<script>alert(1)</script> [x](javascript:alert(1)) **ok**",
        '<img src=x onerror=alert(1)>', "who@example.com",
        "http://x.com/?'onmouseover='alert(1)'x='",
    )  # fmt: skip
    assert "<script" not in item.html and 'href="javascript' not in item.html
    assert "<strong>ok</strong>" in item.html
    with world.services.db.read() as conn:
        stored = comment_store.comment_by_id(conn, cid)
    assert stored is not None
    assert "<img" not in stored.comment.author_html and "&lt;img" in stored.comment.author_html
    assert "'onmouseover" not in stored.comment.author_html
    assert "&#x27;onmouseover=&#x27;" in stored.comment.author_html
    assert stored.email == "who@example.com"
    with pytest.raises(ValidationFailed):
        world.services.moderation.edit(Actor(world.admin), cid, "x" * 10_001, "", "", "")
    with pytest.raises(ValidationFailed):
        world.services.moderation.edit(Actor(world.admin), cid, "fine", "", "", "javascript:x")
    _i, log = world.services.moderation.comment(world.admin, cid)
    assert log[-1].action == "edit" and set(log[-1].detail["changed"]) >= {"text", "author"}


def test_edit_of_an_author_erased_comment_is_a_conflict(world: World) -> None:
    posted = world.post("will be erased")
    cid = shown_id(posted)
    world.services.comments.delete(cid, posted.token or "")
    with pytest.raises(Conflict):
        world.services.moderation.edit(Actor(world.admin), cid, "new text", "", "", "")


def test_marking_spam_teaches_the_engine_to_catch_a_near_duplicate(world: World) -> None:
    text = ("Hello friends, I earn 500 dollars a day working from home with this simple trick, "
            "ask me how on my profile, it changed my life and it can change yours too")  # fmt: skip
    first = world.post(text, author="Jenny", ip="198.51.100.20")
    assert first.status is Status.PUBLISHED, "the first copy looks innocent enough"
    world.services.moderation.decide(Actor(world.admin), [shown_id(first)], Decision.SPAM)
    again = world.post(text.replace("500", "700").replace("friends", "folks"), author="Jen",
                       ip="192.0.2.44", thread="another-post")  # fmt: skip
    assert again.status is Status.PENDING  # held or filed as spam (the author sees "pending")
    item, _ = world.services.moderation.comment(world.admin, shown_id(again))
    assert item.status in (Status.PENDING, Status.SPAM)
    assert any("NEAR_DUPLICATE" in h["symbol"] for h in item.hits)


def test_a_bulk_spam_decision_teaches_every_comment_in_one_go(world: World) -> None:
    texts = [f"Visit my page number {i} for cheap replica watches and handbags, best prices in town "
             f"guaranteed, write me today, offer {i} ends soon" for i in range(3)]  # fmt: skip
    ids = [
        shown_id(world.post(t, author=f"Seller {i}", ip=f"198.51.{i}.20"))
        for i, t in enumerate(texts)
    ]
    outcome = world.services.moderation.decide(Actor(world.admin), ids, Decision.SPAM)
    assert outcome.learned == 3
    copy_text = texts[2].replace("town", "the city")
    copy = world.post(copy_text, author="S", ip="192.0.2.99", thread="t2")
    assert copy.status is Status.PENDING  # held, filed or discarded: the author sees "pending"
    verdict = world.services.checks.evaluate(
        {"blog": SITE_A, "user_ip": "192.0.2.99", "comment_author": "S",
         "comment_content": copy_text}
    )  # fmt: skip
    assert verdict.action in (Action.HOLD, Action.SPAM, Action.DISCARD)
    assert "NEAR_DUPLICATE_SPAM" in verdict.symbols()
    with world.services.db.read() as conn:
        unlearned = conn.execute(
            select(func.count()).select_from(feedback).where(feedback.c.learned_at.is_(None))
        ).scalar_one()
    assert unlearned == 0  # every recorded label was marked learned (nothing left to replay)
