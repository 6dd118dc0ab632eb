"""One-click moderation links from the daily digest: ``GET /notify/act/{token}`` shows the
comment and one button (link scanners that open the URL change nothing); ``POST`` to the same
URL, from this server's page, acts once. No session: the signed link is the credential."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from rejoinder.core.records.moderation import Decision
from rejoinder.moderation.links import LinkActions
from rejoinder.web.admin import page
from rejoinder.web.admin_guard import check_same_origin
from rejoinder.web.admin_i18n import admin_language, admin_strings
from rejoinder.web.params import token_or_404


@dataclass(eq=False, repr=False)
class LinkPages:
    actions: LinkActions
    public_url: str
    admin_lang: str = ""

    def _context(self, request: Request) -> dict[str, object]:
        lang = admin_language(self.admin_lang, request.headers.get("accept-language", ""))
        return {
            "me": None,
            "t": admin_strings(lang),
            "lang": lang,
            "ui_lang": lang,
            "path": request.url.path,
            "flash": "",
        }

    async def form(self, request: Request) -> Response:
        view = await run_in_threadpool(self.actions.view, token_or_404(request))
        if view.used:
            context = {**self._context(request), "view": view, "outcome": "", "used": True}
            return page("admin/link_used.html", context, 410)
        return page("admin/link.html", {**self._context(request), "view": view, "outcome": ""})

    async def act(self, request: Request) -> Response:
        check_same_origin(request, self.public_url)
        view, _outcome = await run_in_threadpool(self.actions.act, token_or_404(request))
        done = "filed_spam" if view.action.decision is Decision.SPAM else "approved"
        return page("admin/link.html", {**self._context(request), "view": view, "outcome": done})
