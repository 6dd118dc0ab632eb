"""Atom feeds (RFC 4287) of published comments: ``/feed/{site}`` and ``/feed/{site}/{thread}``.

The newest 50 published comments, newest first; held, spam and deleted ones never appear. A
thread's feed is cached under the thread's version (like its page); a site's for a few seconds.
The no-JS thread page links both with ``<link rel="alternate">``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from rejoinder import __version__
from rejoinder.comments import feeds
from rejoinder.comments.feeds import FeedPage
from rejoinder.comments.records import ThreadRef
from rejoinder.comments.sanitize import validate_thread_key
from rejoinder.comments.service import CommentService
from rejoinder.core.records.comments import iso
from rejoinder.core.ttlcache import MISS, TtlCache
from rejoinder.core.urls import url_host
from rejoinder.web.cache import PageCache
from rejoinder.web.i18n import pick_language, strings
from rejoinder.web.page_base import parse_site_id
from rejoinder.web.security import origin_of

ATOM = "http://www.w3.org/2005/Atom"
MEDIA_TYPE = "application/atom+xml; charset=utf-8"
SITE_FEED_TTL_S = 10.0


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    node = ET.SubElement(parent, tag, attrs)
    if text is not None:
        node.text = text
    return node


def render_feed(page: FeedPage, base: str, lang: str, fallback_updated: datetime) -> bytes:
    s = strings(lang)
    site_name = page.site.name or url_host(page.site.url) or page.site.url
    title = (page.thread.title if page.thread else "") or page.key or ""
    self_url = f"{base}/feed/{page.site.id}" + (f"/{page.key}" if page.key else "")
    feed = ET.Element("feed", {"xmlns": ATOM, "xml:lang": lang})
    _sub(feed, "id", self_url)
    if page.key is not None:
        _sub(feed, "title", s["feed_thread_title"].replace("{title}", title))
    else:
        _sub(feed, "title", s["feed_site_title"].replace("{site}", site_name))
    newest = page.items[0].comment if page.items else None
    updated = (newest.edited_at or newest.created_at) if newest else fallback_updated
    _sub(feed, "updated", iso(updated))
    _sub(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    page_url = f"{base}/t/{page.site.id}/{page.key}" if page.key else page.site.url
    _sub(feed, "link", rel="alternate", type="text/html", href=page_url)
    _sub(_sub(feed, "author"), "name", site_name)
    _sub(feed, "generator", "rejoinder", version=__version__)
    for item in page.items:
        c, thread = item.comment, item.thread
        entry = _sub(feed, "entry")
        _sub(entry, "id", f"{base}/t/{page.site.id}/{thread.key}#c{c.id}")
        name = c.author or s["anonymous"]
        _sub(
            entry,
            "title",
            s["feed_entry"].replace("{name}", name).replace("{title}", thread.title or thread.key),
        )
        _sub(entry, "published", iso(c.created_at))
        _sub(entry, "updated", iso(c.edited_at or c.created_at))
        _sub(_sub(entry, "author"), "name", name)
        article = thread.url or f"{base}/t/{page.site.id}/{thread.key}"
        _sub(entry, "link", rel="alternate", type="text/html", href=f"{article}#c{c.id}")
        _sub(entry, "content", c.html, type="html")
    body: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return body


class Feeds:
    def __init__(self, service: CommentService, public_url: str):
        self.service = service
        self.public_origin = origin_of(public_url) or ""
        self.threads = PageCache(max_entries=256)
        self.sites: TtlCache[bytes] = TtlCache(SITE_FEED_TTL_S, max_entries=1000)

    def _base(self, request: Request) -> str:
        return self.public_origin or str(request.base_url).rstrip("/")

    def _lang(self, request: Request) -> str:
        return pick_language(request.query_params.get("lang"), "")

    async def site_feed(self, request: Request) -> Response:
        site_ref = parse_site_id(request.path_params["site"])
        lang = self._lang(request)
        key = (site_ref, lang)
        body = self.sites.get(key)
        if body is MISS:
            page = await run_in_threadpool(feeds.site_feed, self.service, site_ref)
            body = render_feed(page, self._base(request), lang, self.service.clock())
            self.sites.put(key, body)
        return _answer(body)

    async def thread_feed(self, request: Request) -> Response:
        ref = ThreadRef(
            parse_site_id(request.path_params["site"]),
            validate_thread_key(request.path_params["thread"]),
        )
        lang = self._lang(request)
        site, key, thread = await run_in_threadpool(self.service.thread_head, ref)
        cache_key = (site.id, key, thread.version if thread else -1, lang)
        body = self.threads.get(cache_key)
        if not isinstance(body, bytes):
            page = await run_in_threadpool(feeds.thread_feed, self.service, ref)
            body = render_feed(page, self._base(request), lang, self.service.clock())
            self.threads.put(cache_key, body)
        return _answer(body)


def _answer(body: bytes) -> Response:
    return Response(body, media_type=MEDIA_TYPE, headers={"Cache-Control": "public, max-age=60"})
