"""Learning from feedback: durable, idempotent, is_test-proof, shared between workers."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from rejoinder.core.records.verdict import Label
from rejoinder.services import Services, build_services
from rejoinder.settings import Settings, load_settings
from rejoinder.spam.labels import FeedbackSource, Labelled, RecordedLabel
from rejoinder.spam.learning.campaigns import signature
from rejoinder.spam.learning.reputation import KeyKind, keys_for
from rejoinder.spam.learning.state import LearnedState
from rejoinder.spam.submission import Submission
from rejoinder.storage.schema import feedback, learned, near_duplicates, reputation
from tests.conftest import Api
from tests.support.database import migrate

SPAM_TEXT = (
    "Buy cheap replica watches and designer handbags today at the lowest prices, "
    "visit our online store for a huge discount on every single order"
)


def spam_fields(api: Api, **extra: str) -> dict[str, str]:
    return {
        "api_key": api.key, "blog": api.blog, "user_ip": "203.0.113.9",
        "comment_author_email": "seller@shop.example.com", "comment_author_url": "http://shop.example.com",
        "comment_content": SPAM_TEXT + " http://watches.example.org/buy", **extra,
    }  # fmt: skip


def count(services: Services, table: object) -> int:
    with services.db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def symbols(services: Services, fields: dict[str, str]) -> list[str]:
    return services.checks.evaluate(fields).symbols()


def learn(services: Services, sub: Submission, label: Label) -> bool:
    """A label through the one path (recorded, then every learner told); False when it was
    nothing new."""
    return services.labels.teach(Labelled(sub, label), FeedbackSource.MODERATOR) is not None


def test_submit_spam_teaches_reputation_and_the_index(api: Api) -> None:
    assert api.client.post("/1.1/submit-spam", data=spam_fields(api)).status_code == 200
    assert count(api.services, learned) == 1
    assert count(api.services, near_duplicates) == 1
    found = symbols(api.services, spam_fields(api))
    for symbol in ("REPUTATION_IP_SPAM", "REPUTATION_NET_SPAM", "REPUTATION_EMAIL_SPAM",
                   "REPUTATION_AUTHOR_DOMAIN_SPAM", "REPUTATION_LINK_DOMAIN_SPAM",
                   "NEAR_DUPLICATE_SPAM"):  # fmt: skip
        assert symbol in found, symbol
    with api.services.db.read() as conn:
        stored = conn.execute(select(reputation.c.key, reputation.c.kind)).all()
    assert {kind for _, kind in stored} == {k.value for k in KeyKind}
    assert all(isinstance(key, int) for key, _ in stored)  # keyed hashes, never raw values


def test_free_mail_domains_earn_no_reputation(api: Api) -> None:
    """Spam sent from many gmail.com addresses must not make the next gmail.com reader suspect;
    a domain of the spammer's own still earns its reputation."""
    for i in range(6):
        for address in (f"seller{i}@gmail.com", f"seller{i}@cheap-watches.example"):
            fields = spam_fields(api, comment_author_email=address, user_ip=f"198.51.100.{i}")
            fields["comment_content"] = f"{SPAM_TEXT} (offer {i} {address})"
            assert api.client.post("/1.1/submit-spam", data=fields).status_code == 200
    reader = {"api_key": api.key, "blog": api.blog, "user_ip": "192.0.2.44",
              "comment_content": "A fair summary of the council meeting, thank you."}  # fmt: skip
    free = symbols(api.services, {**reader, "comment_author_email": "jane.reader@gmail.com"})
    own = symbols(api.services, {**reader, "comment_author_email": "jane@cheap-watches.example"})
    assert not [s for s in free if s.startswith("REPUTATION_EMAIL_DOMAIN")]
    assert "REPUTATION_EMAIL_DOMAIN_SPAM" in own


def test_a_spammer_on_a_shared_platform_taints_only_their_own_site(api: Api) -> None:
    """Spam from GitHub accounts and wordpress.com blogs must not make every GitHub user or
    wordpress.com blogger suspect; the spammer's own account and blog keep their reputation."""
    for i in range(4):
        for site in (f"https://github.com/seller{i}", f"https://seller{i}.wordpress.com/"):
            fields = spam_fields(api, comment_author_url=site, user_ip=f"198.51.100.{i}",
                                 comment_author_email=f"seller{i}@shop.example.com")  # fmt: skip
            fields["comment_content"] = f"{SPAM_TEXT} (offer {i} {site})"
            assert api.client.post("/1.1/submit-spam", data=fields).status_code == 200
    reader = {"api_key": api.key, "blog": api.blog, "user_ip": "192.0.2.44",
              "comment_content": "A fair summary of the council meeting, thank you."}  # fmt: skip
    for site in ("https://github.com/jane", "https://jane.wordpress.com/"):
        found = symbols(api.services, {**reader, "comment_author_url": site})
        assert not [s for s in found if s.startswith("REPUTATION_AUTHOR_DOMAIN")], site
    for site in ("https://github.com/seller1/other-repo", "https://seller1.wordpress.com/about"):
        found = symbols(api.services, {**reader, "comment_author_url": site})
        assert "REPUTATION_AUTHOR_DOMAIN_SPAM" in found, site


