"""The feedback log read back for the content model: after a restart (the rows after its
snapshot) and to pick up the rows other workers recorded. The rows a worker recorded itself
reach its model directly (``spam/labels.py``) and are never read back here.

Only the first row of a given content fingerprint and label counts (the same content reported
on several sites, or twice, is learned once), and rows whose text retention has cleared are
skipped (there is nothing left to learn from).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Connection, Integer, Select, bindparam, exists, select

from rejoinder.storage.schema import feedback


@dataclass(frozen=True, slots=True)
class LearnableFeedback:
    id: int
    label: str
    site_url: str
    fields: dict[str, Any]


def learnable_feedback_after(
    conn: Connection,
    after_id: int,
    limit: int = 1000,
    *,
    before_id: int | None = None,
    skip: Sequence[int] = (),
) -> list[LearnableFeedback]:
    """Learnable feedback rows with ``id > after_id`` (and ``< before_id``, if given), oldest
    first, at most ``limit``, leaving out the ids in ``skip`` (rows the caller already has)."""
    params: dict[str, Any] = {"after_id": after_id, "limit": limit}
    if before_id is not None:
        params["before_id"] = before_id
    if skip:
        params["skip"] = list(skip)
    query = _learnable_after(before_id is not None, bool(skip))
    rows = conn.execute(query, params).all()
    return [
        LearnableFeedback(int(r.id), str(r.label), str(r.site_url), dict(r.fields or {}))
        for r in rows
    ]


@cache
def _learnable_after(bounded: bool, skipping: bool) -> Select[Any]:
    """The query, built once per shape: building it (an alias and a correlated subquery) cost
    0.6 ms, a quarter of learning one feedback, when every learned label ran it."""
    earlier = feedback.alias("earlier")
    duplicate = exists().where(
        earlier.c.fingerprint == feedback.c.fingerprint,
        earlier.c.label == feedback.c.label,
        earlier.c.id < feedback.c.id,
    )
    query = (
        select(feedback.c.id, feedback.c.label, feedback.c.site_url, feedback.c.fields)
        .where(
            feedback.c.id > bindparam("after_id"),
            feedback.c.personal_cleared_at.is_(None),
            ~duplicate,
        )
        .order_by(feedback.c.id)
        .limit(bindparam("limit", type_=Integer))
    )
    if bounded:
        query = query.where(feedback.c.id < bindparam("before_id"))
    if skipping:
        query = query.where(feedback.c.id.not_in(bindparam("skip", expanding=True)))
    return query
