"""What a finished request was, resolved once for everyone who records it.

``ObserveMiddleware`` captures the status the app answered with and names the request's route
once, then hands the same :class:`Observed` to each observer (the Prometheus metrics, the access
log). The route is the template of the route that matched (``/privacy/link/{token}``, so tokens
in paths never reach a log or a metric label), or ``None`` when no route did (a 404, or a body
refused before routing); each observer picks its own stand-in for ``None``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from starlette.routing import BaseRoute, Match, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send


@dataclass(frozen=True, slots=True)
class Observed:
    scope: Scope
    route: str | None  # the matched route's template; None when nothing matched
    status: int
    seconds: float


Observer = Callable[[Observed], None]


class RouteNames:
    """The template of the route a request matched: a set lookup for fixed paths, then the
    route the router chose (``scope["route"]``), else a walk over the few routes with parameters
    (for requests answered before routing: the body limits)."""

    def __init__(self, routes: Sequence[BaseRoute]):
        self.fixed = {r.path for r in routes if isinstance(r, Route) and "{" not in r.path}
        self.templated = [r for r in routes if isinstance(r, Route) and "{" in r.path]

    def of(self, scope: Scope) -> str | None:
        path = str(scope.get("path", ""))
        if path in self.fixed:
            return path
        routed = scope.get("route")
        if isinstance(routed, Route):
            return routed.path
        for route in self.templated:
            if route.matches(scope)[0] is not Match.NONE:
                return route.path
        return None


class ObserveMiddleware:
    """Pure ASGI (no Request per request): times the request, captures its status (500 when the
    app raised before answering), names its route and calls each observer."""

    def __init__(self, app: ASGIApp, routes: Sequence[BaseRoute], observers: Sequence[Observer]):
        self.app = app
        self.names = RouteNames(routes)
        self.observers = tuple(observers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
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
            seen = Observed(scope, self.names.of(scope), status, time.perf_counter() - started)
            for observer in self.observers:
                observer(seen)
