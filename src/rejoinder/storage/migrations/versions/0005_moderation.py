"""moderation: moderators, roles, sessions, tokens, login throttle, audit log, webhooks,
notification deliveries; comment columns for the truncated network and reply notifications;
policy column for closing old threads; full-text search over comments.

Revision ID: 0005
Revises: 0002 (the last on main: 0001, 0003, 0006, 0002; the lead re-chains at merge)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0002"
branch_labels = None
depends_on = None

# Full-text search over comment text and author: FTS5 (an external-content table kept in step
# by triggers) on SQLite, a GIN index over to_tsvector('simple', …) on PostgreSQL.
SQLITE_FTS = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS comments_fts USING fts5("
    "text, author, content='comments', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS comments_fts_ai AFTER INSERT ON comments BEGIN "
    "INSERT INTO comments_fts(rowid, text, author) VALUES (new.id, new.text, new.author); END",
    "CREATE TRIGGER IF NOT EXISTS comments_fts_ad AFTER DELETE ON comments BEGIN "
    "INSERT INTO comments_fts(comments_fts, rowid, text, author) "
    "VALUES ('delete', old.id, old.text, old.author); END",
    "CREATE TRIGGER IF NOT EXISTS comments_fts_au AFTER UPDATE OF text, author ON comments BEGIN "
    "INSERT INTO comments_fts(comments_fts, rowid, text, author) "
    "VALUES ('delete', old.id, old.text, old.author); "
    "INSERT INTO comments_fts(rowid, text, author) VALUES (new.id, new.text, new.author); END",
    "INSERT INTO comments_fts(comments_fts) VALUES ('rebuild')",
]
POSTGRES_FTS = [
    "CREATE INDEX IF NOT EXISTS ix_comments_fts ON comments "
    "USING gin (to_tsvector('simple', coalesce(text, '') || ' ' || coalesce(author, '')))",
]


def _moderator_fk(name: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["moderator_id"],
        ["moderators.id"],
        name=op.f(f"fk_{name}_moderator_id_moderators"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ip_network", sa.String(length=50), nullable=True))
        batch_op.add_column(
            sa.Column("notify_replies", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.create_index("ix_comments_status_id", ["status", "id"], unique=False)
    with op.batch_alter_table("comment_policies", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("close_after_days", sa.Integer(), nullable=False, server_default="0")
        )
    op.create_table(
        "moderators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("notify", sa.String(length=8), nullable=False, server_default="off"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderators")),
        sa.UniqueConstraint("email", name=op.f("uq_moderators_email")),
    )
    op.create_table(
        "moderator_roles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("moderator_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        _moderator_fk("moderator_roles"),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.id"],
            name=op.f("fk_moderator_roles_site_id_sites"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderator_roles")),
        sa.UniqueConstraint("moderator_id", "site_id", name="uq_moderator_roles_site"),
    )
    op.create_table(
        "moderator_sessions",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("moderator_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        _moderator_fk("moderator_sessions"),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_moderator_sessions")),
    )
    op.create_index(
        "ix_moderator_sessions_expires_at", "moderator_sessions", ["expires_at"], unique=False
    )
    op.create_table(
        "moderator_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("moderator_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("hint", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        _moderator_fk("moderator_tokens"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderator_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_moderator_tokens_token_hash")),
    )
    op.create_table(
        "login_throttle",
        sa.Column("bucket", sa.String(length=40), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("bucket", name=op.f("pk_login_throttle")),
    )
    op.create_table(
        "moderation_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("moderator_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=254), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=False),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_moderation_log_comment_id_comments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.id"],
            name=op.f("fk_moderation_log_site_id_sites"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["moderator_id"],
            ["moderators.id"],
            name=op.f("fk_moderation_log_moderator_id_moderators"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_log")),
    )
    op.create_index("ix_moderation_log_comment", "moderation_log", ["comment_id", "id"])
    op.create_index("ix_moderation_log_site", "moderation_log", ["site_id", "id"])
    op.create_table(
        "webhooks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("secret", sa.String(length=64), nullable=False),
        sa.Column("digest", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_webhooks_site_id_sites"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhooks")),
    )
    op.create_table(
        "notification_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("recipient_hash", sa.String(length=32), nullable=True),
        sa.Column("webhook_id", sa.Integer(), nullable=True),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.String(length=300), nullable=False),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["webhook_id"],
            ["webhooks.id"],
            name=op.f("fk_notification_deliveries_webhook_id_webhooks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.id"],
            name=op.f("fk_notification_deliveries_site_id_sites"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_notification_deliveries_comment_id_comments"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_deliveries")),
    )
    op.create_index(
        "ix_notification_deliveries_due", "notification_deliveries", ["state", "next_attempt_at"]
    )
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_FTS if dialect == "sqlite" else POSTGRES_FTS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("comments_fts_ai", "comments_fts_ad", "comments_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS comments_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_comments_fts")
    for table in (
        "notification_deliveries",
        "webhooks",
        "moderation_log",
        "login_throttle",
        "moderator_tokens",
        "moderator_sessions",
        "moderator_roles",
        "moderators",
    ):
        op.drop_table(table)
    with op.batch_alter_table("comment_policies", schema=None) as batch_op:
        batch_op.drop_column("close_after_days")
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_index("ix_comments_status_id")
        batch_op.drop_column("notify_replies")
        batch_op.drop_column("ip_network")
