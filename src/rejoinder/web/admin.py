"""The moderation pages under /admin/: server-rendered (Jinja2, autoescaped), no framework.

Every handler reads top to bottom: who is signed in, check the form, call one service method,
render or redirect (POST-redirect-GET). Guards live in ``admin_guard.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from rejoinder.core.records.moderation import Actor, Decision, Moderator, Queue, Role
from rejoinder.errors import Forbidden, RejoinderError, ValidationFailed
from rejoinder.moderation.auth import ModeratorAuth
from rejoinder.moderation.bans import BanService
from rejoinder.moderation.policy import PolicyService
from rejoinder.moderation.queue import Filters, ModerationService, parse_day
from rejoinder.web.admin_guard import (
    ADMIN_CSP,
    ADMIN_HOME,
    SESSION_COOKIE,
    check_same_origin,
    clear_session_cookie,
    is_https,
    safe_next,
    set_session_cookie,
)
from rejoinder.web.admin_i18n import admin_language, admin_strings
from rejoinder.web.assets import HERE, make_asset, serve_asset
from rejoinder.web.clientip import ClientAddress
from rejoinder.web.params import form_ids, path_id, query_id, text_id
from rejoinder.web.rendering import templates

SHORTCUTS = (("j", "next comment"), ("k", "previous comment"), ("x", "select"),
             ("a", "approve"), ("s", "mark spam"), ("n", "not spam"), ("d", "delete"),
             ("o", "open"))  # fmt: skip


def page(template: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    body = templates.get_template(template).render(context)
    headers = {
        "Content-Security-Policy": ADMIN_CSP,
        "Cache-Control": "private, no-store",
        "X-Robots-Tag": "noindex",
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",
    }
    return HTMLResponse(body, status_code=status, headers=headers)


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


@dataclass(frozen=True, slots=True, kw_only=True)
class AdminConfig:
    public_url: str
    bulk_max: int
    admin_lang: str = ""  # "" follows the browser (en, de or fr)
    discarded_days: int = 7  # how long discarded comments are kept (the Discarded queue says)


@dataclass(eq=False, repr=False)
class AdminPages:
    auth: ModeratorAuth
    moderation: ModerationService
    policies: PolicyService
    bans: BanService
    addresses: ClientAddress
    config: AdminConfig

    def __post_init__(self) -> None:
        static = HERE / "static"
        self.css_asset = make_asset((static / "admin.css").read_bytes(), "text/css; charset=utf-8")
        self.js_asset = make_asset(
            (static / "admin.js").read_bytes(), "text/javascript; charset=utf-8"
        )

    async def css(self, request: Request) -> Response:
        return serve_asset(request, self.css_asset)

    async def js(self, request: Request) -> Response:
        return serve_asset(request, self.js_asset)

    # --- guards -------------------------------------------------------------------------------------
    async def who(self, request: Request) -> Moderator | None:
        cookie = request.cookies.get(SESSION_COOKIE, "")
        return await run_in_threadpool(self.auth.session, cookie) if cookie else None

    async def post_form(self, request: Request) -> tuple[Moderator, FormData]:
        """A signed-in moderator's form, from this server, with the right CSRF token."""
        check_same_origin(request, self.config.public_url)
        form = await request.form(max_files=0, max_fields=self.config.bulk_max * 2 + 40)
        cookie = request.cookies.get(SESSION_COOKIE, "")
        moderator = await self.who(request)
        token = form.get("_csrf")
        if moderator is None:
            raise Forbidden("Your session has ended; sign in again.")
        if not isinstance(token, str) or not self.auth.csrf_ok(cookie, token):
            raise Forbidden("This form has expired or was not made for you; reload the page.")
        return moderator, form

    def context(self, request: Request, moderator: Moderator, **extra: Any) -> dict[str, Any]:
        cookie = request.cookies.get(SESSION_COOKIE, "")
        sites = self.moderation.sites_for(moderator)
        ui_lang = self.language(request)
        return {
            "me": moderator,
            "csrf": self.auth.csrf_token(cookie),
            "sites": sites,
            "site_names": {s.id: s.url for s in sites},
            "shortcuts": SHORTCUTS,
            "flash": request.query_params.get("done", "")[:200],
            "lang": "en",
            "path": request.url.path,
            "ui_lang": ui_lang,
            "t": admin_strings(ui_lang),
            "nav_counts": self.moderation.nav_counts(moderator),
            "is_admin": Role.ADMIN in moderator.roles.values(),
            "discarded_days": self.config.discarded_days,
            **extra,
        }

    def language(self, request: Request) -> str:
        return admin_language(self.config.admin_lang, request.headers.get("accept-language", ""))

    def login_redirect(self, request: Request) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return see_other("/admin/login?" + urlencode({"next": safe_next(target)}))

    # --- sign in and out ------------------------------------------------------------------------
    async def home(self, request: Request) -> Response:
        return see_other(ADMIN_HOME)

    async def login_form(self, request: Request, error: str = "", status: int = 200) -> Response:
        context = {
            "form_token": self.auth.login_form_token(),
            "error": error,
            "lang": "en",
            "next": safe_next(request.query_params.get("next")),
        }
        return page("admin/login.html", context, status)

    async def login(self, request: Request) -> Response:
        check_same_origin(request, self.config.public_url)
        form = await request.form(max_files=0, max_fields=10)
        token, email, password = (str(form.get(k, "")) for k in ("_form", "email", "password"))
        if not self.auth.login_form_ok(token):
            raise Forbidden("The sign-in form has expired; reload the page.")
        client = self.addresses.of(request)
        try:
            session = await run_in_threadpool(self.auth.login, email, password, client)
        except RejoinderError as exc:
            if exc.status not in (401, 422):
                raise
            return await self.login_form(request, exc.message, 401)
        old = request.cookies.get(SESSION_COOKIE, "")
        if old:  # never keep a session id from before the login (fixation)
            await run_in_threadpool(self.auth.logout, old)
        response = see_other(safe_next(str(form.get("next", ""))))
        max_age = int((session.expires_at - self.auth.clock()).total_seconds())
        set_session_cookie(
            response, session.cookie, max_age, is_https(request, self.config.public_url)
        )
        return response

    async def logout(self, request: Request) -> Response:
        await self.post_form(request)
        await run_in_threadpool(self.auth.logout, request.cookies.get(SESSION_COOKIE, ""))
        response = see_other("/admin/login")
        clear_session_cookie(response, is_https(request, self.config.public_url))
        return response

    # --- the queues -----------------------------------------------------------------------------
    def _filters(self, request: Request) -> Filters:
        q = request.query_params
        return Filters(
            text=q.get("q", ""),
            author=q.get("author", ""),
            email=q.get("email", ""),
            thread=q.get("thread", ""),
            since=parse_day(q.get("since")),
            until=parse_day(q.get("until")),
            symbol=q.get("signal", "").strip().upper(),
            site_id=query_id(request, "site", "site id"),
            before=query_id(request, "before", "position"),
        )

    async def queue(self, request: Request) -> Response:
        moderator = await self.who(request)
        if moderator is None:
            return self.login_redirect(request)
        try:
            queue = Queue(request.path_params["queue"])
        except ValueError:
            raise ValidationFailed(
                "No such queue: pending, spam, discarded, published or deleted."
            ) from None
        filters = self._filters(request)
        result = await run_in_threadpool(self.moderation.queue, moderator, queue, filters)
        query = {k: v for k, v in request.query_params.items() if k != "before" and v}
        context = self.context(
            request,
            moderator,
            page=result,
            queues=list(Queue),
            query=query,
            filters=filters,
            next_url=(
                f"?{urlencode({**query, 'before': result.next_before})}"
                if result.next_before
                else ""
            ),
        )
        return page("admin/queue.html", context)

    async def act(self, request: Request) -> Response:
        """One decision on one comment (``single=<id>:<decision>``) or on every checked one."""
        moderator, form = await self.post_form(request)
        single = str(form.get("single", ""))
        if single:
            raw_id, _, raw_decision = single.partition(":")
            ids = form_ids([raw_id], "comment id")
        else:
            raw_decision = str(form.get("decision", ""))
            ids = form_ids(form.getlist("id"), "comment id")
        try:
            decision = Decision(raw_decision)
        except ValueError:
            raise ValidationFailed("Choose approve, spam, not_spam, restore or delete.") from None
        outcome = await run_in_threadpool(self.moderation.decide, Actor(moderator), ids, decision)
        done = f"{decision.value}: {len(outcome.changed)} changed"
        if outcome.unchanged:
            done += f", {len(outcome.unchanged)} unchanged"
        back = safe_next(str(form.get("back", "")))
        joiner = "&" if "?" in back else "?"
        return see_other(f"{back}{joiner}{urlencode({'done': done})}")

    # --- one comment ------------------------------------------------------------------------------
    async def comment(self, request: Request) -> Response:
        moderator = await self.who(request)
        if moderator is None:
            return self.login_redirect(request)
        comment_id = path_id(request, "comment_id", "comment")
        item, log = await run_in_threadpool(self.moderation.comment, moderator, comment_id)
        context = self.context(
            request, moderator, item=item, log=log, ban_kinds=self.bans.offers(item)
        )
        return page("admin/comment.html", context)

    async def edit(self, request: Request) -> Response:
        moderator, form = await self.post_form(request)
        comment_id = path_id(request, "comment_id", "comment")
        fields = [str(form.get(k, "")) for k in ("text", "author", "email", "website")]
        await run_in_threadpool(self.moderation.edit, Actor(moderator), comment_id, *fields)
        return see_other(f"/admin/c/{comment_id}?done=edited")

    # --- bans -----------------------------------------------------------------------------------------
    async def bans_page(self, request: Request) -> Response:
        moderator = await self.who(request)
        if moderator is None:
            return self.login_redirect(request)
        rows = await run_in_threadpool(self.bans.list, moderator)
        return page(
            "admin/bans.html", self.context(request, moderator, bans=rows, kinds=self.bans.kinds())
        )

    async def ban(self, request: Request) -> Response:
        moderator, form = await self.post_form(request)
        comment_id = text_id(str(form.get("comment", "")), "comment id")
        kind = str(form.get("kind", ""))
        if comment_id is not None:
            await run_in_threadpool(self.bans.ban_from_comment, Actor(moderator), comment_id, kind)
            return see_other(f"/admin/c/{comment_id}?done=banned")
        site_id = text_id(str(form.get("site", "")), "site id")
        if site_id is None:
            raise ValidationFailed("Choose the site the ban is for.")
        await run_in_threadpool(
            self.bans.add,
            Actor(moderator),
            site_id,
            kind,
            str(form.get("value", "")),
            str(form.get("note", "")),
        )
        return see_other("/admin/bans?done=banned")

    async def unban(self, request: Request) -> Response:
        moderator, _form = await self.post_form(request)
        ban_id = path_id(request, "ban_id", "ban")
        await run_in_threadpool(self.bans.lift, Actor(moderator), ban_id)
        return see_other("/admin/bans?done=lifted")

    # --- policy per site --------------------------------------------------------------------------
    async def policy_page(self, request: Request) -> Response:
        moderator = await self.who(request)
        if moderator is None:
            return self.login_redirect(request)
        site_id = path_id(request, "site_id", "site")
        q = request.query_params
        proposed = [q.get(k, "") for k in ("hold", "spam", "discard")]
        view = await run_in_threadpool(self.policies.view, moderator, site_id, *proposed)
        return page("admin/policy.html", self.context(request, moderator, view=view))

    async def policy_save(self, request: Request) -> Response:
        moderator, form = await self.post_form(request)
        site_id = path_id(request, "site_id", "site")
        if moderator.role_on(site_id) is not Role.ADMIN:
            raise Forbidden("Only an admin of this site can change its policy.")
        values = {
            k: str(form.get(k, "")) for k in ("mode", "hold", "spam", "discard", "close_after_days")
        }
        await run_in_threadpool(self.policies.save, Actor(moderator), site_id, values)
        return see_other(f"/admin/sites/{site_id}/policy?done=saved")

    # --- history ----------------------------------------------------------------------------------
    async def log_page(self, request: Request) -> Response:
        moderator = await self.who(request)
        if moderator is None:
            return self.login_redirect(request)
        entries = await run_in_threadpool(self.moderation.recent_log, moderator, 100)
        return page("admin/log.html", self.context(request, moderator, entries=entries))