def test_same_content_learned_twice_counts_once(api: Api) -> None:
    api.client.post("/1.1/submit-spam", data=spam_fields(api))
    with api.services.db.read() as conn:
        before = conn.execute(select(reputation.c.key, reputation.c.spam)).all()
    api.client.post("/1.1/submit-spam", data=spam_fields(api, user_ip="198.51.100.1"))
    sub = Submission.from_fields(spam_fields(api), site=api.blog)
    assert learn(api.services, sub, Label.SPAM) is False  # direct call, same content
    with api.services.db.read() as conn:
        after = conn.execute(select(reputation.c.key, reputation.c.spam)).all()
    assert sorted(before) == sorted(after)


def test_is_test_never_trains(api: Api) -> None:
    api.client.post("/1.1/submit-spam", data=spam_fields(api, is_test="1"))
    sub = Submission.from_fields(spam_fields(api, is_test="true"), site=api.blog)
    assert learn(api.services, sub, Label.SPAM) is False
    assert count(api.services, learned) == 0
    assert count(api.services, reputation) == 0


def test_unknown_guid_still_learns_from_the_fields(api: Api) -> None:
    response = api.client.post("/1.1/submit-spam", data=spam_fields(api, guid="f" * 32))
    assert response.status_code == 200
    assert count(api.services, learned) == 1


def test_a_correction_unlearns_the_earlier_label(api: Api) -> None:
    api.client.post("/1.1/submit-spam", data=spam_fields(api))
    api.client.post("/1.1/submit-ham", data=spam_fields(api))
    found = symbols(api.services, spam_fields(api))
    assert "REPUTATION_IP_SPAM" not in found
    assert "REPUTATION_IP_HAM" in found
    assert "NEAR_DUPLICATE_HAM" in found and "NEAR_DUPLICATE_SPAM" not in found
    with api.services.db.read() as conn:
        spam_sums = conn.execute(select(reputation.c.spam)).scalars().all()
    assert all(abs(s) < 1e-6 for s in spam_sums)


def test_restart_loses_nothing_learned(api: Api, settings: Settings) -> None:
    api.client.post("/1.1/submit-spam", data=spam_fields(api))
    fresh = build_services(settings)  # a new process: caches start empty, load from the DB
    try:
        found = symbols(fresh, spam_fields(api))
    finally:
        fresh.db.dispose()
    assert "REPUTATION_EMAIL_SPAM" in found and "NEAR_DUPLICATE_SPAM" in found


def test_feedback_recorded_but_not_learned_is_learned_at_start(
    api: Api, settings: Settings
) -> None:
    api.client.post("/1.1/submit-spam", data=spam_fields(api))
    with api.services.db.begin() as conn:  # simulate a crash between recording and learning
        conn.execute(learned.delete())
        conn.execute(reputation.delete())
        conn.execute(near_duplicates.delete())
        conn.execute(update(feedback).values(learned_at=None))
    fresh = build_services(settings)
    try:
        fresh.engine.warm_up()
        assert count(fresh, learned) == 1
        assert "REPUTATION_NET_SPAM" in symbols(fresh, spam_fields(api))
        with fresh.db.read() as conn:
            assert conn.execute(select(feedback.c.learned_at)).scalar_one() is not None
    finally:
        fresh.db.dispose()


@pytest.fixture
def second_worker(services: Services) -> Iterator[LearnedState]:
    state = LearnedState.build(services.db, services.hasher)  # same database, own caches
    state.ensure_loaded()
    yield state


def test_another_worker_sees_what_one_learned_after_a_refresh(
    services: Services, second_worker: LearnedState
) -> None:
    sub = Submission.from_fields(
        {
            "comment_content": SPAM_TEXT,
            "user_ip": "192.0.2.1",
            "comment_author_email": "a@b.example",
        },
        site="https://x.example",
    )
    keys = keys_for(sub, services.hasher)
    assert all(c.spam == 0 for c in second_worker.reputation.counts(keys))
    assert learn(services, sub, Label.SPAM)
    second_worker.reputation.sync_seconds = 0
    second_worker.index.sync_seconds = 0
    second_worker.refresh()
    assert all(c.spam > 0.9 for c in second_worker.reputation.counts(keys))
    sig = signature(sub.text)
    assert sig is not None and second_worker.index.query(sig)[0].label is Label.SPAM


def test_a_content_learner_plugs_in(services: Services) -> None:
    seen: list[tuple[str, Label]] = []

    class Recorder:
        def on_labels(self, labels: Sequence[RecordedLabel]) -> None:
            seen.extend((r.submission.content, r.label) for r in labels)

    services.labels.subscribe(Recorder())
    sub = Submission(content=SPAM_TEXT, site="https://x.example")
    learn(services, sub, Label.SPAM)
    learn(services, sub, Label.SPAM)  # counted once
    assert seen == [(SPAM_TEXT, Label.SPAM)]


