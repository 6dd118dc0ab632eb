"""SQLAlchemy Core tables: the whole schema on one page.

Portable SQL only (SQLite and PostgreSQL run it unchanged). Times are timezone-aware UTC.
No column holds a raw IP address or user agent: ``*_hash`` columns are keyed hashes made by
``privacy.anonymize``.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)

HASH_LEN = 32  # hex characters of a keyed hash (128 bits)

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

# --- comments (the platform) -----------------------------------------------------------------

threads = Table(
    "threads",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site_id", Integer, ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
    Column("key", String(128), nullable=False),  # explicit thread id, or "p-<hash>" of the URL path
    Column("url", Text, nullable=False, default=""),  # the article URL (http/https only)
    Column("title", String(300), nullable=False, default=""),  # plain text; escaped on output
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False, default=0),  # bumped by every comment write
    UniqueConstraint("site_id", "key", name="uq_threads_site_key"),
)

comments = Table(
    "comments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("thread_id", Integer, ForeignKey("threads.id", ondelete="CASCADE"), nullable=False),
    Column("parent_id", Integer, ForeignKey("comments.id", ondelete="SET NULL"), nullable=True),
    Column("root_id", Integer, nullable=True),  # top-level ancestor; NULL for top-level comments
    Column("depth", Integer, nullable=False, default=0),
    Column("status", String(16), nullable=False),  # comments.models.Status
    Column("author", String(100), nullable=False, default=""),  # plain text
    Column("email", String(254), nullable=False, default=""),
    Column("email_hash", String(HASH_LEN), nullable=True),
    Column("website", String(500), nullable=False, default=""),  # http(s) URL or ""
    Column("author_html", Text, nullable=False, default=""),  # rendered once, escaped
    Column("text", Text, nullable=False, default=""),  # Markdown source
    Column("html", Text, nullable=False, default=""),  # rendered once at write time, sanitized
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("edited_at", DateTime(timezone=True), nullable=True),
    Column("probability", Float, nullable=True),
    Column("hits", JSON, nullable=False),
    Column("ip_hash", String(HASH_LEN), nullable=True),
    Column("ip_prefix_hash", String(HASH_LEN), nullable=True),
    Column("ua_family", String(80), nullable=False, default=""),
    Index("ix_comments_thread_parent_id", "thread_id", "parent_id", "id"),
    Index("ix_comments_root_id", "root_id", "id"),
    Index("ix_comments_thread_status", "thread_id", "status"),
    Index("ix_comments_email_hash", "email_hash", "status"),
    Index("ix_comments_status_created", "status", "created_at"),
)

comment_policies = Table(
    "comment_policies",
    metadata,
    Column("site_id", Integer, ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True),
    Column("on_accept", String(16), nullable=False),  # comments.models.Disposition
    Column("on_hold", String(16), nullable=False),
    Column("on_spam", String(16), nullable=False),
    Column("on_discard", String(16), nullable=False),
    Column("hold_all", Boolean, nullable=False, default=False),
    Column("hold_first_time", Boolean, nullable=False, default=False),
    Column("allowed_origins", JSON, nullable=False),  # extra origins besides the site's own
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# --- privacy ---------------------------------------------------------------------------------

task_locks = Table(
    "task_locks",
    metadata,
    Column("name", String(64), primary_key=True),  # e.g. "privacy-purge"
    Column("holder", String(64), nullable=False, default=""),  # "<host>:<pid>:<random>"
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=True),  # last successful run
)

privacy_rate_limits = Table(
    "privacy_rate_limits",
    metadata,
    # "n:" + keyed hash of the network prefix, or "e:" + keyed hash of the email
    Column("bucket", String(40), primary_key=True),
    Column("window_start", DateTime(timezone=True), primary_key=True),
    Column("count", Integer, nullable=False, default=0),
)

# --- learned spam-engine state (spam/learning/) -----------------------------------------------
# Keys are the first 64 bits of an HMAC made by ``privacy.anonymize.Hasher``: never raw values.

reputation = Table(
    "reputation",
    metadata,
    Column("key", BigInteger, primary_key=True, autoincrement=False),
    Column("kind", String(16), nullable=False),  # reputation.KeyKind
    # Forward-decayed sums: each report adds 2**((t - epoch) / half_life); see reputation.py.
    Column("spam", Float, nullable=False, default=0.0),
    Column("ham", Float, nullable=False, default=0.0),
    Column("updated_ts", Float, nullable=False, index=True),  # unix seconds
)

near_duplicates = Table(
    "near_duplicates",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("fingerprint", String(32), nullable=False, unique=True),
    Column("signature", LargeBinary, nullable=False),  # MinHash values, little-endian uint32
    Column("label", String(8), nullable=False),
    Column("site_url", String(500), nullable=False),
    Column("created_ts", Float, nullable=False, index=True),
    Column("updated_ts", Float, nullable=False, index=True),
)

learned = Table(
    "learned",
    metadata,
    Column("fingerprint", String(32), primary_key=True),  # one learned label per content
    Column("label", String(8), nullable=False),
    Column("learned_ts", Float, nullable=False),
    Column("keys", JSON, nullable=False),  # [[kind, key], …] the reputation rows it added to
)

site_rules = Table(
    "site_rules",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site_url", String(500), nullable=False, index=True),
    Column("kind", String(16), nullable=False),  # rules.RuleKind
    Column("effect", String(8), nullable=False),  # rules.RuleEffect
    Column("value", String(500), nullable=False),  # typed ranges are the only IPs stored
    Column("note", String(200), nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("site_url", "kind", "effect", "value", name="uq_site_rules_rule"),
)
