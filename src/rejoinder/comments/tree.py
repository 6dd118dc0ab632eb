"""Turn a page of comments into the nested shape readers see."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

from rejoinder.core.records.comments import Comment, PublicComment, Status


def build_tree(
    roots: Sequence[Comment],
    replies: Sequence[Comment],
    *,
    own_ids: Collection[int],
    now: datetime,
    edit_window: timedelta,
    max_depth: int,
) -> list[PublicComment]:
    """Nested comments as readers see them, oldest first. Replies nest at most ``max_depth`` levels deep (deeper ones
    are shown beside their parent); a deleted comment stays only as a placeholder for replies."""
    nodes: dict[int, PublicComment] = {}
    level: dict[int, int] = {}
    container: dict[int, list[PublicComment]] = {}
    top: list[PublicComment] = []

    def node_for(c: Comment) -> PublicComment:
        mine = c.id in own_ids
        until = c.created_at + edit_window
        editable = mine and c.status is not Status.DELETED and now < until
        node = c.public_dict(mine=mine, editable_until=until if editable else None)
        nodes[c.id] = node
        return node

    for c in roots:
        top.append(node_for(c))
        level[c.id] = 0
        container[c.id] = top
    for c in replies:
        parent_id = c.parent_id if c.parent_id in nodes else c.root_id
        if parent_id not in nodes:
            continue  # its root is not on this page, or not visible
        assert parent_id is not None
        node = node_for(c)
        if level[parent_id] >= max_depth - 1:
            siblings = container[parent_id]
            level[c.id] = level[parent_id]
        else:
            siblings = nodes[parent_id]["replies"]
            level[c.id] = level[parent_id] + 1
        siblings.append(node)
        container[c.id] = siblings
    return _prune_deleted(top)


def _prune_deleted(items: list[PublicComment]) -> list[PublicComment]:
    kept = []
    for item in items:
        item["replies"] = _prune_deleted(item["replies"])
        if item["status"] != Status.DELETED.value or item["replies"]:
            kept.append(item)
    return kept
