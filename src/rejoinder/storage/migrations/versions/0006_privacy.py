"""privacy: email hashes for export/erase, feedback retention marker, task locks, request limits

Revision ID: 0006
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("checks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email_hash", sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f("ix_checks_email_hash"), ["email_hash"], unique=False)
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email_hash", sa.String(length=32), nullable=True))
        batch_op.add_column(
            sa.Column("personal_cleared_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_feedback_email_hash"), ["email_hash"], unique=False)
    op.create_table(
        "task_locks",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_task_locks")),
    )
    op.create_table(
        "privacy_rate_limits",
        sa.Column("bucket", sa.String(length=40), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("bucket", "window_start", name=op.f("pk_privacy_rate_limits")),
    )


def downgrade() -> None:
    op.drop_table("privacy_rate_limits")
    op.drop_table("task_locks")
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_email_hash"))
        batch_op.drop_column("personal_cleared_at")
        batch_op.drop_column("email_hash")
    with op.batch_alter_table("checks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checks_email_hash"))
        batch_op.drop_column("email_hash")
