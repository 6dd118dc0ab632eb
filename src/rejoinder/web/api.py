"""The JSON API under /api/v1/ (documented at /api/v1/openapi.json).

Each endpoint parses HTTP and calls one method of ``comments.service.CommentService``. Reads
are answered with pre-serialized JSON (the HTML was rendered when the comment was written).
"""

from __future__ import annotations

import json
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from rejoinder.comments.posting import HONEYPOT_FIELD
from rejoinder.comments.reader import ReaderService
from rejoinder.comments.records import Client, NewComment, ThreadPage, ThreadRef
from rejoinder.comments.service import CommentService
from rejoinder.core.records.comments import Sort
from rejoinder.web.cache import PageCache
from rejoinder.web.clientip import ClientAddress
from rejoinder.web.params import EdgeRoute, Id
from rejoinder.web.security import check_origin, require_json

PRIVACY_PATH = "/privacy"


class CommentIn(BaseModel):
    """A new comment or reply. Lengths are checked by the service (clear 422 messages)."""

    model_config = ConfigDict(extra="ignore")
    site: str = Field(description="The site's URL (or numeric id).")
    thread: str = Field("", description="Explicit thread id; else `url` names the thread.")
    url: str = Field("", description="The article URL.")
    title: str = Field("", description="The article title (stored as plain text).")
    parent: Id | None = Field(None, description="Id of the comment this replies to.")
    author: str = ""
    email: str = ""
    website: str = ""
    text: str = Field(description="Markdown (CommonMark subset).")
    homepage: str = Field("", description="The honeypot: a hidden field people leave empty.")
    form_token: str = Field("", description="The `form_token` from the thread listing.")
    lang: str = ""
    notify: bool = Field(False, description="Email me when someone replies (needs `email`).")
    commenter_token: str = Field(
        "",
        max_length=200,
        description="The `commenter_token` an earlier post returned: under 'hold first-time "
        "commenters' it shows the post comes from a commenter already published on this site.",
    )


class EditIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    token: str = Field(description="The owner token returned when the comment was posted.")
    text: str
    author: str | None = None
    website: str | None = None


class DeleteIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    token: str


class VoteIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    value: int = Field(ge=-1, le=1, description="1 up, -1 down, 0 takes the vote back.")
    voter: str = Field(
        "", max_length=200, description="The `voter` token an earlier vote returned, if any."
    )


class VoteOut(BaseModel):
    id: int
    value: int
    score: int
    up: int
    down: int
    voter: str = Field(description="Keep it and send it with the next vote (one per comment).")


class PreviewIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    site: str = Field(description="The site's URL (or numeric id).")
    text: str = Field(description="Markdown, as it would be posted.")


class PreviewOut(BaseModel):
    html: str = Field(description="The HTML the comment would be published as.")


class CommentOut(BaseModel):
    id: int
    parent: int | None
    depth: int
    status: str = Field(description="published, pending (only ever shown to its author) or deleted")
    author: str
    website: str
    author_html: str = Field(description="Escaped author name, linked to the website.")
    html: str = Field(description="Sanitized HTML rendered from the Markdown at write time.")
    created: str
    edited: str | None
    mine: bool
    editable_until: str | None
    score: int = Field(description="Up votes minus down votes.")
    up: int
    down: int
    avatar: str = Field(description="Identicon seed (hex); embed.js draws it.")
    gravatar: str | None = Field(description="SHA-256 of the email, on sites with Gravatar on.")
    replies: list[CommentOut]


class ThreadOut(BaseModel):
    site: str
    site_id: int = Field(
        description="The site's number, as in the no-JS page /t/{site_id}/{thread}."
    )
    thread: dict[str, str]
    total: int = Field(description="Published comments in the whole thread.")
    comments: list[CommentOut]
    next: int | None = Field(description="Pass as `after` for the next page; null at the end.")
    form_token: str
    honeypot_field: str
    edit_window_s: int
    max_depth: int
    privacy_url: str
    sort: Sort
    voting: bool = Field(description="The site lets readers vote.")
    gravatar: bool = Field(description="The site shows Gravatar pictures.")


class PostedOut(BaseModel):
    status: str = Field(description="published (201) or pending (202)")
    comment: CommentOut | None
    token: str | None = Field(description="Keep it: it edits, deletes and shows own pending.")
    commenter_token: str | None = Field(
        description="Keep it and send it with the next comment (returning commenters)."
    )


class CountsOut(BaseModel):
    counts: dict[str, int]


