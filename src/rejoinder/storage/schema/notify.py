"""Webhooks and notification deliveries; what the daily digest and the Stats page read (per-day
counters) and the digest's used one-click links."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, DateTime, ForeignKey, Index, Integer, String, Table

from rejoinder.storage.schema.naming import HASH_LEN, metadata

webhooks = Table(
    "webhooks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site_id", Integer, ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
    Column("url", String(2000), nullable=False),
    Column("secret", String(64), nullable=False),  # the HMAC-SHA256 key shared with the receiver
    Column("digest", Boolean, nullable=False, default=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
)

notification_deliveries = Table(
    "notification_deliveries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("channel", String(8), nullable=False),  # core.records.notify.Channel
    Column("kind", String(16), nullable=False),  # core.records.notify.Kind
    Column("recipient", String(254), nullable=False, default=""),  # email; "" for webhooks
    Column("recipient_hash", String(HASH_LEN), nullable=True),  # keyed hash (export/erase)
    Column("webhook_id", Integer, ForeignKey("webhooks.id", ondelete="CASCADE"), nullable=True),
    Column("site_id", Integer, ForeignKey("sites.id", ondelete="CASCADE"), nullable=True),
    Column("comment_id", Integer, ForeignKey("comments.id", ondelete="SET NULL"), nullable=True),
    Column("payload", JSON, nullable=False),
    Column("state", String(10), nullable=False),  # core.records.notify.DeliveryState
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("last_error", String(300), nullable=False, default=""),
    Column("response_status", Integer, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=True),
    Index("ix_notification_deliveries_due", "state", "next_attempt_at"),
)


daily_stats = Table(
    "daily_stats",
    metadata,
    # What happened to a site's comments per UTC day, counted as it happens (cheap to read for
    # the admin's Stats page and the daily digest; survives the retention purge of the rows).
    Column("site_url", String(500), primary_key=True),  # normalised, as sites.url
    Column("day", String(10), primary_key=True),  # YYYY-MM-DD
    Column("published", Integer, nullable=False, default=0),  # the engine accepted it
    Column("held", Integer, nullable=False, default=0),
    Column("spam", Integer, nullable=False, default=0),  # filed as spam
    Column("discarded", Integer, nullable=False, default=0),
    Column("missed_spam", Integer, nullable=False, default=0),  # accepted, then marked spam
    Column("false_positives", Integer, nullable=False, default=0),  # filed or discarded, restored
)

used_links = Table(
    "used_links",
    metadata,
    # One-click moderation links from the daily digest act once: a used link's signature hash
    # is kept here until the link would have expired anyway (then the purge deletes it).
    Column("token_hash", String(64), primary_key=True),  # SHA-256 of the signed token
    Column("used_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
)
