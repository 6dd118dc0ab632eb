"""The owner's admin pages: the list of sites (with Stats and Policy per site) and a site's
Stats page (numbers per day, an inline SVG chart, the same numbers as a table)."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from rejoinder.moderation.stats import PERIODS, StatsService, period_days
from rejoinder.web.admin import AdminPages, page
from rejoinder.web.charts import stats_chart
from rejoinder.web.params import path_id


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f} %"


@dataclass(eq=False, repr=False)
class OwnerPages:
    admin: AdminPages
    stats: StatsService

    async def sites_page(self, request: Request) -> Response:
        moderator = await self.admin.who(request)
        if moderator is None:
            return self.admin.login_redirect(request)
        context = await run_in_threadpool(self.admin.context, request, moderator)
        return page("admin/sites.html", context)

    async def stats_page(self, request: Request) -> Response:
        moderator = await self.admin.who(request)
        if moderator is None:
            return self.admin.login_redirect(request)
        site_id = path_id(request, "site_id", "site")
        days = period_days(request.query_params.get("days"))
        found = await run_in_threadpool(self.stats.site_stats, moderator, site_id, days)
        context = await run_in_threadpool(self.admin.context, request, moderator)
        t = context["t"]
        total = found.totals
        title = t["chart_title"].format(site=found.site.url, n=days)
        description = t["chart_desc"].format(
            total=total.total,
            published=total.published,
            held=total.held,
            spam=total.spam,
            discarded=total.discarded,
            accuracy=percent(total.accuracy),
        )
        context.update(
            stats=found,
            days=days,
            periods=PERIODS,
            lang=context["ui_lang"],
            chart=stats_chart(found.days, title, description, t),
            accuracy_text=percent(total.accuracy),
        )
        return page("admin/stats.html", context)
