"""Pages that work without JavaScript, the embed script and the demo.

``/t/{site}/{thread}`` renders a thread and its form as plain HTML (Jinja2, autoescaped); the form
posts back here and is redirected (POST-redirect-GET). Forms carry a signed token tied to their
render (CSRF, and the time-to-submit the spam engine reads), and Origin/Referer are checked when
present. A reader's own held comments are shown only to them (an HttpOnly cookie of owner
tokens), and such pages are never cached or indexed.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from rejoinder import __version__
from rejoinder.comments import avatars
from rejoinder.comments.posting import HONEYPOT_FIELD
from rejoinder.comments.reader import ReaderService
from rejoinder.comments.records import NewComment, OwnComment, ThreadPage, ThreadRef
from rejoinder.comments.sanitize import BadIdentifier, validate_thread_key
from rejoinder.comments.service import CommentService
from rejoinder.core.inputs import parse_id
from rejoinder.core.records.comments import PublicComment, Sort
from rejoinder.errors import Forbidden, NotFound
from rejoinder.web.api import PRIVACY_PATH, client_of
from rejoinder.web.cache import PageCache
from rejoinder.web.clientip import ClientAddress
from rejoinder.web.i18n import STRINGS, pick_language, strings
from rejoinder.web.params import path_id, query_id, text_id
from rejoinder.web.security import check_origin, origin_of, own_origin

HERE = Path(__file__).parent
OWN_COOKIE = "rejoinder_own"
OWN_COOKIE_MAX = 30  # owner tokens kept in the cookie
OWN_COOKIE_AGE_S = 30 * 24 * 3600
COMMENTER_COOKIE = "rejoinder_commenter"  # a returning commenter (D18; comments/tokens.py)
VOTER_COOKIE = "rejoinder_voter"  # the voter token of a reader without JavaScript
VOTER_COOKIE_AGE_S = 365 * 24 * 3600
FORM_MAX_AGE_S = 24 * 3600
DEMO_THREAD = "welcome"
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "connect-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'self'"
)
TOKEN_SLOT = "@@form-token@@"  # noqa: S105 - where a cached page gets its form token
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
GRAVATAR_ORIGIN = "https://www.gravatar.com"

templates = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True, slots=True)
class Asset:
    body: bytes
    gzipped: bytes
    etag: str
    media_type: str


def make_asset(body: bytes, media_type: str) -> Asset:
    etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
    return Asset(body, gzip.compress(body, 9, mtime=0), etag, media_type)


def build_embed_js() -> Asset:
    """embed.js with the strings table and the stylesheet inlined: one small request."""
    source = "\n".join(
        line.strip() for line in (HERE / "static" / "embed.js").read_text().splitlines()
    )
    css = (HERE / "static" / "comments.css").read_text()
    body = source.replace(
        "__STRINGS__", json.dumps(STRINGS, ensure_ascii=False, separators=(",", ":"))
    )
    body = body.replace("__CSS__", json.dumps(" ".join(css.split())))
    return make_asset(body.encode(), "text/javascript; charset=utf-8")


def serve_asset(request: Request, asset: Asset) -> Response:
    headers = {
        "ETag": asset.etag,
        "Cache-Control": "public, max-age=300",
        "Vary": "Accept-Encoding",
    }
    if request.headers.get("if-none-match") == asset.etag:
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return Response(asset.gzipped, headers=headers, media_type=asset.media_type)
    return Response(asset.body, headers=headers, media_type=asset.media_type)


def html(
    body: str, *, status: int = 200, private: bool = False, noindex: bool = False, also: str = ""
) -> HTMLResponse:
    """An HTML page with our CSP; ``also`` is one more origin allowed for scripts and fetches.
    Images come from this server only, unless the page shows Gravatar pictures (a site's
    choice)."""
    csp = PAGE_CSP
    for directive in ("script-src 'self'", "connect-src 'self'", "style-src 'self'"):
        if also:
            csp = csp.replace(directive, f"{directive} {also}")
    if avatars.GRAVATAR in body:
        csp = csp.replace("img-src 'self' data:", f"img-src 'self' data: {GRAVATAR_ORIGIN}")
    headers = {"Content-Security-Policy": csp, "Referrer-Policy": "strict-origin-when-cross-origin"}
    if private:
        headers["Cache-Control"] = "private, no-store"
    if noindex:
        headers["X-Robots-Tag"] = "noindex"
    return HTMLResponse(body, status_code=status, headers=headers)


def parse_site_id(site: str) -> str:
    if parse_id(site) is None:
        raise BadIdentifier("Invalid site id: use the site's number.")
    return site


def sort_of(request: Request) -> Sort:
    raw = request.query_params.get("sort", "")
    try:
        return Sort(raw) if raw else Sort.OLDEST
    except ValueError:
        raise BadIdentifier("Sort by oldest, newest or top.") from None


def avatar_of(page: ThreadPage) -> Any:
    """The template's avatar(c): Gravatar where the site shows it and the comment has a hash,
    else the identicon made here."""

    def avatar(c: PublicComment) -> Markup:
        gravatar = c.get("gravatar")
        if page.gravatar and gravatar:
            return avatars.gravatar_img(gravatar)
        return avatars.identicon(c.get("avatar") or "")

    return avatar


def owned_tokens(request: Request) -> list[str]:
    raw = request.cookies.get(OWN_COOKIE, "")
    return [t for t in raw.split("|") if t][:OWN_COOKIE_MAX]


class Pages:
    def __init__(
        self,
        service: CommentService,
        reader: ReaderService,
        addresses: ClientAddress,
        public_url: str,
        demo_site: str,
    ):
        self.service = service
        self.reader = reader
        self.addresses = addresses
        self.public_origin = origin_of(public_url) or ""
        self.commenter_age_s = service.config.commenter_days * 24 * 3600
        self.demo_site = demo_site
        self.cache = PageCache()
        self.embed = build_embed_js()
        self.css = make_asset(
            (HERE / "static" / "comments.css").read_bytes(), "text/css; charset=utf-8"
        )

    # --- assets -----------------------------------------------------------------------------------
    async def embed_js(self, request: Request) -> Response:
        return serve_asset(request, self.embed)

    async def comments_css(self, request: Request) -> Response:
        return serve_asset(request, self.css)

    # --- reading ----------------------------------------------------------------------------------
    def _ref(self, request: Request) -> ThreadRef:
        site = parse_site_id(request.path_params["site"])
        return ThreadRef(site, validate_thread_key(request.path_params["thread"]))

    async def _page(self, request: Request, ref: ThreadRef) -> ThreadPage:
        after = query_id(request, "after", "page position") or 0
        own = ",".join(owned_tokens(request))
        return await run_in_threadpool(
            self.service.list_thread, ref, after=after, own=own, sort=sort_of(request)
        )

    def _context(self, request: Request, page: ThreadPage, *, fragment: bool) -> dict[str, Any]:
        lang = _lang(request)
        reply = query_id(request, "reply", "comment id")
        base = f"/t/{page.site.id}/{page.key}"
        lang_query = _lang_query(lang)
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
            "lang_query": lang_query,
            "query": "&".join(q for q in (sort, lang_query) if q),
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
        lang = _lang(request)
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

    # --- writing (forms) ----------------------------------------------------------------------------
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

    def _https(self, request: Request) -> bool:
        """Behind a TLS proxy the request's own scheme is http: ``public_url`` says https."""
        return request.url.scheme == "https" or self.public_origin.startswith("https://")

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
        comment_id = _comment_id(request)
        token = self._token_for(request, comment_id)
        own = await run_in_threadpool(self.service.own_comment, ref, comment_id, token)
        if own is None:
            raise Forbidden(refused)
        lang = _lang(request)
        context = {
            "s": strings(lang),
            "lang": lang,
            "lang_query": _lang_query(lang),
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
        comment_id = _comment_id(request)
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
        comment_id = _comment_id(request)
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

    # --- demo -----------------------------------------------------------------------------------
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


def _lang(request: Request) -> str:
    return pick_language(
        request.query_params.get("lang"), request.headers.get("accept-language", "")
    )


def _lang_query(lang: str) -> str:
    return "" if lang == "en" else "lang=" + lang


def _comment_id(request: Request) -> int:
    return path_id(request, "comment_id", "comment")


def _find(items: list[PublicComment], comment_id: int) -> PublicComment | None:
    for item in items:
        if item["id"] == comment_id:
            return item
        found = _find(item["replies"], comment_id)
        if found is not None:
            return found
    return None
