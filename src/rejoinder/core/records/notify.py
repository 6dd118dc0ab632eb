"""What notifications are: channels, kinds, delivery states."""

from __future__ import annotations

from enum import StrEnum


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
