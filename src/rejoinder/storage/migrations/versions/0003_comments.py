"""comments: threads, comments, per-site comment policies

Revision ID: 0003
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "threads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False, server_default="0"),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_threads_site_id_sites"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_threads")),
        sa.UniqueConstraint("site_id", "key", name="uq_threads_site_key"),
    )
    op.create_table(
        "comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("root_id", sa.Integer(), nullable=True),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("email_hash", sa.String(length=32), nullable=True),
        sa.Column("website", sa.String(length=500), nullable=False),
        sa.Column("author_html", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("probability", sa.Float(), nullable=True),
        sa.Column("hits", sa.JSON(), nullable=False),
        sa.Column("ip_hash", sa.String(length=32), nullable=True),
        sa.Column("ip_prefix_hash", sa.String(length=32), nullable=True),
        sa.Column("ua_family", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["threads.id"],
            name=op.f("fk_comments_thread_id_threads"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["comments.id"],
            name=op.f("fk_comments_parent_id_comments"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments")),
    )
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_comments_thread_parent_id", ["thread_id", "parent_id", "id"], unique=False
        )
        batch_op.create_index("ix_comments_root_id", ["root_id", "id"], unique=False)
        batch_op.create_index("ix_comments_thread_status", ["thread_id", "status"], unique=False)
        batch_op.create_index("ix_comments_email_hash", ["email_hash", "status"], unique=False)
        batch_op.create_index("ix_comments_status_created", ["status", "created_at"], unique=False)
    op.create_table(
        "comment_policies",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("on_accept", sa.String(length=16), nullable=False),
        sa.Column("on_hold", sa.String(length=16), nullable=False),
        sa.Column("on_spam", sa.String(length=16), nullable=False),
        sa.Column("on_discard", sa.String(length=16), nullable=False),
        sa.Column("hold_all", sa.Boolean(), nullable=False),
        sa.Column("hold_first_time", sa.Boolean(), nullable=False),
        sa.Column("allowed_origins", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.id"],
            name=op.f("fk_comment_policies_site_id_sites"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("site_id", name=op.f("pk_comment_policies")),
    )


def downgrade() -> None:
    op.drop_table("comment_policies")
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_index("ix_comments_status_created")
        batch_op.drop_index("ix_comments_email_hash")
        batch_op.drop_index("ix_comments_thread_status")
        batch_op.drop_index("ix_comments_root_id")
        batch_op.drop_index("ix_comments_thread_parent_id")
    op.drop_table("comments")
    op.drop_table("threads")
