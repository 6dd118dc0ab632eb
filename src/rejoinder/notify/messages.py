"""What is sent: the mail of a reply, of held comments or of the daily digest, and a webhook's
signed POST, each from the comments as they are now."""

from __future__ import annotations

import json

from rejoinder.core.inputs import parse_id
from rejoinder.core.records.comments import iso
from rejoinder.core.records.notify import Kind
from rejoinder.notify import render
from rejoinder.notify.mail import MailMessage
from rejoinder.notify.payloads import CommentPayload, WebhookBody, WebhookEvent
from rejoinder.notify.unsubscribing import Unsubscribing
from rejoinder.storage import notify as store
from rejoinder.storage import queue as queue_store


class Gone(Exception):
    pass


class BadAnswer(Exception):
    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


class Messages(Unsubscribing):
    """Composes and sends one batch of deliveries (a digest carries several)."""

    def _comment(self, comment_id: int | None) -> CommentPayload:
        found = []
        if comment_id is not None:
            with self.db.read() as conn:
                found = queue_store.items_by_ids(conn, [comment_id])
        if not found:
            raise Gone("the comment no longer exists")
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
            raise Gone("the comments no longer exist")
        subject, body = render.held_mail(held, self.public_url)
        self.mailer.send(MailMessage(first.recipient, subject, body))

    def _send_daily(self, delivery: store.Delivery) -> None:
        moderator_id = parse_id(str(delivery.payload.get("moderator_id", "")))
        composed = None
        if self.digest is not None and moderator_id is not None:
            composed = self.digest.compose(moderator_id, self.clock())
        if composed is None:
            raise Gone("the moderator was removed (or digests are off)")
        self.mailer.send(MailMessage(delivery.recipient, *composed))

    def _maybe(self, comment_id: int | None) -> CommentPayload | None:
        try:
            return self._comment(comment_id)
        except Gone:
            return None

    def _send_webhook(self, batch: list[store.Delivery]) -> int:
        first = batch[0]
        with self.db.read() as conn:
            hook = store.webhook_by_id(conn, first.webhook_id or 0)
        if hook is None or not hook.active:
            raise Gone("the webhook was removed")
        held = [c for c in (self._maybe(d.comment_id) for d in batch) if c is not None]
        if not held:
            raise Gone("the comments no longer exist")
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
            raise BadAnswer(f"the receiver answered {reply.status}", reply.status)
        return reply.status
