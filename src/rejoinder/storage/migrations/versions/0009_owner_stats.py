"""owner stats: per-site daily counters and used one-click moderation links

Revision ID: 0009
Revises: 0008r (the head on main when this landed)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008r"
branch_labels = None
depends_on = None

COUNTERS = ("published", "held", "spam", "discarded", "missed_spam", "false_positives")


def upgrade() -> None:
    op.create_table(
        "daily_stats",
        sa.Column("site_url", sa.String(length=500), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in COUNTERS),
        sa.PrimaryKeyConstraint("site_url", "day", name=op.f("pk_daily_stats")),
    )
    op.create_table(
        "used_links",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_used_links")),
    )
    with op.batch_alter_table("used_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_used_links_expires_at"), ["expires_at"], unique=False)


def downgrade() -> None:
    op.drop_table("used_links")
    op.drop_table("daily_stats")
