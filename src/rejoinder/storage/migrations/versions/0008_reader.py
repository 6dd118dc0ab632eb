"""reader features: votes (one row per voter and comment, counts on the comment), identicon
seeds and Gravatar hashes on comments, per-site voting and Gravatar switches

Revision ID: 0008r
Revises: 0007 (the head on main when this was written; the lead re-chains at merge)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008r"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("votes_up", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(
            sa.Column("votes_down", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("avatar", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("gravatar", sa.String(length=64), nullable=True))
    with op.batch_alter_table("comment_policies", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("voting", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch_op.add_column(
            sa.Column("gravatar", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "comment_votes",
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("voter_hash", sa.String(length=32), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_comment_votes_comment_id_comments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("comment_id", "voter_hash", name=op.f("pk_comment_votes")),
    )


def downgrade() -> None:
    op.drop_table("comment_votes")
    with op.batch_alter_table("comment_policies", schema=None) as batch_op:
        batch_op.drop_column("gravatar")
        batch_op.drop_column("voting")
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_column("gravatar")
        batch_op.drop_column("avatar")
        batch_op.drop_column("votes_down")
        batch_op.drop_column("votes_up")
