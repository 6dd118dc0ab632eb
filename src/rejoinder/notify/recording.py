"""Recording: the delivery rows a comment event calls for, written in the transaction that
stored the comment (``comments/events.py``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, bindparam, select

from rejoinder.comments.events import CommentEvent, EventKind
from rejoinder.core.records.moderation import NotifyMode
from rejoinder.core.records.notify import Channel, DeliveryPayload, DeliveryState, Kind, NewDelivery
from rejoinder.notify.base import NotifierBase
from rejoinder.storage import moderation as moderator_store
from rejoinder.storage import notify as store
from rejoinder.storage.schema import comments

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


class Recording(NotifierBase):
    """Held comments: a row per moderator who wants mail and per active webhook; replies: a row
    for the parent's author if they asked to be told."""

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
