"""Prometheus metrics: requests, verdicts by action, latency (fed by ``web/observed.py``, which
the access log shares). ``/metrics`` is off unless the ``metrics_token`` setting is set, and
then needs that token."""

from __future__ import annotations

import hmac
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.requests import Request
from starlette.responses import Response

from rejoinder.errors import NotFound, Unauthorized
from rejoinder.web.observed import Observed

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "rejoinder_http_requests",
            "HTTP requests by route and status",
            ["route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "rejoinder_http_request_seconds",
            "Request latency by route",
            ["route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.verdicts = Counter(
            "rejoinder_verdicts", "Spam verdicts by action", ["action"], registry=self.registry
        )
        self._counted: dict[tuple[str, int], Any] = {}
        self._timed: dict[str, Any] = {}

    def observe(self, route: str, status: int, seconds: float) -> None:
        """Count and time one request; label children are looked up once per (route, status)."""
        slot = (route, status)
        counter = self._counted.get(slot)
        if counter is None:
            counter = self._counted[slot] = self.requests.labels(route, str(status))
        timer = self._timed.get(route)
        if timer is None:
            timer = self._timed[route] = self.latency.labels(route)
        counter.inc()
        timer.observe(seconds)

    def observe_request(self, seen: Observed) -> None:
        """An observer for ``ObserveMiddleware``: requests no route matched count as "other"
        (the label set stays bounded); an Akismet check also counts its verdict's action."""
        self.observe(seen.route or "other", seen.status, seen.seconds)
        action = seen.scope.get("state", {}).get("verdict_action")
        if action is not None:
            self.verdicts.labels(str(action)).inc()

    def render(self) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


async def metrics_endpoint(request: Request) -> Response:
    """Off (404) unless ``metrics_token`` is set; then only with that bearer token (401)."""
    token = request.app.state.services.settings.metrics_token.get_secret_value()
    if not token:
        raise NotFound("Not Found")
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode(), token.encode()
    ):
        raise Unauthorized("send the metrics token as 'Authorization: Bearer <token>'")
    metrics: Metrics = request.app.state.metrics
    return metrics.render()
