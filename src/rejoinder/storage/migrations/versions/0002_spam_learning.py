"""spam learning: reputation, near-duplicate index, learned contents, site rules

Revision ID: 0002
Revises: 0003 (chained after the comments migration that landed first on main)
Create Date: 2026-11-28 15:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reputation",
        sa.Column("key", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("spam", sa.Float(), nullable=False),
        sa.Column("ham", sa.Float(), nullable=False),
        sa.Column("updated_ts", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_reputation")),
    )
    op.create_index(op.f("ix_reputation_updated_ts"), "reputation", ["updated_ts"])
    op.create_table(
        "near_duplicates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=32), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.Column("label", sa.String(length=8), nullable=False),
        sa.Column("site_url", sa.String(length=500), nullable=False),
        sa.Column("created_ts", sa.Float(), nullable=False),
        sa.Column("updated_ts", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_near_duplicates")),
        sa.UniqueConstraint("fingerprint", name=op.f("uq_near_duplicates_fingerprint")),
    )
    op.create_index(op.f("ix_near_duplicates_created_ts"), "near_duplicates", ["created_ts"])
    op.create_index(op.f("ix_near_duplicates_updated_ts"), "near_duplicates", ["updated_ts"])
    op.create_table(
        "learned",
        sa.Column("fingerprint", sa.String(length=32), nullable=False),
        sa.Column("label", sa.String(length=8), nullable=False),
        sa.Column("learned_ts", sa.Float(), nullable=False),
        sa.Column("keys", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("fingerprint", name=op.f("pk_learned")),
    )
    op.create_table(
        "site_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_url", sa.String(length=500), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("effect", sa.String(length=8), nullable=False),
        sa.Column("value", sa.String(length=500), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site_rules")),
        sa.UniqueConstraint("site_url", "kind", "effect", "value", name="uq_site_rules_rule"),
    )
    op.create_index(op.f("ix_site_rules_site_url"), "site_rules", ["site_url"])


def downgrade() -> None:
    op.drop_index(op.f("ix_site_rules_site_url"), table_name="site_rules")
    op.drop_table("site_rules")
    op.drop_table("learned")
    op.drop_index(op.f("ix_near_duplicates_updated_ts"), table_name="near_duplicates")
    op.drop_index(op.f("ix_near_duplicates_created_ts"), table_name="near_duplicates")
    op.drop_table("near_duplicates")
    op.drop_index(op.f("ix_reputation_updated_ts"), table_name="reputation")
    op.drop_table("reputation")
