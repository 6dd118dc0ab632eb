"""thread words: keyed hashes of what accepted comments on an article said (topicality signal)

Revision ID: 0011
Revises: 0010 (the feedback content index)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "thread_words",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_url", sa.String(length=500), nullable=False),
        sa.Column("thread", sa.String(length=32), nullable=False),
        sa.Column("check_guid", sa.String(length=32), nullable=True),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("stems", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["check_guid"],
            ["checks.guid"],
            name=op.f("fk_thread_words_check_guid_checks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_thread_words_comment_id_comments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_thread_words")),
        sa.UniqueConstraint("check_guid", name=op.f("uq_thread_words_check_guid")),
        sa.UniqueConstraint("comment_id", name=op.f("uq_thread_words_comment_id")),
    )
    with op.batch_alter_table("thread_words", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_thread_words_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index("ix_thread_words_thread_id", ["thread", "id"], unique=False)


def downgrade() -> None:
    op.drop_table("thread_words")
