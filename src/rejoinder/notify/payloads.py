"""What notifications carry: a held comment (or a reply) as moderator mails show it and webhooks
send it, and a webhook's body (docs/moderation.md, Webhooks)."""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict

from rejoinder.core.records.verdict import HitRecord

WebhookEvent = Literal["comment.held", "comments.held"]


class CommentPayload(TypedDict):
    """One comment in a notification (the JSON a webhook receives, the fields a mail shows)."""

    id: int
    site: str
    site_id: int
    thread_key: str
    thread_title: str
    thread_url: str
    author: str
    text: str
    status: str  # a Status
    probability: float | None
    hits: list[HitRecord]
    created: str  # ISO 8601
    parent_id: int | None
    admin_url: NotRequired[str]  # webhooks: where a moderator decides on it


class WebhookBody(TypedDict):
    """A webhook request's JSON body: one held comment, or a digest of several."""

    event: WebhookEvent
    site: str
    comments: list[CommentPayload]
