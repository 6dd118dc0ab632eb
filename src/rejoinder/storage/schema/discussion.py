"""The comment platform's tables: threads, comments, each site's policy, readers' votes."""

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