def test_learning_deferred_while_the_database_is_locked_is_replayed(tmp_path: Path) -> None:
    settings = load_settings(
        {"REJOINDER_DATA_DIR": str(tmp_path / "d"), "REJOINDER_DB_BUSY_TIMEOUT_MS": "50"}
    )
    svc = build_services(settings)
    migrate(svc.db)
    try:
        state = svc.engine.state
        assert state is not None
        state.ensure_loaded()
        svc.sites.add_site("https://x.example")
        key = svc.sites.lookup(svc.sites.create_key([]))
        assert key is not None
        fields = {"blog": "https://x.example", "user_ip": "192.0.2.1", "comment_content": SPAM_TEXT}
        svc.checks.submit(key, fields, Label.SPAM)
        with svc.db.begin() as conn:  # as if the learning had failed after the recording
            conn.execute(learned.delete())
            conn.execute(update(feedback).values(learned_at=None))
            row = conn.execute(select(feedback)).mappings().one()
        locker = sqlite3.connect(settings.resolved_database_url().split(":///", 1)[1])
        try:
            locker.execute("BEGIN IMMEDIATE")  # another process holds the write lock
            assert state.learner.learn(RecordedLabel.of_row(row)) is False
        finally:
            locker.rollback()
            locker.close()
        assert count(svc, learned) == 0
        state._replayed_at = 0.0  # the periodic replay is due: the next learning runs it
        assert learn(svc, Submission(content="another text entirely, not the same"), Label.HAM)
        assert count(svc, learned) == 2
    finally:
        svc.db.dispose()


def test_one_learning_entry_for_every_label_source(services: Services) -> None:
    """``Labels.record`` (in the caller's transaction) then ``Labels.publish``: what the Akismet
    submit uses and what moderator decisions use. A stored comment has no IP, only its keyed
    hashes: they are recorded on the feedback row and go to the learners with the label."""
    from rejoinder.core.anonymize import network_of
    from rejoinder.spam.learning.reputation import key_int
    from rejoinder.spam.submission import parse_ip

    services.engine.warm_up()  # as at start: the periodic replay of unlearned rows is done
    ip = parse_ip("198.51.100.23")
    assert ip is not None
    hashes = (services.hasher.ip(ip), services.hasher.ip_prefix(ip))
    sub = Submission(
        content=SPAM_TEXT, email="mod@example.org", site="https://x.example"
    )  # as a moderator's queue item: no IP
    labelled = Labelled(sub, Label.SPAM, hashes)
    with services.db.begin() as conn:
        recorded = services.labels.record(conn, labelled, FeedbackSource.MODERATOR)
        again = services.labels.record(conn, labelled, FeedbackSource.MODERATOR)
    assert recorded is not None and again is None  # one label per site and content
    assert services.labels.publish([recorded]) == 1
    assert services.engine.state is not None
    assert not services.engine.state.learner.learn(recorded)  # learned once
    with services.db.read() as conn:
        row = conn.execute(select(feedback).where(feedback.c.id == recorded.feedback_id)).one()
        stored = dict(conn.execute(select(reputation.c.key, reputation.c.kind)).all())
    assert row.source == "moderator" and row.learned_at is not None
    assert stored[key_int(hashes[0] or "")] == "ip"
    assert stored[key_int(hashes[1] or "")] == "net"
    symbols = services.checks.evaluate(
        {"blog": "https://x.example", "user_ip": str(network_of(ip)[5]), "comment_content": "hi"}
    ).symbols()
    assert "REPUTATION_NET_SPAM" in symbols


def test_bulk_moderator_labels_learn_the_stored_ip_hashes(services: Services) -> None:
    from rejoinder.spam.learning.reputation import key_int
    from rejoinder.spam.submission import parse_ip

    services.engine.warm_up()
    labelled = []
    for i in range(3):
        ip = parse_ip(f"203.0.{113 + i}.5")
        hashes = (services.hasher.ip(ip), services.hasher.ip_prefix(ip))
        sub = Submission(content=f"{SPAM_TEXT} number {i}", site="https://x.example")
        labelled.append(Labelled(sub, Label.SPAM, hashes))
    with services.db.begin() as conn:
        recorded = services.labels.record_many(conn, labelled, FeedbackSource.MODERATOR)
    assert all(recorded)
    assert services.labels.publish(recorded) == 3
    with services.db.read() as conn:
        stored = dict(conn.execute(select(reputation.c.key, reputation.c.kind)).all())
        unlearned = conn.execute(select(feedback.c.id).where(feedback.c.learned_at.is_(None)))
        assert unlearned.all() == []
    for item in labelled:
        assert item.ip_hashes is not None
        ip_hash, prefix_hash = item.ip_hashes
        assert stored[key_int(ip_hash or "")] == "ip"
        assert stored[key_int(prefix_hash or "")] == "net"