def dump_bytes(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def dump(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(dump_bytes(body), status, headers=headers, media_type="application/json")


def thread_body(page: ThreadPage, privacy_url: str) -> dict[str, Any]:
    """The listing without its form token (spliced in per request: see ``with_token``)."""
    thread = page.thread
    return {
        "site": page.site.url,
        "site_id": page.site.id,
        "thread": {
            "id": page.key,
            "title": thread.title if thread else "",
            "url": thread.url if thread else "",
        },
        "total": page.total,
        "comments": page.comments,
        "next": page.next_after,
        "honeypot_field": HONEYPOT_FIELD,
        "edit_window_s": page.edit_window_s,
        "max_depth": page.max_depth,
        "privacy_url": privacy_url,
        "sort": page.sort.value,
        "voting": page.voting,
        "gravatar": page.gravatar,
    }


def with_token(body: bytes, token: str) -> bytes:
    """Put the per-render form token in front of a (cached) listing."""
    return b'{"form_token":' + json.dumps(token).encode() + b"," + body[1:]


def client_of(request: Request, addresses: ClientAddress) -> Client:
    return Client(
        addresses.of(request),
        request.headers.get("user-agent", "")[:1000],
        request.headers.get("referer", "")[:2000],
    )


def make_router(
    service: CommentService, reader: ReaderService, addresses: ClientAddress
) -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["comments"], route_class=EdgeRoute)
    json_only = [Depends(require_json)]
    cache = PageCache()

    async def listing(ref: ThreadRef, after: int, limit: int | None, own: str, sort: Sort) -> bytes:
        if own:  # the caller's own held comments: never cached
            page = await run_in_threadpool(
                service.list_thread, ref, after=after, limit=limit, own=own, sort=sort
            )
            return with_token(dump_bytes(thread_body(page, PRIVACY_PATH)), page.form_token)
        site, key, thread = await run_in_threadpool(service.thread_head, ref)
        cache_key = (site.id, key, thread.version if thread else -1, after, limit, sort)
        body = cache.get(cache_key)
        if not isinstance(body, bytes):
            page = await run_in_threadpool(
                service.list_thread, ref, after=after, limit=limit, sort=sort
            )
            body = dump_bytes(thread_body(page, PRIVACY_PATH))
            cache.put(cache_key, body)
        return with_token(body, service.form_token(site, key))

    @router.get("/comments", response_model=ThreadOut, summary="List a thread")
    async def list_comments(
        request: Request,
        site: Annotated[str, Query(max_length=500)],
        thread: Annotated[str, Query(max_length=500)] = "",
        url: Annotated[str, Query(max_length=2000)] = "",
        after: Annotated[Id, Query()] = 0,
        limit: Annotated[int | None, Query(ge=1, le=500)] = None,
        sort: Annotated[Sort, Query()] = Sort.OLDEST,
        own: Annotated[str, Header(alias="X-Rejoinder-Own", max_length=8000)] = "",
    ) -> Response:
        """Published comments, threaded, plus the caller's own held ones (proved by the owner
        tokens in `X-Rejoinder-Own`, comma-separated). `sort` orders the top-level comments
        (oldest, newest or top = highest score first); replies stay oldest first."""
        body = await listing(ThreadRef(site, thread, url), after, limit, own, sort)
        headers = {"Cache-Control": "private, no-store" if own else "no-cache"}
        return Response(body, headers=headers, media_type="application/json")

    @router.post(
        "/comments",
        response_model=PostedOut,
        status_code=201,
        dependencies=json_only,
        summary="Post a comment or reply",
        responses={202: {"model": PostedOut, "description": "Held for moderation"}},
    )
    async def post_comment(request: Request, body: CommentIn) -> Response:
        new = NewComment(
            ThreadRef(body.site, body.thread, body.url),
            body.text,
            body.author,
            body.email,
            body.website,
            body.parent,
            body.title,
            body.homepage,
            body.form_token,
            body.lang,
            body.notify,
            body.commenter_token,
        )
        client = client_of(request, addresses)
        posted = await service.post(new, client, partial(check_origin, request))
        out = {
            "status": posted.status.value,
            "comment": posted.comment,
            "token": posted.token,
            "commenter_token": posted.commenter_token,
        }
        return dump(out, 201 if posted.published else 202)

    async def _guard(request: Request, comment_id: Id) -> None:
        site = await run_in_threadpool(service.site_of_comment, comment_id)
        allowed = await run_in_threadpool(service.allowed_origins, site)
        check_origin(request, allowed)

    @router.put(
        "/comments/{comment_id}",
        response_model=CommentOut,
        dependencies=json_only,
        summary="Edit one's own comment (within the edit window)",
    )
    async def edit_comment(request: Request, comment_id: Id, body: EditIn) -> Response:
        await _guard(request, comment_id)
        client = client_of(request, addresses)
        out = await run_in_threadpool(
            service.edit, comment_id, body.token, body.text, client, body.author, body.website
        )
        return dump(out)

    @router.delete(
        "/comments/{comment_id}",
        status_code=204,
        dependencies=json_only,
        summary="Delete one's own comment (within the edit window)",
    )
    async def delete_comment(request: Request, comment_id: Id, body: DeleteIn) -> Response:
        await _guard(request, comment_id)
        await run_in_threadpool(service.delete, comment_id, body.token)
        return Response(status_code=204)

    @router.post(
        "/comments/{comment_id}/vote",
        response_model=VoteOut,
        dependencies=json_only,
        summary="Vote a published comment up or down (one vote per reader)",
    )
    async def vote(request: Request, comment_id: Id, body: VoteIn) -> Response:
        await _guard(request, comment_id)
        client = client_of(request, addresses)
        voted = await run_in_threadpool(reader.vote, comment_id, body.value, body.voter, client)
        return dump(
            {
                "id": voted.comment_id,
                "value": int(voted.value),
                "score": voted.score,
                "up": voted.up,
                "down": voted.down,
                "voter": voted.voter,
            }
        )

    @router.post(
        "/preview",
        response_model=PreviewOut,
        dependencies=json_only,
        summary="Render Markdown as a posted comment would be rendered",
    )
    async def preview(request: Request, body: PreviewIn) -> Response:
        site = await run_in_threadpool(service.site, body.site)
        check_origin(request, await run_in_threadpool(service.allowed_origins, site))
        html = await run_in_threadpool(reader.preview, body.text, client_of(request, addresses))
        return dump({"html": html})

    @router.get("/counts", response_model=CountsOut, summary="Comment counts for many threads")
    async def counts(
        site: Annotated[str, Query(max_length=500)],
        thread: Annotated[list[str] | None, Query()] = None,
        url: Annotated[list[str] | None, Query()] = None,
    ) -> Response:
        """Published-comment counts, keyed by the thread ids and URLs asked for (at most 100)."""
        found = await run_in_threadpool(service.counts, site, thread or [], url or [])
        return dump({"counts": found})

    return router
