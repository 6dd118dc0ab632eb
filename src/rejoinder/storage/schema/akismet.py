"""The Akismet API's tables: sites, API keys, checks, the feedback on them, monthly usage."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from rejoinder.storage.schema.naming import HASH_LEN, metadata

sites = Table(
    "sites",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("url", String(500), nullable=False, unique=True),  # normalised
    Column("name", String(200), nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("threshold_hold", Float, nullable=True),  # None: the global setting
    Column("threshold_spam", Float, nullable=True),
    Column("threshold_discard", Float, nullable=True),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("hint", String(16), nullable=False),  # e.g. "abc…9z", for listing
    Column("label", String(200), nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)

api_key_sites = Table(
    "api_key_sites",
    metadata,
    Column("key_id", Integer, ForeignKey("api_keys.id", ondelete="CASCADE"), primary_key=True),
    Column("site_id", Integer, ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True),
)

checks = Table(
    "checks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("guid", String(32), nullable=False, unique=True),
    Column("key_id", Integer, ForeignKey("api_keys.id", ondelete="SET NULL"), nullable=True),
    Column("site_url", String(500), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    Column("is_test", Boolean, nullable=False, default=False),
    Column("comment_type", String(50), nullable=False, default=""),
    Column("author", Text, nullable=False, default=""),
    Column("email", Text, nullable=False, default=""),
    Column("email_hash", String(HASH_LEN), nullable=True, index=True),  # export/erase lookups
    Column("author_url", Text, nullable=False, default=""),
    Column("content", Text, nullable=False, default=""),
    Column("permalink", Text, nullable=False, default=""),
    Column("ip_hash", String(HASH_LEN), nullable=True),
    Column("ip_prefix_hash", String(HASH_LEN), nullable=True),
    Column("ua_family", String(80), nullable=False, default=""),
    Column("referrer_host", String(255), nullable=False, default=""),
    Column("fingerprint", String(32), nullable=False),
    Column("probability", Float, nullable=False),
    Column("action", String(16), nullable=False),
    Column("hits", JSON, nullable=False),
    Column("extra", JSON, nullable=False),
    Index("ix_checks_site_fingerprint", "site_url", "fingerprint"),
)

feedback = Table(
    "feedback",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("label", String(8), nullable=False),
    Column("site_url", String(500), nullable=False),
    Column("fingerprint", String(32), nullable=False),
    Column("guid", String(32), nullable=True, index=True),
    Column("check_id", Integer, ForeignKey("checks.id", ondelete="SET NULL"), nullable=True),
    Column("key_id", Integer, ForeignKey("api_keys.id", ondelete="SET NULL"), nullable=True),
    Column("source", String(16), nullable=False),  # FeedbackSource
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    Column("fields", JSON, nullable=False),  # the privacy-safe fields needed to learn
    Column("ip_hash", String(HASH_LEN), nullable=True),
    Column("ip_prefix_hash", String(HASH_LEN), nullable=True),
    Column("email_hash", String(HASH_LEN), nullable=True, index=True),
    Column("learned_at", DateTime(timezone=True), nullable=True),
    # set when retention removed the personal part of ``fields`` (label and fingerprint stay)
    Column("personal_cleared_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("site_url", "fingerprint", "label", name="uq_feedback_site_fp_label"),
    Index("ix_feedback_fingerprint_label", "fingerprint", "label"),  # the same label anywhere
)

usage = Table(
    "usage",
    metadata,
    Column("key_id", Integer, ForeignKey("api_keys.id", ondelete="CASCADE"), primary_key=True),
    Column("site_url", String(500), primary_key=True),
    Column("month", String(7), primary_key=True),  # YYYY-MM
    Column("api_calls", Integer, nullable=False, default=0),
    Column("spam", Integer, nullable=False, default=0),
    Column("ham", Integer, nullable=False, default=0),
    Column("missed_spam", Integer, nullable=False, default=0),
    Column("false_positives", Integer, nullable=False, default=0),
)
