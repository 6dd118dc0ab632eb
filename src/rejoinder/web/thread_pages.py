"""The thread as plain HTML: the page, the fragment a site embeds and the demo. The public view is
cached under the thread's version; a reader's own held comments make the page private."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from rejoinder import __version__
from rejoinder.comments import avatars
from rejoinder.comments.posting import HONEYPOT_FIELD
from rejoinder.comments.records import ThreadPage, ThreadRef
from rejoinder.core.records.comments import PublicComment, Sort
from rejoinder.errors import NotFound
from rejoinder.web.api import PRIVACY_PATH
from rejoinder.web.i18n import pick_language, strings
from rejoinder.web.page_base import PageBase, lang_of, lang_query, owned_tokens, sort_of
from rejoinder.web.params import query_id
from rejoinder.web.rendering import html, templates

DEMO_THREAD = "welcome"
TOKEN_SLOT = "@@form-token@@"  # noqa: S105 - where a cached page gets its form token


def avatar_of(page: ThreadPage) -> Any:
    """The template's avatar(c): Gravatar where the site shows it and the comment has a hash,
    else the identicon made here."""

    def avatar(c: PublicComment) -> Markup:
        gravatar = c.get("gravatar")
        if page.gravatar and gravatar:
            return avatars.gravatar_img(gravatar)
        return avatars.identicon(c.get("avatar") or "")

    return avatar


def _find(items: list[PublicComment], comment_id: int) -> PublicComment | None:
    for item in items:
        if item["id"] == comment_id:
            return item
        found = _find(item["replies"], comment_id)
        if found is not None:
            return found
    return None


class ThreadPages(PageBase):
    """Reading: ``/t/{site}/{thread}``, its fragment and ``/demo/``."""

    async def _page(self, request: Request, ref: ThreadRef) -> ThreadPage:
        after = query_id(request, "after", "page position") or 0
        own = ",".join(owned_tokens(request))
        return await run_in_threadpool(
            self.service.list_thread, ref, after=after, own=own, sort=sort_of(request)
        )

    def _context(self, request: Request, page: ThreadPage, *, fragment: bool) -> dict[str, Any]:
        lang = lang_of(request)
        reply = query_id(request, "reply", "comment id")
        base = f"/t/{page.site.id}/{page.key}"
        lang_param = lang_query(lang)
        sort = "" if page.sort is Sort.OLDEST else "sort=" + page.sort.value
        return {
            "s": strings(lang),
            "lang": lang,
            "page": page,
            "base": base,
            "fragment": fragment,
            "action": (self.public_origin if fragment else "") + base,
            "reply_to": _find(page.comments, reply) if reply is not None else None,
            "flash": request.query_params.get("status", ""),
            "honeypot": HONEYPOT_FIELD,
            "privacy_url": PRIVACY_PATH,
            "version": __version__,
            "lang_query": lang_param,
            "query": "&".join(q for q in (sort, lang_param) if q),
            "sorts": [o.value for o in Sort],
            "avatar": avatar_of(page),
            "feed_url": f"/feed/{page.site.id}/{page.key}",
            "site_feed_url": f"/feed/{page.site.id}",
        }

    async def thread_page(self, request: Request) -> Response:
        return await self._render(request, "thread_page.html", fragment=False)

    async def thread_fragment(self, request: Request) -> Response:
        return await self._render(request, "fragment.html", fragment=True)

    async def _render(self, request: Request, template: str, *, fragment: bool) -> Response:
        """The thread as HTML. The public view (no own comments, no reply/status choice) is
        cached under the thread's version, with the per-render form token spliced in."""
        ref = self._ref(request)
        after = query_id(request, "after", "page position") or 0  # bad ones: 400, not cached
        query_id(request, "reply", "comment id")
        sort = sort_of(request)
        personal = bool(owned_tokens(request)) or any(
            k in request.query_params for k in ("reply", "status")
        )
        if personal:
            page = await self._page(request, ref)
            body = templates.get_template(template).render(
                self._context(request, page, fragment=fragment)
            )
            return html(body, private=True, noindex=page.own_pending)
        site, key, thread = await run_in_threadpool(self.service.thread_head, ref)
        lang = lang_of(request)
        cache_key = (template, site.id, key, thread.version if thread else -1, after, lang, sort)
        cached = self.cache.get(cache_key)
        if not isinstance(cached, str):
            page = await self._page(request, ref)
            page.form_token = TOKEN_SLOT
            cached = templates.get_template(template).render(
                self._context(request, page, fragment=fragment)
            )
            self.cache.put(cache_key, cached)
        return html(cached.replace(TOKEN_SLOT, self.service.form_token(site, key)))

    async def demo(self, request: Request) -> Response:
        if not self.demo_site:
            raise NotFound("The demo runs with `rejoinder serve --demo` (or `make run`).")
        site = await run_in_threadpool(self.service.site, self.demo_site)
        lang = pick_language(request.query_params.get("lang"), "")
        # The thread, rendered for readers without JavaScript (in <noscript>: nothing to race the widget).
        page = await run_in_threadpool(
            self.service.list_thread, ThreadRef(str(site.id), DEMO_THREAD)
        )
        thread = templates.get_template("fragment.html").render(
            self._context(request, page, fragment=True)
        )
        context = {
            "site": site,
            "thread": DEMO_THREAD,
            "lang": lang,
            "s": strings(lang),
            "nojs": f"/t/{site.id}/{DEMO_THREAD}",
            "privacy_url": PRIVACY_PATH,
            "rendered": thread,
        }
        # The page loads the embed from the demo site's address: opened as localhost it is a
        # real cross-origin embed (CORS), as on a reader's site.
        return html(templates.get_template("demo.html").render(context), also=site.url)
