"""`GET /api/v1/verdicts/{guid}`: the explanation of a stored Akismet check."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from rejoinder.errors import Unauthorized
from rejoinder.sites.service import KeyInfo, SiteService
from rejoinder.spam.explain import explain_record
from rejoinder.spam.service import CheckService


class VerdictEndpoints:
    def __init__(self, sites: SiteService, checks: CheckService):
        self.sites = sites
        self.checks = checks

    async def _key(self, request: Request) -> KeyInfo:
        """The site's Akismet key, as ``Authorization: Bearer <key>`` or ``?api_key=``."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        key = token.strip() if scheme.lower() == "bearer" else ""
        key = key or request.query_params.get("api_key", "").strip()
        if not key:
            raise Unauthorized("send the site's API key as 'Authorization: Bearer <key>'")
        info = await run_in_threadpool(self.sites.lookup, key)
        if info is None:
            raise Unauthorized("the API key is not valid or has been revoked")
        return info

    async def verdict(self, request: Request) -> Response:
        key = await self._key(request)
        guid = str(request.path_params["guid"])
        record = await run_in_threadpool(self.checks.stored_check, key, guid)
        return JSONResponse(explain_record(record))
