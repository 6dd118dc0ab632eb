"""SQLAlchemy Core tables: the whole schema on one page.

Portable SQL only (SQLite and PostgreSQL run it unchanged). Times are timezone-aware UTC.
No column holds a raw IP address or user agent: ``*_hash`` columns are keyed hashes made by
``core.anonymize``.
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

# Made by migrations but not declared here: the full-text search over comments (an FTS5 table
# and its shadow tables on SQLite, a GIN expression index on PostgreSQL; see migration 0005).
UNMANAGED_PREFIXES = ("comments_fts", "ix_comments_fts")


def managed_name(name: str | None, _type: str, _parents: object) -> bool:
    """Alembic ``include_name`` filter: leave the full-text search objects alone."""
    return not (name or "").startswith(UNMANAGED_PREFIXES)


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
    Column("status", String(16), nullable=False),  # core.records.comments.Status
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
    # the /24 or /48 network the comment came from, as a moderator sees it (never the address)
    Column("ip_network", String(50), nullable=True),
    Column("notify_replies", Boolean, nullable=False, default=False),  # reply mails opted in
    # exact-duplicate key of the text (``spam.submission.fingerprint``): velocity, erase
    Column("fingerprint", String(32), nullable=True),
    # readers' votes, counted as they are cast (comment_votes holds one row per voter)
    Column("votes_up", Integer, nullable=False, default=0),
    Column("votes_down", Integer, nullable=False, default=0),
    # the identicon's seed: a keyed hash of the email (else of the name), made at write time
    Column("avatar", String(16), nullable=True),
    # SHA-256 of the email, only on sites that turn Gravatar on (what Gravatar looks up)
    Column("gravatar", String(64), nullable=True),
    Index("ix_comments_thread_parent_id", "thread_id", "parent_id", "id"),
    Index("ix_comments_root_id", "root_id", "id"),
    Index("ix_comments_thread_status", "thread_id", "status"),
    Index("ix_comments_email_hash", "email_hash", "status"),
    Index("ix_comments_status_created", "status", "created_at"),
    Index("ix_comments_status_id", "status", "id"),  # the moderation queues, newest first
    Index("ix_comments_created_at", "created_at"),  # velocity: where the window starts
)

comment_policies = Table(
    "comment_policies",
    metadata,
    Column("site_id", Integer, ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True),
    Column("on_accept", String(16), nullable=False),  # core.records.comments.Disposition
    Column("on_hold", String(16), nullable=False),
    Column("on_spam", String(16), nullable=False),
    Column("on_discard", String(16), nullable=False),
    Column("hold_all", Boolean, nullable=False, default=False),
    Column("hold_first_time", Boolean, nullable=False, default=False),
    Column("allowed_origins", JSON, nullable=False),  # extra origins besides the site's own
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("close_after_days", Integer, nullable=False, default=0),  # 0: threads never close
    Column("voting", Boolean, nullable=False, default=True),
    Column("gravatar", Boolean, nullable=False, default=False),
)

comment_votes = Table(
    "comment_votes",
    metadata,
    Column("comment_id", Integer, ForeignKey("comments.id", ondelete="CASCADE"), primary_key=True),
    # a keyed hash of the random voter id the reader's browser keeps (no IP, no email)
    Column("voter_hash", String(HASH_LEN), primary_key=True),
    Column("value", Integer, nullable=False),  # core.records.comments.Vote: 1 or -1
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# --- moderation (moderation/, web/admin.py) --------------------------------------------------

moderators = Table(
    "moderators",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(254), nullable=False, unique=True),  # lower-cased
    Column("password_hash", String(200), nullable=False),  # argon2id
    Column(
        "notify", String(8), nullable=False, default="off"
    ),  # core.records.moderation.NotifyMode
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_login_at", DateTime(timezone=True), nullable=True),
)

moderator_roles = Table(
    "moderator_roles",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "moderator_id", Integer, ForeignKey("moderators.id", ondelete="CASCADE"), nullable=False
    ),
    Column("site_id", Integer, ForeignKey("sites.id", ondelete="CASCADE"), nullable=True),
    Column(
        "role", String(16), nullable=False
    ),  # core.records.moderation.Role; site NULL: every site
    UniqueConstraint("moderator_id", "site_id", name="uq_moderator_roles_site"),
)

moderator_sessions = Table(
    "moderator_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),  # SHA-256 of the cookie value
    Column(
        "moderator_id", Integer, ForeignKey("moderators.id", ondelete="CASCADE"), nullable=False
    ),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
)

moderator_tokens = Table(
    "moderator_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "moderator_id", Integer, ForeignKey("moderators.id", ondelete="CASCADE"), nullable=False
    ),
    Column("token_hash", String(64), nullable=False, unique=True),  # SHA-256 of the token
    Column("hint", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_used_at", DateTime(timezone=True), nullable=True),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)

login_throttle = Table(
    "login_throttle",
    metadata,
    Column("bucket", String(40), primary_key=True),  # "a:"/"n:" + keyed hash (account, network)
    Column("window_start", DateTime(timezone=True), nullable=False),
    Column("failures", Integer, nullable=False, default=0),
)

moderation_log = Table(
    "moderation_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("comment_id", Integer, ForeignKey("comments.id", ondelete="CASCADE"), nullable=True),
    Column("site_id", Integer, ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
    Column(
        "moderator_id", Integer, ForeignKey("moderators.id", ondelete="SET NULL"), nullable=True
    ),
    Column("actor", String(254), nullable=False),  # the moderator's email, or "api:<hint>"
    Column("action", String(16), nullable=False),  # core.records.moderation.Decision
    Column("from_status", String(16), nullable=False, default=""),
    Column("to_status", String(16), nullable=False, default=""),
    Column("detail", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_moderation_log_comment", "comment_id", "id"),
    Index("ix_moderation_log_site", "site_id", "id"),
)

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
# Keys are the first 64 bits of an HMAC made by ``core.anonymize.Hasher``: never raw values.

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

thread_words = Table(
    "thread_words",
    metadata,
    # What accepted comments on one article said, for the topicality signal: one row per
    # accepted comment (an Akismet check that accepted it, or a published widget comment), tied
    # to that record so that deleting the record (retention, erase, a moderator's decision)
    # deletes the row. No text: ``stems`` holds 64 bits of a keyed hash per word stem.
    Column("id", Integer, primary_key=True),
    Column("site_url", String(500), nullable=False),
    Column("thread", String(HASH_LEN), nullable=False),  # keyed hash of site + permalink
    Column(
        "check_guid",
        String(32),
        ForeignKey("checks.guid", ondelete="CASCADE"),
        nullable=True,
        unique=True,
    ),
    Column(
        "comment_id",
        Integer,
        ForeignKey("comments.id", ondelete="CASCADE"),
        nullable=True,
        unique=True,
    ),
    Column("stems", LargeBinary, nullable=False),  # 8 bytes per stem, at most 24 stems
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    Index("ix_thread_words_thread_id", "thread", "id"),
)

cache_generations = Table(
    "cache_generations",
    metadata,
    # Tables that every worker mirrors in memory (``storage.generations.Cached``). Deleting rows
    # from one of them bumps its generation; a worker that sees a new generation reloads.
    Column("name", String(32), primary_key=True),
    Column("generation", Integer, nullable=False, default=0),
    Column("changed_ts", Float, nullable=False),  # unix seconds
)
