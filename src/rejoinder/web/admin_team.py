"""``/admin/team``: moderators, roles and webhooks, for admins (forms with CSRF and a
same-origin check like every admin form; ``moderation/team.py`` decides who may do what)."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from rejoinder.core.records.moderation import Role
from rejoinder.errors import ValidationFailed
from rejoinder.moderation.team import TeamService
from rejoinder.web.admin import AdminPages, page, see_other
from rejoinder.web.params import path_id, text_id


def site_choice(raw: str) -> int | None:
    """A site id, or "" / "all" for every site."""
    value = raw.strip()
    return None if value in ("", "all") else text_id(value, "site id")


@dataclass(eq=False, repr=False)
class TeamPages:
    admin: AdminPages
    team: TeamService

    async def team_page(self, request: Request, secret: str = "", status: int = 200) -> Response:
        moderator = await self.admin.who(request)
        if moderator is None:
            return self.admin.login_redirect(request)
        view = await run_in_threadpool(self.team.view, moderator)
        context = await run_in_threadpool(self.admin.context, request, moderator)
        context.update(
            team=view,
            roles=list(Role),
            secret=secret,
            lang=context["ui_lang"],
            site_urls={s.id: s.url for s in view.sites},
        )
        return page("admin/team.html", context, status)

    async def grant(self, request: Request) -> Response:
        moderator, form = await self.admin.post_form(request)
        try:
            role = Role(str(form.get("role", "")))
        except ValueError:
            raise ValidationFailed("Choose the role: moderator or admin.") from None
        await run_in_threadpool(
            self.team.grant,
            moderator,
            str(form.get("email", ""))[:254],
            site_choice(str(form.get("site", ""))),
            role,
            str(form.get("password", ""))[:1000],
        )
        return see_other("/admin/team?done=role+added")

    async def revoke(self, request: Request) -> Response:
        moderator, form = await self.admin.post_form(request)
        target = text_id(str(form.get("moderator", "")), "moderator id")
        if target is None:
            raise ValidationFailed("Choose the moderator.")
        gone = await run_in_threadpool(
            self.team.revoke, moderator, target, site_choice(str(form.get("site", "")))
        )
        return see_other("/admin/team?done=" + ("moderator+removed" if gone else "role+removed"))

    async def add_hook(self, request: Request) -> Response:
        moderator, form = await self.admin.post_form(request)
        site_id = text_id(str(form.get("site", "")), "site id")
        if site_id is None:
            raise ValidationFailed("Choose the site the webhook is for.")
        _hook_id, secret = await run_in_threadpool(
            self.team.add_webhook,
            moderator,
            site_id,
            str(form.get("url", ""))[:2000],
            form.get("digest") == "on",
        )
        return await self.team_page(request, secret=secret, status=201)  # shown once, not stored

    async def remove_hook(self, request: Request) -> Response:
        moderator, _form = await self.admin.post_form(request)
        hook_id = path_id(request, "hook_id", "webhook")
        await run_in_threadpool(self.team.remove_webhook, moderator, hook_id)
        return see_other("/admin/team?done=webhook+removed")
