"""The Akismet REST API (akismet-api.md §11), as plain Starlette endpoints on the hot path.

Bodies are parsed by ``web.forms`` (no framework form machinery); every answer is HTTP 200 with
the exact body real clients compare against; ``X-akismet-debug-help`` only on errors.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from rejoinder.core.inputs import clamp_count
from rejoinder.core.records.verdict import Action, Label
from rejoinder.core.ttlcache import MISS
from rejoinder.sites.service import KeyInfo, SiteService, looks_like_key, try_normalise
from rejoinder.spam.service import CheckService, PendingCheck
from rejoinder.spam.stats import StatsPeriod
from rejoinder.storage.usage import SiteUsage
from rejoinder.web.forms import request_fields
from rejoinder.web.wordpress import as_typed

THANKS = "Thanks for making the web a better place."
TEXT = "text/plain; charset=utf-8"
MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
KEY_SITES_ORDERS = ("total", "spam", "ham", "missed_spam", "false_positives")
MAX_KEY_SITES = 10_000


@dataclass(frozen=True, slots=True, kw_only=True)
class AkismetConfig:
    api_host: str
    max_body_bytes: int
    max_form_fields: int
    usage_limit: int


def text(body: str, headers: dict[str, str] | None = None) -> Response:
    return Response(body, status_code=200, media_type=TEXT, headers=headers)


def invalid(debug: str) -> Response:
    return text("invalid", {"X-akismet-debug-help": debug})


def missing(name: str) -> Response:
    return text(
        f"Missing required field: {name}", {"X-akismet-debug-help": f'Empty "{name}" value'}
    )


def key_from_host(host_header: str, api_host: str) -> str:
    """``<key>.<api_host>[:port]`` → key; '' when the Host carries none."""
    host = host_header.rsplit(":", 1)[0] if not host_header.endswith("]") else host_header
    host = host.strip().lower().rstrip(".")
    label, dot, rest = host.partition(".")
    if not dot or not rest:
        return ""
    if api_host and rest != api_host.lower():
        return ""
    return label if looks_like_key(label) else ""


class AkismetEndpoints:
    """One method per endpoint; the app registers them in ``web/routes.py``."""

    def __init__(self, sites: SiteService, checks: CheckService, config: AkismetConfig):
        self.sites = sites
        self.checks = checks
        self.config = config

    async def _fields(self, request: Request) -> dict[str, str]:
        return await request_fields(
            request, self.config.max_body_bytes, self.config.max_form_fields
        )

    def _key(self, request: Request, fields: dict[str, str], *, verify: bool = False) -> str:
        order = ("key", "api_key") if verify else ("api_key", "key")
        for name in order:
            value = fields.get(name, "").strip()
            if value:
                return value
        return key_from_host(request.headers.get("host", ""), self.config.api_host)

    async def _authorise(self, request: Request, fields: dict[str, str]) -> KeyInfo | Response:
        key = self._key(request, fields)
        if not key:
            return invalid('Empty "api_key" value.')
        info = await self._lookup(key)
        if info is None:
            return invalid("Your API key is not valid or has been revoked.")
        return info

    async def _lookup(self, key: str) -> KeyInfo | None:
        """From the key cache without leaving the event loop; the database in a thread."""
        cached = self.sites.lookup_cached(key)
        if cached is not MISS:
            return cached
        return await run_in_threadpool(self.sites.lookup, key)

    def _site_checked(
        self, info: KeyInfo, fields: dict[str, str], required: tuple[str, ...] = ("blog", "user_ip")
    ) -> Response | None:
        for name in required:
            if not fields.get(name, "").strip():
                return missing(name)
        blog = try_normalise(fields["blog"])
        if blog is None:
            return invalid("We were unable to parse your blog URI")
        if not info.allows(blog):
            return invalid("This API key is not allowed for this site.")
        return None

    async def verify_key(self, request: Request) -> Response:
        fields = await self._fields(request)
        key = self._key(request, fields, verify=True)
        if not key:
            return invalid('Empty "key" value.')
        blog = try_normalise(fields.get("blog", ""))
        if blog is None:
            return invalid("We were unable to parse your blog URI")
        info = await self._lookup(key)
        if info is None:
            return invalid("Your API key is not valid or has been revoked.")
        if not info.allows(blog):
            return invalid("This API key is not allowed for this site.")
        return text("valid")

    async def _checked_call(self, request: Request) -> tuple[KeyInfo, dict[str, str]] | Response:
        """A call about one comment: a valid key allowed for the named blog, and a user_ip."""
        fields = await self._fields(request)
        info = await self._authorise(request, fields)
        if isinstance(info, Response):
            return info
        problem = self._site_checked(info, fields)
        if problem is not None:
            return problem
        return info, fields

    async def comment_check(self, request: Request) -> Response:
        call = await self._checked_call(request)
        if isinstance(call, Response):
            return call
        info, fields = call
        fields = as_typed(request.headers.get("user-agent", ""), fields)
        # The verdict is CPU work: no thread hop unless the site's thresholds must be read. The
        # answer waits until the record is committed, so an acknowledged check is never lost.
        pending: PendingCheck | None = self.checks.decide_cached(info, fields)
        if pending is None:
            pending = await run_in_threadpool(self.checks.decide, info, fields)
        await self.checks.store(pending)
        result = pending.result
        request.state.verdict_action = result.verdict.action
        headers = {"X-akismet-guid": result.guid}
        if result.verdict.action is Action.DISCARD:
            headers["X-akismet-pro-tip"] = "discard"
        return text("true" if result.verdict.is_spam else "false", headers)

    async def _submit(self, request: Request, label: Label) -> Response:
        call = await self._checked_call(request)
        if isinstance(call, Response):
            return call
        info, fields = call
        await run_in_threadpool(self.checks.submit, info, fields, label)
        return text(THANKS)

    async def submit_spam(self, request: Request) -> Response:
        return await self._submit(request, Label.SPAM)

    async def submit_ham(self, request: Request) -> Response:
        return await self._submit(request, Label.HAM)

    async def usage_limit(self, request: Request) -> Response:
        fields = await self._fields(request)
        info = await self._authorise(request, fields)
        if isinstance(info, Response):
            return info
        body = await run_in_threadpool(self.checks.usage, info, self.config.usage_limit)
        return Response(json.dumps(body), media_type="application/json")

    async def key_sites(self, request: Request) -> Response:
        fields = await self._fields(request)
        info = await self._authorise(request, fields)
        if isinstance(info, Response):
            return info
        month = fields.get("month", "").strip()
        if month and not MONTH_RE.match(month):
            return invalid("month must be YYYY-MM")
        month, rows = await run_in_threadpool(self.checks.key_sites, info, month or None)
        wanted = fields.get("filter", "").strip().lower()
        rows = [r for r in rows if wanted in r.site.lower()]
        order = fields.get("order", "total")
        attr = "api_calls" if order not in KEY_SITES_ORDERS or order == "total" else order
        rows.sort(key=lambda r: (-getattr(r, attr), r.site))
        limit = clamp_count(fields.get("limit"), 500, MAX_KEY_SITES)
        offset = clamp_count(fields.get("offset"), 0, MAX_KEY_SITES)
        page = rows[offset : offset + limit]
        if fields.get("format", "json").lower() == "csv":
            return _key_sites_csv(self._key(request, fields), month, page, limit, offset, len(rows))
        items = [
            {
                "site": r.site,
                "api_calls": str(r.api_calls),
                "spam": str(r.spam),
                "ham": str(r.ham),
                "missed_spam": str(r.missed_spam),
                "false_positives": str(r.false_positives),
                "is_revoked": False,
            }
            for r in page
        ]
        body = {month: items, "limit": limit, "offset": offset, "total": len(rows)}
        return Response(json.dumps(body), media_type="application/json")

    # --- endpoints only the WordPress plugin calls -----------------------------------------
    async def test(self, request: Request) -> Response:
        return text("connected")

    async def get_subscription(self, request: Request) -> Response:
        fields = await self._fields(request)
        key = self._key(request, fields, verify=True)
        info = await self._lookup(key) if key else None
        if info is None:
            return invalid("Your API key is not valid or has been revoked.")
        body = {
            "status": "active",
            "account_type": "self-hosted",
            "account_name": "rejoinder",
            "next_billing_date": "",
        }
        return Response(json.dumps(body), media_type="application/json")

    async def get_stats(self, request: Request) -> Response:
        """The site's statistics for the plugin's settings page (``spam/stats.py``)."""
        fields = await self._fields(request)
        info = await self._authorise(request, fields)
        if isinstance(info, Response):
            return info
        problem = self._site_checked(info, fields, required=("blog",))
        if problem is not None:
            return problem
        blog = try_normalise(fields["blog"]) or ""
        period = StatsPeriod.parse(fields.get("from", "") or fields.get("interval", ""))
        body = await run_in_threadpool(self.checks.stats, blog, period)
        return Response(json.dumps(body), media_type="application/json")

    async def deactivate(self, request: Request) -> Response:
        await self._fields(request)
        return text("deactivated")


def _key_sites_csv(
    key: str, month: str, rows: Sequence[SiteUsage], limit: int, offset: int, total: int
) -> Response:
    out = io.StringIO()
    out.write(
        f"Active sites for {key} during {month} (limit:{limit}, offset: {offset}, total: {total})\n"
    )
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["Site", "Total API Calls", "Spam", "Ham", "Missed Spam", "False Positives", "Is Revoked"]
    )
    for r in rows:
        writer.writerow(
            [r.site, r.api_calls, r.spam, r.ham, r.missed_spam, r.false_positives, "false"]
        )
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8")
