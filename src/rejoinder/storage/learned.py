"""Reading the feedback log back for learning (the content model replays it after a restart)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from rejoinder.storage.schema import feedback


@dataclass(frozen=True, slots=True)
class LearnableFeedback:
    id: int
    label: str
    site_url: str
    fields: dict[str, Any]


def feedback_after(
    conn: Connection, after_id: int, upto_id: int | None = None, limit: int = 1000
) -> list[LearnableFeedback]:
    """Feedback rows with ``after_id < id ≤ upto_id``, oldest first, at most ``limit``."""
    query = select(feedback.c.id, feedback.c.label, feedback.c.site_url, feedback.c.fields).where(
        feedback.c.id > after_id
    )
    if upto_id is not None:
        query = query.where(feedback.c.id <= upto_id)
    rows = conn.execute(query.order_by(feedback.c.id).limit(limit)).all()
    return [
        LearnableFeedback(int(r.id), str(r.label), str(r.site_url), dict(r.fields or {}))
        for r in rows
    ]
