"""What notifications are: channels, kinds, delivery states, and the delivery rows notify
records and storage keeps."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TypedDict


class Channel(StrEnum):
    EMAIL = "email"
    WEBHOOK = "webhook"


class Kind(StrEnum):
    HELD = "held"  # a comment waits for a moderator
    REPLY = "reply"  # someone replied to a commenter who asked to be told
    DAILY = "daily"  # a moderator's daily digest (counts, waiting comments, one-click links)


class DeliveryState(StrEnum):
    PENDING = "pending"  # due at next_attempt_at (also while being sent: a lease)
    SENT = "sent"
    FAILED = "failed"  # gave up after the last attempt
    REFUSED = "refused"  # never sent: the target is not allowed (SSRF guard) or is gone


FINISHED = (DeliveryState.SENT, DeliveryState.FAILED, DeliveryState.REFUSED)


class DeliveryPayload(TypedDict, total=False):
    """What a delivery row carries besides its columns (a JSON column)."""

    digest: bool  # sent together with the recipient's other digest rows
    parent_id: int  # a reply mail: the comment whose author asked to be told (unsubscribe)
    moderator_id: int  # a daily digest: whose
    day: str  # a daily digest: which day (YYYY-MM-DD)


class NewDelivery(TypedDict):
    """A delivery row to record (``storage/notify.py:enqueue``), as stored."""

    channel: str  # a Channel
    kind: str  # a Kind
    recipient: str
    recipient_hash: str | None
    webhook_id: int | None
    site_id: int | None
    comment_id: int | None
    payload: DeliveryPayload
    state: str  # a DeliveryState
    attempts: int
    next_attempt_at: datetime
    last_error: str
    created_at: datetime
