"""learned state wiring: comment fingerprints and their time index, cache generations

Revision ID: 0007
Revises: 0005 (the head on main when this landed)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fingerprint", sa.String(length=32), nullable=True))
        batch_op.create_index("ix_comments_created_at", ["created_at"], unique=False)
    op.create_table(
        "cache_generations",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("changed_ts", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_cache_generations")),
    )


def downgrade() -> None:
    op.drop_table("cache_generations")
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_index("ix_comments_created_at")
        batch_op.drop_column("fingerprint")
