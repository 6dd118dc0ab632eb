"""Moderators, their roles, sessions and API tokens, the login throttle, the audit log
(moderation/, web/admin.py)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
)

from rejoinder.storage.schema.naming import metadata

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
