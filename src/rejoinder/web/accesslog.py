"""Access log lines without raw IP addresses: ``rejoinder.access`` at INFO, one per request.

A line names the method, the route (its template, e.g. ``/privacy/link/{token}``, so tokens in
paths never reach the log; unmatched paths as sent, without the query), the status, the time
taken, and the client as the first 8 hex digits of the keyed hash of its network
(``core.anonymize``: lines from one /24 or /48 can be told apart, the address cannot be read
back). Turned off with ``access_log = false``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

from starlette.requests import Request
from starlette.routing import BaseRoute, Match, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rejoinder.core.anonymize import Hasher
from rejoinder.web.clientip import ClientAddress

log = logging.getLogger("rejoinder.access")
MAX_PATH = 200


class RouteNames:
    """The template of the route a request matched: a set lookup for fixed paths, a walk over
    the few routes with parameters otherwise; a path nothing matches is logged as sent."""

    def __init__(self, routes: Sequence[BaseRoute]):
        self.fixed = {r.path for r in routes if isinstance(r, Route) and "{" not in r.path}
        self.templated = [r for r in routes if isinstance(r, Route) and "{" in r.path]

    def of(self, scope: Scope) -> str:
        path = str(scope.get("path", ""))
        if path in self.fixed:
            return path
        for route in self.templated:
            if route.matches(scope)[0] is not Match.NONE:
                return route.path
        return path[:MAX_PATH]


class AccessLogMiddleware:
    def __init__(self, app: ASGIApp, hasher: Hasher, addresses: ClientAddress,
                 routes: Sequence[BaseRoute]):  # fmt: skip
        self.app = app
        self.hasher = hasher
        self.addresses = addresses
        self.names = RouteNames(routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not log.isEnabledFor(logging.INFO):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            client = (self.hasher.ip_prefix(self.addresses.of(Request(scope))) or "-")[:8]
            millis = (time.perf_counter() - started) * 1000
            log.info("%s %s %d %.1fms client=%s", scope.get("method", ""), self.names.of(scope),
                     status, millis, client)  # fmt: skip
