"""Moderator and commenter notifications: recorded when a comment event happens, sent later.

``on_event`` (subscribed to the comment events) only writes delivery rows, in the comment's own
transaction (``comments/events.py``); ``deliver_due``
(run every ``notify_poll_seconds`` by each server process, and by tests directly) sends what
is due, so a slow mail server or webhook never slows a comment down and nothing is lost when
it fails: a failed delivery is retried with doubling waits, up to ``webhook_max_attempts``.

- Held comments: moderators with notify ``each`` get one email per comment (at most
  ``notify_max_per_hour`` per recipient; the rest wait), ``digest`` ones one email per
  ``notify_digest_minutes``; every active webhook of the site gets a signed POST (or a digest).
- Replies: a commenter who ticked "notify me" gets an email when a reply to their comment is
  published, with a one-click unsubscribe link and ``List-Unsubscribe`` headers.
- Each delivery is a row in ``notification_deliveries``: the log of what was sent, when, and
  how the receiver answered.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import InitVar, dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, bindparam, select, update

from rejoinder.comments.events import CommentEvent, EventKind
from rejoinder.core.anonymize import Hasher
from rejoinder.core.clock import Clock, utcnow
from rejoinder.core.inputs import parse_id
from rejoinder.core.records.comments import iso
from rejoinder.core.records.moderation import NotifyMode
from rejoinder.core.records.notify import (
    Channel,
    DeliveryPayload,
    DeliveryState,
    Kind,
    NewDelivery,
)
from rejoinder.core.tokens import TokenKey, same
from rejoinder.errors import MailFailed
from rejoinder.notify import render
from rejoinder.notify.digest import DailyDigest
from rejoinder.notify.mail import Mailer, MailMessage
from rejoinder.notify.payloads import CommentPayload, WebhookBody, WebhookEvent
from rejoinder.notify.webhook import TargetRefused, WebhookSender
from rejoinder.storage import moderation as moderator_store
from rejoinder.storage import notify as store
from rejoinder.storage import queue as queue_store
from rejoinder.storage.db import Database
from rejoinder.storage.schema import comments, threads

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=5)
RATE_WAIT = timedelta(minutes=10)
MAX_BACKOFF = timedelta(hours=6)
UNSUBSCRIBE_SIG_CHARS = 27  # 160 bits of base64url
MAIL_ACCEPTED = 250  # marks the one delivery row of a sent mail (a digest carries several)


_parent = comments.alias("parent")
# The parent of a published reply, if its author asked to be told (built once: it runs inside
# every comment's write).
_PARENT_TO_TELL = (
    select(_parent.c.id, _parent.c.email, _parent.c.email_hash, comments.c.email_hash)
    .join(_parent, _parent.c.id == comments.c.parent_id)
    .where(
        comments.c.id == bindparam("comment"),
        _parent.c.notify_replies.is_(True),
        _parent.c.email != "",
        _parent.c.status == "published",
    )
)


@dataclass(frozen=True, slots=True, kw_only=True)
class NotifyConfig:
    public_url: str
    digest_minutes: int = 60
    max_per_hour: int = 10
    max_attempts: int = 6
    backoff_s: float = 30.0


@dataclass(eq=False, repr=False)
class Notifier:
    db: Database
    hasher: Hasher
    mailer: Mailer
    sender: WebhookSender
    secret: InitVar[bytes]
    config: NotifyConfig
    clock: Clock = utcnow
    digest: DailyDigest | None = None  # the moderators' daily digest (``notify/digest.py``)

    def __post_init__(self, secret: bytes) -> None:
        self._key = TokenKey(secret, b"rejoinder-unsubscribe-v1")  # the one token signer
        self.public_url = self.config.public_url.rstrip("/")

    # --- recording ------------------------------------------------------------------------------
    def on_event(self, conn: Connection, event: CommentEvent) -> None:
        """Record the deliveries an event calls for, in the transaction that stored it."""
        now = self.clock()
        if event.kind is EventKind.HELD:
            rows = self._held_rows(conn, event, now)
        else:
            rows = self._reply_rows(conn, event, now)
        store.enqueue(conn, rows)

    def _row(
        self,
        channel: Channel,
        kind: Kind,
        event: CommentEvent,
        now: datetime,
        *,
        recipient: str = "",
        webhook_id: int | None = None,
        digest: bool = False,
        parent_id: int | None = None,
    ) -> NewDelivery:
        due = now + timedelta(minutes=self.config.digest_minutes) if digest else now
        payload: DeliveryPayload = {"digest": digest}
        if parent_id is not None:
            payload["parent_id"] = parent_id
        return {
            "channel": channel.value,
            "kind": kind.value,
            "recipient": recipient,
            "recipient_hash": self.hasher.email(recipient) if recipient else None,
            "webhook_id": webhook_id,
            "site_id": event.site_id,
            "comment_id": event.comment_id,
            "payload": payload,
            "state": DeliveryState.PENDING.value,
            "attempts": 0,
            "next_attempt_at": due,
            "last_error": "",
            "created_at": now,
        }

    def _held_rows(self, conn: Connection, event: CommentEvent, now: datetime) -> list[NewDelivery]:
        rows = []
        for moderator in moderator_store.moderators_for_site(conn, event.site_id):
            if moderator.notify is not NotifyMode.OFF:
                rows.append(
                    self._row(
                        Channel.EMAIL,
                        Kind.HELD,
                        event,
                        now,
                        recipient=moderator.email,
                        digest=moderator.notify is NotifyMode.DIGEST,
                    )
                )
        for hook in store.webhooks_for(conn, event.site_id):
            rows.append(
                self._row(
                    Channel.WEBHOOK, Kind.HELD, event, now, webhook_id=hook.id, digest=hook.digest
                )
            )
        return rows

    def _reply_rows(
        self, conn: Connection, event: CommentEvent, now: datetime
    ) -> list[NewDelivery]:
        if event.parent_id is None:  # not a reply: nobody to tell, nothing to read
            return []
        row = conn.execute(_PARENT_TO_TELL, {"comment": event.comment_id}).first()
        if row is None or row[2] == row[3]:  # nobody asked, or one replied to oneself
            return []
        return [
            self._row(
                Channel.EMAIL,
                Kind.REPLY,
                event,
                now,
                recipient=str(row[1]),
                parent_id=int(row[0]),
            )
        ]

    # --- sending ----------------------------------------------------------------------------------
    def deliver_due(self, limit: int = 100) -> int:
        """Send what is due now; returns how many deliveries were finished or rescheduled."""
        now = self.clock()
        if self.digest is not None:
            self.digest.enqueue_due(now)
        with self.db.begin() as conn:
            due = store.due(conn, now, limit)
        handled: set[int] = set()
        count = 0
        for delivery in due:
            if delivery.id in handled:
                continue
            group = self._group(delivery)
            with self.db.begin() as conn:
                taken = store.claim(conn, [d.id for d in group], now, now + LEASE)
            batch = [d for d in group if d.id in taken]
            handled.update(d.id for d in group)
            if batch:
                self._send(batch, now)
                count += len(batch)
        return count

    def _group(self, delivery: store.Delivery) -> list[store.Delivery]:
        if not delivery.payload.get("digest"):
            return [delivery]
        with self.db.read() as conn:
            group = store.pending_group(
                conn, delivery.channel, delivery.recipient, delivery.webhook_id
            )
        return group or [delivery]

    def _send(self, batch: list[store.Delivery], now: datetime) -> None:
        first = batch[0]
        ids = [d.id for d in batch]
        try:
            if first.channel is Channel.EMAIL:
                if self._rate_limited(first.recipient, now):
                    self._finish(
                        ids,
                        DeliveryState.PENDING,
                        now,
                        retry_at=now + RATE_WAIT,
                        error="waiting: per-recipient limit",
                    )
                    return
                self._send_mail(batch)
                self._finish(ids, DeliveryState.SENT, now)
                self._finish(ids[:1], DeliveryState.SENT, now, status=MAIL_ACCEPTED)  # the carrier
            else:
                status = self._send_webhook(batch)
                self._finish(ids, DeliveryState.SENT, now, status=status)
        except (TargetRefused, _Gone) as exc:
            self._finish(ids, DeliveryState.REFUSED, now, error=str(exc))
        except _BadAnswer as exc:
            self._retry(batch, now, str(exc), exc.status)
        except (MailFailed, OSError, ValueError) as exc:
            self._retry(batch, now, f"{type(exc).__name__}: {exc}"[:300], None)
        except Exception as exc:  # an unexpected error must not stop the loop
            log.exception("notification failed")
            self._retry(batch, now, type(exc).__name__, None)

    def _rate_limited(self, recipient: str, now: datetime) -> bool:
        with self.db.read() as conn:
            return (
                store.sent_since(conn, recipient, now - timedelta(hours=1))
                >= self.config.max_per_hour
            )

    def _retry(
        self, batch: list[store.Delivery], now: datetime, error: str, status: int | None
    ) -> None:
        attempts = max(d.attempts for d in batch) + 1  # claim() counted this one
        if attempts >= self.config.max_attempts:
            self._finish(
                [d.id for d in batch], DeliveryState.FAILED, now, error=error, status=status
            )
            return
        wait = timedelta(seconds=self.config.backoff_s * 2 ** (attempts - 1))
        self._finish(
            [d.id for d in batch],
            DeliveryState.PENDING,
            now,
            error=error,
            status=status,
            retry_at=now + min(wait, MAX_BACKOFF),
        )

    def _finish(
        self,
        ids: list[int],
        state: DeliveryState,
        now: datetime,
        *,
        error: str = "",
        status: int | None = None,
        retry_at: datetime | None = None,
    ) -> None:
        with self.db.begin() as conn:
            store.finish(conn, ids, state, now, error=error, status=status, retry_at=retry_at)

    # --- what is sent -------------------------------------------------------------------------------
    def _comment(self, comment_id: int | None) -> CommentPayload:
        found = []
        if comment_id is not None:
            with self.db.read() as conn:
                found = queue_store.items_by_ids(conn, [comment_id])
        if not found:
            raise _Gone("the comment no longer exists")
        item = found[0]
        return {
            "id": item.id,
            "site": item.site_url,
            "site_id": item.site_id,
            "thread_key": item.thread_key,
            "thread_title": item.thread_title,
            "thread_url": item.thread_url,
            "author": item.author,
            "text": item.text,
            "status": item.status.value,
            "probability": item.probability,
            "hits": item.hits,
            "created": iso(item.created_at),
            "parent_id": item.parent_id,
        }

    def _send_mail(self, batch: list[store.Delivery]) -> None:
        first = batch[0]
        if first.kind is Kind.DAILY:
            self._send_daily(first)
            return
        if first.kind is Kind.REPLY:
            reply = self._comment(first.comment_id)
            thread = f"{self.public_url}/t/{reply['site_id']}/{reply['thread_key']}#c{reply['id']}"
            unsubscribe = self.unsubscribe_url(int(first.payload.get("parent_id", 0)))
            subject, body = render.reply_mail(reply, thread, unsubscribe)
            headers = (
                ("List-Unsubscribe", f"<{unsubscribe}>"),
                ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
            )
            self.mailer.send(MailMessage(first.recipient, subject, body, headers))
            return
        held = [c for c in (self._maybe(d.comment_id) for d in batch) if c is not None]
        if not held:
            raise _Gone("the comments no longer exist")
        subject, body = render.held_mail(held, self.public_url)
        self.mailer.send(MailMessage(first.recipient, subject, body))

    def _send_daily(self, delivery: store.Delivery) -> None:
        moderator_id = parse_id(str(delivery.payload.get("moderator_id", "")))
        composed = None
        if self.digest is not None and moderator_id is not None:
            composed = self.digest.compose(moderator_id, self.clock())
        if composed is None:
            raise _Gone("the moderator was removed (or digests are off)")
        self.mailer.send(MailMessage(delivery.recipient, *composed))

    def _maybe(self, comment_id: int | None) -> CommentPayload | None:
        try:
            return self._comment(comment_id)
        except _Gone:
            return None

    def _send_webhook(self, batch: list[store.Delivery]) -> int:
        first = batch[0]
        with self.db.read() as conn:
            hook = store.webhook_by_id(conn, first.webhook_id or 0)
        if hook is None or not hook.active:
            raise _Gone("the webhook was removed")
        held = [c for c in (self._maybe(d.comment_id) for d in batch) if c is not None]
        if not held:
            raise _Gone("the comments no longer exist")
        for item in held:
            item["admin_url"] = f"{self.public_url}/admin/c/{item['id']}"
        event: WebhookEvent = (
            "comment.held"
            if len(batch) == 1 and not first.payload.get("digest")
            else "comments.held"
        )
        payload: WebhookBody = {"event": event, "site": held[0]["site"], "comments": held}
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        stamp = str(int(self.clock().timestamp()))
        reply = self.sender.post(hook.url, hook.secret, body, stamp, event, first.id)
        if not reply.ok:
            raise _BadAnswer(f"the receiver answered {reply.status}", reply.status)
        return reply.status

    # --- unsubscribing --------------------------------------------------------------------------
    def _sign(self, comment_id: int) -> str:
        return self._key.b64(str(comment_id), UNSUBSCRIBE_SIG_CHARS)

    def unsubscribe_url(self, comment_id: int) -> str:
        return f"{self.public_url}/notify/unsubscribe/{comment_id}.{self._sign(comment_id)}"

    def valid_unsubscribe(self, token: str) -> int | None:
        """The comment id an unsubscribe token names, or None when it is not ours."""
        raw, _, sig = token.strip().partition(".")
        ident = parse_id(raw)
        if ident is None:
            return None
        return ident if same(sig, self._sign(ident)) else None

    def unsubscribe(self, token: str) -> int | None:
        """Turn reply mails off for every comment of that address on that site; None when the
        token is not ours. Returns how many comments were changed."""
        ident = self.valid_unsubscribe(token)
        if ident is None:
            return None
        with self.db.begin() as conn:
            row = conn.execute(
                select(comments.c.email_hash, threads.c.site_id)
                .join(threads, threads.c.id == comments.c.thread_id)
                .where(comments.c.id == ident)
            ).first()
            if row is None:
                return 0
            where = comments.c.id == ident
            if row[0]:
                same_site = select(threads.c.id).where(threads.c.site_id == row[1])
                where = (comments.c.email_hash == row[0]) & comments.c.thread_id.in_(same_site)
            done = conn.execute(
                update(comments)
                .where(where, comments.c.notify_replies.is_(True))
                .values(notify_replies=False)
            )
            return int(done.rowcount or 0)


async def send_on_schedule(notifier: Notifier, every_seconds: float) -> None:
    """Each server process sends due notifications every ``every_seconds`` (claims keep two
    processes from sending the same one)."""
    from starlette.concurrency import run_in_threadpool

    while True:
        try:
            await run_in_threadpool(notifier.deliver_due)
        except Exception:  # storage down, …: try again next round
            log.warning("notification round failed", exc_info=True)
        await asyncio.sleep(every_seconds)


class _Gone(Exception):
    pass


class _BadAnswer(Exception):
    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status
