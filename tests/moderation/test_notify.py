"""Notifications through the real development outbox and a real local webhook receiver."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from rejoinder.app import create_app
from rejoinder.core.records.moderation import Actor, Decision, NotifyMode
from rejoinder.core.records.notify import DeliveryState
from rejoinder.errors import ValidationFailed
from rejoinder.notify.hooks import WebhookAdmin
from rejoinder.notify.webhook import WebhookSender
from rejoinder.storage import notify as notify_store
from rejoinder.storage import queue as queue_store
from tests.moderation.conftest import SITE_A, Clock, World, make_world
from tests.support.webhook_receiver import webhook_receiver
from tests.support.world import shown_id

PHISH = ("Great post! Claim your prize at http://phish.example/login or www.evil.example, "
         "mail prize@evil.example, see evil.example/x <img src=http://track.example/p.gif> "
         "[click](javascript:alert(1))")  # fmt: skip


@pytest.fixture
def nworld(tmp_path: Path, clock: Clock) -> Iterator[World]:
    made = make_world(tmp_path, clock, REJOINDER_NOTIFY_MAX_PER_HOUR="2",
                      REJOINDER_WEBHOOK_ALLOW_PRIVATE="true",
                      REJOINDER_PUBLIC_URL="https://comments.example.com")  # fmt: skip
    yield made
    made.services.db.dispose()


def outbox(world: World) -> list[EmailMessage]:
    folder = world.settings.data_dir / "outbox"
    files = sorted(folder.glob("*.eml")) if folder.is_dir() else []
    return [message_from_bytes(p.read_bytes(), policy=policy.default) for p in files]  # type: ignore[misc]


def body_of(mail: EmailMessage) -> str:
    return str(mail.get_content())


def test_held_comment_mails_a_moderator_plain_text_without_commenter_links(nworld: World) -> None:
    nworld.services.auth.set_notify("admin@a.example.com", NotifyMode.EACH)
    cid = nworld.held(PHISH, author="Visit http://spam.example now")
    assert nworld.services.notifier.deliver_due() == 1
    [mail] = outbox(nworld)
    assert mail["To"] == "admin@a.example.com" and mail.get_content_type() == "text/plain"
    body = body_of(mail)
    for bad in ("phish.example", "evil.example", "track.example", "spam.example", "javascript:",
                "<img", "http://spam"):  # fmt: skip
        assert bad not in body, bad
    assert "[link removed]" in body and "Great post!" in body
    links = [w for w in body.split() if "://" in w]
    # Only this server's pages and the site's registered address (the operator's, not a commenter's)
    assert links and all(w.startswith(("https://comments.example.com/", SITE_A)) for w in links)
    assert f"https://comments.example.com/admin/c/{cid}" in body
    assert nworld.services.notifier.deliver_due() == 0  # sent once


def test_moderators_of_other_sites_and_those_who_opted_out_get_nothing(nworld: World) -> None:
    nworld.services.auth.set_notify("mod@b.example.com", NotifyMode.EACH)  # site B only
    nworld.held("on site A")
    nworld.services.notifier.deliver_due()
    assert outbox(nworld) == []


def test_digest_sends_one_mail_per_interval(nworld: World) -> None:
    nworld.services.auth.set_notify("boss@example.com", NotifyMode.DIGEST)
    nworld.held("first for the digest")
    nworld.clock.advance(600)
    nworld.held("second for the digest")
    assert nworld.services.notifier.deliver_due() == 0 and outbox(nworld) == []
    nworld.clock.advance(nworld.settings.notify_digest_minutes * 60 - 599)
    assert nworld.services.notifier.deliver_due() == 2
    [mail] = outbox(nworld)
    assert "2 comments are waiting" in mail["Subject"]
    assert "first for the digest" in body_of(mail) and "second for the digest" in body_of(mail)


def test_sending_is_rate_limited_per_recipient_and_nothing_is_dropped(nworld: World) -> None:
    nworld.services.auth.set_notify("admin@a.example.com", NotifyMode.EACH)
    for i in range(4):
        nworld.held(f"held number {i}")
    nworld.services.notifier.deliver_due()
    assert len(outbox(nworld)) == 2  # notify_max_per_hour = 2
    nworld.clock.advance(3601)
    nworld.services.notifier.deliver_due()
    assert len(outbox(nworld)) == 4


def test_reply_notification_with_one_click_unsubscribe(nworld: World) -> None:
    parent = nworld.post("I would like to hear back", email="reader@example.org", notify=True,
                         author="Reader")  # fmt: skip
    pid = shown_id(parent)
    nworld.post(
        "An interesting take on the council vote, though I think the budget numbers are off; "
        "my notes are at http://phish.example/login",
        parent=pid,
        author="Replier",
        email="other@example.org",
    )
    nworld.post("Talking to myself", parent=pid, email="reader@example.org")  # no mail to self
    nworld.services.notifier.deliver_due()
    [mail] = outbox(nworld)
    assert mail["To"] == "reader@example.org"
    body = body_of(mail)
    assert "phish.example" not in body and "Replier replied" in body
    unsubscribe = mail["List-Unsubscribe"].strip("<>")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in body and unsubscribe.startswith(
        "https://comments.example.com/notify/unsubscribe/"
    )
    path = unsubscribe.removeprefix("https://comments.example.com")
    with TestClient(create_app(nworld.settings, nworld.services)) as client:
        assert client.get(path.replace(".", ".x", 1)).status_code == 403
        page = client.get(path)
        assert page.status_code == 200 and "Unsubscribe" in page.text  # GET changes nothing
        one_click = client.post(path, content=b"List-Unsubscribe=One-Click",
                                headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
        assert one_click.status_code == 200 and "unsubscribed" in one_click.text
    nworld.post("Another reply", parent=pid, email="third@example.org")
    nworld.services.notifier.deliver_due()
    assert len(outbox(nworld)) == 1


def test_a_held_reply_notifies_when_a_moderator_approves_it(nworld: World) -> None:
    parent = nworld.post("Tell me", email="reader@example.org", notify=True)
    pid = shown_id(parent)
    held = nworld.held("A held reply", parent=pid, email="someone@example.org")
    nworld.services.notifier.deliver_due()
    assert outbox(nworld) == []
    nworld.services.moderation.decide(Actor(nworld.admin), [held], Decision.APPROVE)
    nworld.services.notifier.deliver_due()
    assert [m["To"] for m in outbox(nworld)] == ["reader@example.org"]


def test_opting_in_needs_an_email(nworld: World) -> None:
    with pytest.raises(ValidationFailed, match="email"):
        nworld.post("no email", notify=True)


def hooks(world: World, allow_private: bool) -> WebhookAdmin:
    return WebhookAdmin(world.services.db, WebhookSender(allow_private, 5.0), world.clock)


def test_signed_webhook_with_retries_and_a_delivery_log(nworld: World) -> None:
    with webhook_receiver() as receiver:
        hook_id, secret = hooks(nworld, True).add(SITE_A, receiver.url)
        receiver.statuses = [500, 503]
        cid = nworld.held("webhook me")
        notifier = nworld.services.notifier
        notifier.deliver_due()
        notifier.deliver_due()  # the retry waits for its backoff
        assert len(receiver.requests) == 1
        nworld.clock.advance(nworld.settings.webhook_backoff_s + 1)
        notifier.deliver_due()
        nworld.clock.advance(2 * nworld.settings.webhook_backoff_s + 1)
        notifier.deliver_due()
        assert len(receiver.requests) == 3
        last = receiver.requests[-1]
        stamp = last.headers["x-rejoinder-timestamp"]
        expected = hmac.new(secret.encode(), stamp.encode() + b"." + last.body, hashlib.sha256)
        assert last.headers["x-rejoinder-signature"] == "sha256=" + expected.hexdigest()
        assert last.headers["x-rejoinder-event"] == "comment.held"
        payload = json.loads(last.body)
        assert payload["comments"][0]["id"] == cid
        assert payload["comments"][0]["admin_url"] == f"https://comments.example.com/admin/c/{cid}"
    with nworld.services.db.read() as conn:
        [delivery] = notify_store.log(conn, webhook_id=hook_id)
    assert delivery.state is DeliveryState.SENT and delivery.attempts == 3
    assert delivery.response_status == 200


INJECTION = (
    'He said "hi"\\ then "}, "event": "comment.approved", "x": {"'
    + "\n"
    + "line two\r\nline\u2028three \u2029 </script> {{7*7}} ${x} \U0001f600"
)


def test_webhook_body_is_serialised_so_quotes_and_newlines_cannot_inject(nworld: World) -> None:
    """D14: a payload built by string concatenation lets a comment rewrite its own event."""
    with webhook_receiver() as receiver:
        hooks(nworld, True).add(SITE_A, receiver.url)
        cid = nworld.held(INJECTION, author='Eve "the" \\ Injector', title='A "quoted" title')
        nworld.services.notifier.deliver_due()
        [request] = receiver.requests
    payload = json.loads(request.body)
    assert set(payload) == {"event", "site", "comments"}
    assert payload["event"] == "comment.held"
    [comment] = payload["comments"]
    assert comment["id"] == cid
    assert comment["author"] == 'Eve "the" \\ Injector'
    with nworld.services.db.read() as conn:
        [stored] = queue_store.items_by_ids(conn, [cid])
    assert comment["text"] == stored.text and '"}, "event"' in comment["text"]
    assert "line two" in comment["text"] and "\n" in comment["text"]


def test_webhook_gives_up_after_the_last_attempt(nworld: World) -> None:
    with webhook_receiver() as receiver:
        hook_id, _secret = hooks(nworld, True).add(SITE_A, receiver.url)
        receiver.statuses = [500] * 20
        nworld.held("never accepted")
        for _ in range(nworld.settings.webhook_max_attempts + 2):
            nworld.services.notifier.deliver_due()
            nworld.clock.advance(7 * 3600)
    with nworld.services.db.read() as conn:
        [delivery] = notify_store.log(conn, webhook_id=hook_id)
    assert delivery.state is DeliveryState.FAILED
    assert delivery.attempts == nworld.settings.webhook_max_attempts
    assert delivery.response_status == 500 and "500" in delivery.last_error


@pytest.mark.parametrize(
    "target",
    ["http://127.0.0.1:9/hook", "http://localhost/hook", "http://169.254.169.254/latest",
     "http://10.1.2.3/", "http://192.168.1.1/", "http://172.16.0.1/", "http://[::1]/",
     "http://[fd00::1]/", "http://[fe80::1]/", "http://0.0.0.0/", "http://[::ffff:127.0.0.1]/"],
)  # fmt: skip
def test_webhook_targets_on_private_addresses_are_refused(nworld: World, target: str) -> None:
    with pytest.raises(ValidationFailed, match="private, loopback or link-local"):
        hooks(nworld, False).add(SITE_A, target)


def test_bad_webhook_urls_are_refused(nworld: World) -> None:
    for target in ("ftp://example.com/", "http://user:pw@example.com/", "not a url", "http:///x"):
        with pytest.raises(ValidationFailed):
            hooks(nworld, False).add(SITE_A, target)


def test_a_target_that_becomes_private_is_refused_at_send_time(
    tmp_path: Path, clock: Clock
) -> None:
    world = make_world(tmp_path, clock)  # webhook_allow_private off
    with webhook_receiver() as receiver:
        hook_id, _ = hooks(world, True).add(SITE_A, receiver.url)  # added while allowed
        world.held("do not send me")
        world.services.notifier.deliver_due()
        assert receiver.requests == []
    with world.services.db.read() as conn:
        [delivery] = notify_store.log(conn, webhook_id=hook_id)
    assert delivery.state is DeliveryState.REFUSED and "private" in delivery.last_error
    world.services.db.dispose()
