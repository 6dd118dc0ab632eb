"""The moderator JSON API under /api/v1/moderation/ (token auth for scripts; in the OpenAPI
document). Same queues and actions as the admin pages, through the same services.

Authenticate with ``Authorization: Bearer rjm_…`` (``rejoinder moderators token EMAIL``).
State changes take only ``application/json``.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from rejoinder.core.records.comments import iso
from rejoinder.core.records.moderation import Actor, Decision, Queue
from rejoinder.errors import ValidationFailed
from rejoinder.moderation.auth import ModeratorAuth
from rejoinder.moderation.bans import Ban, BanService
from rejoinder.moderation.policy import PolicyService
from rejoinder.moderation.queue import Filters, ModerationService, parse_day
from rejoinder.moderation.stats import DEFAULT_DAYS, StatsService, period_days
from rejoinder.web.api import dump
from rejoinder.web.params import EdgeRoute, Id
from rejoinder.web.security import require_json


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: Decision = Field(description="approve, spam, not_spam, restore or delete")
    ids: list[Id] = Field(description="Comment ids (at most the bulk limit, default 1000).")


class EditIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str
    author: str = ""
    email: str = ""
    website: str = ""


class BanIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: str = Field(description="email, ip, url or word")
    site_id: Id | None = Field(None, description="The site (with `value`).")
    value: str = ""
    comment_id: Id | None = Field(None, description="Ban what this comment came from.")
    note: str = ""


class PolicyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    mode: str = Field(description="engine, hold_first_time or hold_all")
    hold: float | None = None
    spam: float | None = None
    discard: float | None = None
    close_after_days: int = Field(0, ge=0)


class QueueOut(BaseModel):
    queue: str
    items: list[dict[str, Any]]
    next_before: int | None = Field(description="Pass as `before` for older comments.")
    counts: dict[str, int]


class OutcomeOut(BaseModel):
    decision: str
    changed: list[int]
    unchanged: list[int]
    missing: list[int]
    learned: int = Field(description="New labels the spam engine learned from.")


def make_moderation_router(
    auth: ModeratorAuth,
    moderation: ModerationService,
    policies: PolicyService,
    bans: BanService,
    stats: StatsService,
) -> APIRouter:
    router = APIRouter(prefix="/api/v1/moderation", tags=["moderation"], route_class=EdgeRoute)
    json_only = [Depends(require_json)]

    async def actor(
        authorization: Annotated[str, Header(description="Bearer rjm_…", max_length=300)] = "",
    ) -> Actor:
        scheme, _, token = authorization.partition(" ")
        token = token if scheme.lower() == "bearer" else ""
        moderator, hint = await run_in_threadpool(auth.by_token, token)
        return Actor(moderator, via=f"api:{hint}")

    by_token = Depends(actor)

    @router.get("/queue/{queue}", response_model=QueueOut, summary="A moderation queue")
    async def queue(
        queue: Queue,
        q: Annotated[str, Query(max_length=200)] = "",
        author: Annotated[str, Query(max_length=100)] = "",
        email: Annotated[str, Query(max_length=254)] = "",
        thread: Annotated[str, Query(max_length=300)] = "",
        since: Annotated[str | None, Query(description="YYYY-MM-DD")] = None,
        until: Annotated[str | None, Query(description="YYYY-MM-DD (exclusive)")] = None,
        signal: Annotated[str, Query(max_length=60, description="e.g. LINKS_MANY")] = "",
        site: Annotated[Id | None, Query()] = None,
        before: Annotated[Id | None, Query()] = None,
        who: Actor = by_token,
    ) -> Response:
        """Newest first; search by text, author, email, thread and date; filter by site and
        by a signal symbol that fired."""
        filters = Filters(
            q,
            author,
            email,
            thread,
            parse_day(since),
            parse_day(until),
            signal.strip().upper(),
            site,
            before,
        )
        page = await run_in_threadpool(moderation.queue, who.moderator, queue, filters)
        return dump(
            {
                "queue": queue.value,
                "items": [i.as_dict() for i in page.items],
                "next_before": page.next_before,
                "counts": {k.value: v for k, v in page.counts.items()},
            }
        )

    @router.get("/comments/{comment_id}", summary="One comment with its history")
    async def comment(comment_id: Id, who: Actor = by_token) -> Response:
        item, log = await run_in_threadpool(moderation.comment, who.moderator, comment_id)
        history = [
            {
                "at": iso(e.created_at),
                "by": e.actor,
                "action": e.action,
                "from": e.from_status,
                "to": e.to_status,
                "detail": e.detail,
            }
            for e in log
        ]
        return dump({"comment": item.as_dict(), "history": history})

    @router.post(
        "/decisions",
        response_model=OutcomeOut,
        dependencies=json_only,
        summary="Approve, mark spam, mark not spam or delete one or many comments",
    )
    async def decide(body: DecisionIn, who: Actor = by_token) -> Response:
        outcome = await run_in_threadpool(moderation.decide, who, body.ids, body.decision)
        return dump(outcome.as_dict())

    @router.put("/comments/{comment_id}", dependencies=json_only, summary="Edit a comment")
    async def edit(comment_id: Id, body: EditIn, who: Actor = by_token) -> Response:
        item = await run_in_threadpool(
            moderation.edit, who, comment_id, body.text, body.author, body.email, body.website
        )
        return dump({"comment": item.as_dict()})

    @router.get("/bans", summary="Bans on your sites")
    async def list_bans(who: Actor = by_token) -> Response:
        rows = await run_in_threadpool(bans.list, who.moderator)
        return dump({"bans": [_ban(b) for b in rows]})

    @router.post("/bans", status_code=201, dependencies=json_only, summary="Add a ban")
    async def add_ban(body: BanIn, who: Actor = by_token) -> Response:
        if body.comment_id is not None:
            ban = await run_in_threadpool(bans.ban_from_comment, who, body.comment_id, body.kind)
        elif body.site_id is not None:
            ban = await run_in_threadpool(
                bans.add, who, body.site_id, body.kind, body.value, body.note
            )
        else:
            raise ValidationFailed("Give comment_id, or site_id and value.")
        return dump(_ban(ban), 201)

    @router.delete("/bans/{ban_id}", status_code=204, summary="Lift a ban")
    async def lift(ban_id: Id, who: Actor = by_token) -> Response:
        await run_in_threadpool(bans.lift, who, ban_id)
        return Response(status_code=204)

    @router.get("/sites/{site_id}/policy", summary="A site's policy, with a threshold preview")
    async def policy(
        site_id: Id, hold: str = "", spam: str = "", discard: str = "", who: Actor = by_token
    ) -> Response:
        view = await run_in_threadpool(policies.view, who.moderator, site_id, hold, spam, discard)
        return dump(
            {
                "site": view.site.url,
                "mode": view.mode.value,
                "close_after_days": view.policy.close_after_days,
                "thresholds": {
                    "hold": view.thresholds.hold,
                    "spam": view.thresholds.spam,
                    "discard": view.thresholds.discard,
                },
                "preview": asdict(view.preview) if view.preview else None,
            }
        )

    @router.get("/sites/{site_id}/stats", summary="A site's numbers per day (the Stats page)")
    async def site_stats(
        site_id: Id,
        days: Annotated[int, Query(description="7, 30, 90 or 365")] = DEFAULT_DAYS,
        who: Actor = by_token,
    ) -> Response:
        """Per UTC day: published, held, spam, discarded, missed_spam, false_positives and
        accuracy (null on a day without comments), oldest first, with the period's totals."""
        found = await run_in_threadpool(stats.site_stats, who.moderator, site_id, period_days(days))
        return dump(found.as_dict())

    @router.put("/sites/{site_id}/policy", dependencies=json_only, summary="Change a policy")
    async def set_policy(site_id: Id, body: PolicyIn, who: Actor = by_token) -> Response:
        values = {"mode": body.mode, "close_after_days": str(body.close_after_days)}
        for name in ("hold", "spam", "discard"):
            value = getattr(body, name)
            values[name] = "" if value is None else str(value)
        await run_in_threadpool(policies.save, who, site_id, values)
        return await policy(site_id, who=who)

    return router


def _ban(ban: Ban) -> dict[str, Any]:
    return {
        "id": ban.id,
        "site_id": ban.site_id,
        "site": ban.site_url,
        "kind": ban.kind,
        "value": ban.value,
        "note": ban.note,
    }
