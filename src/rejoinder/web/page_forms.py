"""The no-JS forms: post, edit, delete and vote, each after its signed form token and an
Origin/Referer check, then redirected back (POST-redirect-GET)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from rejoinder.comments.posting import HONEYPOT_FIELD
from rejoinder.comments.records import NewComment, OwnComment, ThreadRef
from rejoinder.comments.sanitize import BadIdentifier
from rejoinder.core.records.comments import Sort
from rejoinder.errors import Forbidden
from rejoinder.web.api import client_of
from rejoinder.web.i18n import STRINGS, strings
from rejoinder.web.page_base import (
    OWN_COOKIE,
    OWN_COOKIE_MAX,
    PageBase,
    comment_id_of,
    lang_of,
    lang_query,
    owned_tokens,
)
from rejoinder.web.params import text_id
from rejoinder.web.rendering import html, templates
from rejoinder.web.security import check_origin, own_origin

OWN_COOKIE_AGE_S = 30 * 24 * 3600
COMMENTER_COOKIE = "rejoinder_commenter"  # a returning commenter (D18; comments/tokens.py)
VOTER_COOKIE = "rejoinder_voter"  # the voter token of a reader without JavaScript
VOTER_COOKIE_AGE_S = 365 * 24 * 3600
FORM_MAX_AGE_S = 24 * 3600
FORM_FIELDS = (
    "author",
    "email",
    "website",
    "text",
    "parent",
    "_form",
    "notify",
    "vote",
    HONEYPOT_FIELD,
)


class PageForms(PageBase):
    """Writing: the forms of the thread page and the edit and delete pages."""

    async def _form(self, request: Request, ref: ThreadRef) -> dict[str, str]:
        form = await request.form(max_files=0, max_fields=20)
        fields = {k: v for k, v in form.items() if isinstance(v, str) and k in FORM_FIELDS}
        site = await run_in_threadpool(self.service.site, ref.site)
        allowed = await run_in_threadpool(self.service.allowed_origins, site)
        check_origin(request, {*allowed, own_origin(request), self.public_origin}, referer_too=True)
        key = self.service.thread_key(ref)
        age = self.service.signer.form_age(
            fields.get("_form", ""), site.id, key, self.service.clock()
        )
        if age is None or not -60 <= age <= FORM_MAX_AGE_S:
            raise Forbidden(
                "This form has expired or was not made by this site; reload the page and try again."
            )
        return fields

    def _back(self, request: Request, ref: ThreadRef, status: str, anchor: str = "") -> str:
        query = {"status": status}
        lang = request.query_params.get("lang")
        if lang in STRINGS:
            query["lang"] = lang
        sort = request.query_params.get("sort")
        if sort in (Sort.NEWEST, Sort.TOP):
            query["sort"] = str(sort)
        return f"/t/{ref.site}/{ref.thread}?{urlencode(query)}{anchor}"

    async def post_comment(self, request: Request) -> Response:
        ref = self._ref(request)
        fields = await self._form(request, ref)
        parent = text_id(fields.get("parent", ""), "reply-to comment id")
        new = NewComment(
            ref,
            fields.get("text", ""),
            fields.get("author", ""),
            fields.get("email", ""),
            fields.get("website", ""),
            parent,
            "",
            fields.get(HONEYPOT_FIELD, ""),
            fields.get("_form", ""),
            request.query_params.get("lang", ""),
            fields.get("notify", "") == "1",
            request.cookies.get(COMMENTER_COOKIE, "")[:200],
        )
        posted = await self.service.post(new, client_of(request, self.addresses))
        anchor = f"#c{posted.comment['id']}" if posted.comment else "#rj-form"
        response = RedirectResponse(
            self._back(request, ref, posted.status.value, anchor), status_code=303
        )
        if posted.token:
            tokens = [posted.token, *owned_tokens(request)][:OWN_COOKIE_MAX]
            response.set_cookie(
                OWN_COOKIE,
                "|".join(tokens),
                max_age=OWN_COOKIE_AGE_S,
                path="/t/",
                httponly=True,
                samesite="lax",
                secure=self._https(request),
            )
        if posted.commenter_token and posted.commenter_token != new.commenter:
            response.set_cookie(
                COMMENTER_COOKIE,
                posted.commenter_token,
                max_age=self.commenter_age_s,
                path="/t/",
                httponly=True,
                samesite="lax",
                secure=self._https(request),
            )
        return response

    def _token_for(self, request: Request, comment_id: int) -> str:
        for token in owned_tokens(request):
            if self.service.signer.owner_of(token) == comment_id:
                return token
        raise Forbidden(
            "Only the author can change this comment, from the browser it was posted with."
        )

    async def _own(self, request: Request, refused: str) -> tuple[OwnComment, dict[str, Any]]:
        """The reader's own comment named in the path (by its id: one row, not the thread) and
        the context its edit and delete pages share; 403 with ``refused`` once it cannot change."""
        ref = self._ref(request)
        comment_id = comment_id_of(request)
        token = self._token_for(request, comment_id)
        own = await run_in_threadpool(self.service.own_comment, ref, comment_id, token)
        if own is None:
            raise Forbidden(refused)
        lang = lang_of(request)
        context = {
            "s": strings(lang),
            "lang": lang,
            "lang_query": lang_query(lang),
            "item": own.item,
            "base": f"/t/{own.site.id}/{own.key}",
            "form_token": own.form_token,
        }
        return own, context

    async def edit_form(self, request: Request) -> Response:
        own, context = await self._own(request, "This comment can no longer be edited.")
        body = templates.get_template("edit.html").render(context | {"source": own.source})
        return html(body, private=True, noindex=True)

    async def edit_submit(self, request: Request) -> Response:
        ref = self._ref(request)
        comment_id = comment_id_of(request)
        fields = await self._form(request, ref)
        token = self._token_for(request, comment_id)
        client = client_of(request, self.addresses)
        await run_in_threadpool(
            self.service.edit, comment_id, token, fields.get("text", ""), client
        )
        return RedirectResponse(
            self._back(request, ref, "edited", f"#c{comment_id}"), status_code=303
        )

    async def delete_confirm(self, request: Request) -> Response:
        """The no-JS Delete asks first: this page, with the comment, Delete and Cancel."""
        _, context = await self._own(request, "This comment can no longer be deleted.")
        return html(
            templates.get_template("delete.html").render(context), private=True, noindex=True
        )

    async def delete_submit(self, request: Request) -> Response:
        ref = self._ref(request)
        comment_id = comment_id_of(request)
        await self._form(request, ref)
        token = self._token_for(request, comment_id)
        await run_in_threadpool(self.service.delete, comment_id, token)
        return RedirectResponse(
            self._back(request, ref, "deleted", "#rj-comments"), status_code=303
        )

    async def vote_submit(self, request: Request) -> Response:
        """A vote from the no-JS page (``vote`` = "<comment id>:<1|-1|0>"); the voter token
        lives in an HttpOnly cookie."""
        ref = self._ref(request)
        fields = await self._form(request, ref)
        raw_id, _, raw_value = fields.get("vote", "").partition(":")
        comment_id = text_id(raw_id, "comment id")
        value = {"1": 1, "-1": -1, "0": 0}.get(raw_value)
        if comment_id is None or value is None:
            raise BadIdentifier("A vote is a comment id and 1 (up), -1 (down) or 0.")
        voter = request.cookies.get(VOTER_COOKIE, "")[:200]
        client = client_of(request, self.addresses)
        voted = await run_in_threadpool(self.reader.vote, comment_id, value, voter, client)
        response = RedirectResponse(
            self._back(request, ref, "voted", f"#c{comment_id}"), status_code=303
        )
        if voted.voter != voter:
            response.set_cookie(
                VOTER_COOKIE,
                voted.voter,
                max_age=VOTER_COOKIE_AGE_S,
                path="/t/",
                httponly=True,
                samesite="lax",
                secure=self._https(request),
            )
        return response
