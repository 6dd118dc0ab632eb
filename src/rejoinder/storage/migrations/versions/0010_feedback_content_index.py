"""feedback content index: labels looked up by content and label on any site

Recording a label asks whether this content already has this label anywhere (the content model
learns each content and label once), and the feedback log's replay asks the same per row.

Revision ID: 0010
Revises: 0009 (the head on main when this landed)
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.create_index("ix_feedback_fingerprint_label", ["fingerprint", "label"])


def downgrade() -> None:
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index("ix_feedback_fingerprint_label")
